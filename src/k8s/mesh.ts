/** What the runner, the doctor and `kata lab status` read of an Istio mesh, in one place. */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';

/** The container Istio injects: a native sidecar (an init container that keeps running) or a plain container. */
export const SIDECAR = 'istio-proxy';

/** The pod's spec has the mesh's sidecar. */
export function hasSidecar(pod: V1Pod): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === SIDECAR);
}

/** The status of every container of the pod, init containers (native sidecars) first. */
export function containerStatuses(pod: V1Pod) {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** The pod's sidecar reports Ready. */
export function sidecarReady(pod: V1Pod): boolean {
  return containerStatuses(pod).some((s) => s.name === SIDECAR && s.ready);
}

/** istiod's version (its image tag) and whether a replica is ready, from its Deployment. */
export function istiodOf(deployment: V1Deployment): { readonly version?: string; readonly ready: boolean } {
  const image = deployment.spec?.template.spec?.containers[0]?.image ?? '';
  const ready = (deployment.status?.readyReplicas ?? 0) >= 1;
  return image.includes(':') ? { version: image.slice(image.lastIndexOf(':') + 1), ready } : { ready };
}
