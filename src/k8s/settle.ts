/**
 * Waiting, by watching, for what a step created to be usable: a deployment available, a pod
 * Ready, a service with a ready endpoint. What a careful person checks before the next command.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { CreatedObject } from '../run/ports.js';

interface Condition {
  readonly type?: string;
  readonly status?: string;
}
export interface Workload {
  readonly metadata?: { readonly generation?: number; readonly deletionTimestamp?: unknown };
  readonly spec?: { readonly replicas?: number; readonly selector?: unknown; readonly type?: string };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly replicas?: number;
    readonly updatedReplicas?: number;
    readonly availableReplicas?: number;
    readonly readyReplicas?: number;
    readonly numberReady?: number;
    readonly desiredNumberScheduled?: number;
    readonly phase?: string;
    readonly conditions?: readonly Condition[];
  };
  readonly endpoints?: readonly { readonly conditions?: { readonly ready?: boolean } }[];
}

/** How to watch one kind of object and when it counts as ready; undefined for kinds we do not wait for. */
function watchPlan(
  object: CreatedObject,
  namespace: string,
):
  | { path: string; query: Record<string, string>; ready: (o: Workload) => boolean; describe: (o: Workload | undefined) => string }
  | undefined {
  const byName = { fieldSelector: `metadata.name=${object.name}` };
  const current = (o: Workload | undefined): boolean =>
    o?.status?.observedGeneration === undefined || o.status.observedGeneration >= (o.metadata?.generation ?? 0);
  switch (object.resource) {
    case 'deployment.apps':
      return {
        path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
        query: byName,
        ready: (o) => {
          const want = o.spec?.replicas ?? 1;
          return current(o) && (o.status?.updatedReplicas ?? 0) >= want && (o.status?.availableReplicas ?? 0) >= want;
        },
        describe: (o) => `${o?.status?.availableReplicas ?? 0}/${o?.spec?.replicas ?? 1} available`,
      };
    case 'statefulset.apps':
      return {
        path: `/apis/apps/v1/namespaces/${namespace}/statefulsets`,
        query: byName,
        ready: (o) => current(o) && (o.status?.readyReplicas ?? 0) >= (o.spec?.replicas ?? 1),
        describe: (o) => `${o?.status?.readyReplicas ?? 0}/${o?.spec?.replicas ?? 1} ready`,
      };
    case 'daemonset.apps':
      return {
        path: `/apis/apps/v1/namespaces/${namespace}/daemonsets`,
        query: byName,
        ready: (o) => current(o) && (o.status?.numberReady ?? 0) >= (o.status?.desiredNumberScheduled ?? 1),
        describe: (o) => `${o?.status?.numberReady ?? 0}/${o?.status?.desiredNumberScheduled ?? '?'} ready`,
      };
    case 'pod':
      return {
        path: `/api/v1/namespaces/${namespace}/pods`,
        query: byName,
        ready: (o) =>
          o.status?.phase === 'Succeeded' || (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
        describe: (o) => o?.status?.phase ?? 'Pending',
      };
    case 'service':
      return {
        path: `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        query: { labelSelector: `kubernetes.io/service-name=${object.name}` },
        ready: (o) => (o.endpoints ?? []).some((e) => e.conditions?.ready !== false),
        describe: () => 'no ready endpoint yet',
      };
    default:
      return undefined;
  }
}

/** Waits for every object to be ready; resolves with the names of those that are not when time is up. */
export async function settle(
  kc: KubeConfig,
  namespace: string,
  objects: readonly CreatedObject[],
  timeoutMs: number,
  onProgress: (message: string) => void,
  signal: AbortSignal,
): Promise<string[]> {
  const waits = objects.map(async (object) => {
    const plan = watchPlan(object, object.namespace ?? namespace);
    if (plan === undefined) return undefined;
    const name = `${object.resource}/${object.name}`;
    const going = (type: string, o: Workload): boolean => type === 'DELETED' || o.metadata?.deletionTimestamp !== undefined;
    let lastReport = '';
    const ok = await watchUntil(kc, plan.path, plan.query, timeoutMs, signal, {
      done: (type, o) => !going(type, o) && plan.ready(o),
      onEvent: (type, o) => {
        const report = JSON.stringify(o.status ?? {});
        if (going(type, o) || report === lastReport) return;
        lastReport = report;
        onProgress(`waiting for ${name}: ${plan.describe(o)}`);
      },
    });
    return ok ? undefined : name;
  });
  return (await Promise.all(waits)).filter((n): n is string => n !== undefined);
}

/** When a watch is over, and what to do with the events before. */
export interface WatchEnd {
  /** True for the event that ends the wait. */
  readonly done: (type: string, object: Workload) => boolean;
  /** Every other event. */
  readonly onEvent?: (type: string, object: Workload) => void;
  /** Asked each time a watch has begun: true ends the wait (for what no event will tell, such as an object gone before). */
  readonly begun?: () => Promise<boolean>;
}

/**
 * Watches `path` (a collection, narrowed by `query`) until an event is `done`, starting again
 * when the server ends the watch; false on timeout or abort.
 */
export function watchUntil(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
  end: WatchEnd,
): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    let controller: AbortController | undefined;
    const finish = (result: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(result);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onAbort = (): void => finish(false);
    if (signal.aborted) return finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    const start = (): void => {
      void new Watch(kc)
        .watch(
          path,
          query,
          (type: string, object: Workload) => {
            if (end.done(type, object)) return finish(true);
            end.onEvent?.(type, object);
          },
          () => {
            // The server ends watches now and then: start again until time is up.
            if (!settled) setTimeout(start, 200);
          },
        )
        .then(
          async (c) => {
            controller = c;
            if (settled) return c.abort();
            if (end.begun !== undefined && (await end.begun())) finish(true);
          },
          () => {
            if (!settled) setTimeout(start, 500);
          },
        );
    };
    start();
  });
}
