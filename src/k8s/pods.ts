/** What a pod's status says about whether it will ever run: the reasons that waiting does not fix. */
import type { V1Pod } from '@kubernetes/client-node';
import { containerStatuses } from './mesh.js';

/** Waiting reasons that do not go away by waiting (a wrong image, a crashing container, a bad spec). */
const STUCK = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

/** Why this pod cannot start without someone changing something (naming container, image and reason); undefined while it may. */
export function whyStuck(pod: V1Pod): string | undefined {
  if (pod.metadata?.deletionTimestamp !== undefined) return undefined;
  const name = pod.metadata?.name ?? '?';
  const waiting = containerStatuses(pod).find((c) => STUCK.has(c.state?.waiting?.reason ?? ''));
  if (waiting !== undefined) {
    const message = (waiting.state?.waiting?.message ?? '').split('\n')[0] ?? '';
    return `pod ${name} cannot start: ${waiting.state?.waiting?.reason ?? ''} for container ${waiting.name} (image ${waiting.image})${message === '' ? '' : `: ${message.slice(0, 200)}`}`;
  }
  const unschedulable = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  if (unschedulable !== undefined) return `pod ${name} cannot be scheduled: ${(unschedulable.message ?? 'Unschedulable').slice(0, 200)}`;
  return undefined;
}

/**
 * Why no pod of the app will become Ready without someone changing something, when every one
 * of them is stuck; undefined while one may still get there.
 */
export function allStuck(pods: ReadonlyMap<string, V1Pod>): string | undefined {
  if (pods.size === 0) return undefined;
  const reasons: string[] = [];
  for (const pod of pods.values()) {
    const why = whyStuck(pod);
    if (why === undefined) return undefined;
    reasons.push(why);
  }
  return reasons.join('; ');
}

/** `name: reason` of each pod, for progress lines. */
export function describePods(pods: ReadonlyMap<string, V1Pod>): string {
  if (pods.size === 0) return 'no pods yet';
  return [...pods.values()]
    .map((pod) => {
      const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting !== undefined)?.state?.waiting?.reason;
      return `${pod.metadata?.name ?? '?'}: ${waiting ?? pod.status?.phase ?? 'Pending'}`;
    })
    .join(', ');
}

/** A label selector (`a=b,c=d`) from a workload's `spec.selector.matchLabels`; undefined without one. */
export function matchLabelsSelector(selector: unknown): string | undefined {
  const labels = (selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  if (labels === undefined || Object.keys(labels).length === 0) return undefined;
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
