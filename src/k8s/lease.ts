/**
 * One run per namespace: a run holds the Lease `kata-runner` (coordination.k8s.io) in its
 * namespace, renewed while it runs, with its owner as holder. Without it, a second run in the same
 * namespace deletes the first one's objects by name in its cleanup. A second run is refused while
 * the holder lives; a Lease whose holder is dead (on this host) or that was not renewed in time
 * (another host) is taken over.
 */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { apiErrorMessage, httpStatusOf, withDeadline } from './api.js';
import { describeOwner, MANAGED_BY, MANAGED_BY_VALUE, OWNER_ANNOTATION, ownerAlive, parseOwner, type RunOwner } from './owner.js';

export const LEASE_NAME = 'kata-runner';
/** How long a Lease counts as held without being renewed. */
const LEASE_SECONDS = 60;
const RENEW_MS = 20_000;

/** A held Lease: renewed in the background until released. */
export interface HeldLease {
  release(signal?: AbortSignal): Promise<void>;
}

/** Takes the run's Lease in `namespace`, or throws a ClusterError (exit 3) naming the run that holds it. */
export async function acquireLease(
  kc: KubeConfig,
  namespace: string,
  owner: RunOwner,
  signal?: AbortSignal,
): Promise<HeldLease | undefined> {
  const api = kc.makeApiClient(CoordinationV1Api);
  const body = (resourceVersion?: string): V1Lease => ({
    metadata: {
      name: LEASE_NAME,
      labels: { [MANAGED_BY]: MANAGED_BY_VALUE },
      annotations: { [OWNER_ANNOTATION]: JSON.stringify(owner) },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    spec: {
      holderIdentity: describeOwner(owner),
      leaseDurationSeconds: LEASE_SECONDS,
      acquireTime: new V1MicroTime(),
      renewTime: new V1MicroTime(),
    },
  });
  let lease: V1Lease;
  try {
    lease = await withDeadline(
      `the creation of Lease ${LEASE_NAME}`,
      api.createNamespacedLease({ namespace, body: body() }),
      undefined,
      signal,
    );
  } catch (error) {
    const status = httpStatusOf(error);
    // A user who may not create Leases runs without one: the doctor says so (it cannot stop two runs in one namespace).
    if (status === 403) return undefined;
    if (status !== 409) throw error;
    const held = await withDeadline(`Lease ${LEASE_NAME}`, api.readNamespacedLease({ name: LEASE_NAME, namespace }), undefined, signal);
    if (holderAlive(held)) throw inUse(namespace, held);
    try {
      // Taken over from a dead run; the resourceVersion makes two runs doing so at once safe.
      lease = await withDeadline(
        `the takeover of Lease ${LEASE_NAME}`,
        api.replaceNamespacedLease({ name: LEASE_NAME, namespace, body: body(held.metadata?.resourceVersion) }),
        undefined,
        signal,
      );
    } catch (raced) {
      if (httpStatusOf(raced) === 409) throw inUse(namespace, held);
      throw raced;
    }
  }
  let current = lease;
  const renew = setInterval(() => {
    const spec = { ...current.spec, renewTime: new V1MicroTime() };
    withDeadline(
      `the renewal of Lease ${LEASE_NAME}`,
      api.replaceNamespacedLease({ name: LEASE_NAME, namespace, body: { ...current, spec } }),
    ).then(
      (renewed) => (current = renewed),
      () => undefined, // the next renewal tries again; a Lease not renewed in time only lets a later run take over
    );
  }, RENEW_MS);
  renew.unref();
  return {
    async release(releaseSignal?: AbortSignal): Promise<void> {
      clearInterval(renew);
      try {
        await withDeadline(
          `the deletion of Lease ${LEASE_NAME}`,
          api.deleteNamespacedLease({ name: LEASE_NAME, namespace }),
          undefined,
          releaseSignal,
        );
      } catch (error) {
        if (httpStatusOf(error) === 404) return;
        throw new Error(`could not release Lease ${LEASE_NAME} in namespace ${namespace}: ${apiErrorMessage(error)}`, { cause: error });
      }
    },
  };
}

/** The holder of `lease` still runs: alive on this host, or (another host's) renewed in time. */
export function holderAlive(lease: V1Lease): boolean {
  const owner = parseOwner(lease.metadata?.annotations);
  const alive = owner === undefined ? undefined : ownerAlive(owner);
  if (alive !== undefined) return alive;
  const renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  if (renewed === undefined) return false;
  return new Date(renewed).getTime() + (lease.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 > Date.now();
}

function inUse(namespace: string, lease: V1Lease): ClusterError {
  const owner = parseOwner(lease.metadata?.annotations);
  const holder = owner === undefined ? (lease.spec?.holderIdentity ?? 'another holder') : describeOwner(owner);
  return new ClusterError(
    `namespace ${namespace} is in use by ${holder}: two runs in one namespace would delete each other's objects`,
    `Wait until that run ends (it holds Lease ${LEASE_NAME}: \`kubectl -n ${namespace} get lease ${LEASE_NAME}\`), or run with another --namespace.`,
  );
}
