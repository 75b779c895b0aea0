/**
 * What `kata lab status` asks the lab's API server: is the node Ready, does CoreDNS have a ready
 * replica, and how is the mesh (istiod, its injection webhook, the injected namespaces). Read-only;
 * each answer within a short deadline, since status must not hang on a half-started lab.
 */
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { apiErrorMessage, withDeadline } from './api.js';
import { istiodOf } from './mesh.js';
import { omitUndefined } from '../omit-undefined.js';

/** The lab's mesh as the API shows it. */
export interface MeshState {
  /** istiod's Deployment exists in istio-system. */
  readonly installed: boolean;
  /** istiod has a ready replica and the injection webhook carries its CA bundle. */
  readonly ready: boolean;
  /** The Istio version (istiod's image tag), when installed. */
  readonly version?: string;
  /** Namespaces labelled istio-injection=enabled. */
  readonly injected: readonly string[];
}

/** The lab's cluster as its API server answers, or why it could not be asked. */
export type LabClusterState =
  | { readonly nodeReady: boolean; readonly dnsReady: boolean; readonly mesh: MeshState }
  | { readonly nodeReady: false; readonly dnsReady: false; readonly apiError: string };

const API_TIMEOUT_MS = 5_000;

/** Asks the API server of `kubeconfig` (the lab's admin kubeconfig) about `node`, CoreDNS and the mesh. */
export async function readLabCluster(kubeconfig: string, node: string): Promise<LabClusterState> {
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const [nodeObject, dns] = await withDeadline(
      'the node and CoreDNS',
      Promise.all([
        kc.makeApiClient(CoreV1Api).readNode({ name: node }),
        kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'coredns', namespace: 'kube-system' }),
      ]),
      API_TIMEOUT_MS,
    );
    const nodeReady = nodeObject.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    const dnsReady = (dns.status?.readyReplicas ?? 0) >= 1;
    return { nodeReady, dnsReady, mesh: await withDeadline('about the mesh', readMesh(kc), API_TIMEOUT_MS) };
  } catch (error) {
    return { nodeReady: false, dnsReady: false, apiError: describe(error) };
  }
}

/** istiod's Deployment, the injection webhook's CA bundle and the injected namespaces. */
export async function readMesh(kc: KubeConfig): Promise<MeshState> {
  const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace({ labelSelector: 'istio-injection=enabled' });
  const injected = namespaces.items.filter((n) => n.status?.phase !== 'Terminating').map((n) => n.metadata?.name ?? '');
  let istiod;
  try {
    istiod = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'istiod', namespace: 'istio-system' });
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return { installed: false, ready: false, injected };
    throw error;
  }
  const { version, ready: replicaReady } = istiodOf(istiod);
  let caBundle = false;
  try {
    const webhook = await kc.makeApiClient(AdmissionregistrationV1Api).readMutatingWebhookConfiguration({ name: 'istio-sidecar-injector' });
    caBundle = webhook.webhooks?.every((w) => (w.clientConfig.caBundle ?? '') !== '') === true;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 404) throw error;
  }
  const ready = replicaReady && caBundle;
  return { installed: true, ready, injected, ...omitUndefined({ version }) };
}

function describe(error: unknown): string {
  return apiErrorMessage(error);
}
