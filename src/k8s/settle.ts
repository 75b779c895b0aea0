/**
 * Waiting, by watching, for what a step created to be usable: a deployment available, a pod
 * Ready, a service with a ready endpoint. What a careful person checks before the next command.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { formatDuration } from '../kata/describe.js';
import type { CreatedObject } from '../run/ports.js';
import { getJson, isPermanent, watchJson } from './api.js';
import { matchLabelsSelector, whyStuck } from './pods.js';

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

/** How often the pods of a workload that is not ready yet are looked at for a reason they cannot start. */
const STUCK_POLL_MS = 2_000;

/**
 * Waits for every object to be ready. Resolves with what is not, one phrase each: `deployment.apps/web
 * is not ready after 1m30s`, or, as soon as one of its pods cannot start (ErrImagePull,
 * ImagePullBackOff, CrashLoopBackOff, unschedulable, ...), `deployment.apps/web cannot start: pod
 * web-1 ...` naming the image or reason. That ends its wait at once but does not fail the step: a
 * kata may create a broken workload on purpose, to show how to find out why. Rejects when the
 * API refuses the watch (a 403 names the denied verb and resource).
 */
export async function settle(
  kc: KubeConfig,
  namespace: string,
  objects: readonly CreatedObject[],
  timeoutMs: number,
  onProgress: (message: string) => void,
  signal: AbortSignal,
): Promise<string[]> {
  const waits = objects.map(async (object) => {
    const ns = object.namespace ?? namespace;
    const plan = watchPlan(object, ns);
    if (plan === undefined) return undefined;
    const name = `${object.resource}/${object.name}`;
    const going = (type: string, o: Workload): boolean => type === 'DELETED' || o.metadata?.deletionTimestamp !== undefined;
    let lastReport = '';
    let last: Workload | undefined;
    const end = await watchFor(kc, plan.path, plan.query, timeoutMs, signal, {
      done: (type, o) => !going(type, o) && plan.ready(o),
      onEvent: (type, o) => {
        last = o;
        const report = JSON.stringify(o.status ?? {});
        if (going(type, o) || report === lastReport) return;
        lastReport = report;
        onProgress(`waiting for ${name}: ${plan.describe(o)}`);
      },
      poll: async () => {
        if (object.resource === 'service' || last === undefined) return undefined;
        const pods = object.resource === 'pod' ? [last as V1Pod] : await podsOf(kc, ns, last, signal);
        const why = pods.map(whyStuck).find((w) => w !== undefined);
        return why === undefined ? undefined : `${name} cannot start: ${why}`;
      },
    });
    if (end === 'done' || signal.aborted) return undefined;
    return end === 'timeout' ? `${name} is not ready after ${formatDuration(timeoutMs)}` : end.stopped;
  });
  return (await Promise.all(waits)).filter((n): n is string => n !== undefined);
}

/** The pods a workload selects (spec.selector.matchLabels); none when it has no such selector. */
async function podsOf(kc: KubeConfig, namespace: string, workload: Workload, signal: AbortSignal): Promise<V1Pod[]> {
  const selector = matchLabelsSelector(workload.spec?.selector);
  if (selector === undefined) return [];
  const list = (await getJson(
    kc,
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`,
    undefined,
    signal,
  )) as { items?: V1Pod[] };
  return list.items ?? [];
}

/** When a watch is over, and what to do with the events before. */
export interface WatchEnd {
  /** True for the event that ends the wait. */
  readonly done: (type: string, object: Workload) => boolean;
  /** Every other event. */
  readonly onEvent?: (type: string, object: Workload) => void;
  /** Asked each time a watch has begun: true ends the wait (for what no event will tell, such as an object gone before). */
  readonly begun?: () => Promise<boolean>;
  /** Asked every few seconds while waiting: a reason ends the wait (what will not change by waiting). Errors are ignored. */
  readonly poll?: () => Promise<string | undefined>;
}

/**
 * Watches `path` (a collection, narrowed by `query`) until an event is `done`, starting again
 * when the server ends the watch; false on timeout or abort. Rejects when the API refuses the
 * watch for good (403, 404: waiting would not change it).
 */
export async function watchUntil(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
  end: WatchEnd,
): Promise<boolean> {
  return (await watchFor(kc, path, query, timeoutMs, signal, end)) === 'done';
}

/** watchUntil, telling a timeout (or abort) from a wait ended by `poll`'s reason. */
function watchFor(
  kc: KubeConfig,
  path: string,
  query: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
  end: WatchEnd,
): Promise<'done' | 'timeout' | { readonly stopped: string }> {
  return new Promise((resolve, reject) => {
    const over = new AbortController();
    const stop = AbortSignal.any([signal, over.signal]);
    let settled = false;
    const finish = (result: 'done' | 'timeout' | { readonly stopped: string } | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poller);
      over.abort();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    const poller =
      end.poll === undefined
        ? undefined
        : setInterval(() => {
            end.poll?.().then(
              (why) => why !== undefined && finish({ stopped: why }),
              () => undefined,
            );
          }, STUCK_POLL_MS);
    if (stop.aborted) return finish('timeout');
    stop.addEventListener('abort', () => finish('timeout'), { once: true });
    const start = (): void => {
      if (settled) return;
      watchJson(
        kc,
        path,
        query,
        (type, object) => {
          if (end.done(type, object as Workload)) return finish('done');
          end.onEvent?.(type, object as Workload);
        },
        stop,
        undefined,
        // Whether the object was already there as wanted, or gone, before any event could say so.
        () =>
          void end.begun?.().then(
            (yes) => yes && finish('done'),
            () => undefined,
          ),
      ).then(
        // The server ends watches now and then: start again until time is up.
        () => setTimeout(start, 200),
        (error: unknown) => (isPermanent(error) ? finish(error as Error) : setTimeout(start, 500)),
      );
    };
    start();
  });
}
