/**
 * Which platform a suite of katas runs on, for its reports: the cluster's version and its mesh's
 * (Istio's istiod, by its image tag). Asked once per `kata test`, before the first kata.
 */
import { AppsV1Api } from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { withDeadline } from './api.js';
import { loadKubeConfig, releaseAgents, serverVersion, statusOf, type ConnectOptions } from './cluster.js';
import { istiodOf } from './mesh.js';

/** The cluster a suite runs on, as its reports name it. */
export interface Platform {
  /** `v1.34.1`: the API server's gitVersion. */
  readonly cluster: string;
  /** The mesh, when the cluster has one (istiod in istio-system). */
  readonly mesh?: { readonly name: 'istio'; readonly version: string; readonly ready: boolean };
}

/** Asks the cluster for its version and its mesh; a ClusterError (exit 3) when it cannot be reached. */
export async function readPlatform(options: Pick<ConnectOptions, 'context' | 'kubeconfig'> = {}): Promise<Platform> {
  const loaded = loadKubeConfig(options);
  const cluster = await serverVersion(loaded);
  try {
    const istiod = await withDeadline(
      'the deployment istiod',
      loaded.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'istiod', namespace: 'istio-system' }),
    );
    const { version, ready } = istiodOf(istiod);
    return { cluster, mesh: { name: 'istio', version: version ?? 'unknown', ready } };
  } catch (error) {
    // No istiod (404), or not allowed to look (403): for a suite, that cluster has no mesh.
    if (statusOf(error) === 404 || statusOf(error) === 403) return { cluster };
    throw new ClusterError(
      `cannot tell whether the cluster has a mesh: ${(error as Error).message.split('\n')[0] ?? ''}`,
      'Check that the cluster answers (`kata doctor`), then run the suite again.',
      { cause: error },
    );
  } finally {
    releaseAgents(loaded.kc);
  }
}
