/**
 * Evidence of why a step failed, read through the API as the failure left the cluster: the
 * events of the run's namespace, a `kubectl describe`-like state of the objects the kata created
 * (its journal) and of its pods (the pods behind its placeholders first: conditions, containers
 * with image, state, restarts and last termination) with the last lines of their containers'
 * logs, and the last lines of the run's background jobs. Bounded in size and masked
 * (src/redact.ts): it goes into reports.
 */
import { CoreV1Api, type CoreV1Event, type V1ContainerStatus, type V1Pod } from '@kubernetes/client-node';
import { redact } from '../redact.js';
import { withDeadline } from './api.js';
import { loadKubeConfig, releaseAgents, type ConnectOptions } from './cluster.js';
import { containerStatuses } from './mesh.js';
import { describeObject, type ObjectEvidence } from './object-state.js';
import type { ResourcePath } from './api.js';

export type { ObjectEvidence } from './object-state.js';

/** What the run knows of the kata when a step fails: what it created, the pods it looked up, its background jobs. */
export interface EvidenceScope {
  /** What kubectl reported created (`deployment.apps` `nginx`), in order. */
  readonly objects: readonly { readonly resource: string; readonly name: string; readonly namespace?: string }[];
  /** Placeholder name (`nginx POD`) -> the pod it was resolved to. */
  readonly pods: ReadonlyMap<string, string>;
  /** The background jobs started so far, with their last lines. */
  readonly background: readonly { readonly step: string; readonly line: number; readonly lines: readonly string[] }[];
}

/** A background job's last lines when the step failed. */
export interface BackgroundEvidence {
  readonly step: string;
  readonly line: number;
  readonly lines: readonly string[];
}

/** A container of a pod, as `kubectl describe pod` shows it. */
export interface ContainerEvidence {
  readonly name: string;
  readonly image: string;
  readonly ready: boolean;
  readonly restartCount: number;
  /** `waiting: ImagePullBackOff: Back-off pulling image "nginx:nope"`, `running since ...`, `terminated: Error (exit 1)`. */
  readonly state: string;
  readonly lastTermination?: string;
  /** Its last log lines (none for a container that never started). */
  readonly logs: readonly string[];
}

/** A pod of the run's namespace. */
export interface PodEvidence {
  readonly name: string;
  /** The placeholder it is behind (`nginx POD`), when the kata looked it up. */
  readonly placeholder?: string;
  readonly phase: string;
  /** `Ready=False (ContainersNotReady: containers with unready status: [web])` */
  readonly conditions: readonly string[];
  readonly containers: readonly ContainerEvidence[];
}

/** What the cluster looked like when a step failed. */
export interface Evidence {
  readonly namespace: string;
  /** `Warning Failed pod/web-1: Failed to pull image "nginx:nope": ... (x3)`, oldest first. */
  readonly events: readonly string[];
  /** The objects the kata created, in the order it created them. */
  readonly objects: readonly ObjectEvidence[];
  readonly pods: readonly PodEvidence[];
  readonly background: readonly BackgroundEvidence[];
  /** What could not be read (no right to read logs, a timeout), in words. */
  readonly problems: readonly string[];
  /** Some was left out to keep it bounded. */
  readonly truncated: boolean;
}

/** The bounds of evidence, so that a namespace with a thousand pods makes a readable report. */
export const EVIDENCE_LIMITS = { events: 40, objects: 20, pods: 10, logLines: 20, jobLines: 20, lineChars: 300 } as const;

const NO_SCOPE: EvidenceScope = { objects: [], pods: new Map(), background: [] };

/** Reads the evidence of `namespace`; never throws (what could not be read is named in `problems`). */
export async function collectEvidence(
  namespace: string,
  options: Pick<ConnectOptions, 'context' | 'kubeconfig'> = {},
  scope: EvidenceScope = NO_SCOPE,
): Promise<Evidence> {
  const problems: string[] = [];
  let truncated = scope.objects.length > EVIDENCE_LIMITS.objects || scope.background.some((b) => b.lines.length > EVIDENCE_LIMITS.jobLines);
  const background = scope.background.map((b) => ({
    step: b.step,
    line: b.line,
    lines: b.lines.slice(-EVIDENCE_LIMITS.jobLines).map(clip),
  }));
  let loaded;
  try {
    loaded = loadKubeConfig({ ...options, namespace });
  } catch (error) {
    return { namespace, events: [], objects: [], pods: [], background, problems: [(error as Error).message], truncated };
  }
  const core = loaded.kc.makeApiClient(CoreV1Api);
  try {
    let events: string[] = [];
    try {
      const list = await withDeadline(`the events of namespace ${namespace}`, core.listNamespacedEvent({ namespace }));
      const sorted = [...list.items].sort((a, b) => eventTime(a) - eventTime(b));
      if (sorted.length > EVIDENCE_LIMITS.events) truncated = true;
      events = sorted.slice(-EVIDENCE_LIMITS.events).map(describeEvent);
    } catch (error) {
      problems.push(`events: ${(error as Error).message}`);
    }
    const paths = new Map<string, ResourcePath>();
    const objects: ObjectEvidence[] = [];
    for (const o of scope.objects.slice(0, EVIDENCE_LIMITS.objects)) {
      const found = await describeObject(loaded.kc, o.resource, o.name, o.namespace ?? namespace, paths);
      objects.push({ name: clip(`${found.name}${o.namespace === undefined ? '' : ` -n ${o.namespace}`}`), state: found.state.map(clip) });
    }
    const pods: PodEvidence[] = [];
    try {
      const list = await withDeadline(`the pods of namespace ${namespace}`, core.listNamespacedPod({ namespace }));
      if (list.items.length > EVIDENCE_LIMITS.pods) truncated = true;
      // The pods behind the kata's placeholders first: they are what its steps were about.
      const behind = new Map([...scope.pods].map(([placeholder, pod]) => [pod, placeholder]));
      const rank = (pod: V1Pod): number => (behind.has(pod.metadata?.name ?? '') ? 0 : 1);
      const ordered = [...list.items].sort((a, b) => rank(a) - rank(b));
      for (const pod of ordered.slice(0, EVIDENCE_LIMITS.pods)) {
        const described = await describePod(core, pod, namespace, problems);
        const placeholder = behind.get(described.name);
        pods.push(placeholder === undefined ? described : { ...described, placeholder });
      }
      for (const [placeholder, pod] of scope.pods)
        if (!list.items.some((p) => p.metadata?.name === pod)) problems.push(`pod ${pod} (<${placeholder}>) is no longer there`);
    } catch (error) {
      problems.push(`pods: ${(error as Error).message}`);
    }
    return { namespace, events, objects, pods, background, problems: problems.map(clip), truncated };
  } finally {
    releaseAgents(loaded.kc);
  }
}

/** The evidence as plain lines, for JUnit's `<system-out>` and the plain output. */
export function evidenceLines(evidence: Evidence): string[] {
  const lines = [`evidence from namespace ${evidence.namespace}:`];
  lines.push(evidence.events.length === 0 ? 'events: none' : 'events:');
  for (const event of evidence.events) lines.push(`  ${event}`);
  for (const object of evidence.objects) {
    lines.push(`created ${object.name}:`);
    for (const state of object.state) lines.push(`  ${state}`);
  }
  if (evidence.pods.length === 0) lines.push('pods: none');
  for (const pod of evidence.pods) {
    lines.push(`pod ${pod.name}${pod.placeholder === undefined ? '' : ` (<${pod.placeholder}>)`}: ${pod.phase}`);
    for (const condition of pod.conditions) lines.push(`  condition ${condition}`);
    for (const c of pod.containers) {
      lines.push(`  container ${c.name} (image ${c.image}): ${c.state}; ready ${String(c.ready)}, restarts ${c.restartCount}`);
      if (c.lastTermination !== undefined) lines.push(`    last termination: ${c.lastTermination}`);
      if (c.logs.length > 0) lines.push(`    last ${c.logs.length} log lines:`, ...c.logs.map((l) => `    | ${l}`));
    }
  }
  for (const job of evidence.background) {
    lines.push(`background job ${job.step} (line ${job.line}): last ${job.lines.length} lines`);
    for (const line of job.lines) lines.push(`  | ${line}`);
  }
  for (const problem of evidence.problems) lines.push(`not read: ${problem}`);
  if (evidence.truncated)
    lines.push(
      `(bounded: at most ${EVIDENCE_LIMITS.events} events, ${EVIDENCE_LIMITS.objects} objects, ${EVIDENCE_LIMITS.pods} pods, ${EVIDENCE_LIMITS.jobLines} lines of a job)`,
    );
  return lines;
}

function eventTime(event: CoreV1Event): number {
  const when = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  return when === undefined ? 0 : new Date(when).getTime();
}

function describeEvent(event: CoreV1Event): string {
  const object = `${(event.involvedObject.kind ?? '?').toLowerCase()}/${event.involvedObject.name ?? '?'}`;
  const count = (event.count ?? 1) > 1 ? ` (x${event.count})` : '';
  return clip(`${event.type ?? 'Normal'} ${event.reason ?? ''} ${object}: ${(event.message ?? '').trim()}${count}`);
}

async function describePod(core: CoreV1Api, pod: V1Pod, namespace: string, problems: string[]): Promise<PodEvidence> {
  const name = pod.metadata?.name ?? '?';
  const conditions = (pod.status?.conditions ?? []).map((c) =>
    clip(`${c.type}=${c.status}${c.reason === undefined ? '' : ` (${c.reason}${c.message === undefined ? '' : `: ${c.message}`})`}`),
  );
  const statuses = containerStatuses(pod);
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const containers: ContainerEvidence[] = [];
  for (const spec of specs) {
    const status = statuses.find((s) => s.name === spec.name);
    const started = status?.state?.running !== undefined || status?.state?.terminated !== undefined || (status?.restartCount ?? 0) > 0;
    let logs: string[] = [];
    if (started) {
      try {
        const text = await withDeadline(
          `the logs of ${name}/${spec.name}`,
          core.readNamespacedPodLog({ name, namespace, container: spec.name, tailLines: EVIDENCE_LIMITS.logLines, limitBytes: 16_384 }),
        );
        logs = text
          .split('\n')
          .filter((l, i, all) => l !== '' || i < all.length - 1)
          .slice(-EVIDENCE_LIMITS.logLines)
          .map(clip);
      } catch (error) {
        problems.push(`logs of ${name}/${spec.name}: ${(error as Error).message}`);
      }
    }
    const last = status?.lastState?.terminated;
    containers.push({
      name: spec.name,
      image: clip(status?.image ?? spec.image ?? '?'),
      ready: status?.ready ?? false,
      restartCount: status?.restartCount ?? 0,
      state: clip(stateOf(status)),
      ...(last === undefined
        ? {}
        : {
            lastTermination: clip(
              `${last.reason ?? 'terminated'} (exit ${last.exitCode})${last.message === undefined ? '' : `: ${last.message}`}`,
            ),
          }),
      logs,
    });
  }
  return { name, phase: pod.status?.phase ?? 'Unknown', conditions, containers };
}

function stateOf(status: V1ContainerStatus | undefined): string {
  const state = status?.state;
  if (state?.waiting !== undefined)
    return `waiting: ${state.waiting.reason ?? '?'}${state.waiting.message === undefined ? '' : `: ${state.waiting.message}`}`;
  if (state?.terminated !== undefined)
    return `terminated: ${state.terminated.reason ?? '?'} (exit ${state.terminated.exitCode})${state.terminated.message === undefined ? '' : `: ${state.terminated.message}`}`;
  if (state?.running !== undefined)
    return `running${state.running.startedAt === undefined ? '' : ` since ${new Date(state.running.startedAt).toISOString()}`}`;
  return 'no status yet';
}

/** One line, masked, at most EVIDENCE_LIMITS.lineChars long. */
function clip(text: string): string {
  const line = redact(text.replace(/\s*\n\s*/g, ' '));
  return line.length > EVIDENCE_LIMITS.lineChars ? `${line.slice(0, EVIDENCE_LIMITS.lineChars)}...` : line;
}
