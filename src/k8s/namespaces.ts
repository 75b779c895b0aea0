/**
 * A namespace the runner created: whether a dead run left it, and its removal with the deletion
 * verified (naming the finalizers that hold it).
 */
import { CoreV1Api, type KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { apiErrorMessage, httpStatusOf, withDeadline } from './api.js';
import { MANAGED_BY, MANAGED_BY_VALUE, ownerAlive, parseOwner } from './owner.js';
import { watchUntil } from './settle.js';

/** The finalizers that keep a namespace from going away. */
export function finalizersOf(namespace: V1Namespace): string[] {
  return [...(namespace.spec?.finalizers ?? []), ...(namespace.metadata?.finalizers ?? [])];
}

/**
 * Whether a namespace is the runner's and its owning run is dead. True only when the owner is
 * certainly dead (it ran on this host and its process is gone); a namespace of another host's run
 * is never taken for stale. Unlabelled namespaces, or ones without an owner annotation, never are.
 */
export function isStale(namespace: V1Namespace): boolean {
  if (namespace.metadata?.labels?.[MANAGED_BY] !== MANAGED_BY_VALUE) return false;
  const owner = parseOwner(namespace.metadata.annotations);
  return owner !== undefined && ownerAlive(owner) === false;
}

/** How a namespace's removal ended. */
export type Removal = { readonly gone: true } | { readonly gone: false; readonly reason: string };

/**
 * Deletes `name` and waits (watching) until it is gone, up to `timeoutMs`. Contract: resolves
 * `{ gone: true }` when it no longer exists (also when it was gone already), else `{ gone: false,
 * reason }` with one line naming the finalizers that hold it or the API's error; never throws.
 * An abort of `signal` ends the wait at once ({ gone: false }). Deletes whatever namespace it is
 * given: callers pass only what findStaleNamespaces or the run's own record named.
 */
export async function removeNamespace(
  kc: KubeConfig,
  name: string,
  options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
): Promise<Removal> {
  const core = kc.makeApiClient(CoreV1Api);
  const signal = options.signal ?? new AbortController().signal;
  try {
    await withDeadline(`the deletion of namespace ${name}`, core.deleteNamespace({ name }), undefined, signal);
  } catch (error) {
    if (httpStatusOf(error) === 404) return { gone: true };
    return { gone: false, reason: `could not delete namespace ${name}: ${apiErrorMessage(error)}` };
  }
  const exists = async (): Promise<V1Namespace | undefined> => {
    try {
      return await withDeadline(`namespace ${name}`, core.readNamespace({ name }), undefined, signal);
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      throw error;
    }
  };
  try {
    const gone = await watchUntil(
      kc,
      '/api/v1/namespaces',
      { fieldSelector: `metadata.name=${name}` },
      options.timeoutMs ?? 90_000,
      signal,
      {
        done: (type) => type === 'DELETED',
        begun: async () => (await exists()) === undefined,
      },
    );
    if (gone) return { gone: true };
    const still = await exists();
    if (still === undefined) return { gone: true };
    const held = finalizersOf(still);
    return {
      gone: false,
      reason: `namespace ${name} is still ${still.status?.phase ?? 'there'}${held.length === 0 ? '' : `, held by the finalizers ${held.join(', ')}`}`,
    };
  } catch (error) {
    return { gone: false, reason: `could not check that namespace ${name} is gone: ${apiErrorMessage(error)}` };
  }
}
