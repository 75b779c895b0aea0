/**
 * Namespaces the runner created and no live run owns: left by a run that was killed (SIGKILL, a
 * closed laptop) or whose API server went away before its cleanup. Found by their label
 * (app.kubernetes.io/managed-by=kata-runner) and owner annotation (kata-runner/owner); removed
 * with removeNamespace (re-exported here), which verifies they are gone.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { apiErrorMessage, withDeadline } from './api.js';
import { loadKubeConfig, releaseAgents, type ConnectOptions } from './cluster.js';
import { finalizersOf, isStale } from './namespaces.js';
import { MANAGED_BY, MANAGED_BY_VALUE, parseOwner, type RunOwner } from './owner.js';

export { removeNamespace, type Removal } from './namespaces.js';

/** A namespace left by a dead run. */
export interface StaleNamespace {
  readonly name: string;
  /** The run that created it, as its annotation says. */
  readonly owner: RunOwner;
  /** Already being deleted (it may be held by finalizers). */
  readonly terminating: boolean;
  /** What holds a terminating namespace (spec and metadata finalizers), empty when nothing does. */
  readonly finalizers: readonly string[];
}

/**
 * The namespaces of the kubeconfig's cluster that dead runs left. Contract: read-only; lists
 * namespaces by label (needs `list namespaces` at cluster scope; a 403 or an unreachable API is
 * thrown as an Error with a one-line message); each call is bounded by the API deadline
 * (KATA_API_TIMEOUT). `options` as for connectCluster (kubeconfig, context); its namespace is unused.
 */
export async function findStaleNamespaces(options: ConnectOptions = {}): Promise<StaleNamespace[]> {
  const { kc } = loadKubeConfig(options);
  try {
    const list = await withDeadline(
      'the runner’s namespaces',
      kc.makeApiClient(CoreV1Api).listNamespace({ labelSelector: `${MANAGED_BY}=${MANAGED_BY_VALUE}` }),
    );
    return list.items.filter(isStale).map((n) => ({
      name: n.metadata?.name ?? '',
      owner: parseOwner(n.metadata?.annotations) as RunOwner,
      terminating: n.status?.phase === 'Terminating',
      finalizers: finalizersOf(n),
    }));
  } catch (error) {
    throw new Error(`cannot list the namespaces kata-runner created: ${apiErrorMessage(error)}`, { cause: error });
  } finally {
    releaseAgents(kc);
  }
}
