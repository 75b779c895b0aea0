/**
 * The cluster side of a run, through @kubernetes/client-node: connects (and says clearly when it
 * cannot), gives every command a private kubeconfig pointing at the run's namespace, resolves
 * `<app POD>` placeholders by watching, reads pods for checks, and verifies that what the kata
 * created is gone.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, VersionApi, Watch, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { PodShell } from '../exec/pod-shell.js';
import type { ShellOpener } from '../kata/model.js';
import type { ClusterPort, CreatedObject, MeshSidecar, Shell } from '../run/ports.js';
import type { Target } from '../run/events.js';
import { ApiStatusError, getJson, resolveResource, withDeadline, type ResourcePath } from './api.js';
import { containerStatuses, hasSidecar, SIDECAR, sidecarReady } from './mesh.js';
import { settle, watchUntil } from './settle.js';

export interface ConnectOptions {
  /** Kube context to use (default: the kubeconfig's current one). */
  readonly context?: string;
  /** Namespace for the whole run (default: the context's, else `default`); created if missing. */
  readonly namespace?: string;
  /** A kubeconfig file (default: $KUBECONFIG or ~/.kube/config). */
  readonly kubeconfig?: string;
  /** How long opening a pod shell may take. */
  readonly shellTimeoutMs?: number;
  /**
   * The kata needs a service mesh: a namespace the run creates joins it (label
   * istio-injection=enabled) when the cluster has Istio (a namespace istio-system).
   */
  readonly meshWanted?: boolean;
}

/** How long to wait, after cleanup, for deleted objects to disappear (pods terminate gracefully). */
const GONE_TIMEOUT_MS = 90_000;
/** Longest single watch for a deletion before every object is looked at again. */
const WATCH_GONE_MS = 5_000;

/** A kubeconfig with the context chosen, and where it points. */
export interface LoadedConfig {
  readonly kc: KubeConfig;
  readonly target: Target;
}

/** Reads the kubeconfig and picks the context, or throws a ClusterError that says what to do. */
export function loadKubeConfig(options: ConnectOptions = {}): LoadedConfig {
  const kc = new KubeConfig();
  shareAgents(kc);
  try {
    if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw new ClusterError(
      `cannot read the kubeconfig: ${(error as Error).message}`,
      'Check $KUBECONFIG or ~/.kube/config, or start a local cluster with `kata lab up`.',
      { cause: error },
    );
  }
  if (kc.getContexts().length === 0) {
    throw new ClusterError(
      'this kata needs a Kubernetes cluster, and no kubeconfig with a context was found',
      'Point $KUBECONFIG at one, or start a local cluster with `kata lab up`.',
    );
  }
  if (options.context !== undefined) {
    if (kc.getContextObject(options.context) === null) {
      throw new ClusterError(
        `the kubeconfig has no context "${options.context}"`,
        `Known contexts: ${kc
          .getContexts()
          .map((c) => c.name)
          .join(', ')}.`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName);
  const cluster = kc.getCurrentCluster();
  if (context === null || cluster === null) {
    throw new ClusterError(`the current context "${contextName}" names no cluster`, 'Pick a context with --context NAME.');
  }
  return { kc, target: { cluster: cluster.server, context: contextName, namespace: options.namespace ?? context.namespace ?? 'default' } };
}

type AgentMaker = (cluster: { server?: string; proxyUrl?: string } | null, options: Record<string, unknown>) => Agent;
const agentsOf = new WeakMap<KubeConfig, Map<string, Agent>>();

/**
 * client-node makes a new https.Agent for every request: a new TLS connection, and the CA and
 * client key parsed again, ~20 ms of CPU each time. A run shares one keep-alive agent per set
 * of TLS options instead (idle sockets do not keep the process alive; `releaseAgents` ends them).
 */
function shareAgents(kc: KubeConfig): void {
  const internals = kc as unknown as { createAgent: AgentMaker };
  const make = internals.createAgent.bind(kc);
  const agents = new Map<string, Agent>();
  agentsOf.set(kc, agents);
  internals.createAgent = (cluster, options) => {
    // Certificates and keys come as Buffers read anew for each request: hashed, not stringified.
    const hash = createHash('sha256').update(`${cluster?.server ?? ''}\n${cluster?.proxyUrl ?? ''}`);
    for (const [name, value] of Object.entries(options))
      hash.update(`\n${name}=`).update(Buffer.isBuffer(value) ? value : (JSON.stringify(value) ?? ''));
    const key = hash.digest('hex');
    let agent = agents.get(key);
    if (agent === undefined) {
      agent = make(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
}

/** Closes the connections the kubeconfig's requests kept open. */
export function releaseAgents(kc: KubeConfig): void {
  for (const agent of agentsOf.get(kc)?.values() ?? []) agent.destroy();
  agentsOf.get(kc)?.clear();
}

/** Asks the API server for its version: proves it is reachable and accepts our credentials. */
export async function serverVersion(loaded: LoadedConfig): Promise<string> {
  try {
    return (await withDeadline('its version', loaded.kc.makeApiClient(VersionApi).getCode())).gitVersion;
  } catch (error) {
    // The request that never got an answer still holds a socket: let it go.
    releaseAgents(loaded.kc);
    throw describeConnectError(error, loaded.target);
  }
}

/** Connects to the cluster, or throws a ClusterError (exit 3) that says why and what to do. */
export async function connectCluster(options: ConnectOptions = {}): Promise<KubeCluster> {
  const loaded = loadKubeConfig(options);
  const { kc, target } = loaded;
  const { namespace } = target;
  const contextName = target.context;
  await serverVersion(loaded);

  const core = kc.makeApiClient(CoreV1Api);
  let createdNamespace = false;
  try {
    const existing = await withDeadline(`namespace ${namespace}`, core.readNamespace({ name: namespace }));
    if (existing.status?.phase === 'Terminating') {
      throw new ClusterError(
        `namespace ${namespace} is being deleted (Terminating${finalizersOf(existing)}): nothing can be created in it`,
        `Wait until it is gone (\`kubectl get namespace ${namespace}\`), or run with another --namespace.`,
      );
    }
  } catch (error) {
    if (error instanceof ClusterError) throw error;
    if (statusOf(error) !== 404) throw describeConnectError(error, target);
    // The run creates it, so the run deletes it at the end.
    const labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'kata-runner' };
    if (options.meshWanted === true && (await hasIstio(core))) labels['istio-injection'] = 'enabled';
    await withDeadline(`the creation of namespace ${namespace}`, core.createNamespace({ body: { metadata: { name: namespace, labels } } }));
    createdNamespace = true;
  }

  // A private kubeconfig whose context points at the run's namespace: the kata's own commands
  // need no -n, and the learner's kubeconfig is never modified.
  const dir = mkdtempSync(join(tmpdir(), 'kata-kube-'));
  chmodSync(dir, 0o700);
  const privateKc = new KubeConfig();
  privateKc.loadFromString(kc.exportConfig());
  privateKc.contexts = privateKc.contexts.map((c) => (c.name === contextName ? { ...c, namespace } : c));
  privateKc.setCurrentContext(contextName);
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, privateKc.exportConfig(), { mode: 0o600 });

  return new KubeCluster(kc, core, target, kubeconfigPath, dir, createdNamespace, options.shellTimeoutMs ?? 180_000);
}

function finalizersOf(namespace: V1Namespace): string {
  const held = [...(namespace.spec?.finalizers ?? []), ...(namespace.metadata?.finalizers ?? [])];
  return held.length === 0 ? '' : `, held by the finalizers ${held.join(', ')}`;
}

/** Istio is installed when its namespace is there; a cluster that will not tell has none for us. */
async function hasIstio(core: CoreV1Api): Promise<boolean> {
  try {
    await withDeadline('namespace istio-system', core.readNamespace({ name: 'istio-system' }));
    return true;
  } catch {
    return false;
  }
}

export function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; status?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (error instanceof ApiStatusError) return error.status;
  return undefined;
}

function describeConnectError(error: unknown, target: Target): ClusterError {
  const status = statusOf(error);
  if (status === 401 || status === 403) {
    return new ClusterError(
      `the cluster at ${target.cluster} (context ${target.context}) refused the credentials (HTTP ${status})`,
      'Check the user of this context, or pick another with --context NAME.',
      { cause: error },
    );
  }
  const message = (error as Error).message ?? String(error);
  return new ClusterError(
    `cannot reach the cluster at ${target.cluster} (context ${target.context}): ${message.split('\n')[0]}`,
    'Check that the cluster is running (for the local lab: `kata lab status`), or pick another context with --context NAME.',
    { cause: error },
  );
}

export class KubeCluster implements ClusterPort {
  private readonly resources = new Map<string, ResourcePath>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly core: CoreV1Api,
    readonly target: Target,
    private readonly kubeconfigPath: string,
    private readonly dir: string,
    readonly createdNamespace: boolean,
    private readonly shellTimeoutMs: number,
  ) {}

  get env(): Record<string, string> {
    return { KUBECONFIG: this.kubeconfigPath };
  }

  async resolvePod(app: string, timeoutMs: number, onProgress: (message: string) => void, signal: AbortSignal): Promise<string> {
    const namespace = this.target.namespace;
    const labelSelector = `app=${app}`;
    const pods = new Map<string, V1Pod>();
    const list = await withDeadline(`the pods with label ${labelSelector}`, this.core.listNamespacedPod({ namespace, labelSelector }));
    for (const pod of list.items) pods.set(pod.metadata?.name ?? '', pod);
    const ready = pickReady(pods);
    if (ready !== undefined) return ready;
    const stuckNow = stuck(pods);
    if (stuckNow !== undefined) throw new Error(stuckNow);
    onProgress(`waiting for a Ready pod with label ${labelSelector} in namespace ${namespace} (${describePods(pods)})`);

    return new Promise<string>((resolve, reject) => {
      let settled = false;
      let abort: AbortController | undefined;
      const finish = (error: Error | undefined, name?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        abort?.abort();
        if (error !== undefined) reject(error);
        else resolve(name as string);
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `no Ready pod with label ${labelSelector} in namespace ${namespace} after ${Math.round(timeoutMs / 1000)}s (${describePods(pods)})`,
            ),
          ),
        timeoutMs,
      );
      const onAbort = (): void => finish(new Error('interrupted'));
      signal.addEventListener('abort', onAbort, { once: true });
      let lastReport = '';
      void new Watch(this.kc)
        .watch(
          `/api/v1/namespaces/${namespace}/pods`,
          { labelSelector, resourceVersion: list.metadata?.resourceVersion },
          (type: string, pod: V1Pod) => {
            const name = pod.metadata?.name ?? '';
            if (type === 'DELETED') pods.delete(name);
            else pods.set(name, pod);
            const found = pickReady(pods);
            if (found !== undefined) return finish(undefined, found);
            const why = stuck(pods);
            if (why !== undefined) return finish(new Error(why));
            const report = describePods(pods);
            if (report !== lastReport) onProgress(`waiting for a Ready pod with label ${labelSelector}: ${(lastReport = report)}`);
          },
          (error: unknown) => {
            if (!settled && error !== null && error !== undefined) finish(new Error(`watching pods failed: ${(error as Error).message}`));
            else if (!settled) finish(new Error(`the watch on pods ended before a pod with label ${labelSelector} was Ready`));
          },
        )
        .then(
          (controller) => {
            abort = controller;
            if (settled) controller.abort();
          },
          (error: unknown) => finish(new Error(`watching pods failed: ${(error as Error).message}`)),
        );
    });
  }

  settle(
    objects: readonly CreatedObject[],
    timeoutMs: number,
    onProgress: (message: string) => void,
    signal: AbortSignal,
  ): Promise<string[]> {
    return settle(this.kc, this.target.namespace, objects, timeoutMs, onProgress, signal);
  }

  async openShell(opener: ShellOpener, target: string, signal: AbortSignal): Promise<Shell> {
    return PodShell.open({ opener, target, env: { ...process.env, ...this.env }, timeoutMs: this.shellTimeoutMs, signal });
  }

  async ephemeralContainer(pod: string, image: string): Promise<{ found: boolean; detail: string }> {
    const object = await withDeadline(`pod ${pod}`, this.core.readNamespacedPod({ name: pod, namespace: this.target.namespace }));
    const containers = object.spec?.ephemeralContainers ?? [];
    const match = containers.find((c) => c.image === image);
    if (match === undefined) {
      return {
        found: false,
        detail:
          containers.length === 0
            ? `pod ${pod} has no ephemeral containers`
            : `pod ${pod} has ephemeral containers with other images: ${containers.map((c) => `${c.name} (${c.image ?? '?'})`).join(', ')}`,
      };
    }
    const status = object.status?.ephemeralContainerStatuses?.find((s) => s.name === match.name);
    const state = status?.state?.running !== undefined ? 'running' : status?.state?.terminated !== undefined ? 'terminated' : 'waiting';
    return { found: true, detail: `pod ${pod} has ephemeral container ${match.name} (${image}), ${state}` };
  }

  async meshSidecar(pod: string, timeoutMs: number, onProgress: (message: string) => void, signal: AbortSignal): Promise<MeshSidecar> {
    const object = await withDeadline(`pod ${pod}`, this.core.readNamespacedPod({ name: pod, namespace: this.target.namespace }));
    if (!hasSidecar(object)) return { present: false };
    if (sidecarReady(object)) return { present: true, ready: true, detail: `pod ${pod} has a Ready ${SIDECAR} sidecar` };
    onProgress(`waiting for the ${SIDECAR} sidecar of pod ${pod} to be Ready`);
    const ready = await watchUntil(
      this.kc,
      `/api/v1/namespaces/${this.target.namespace}/pods`,
      { fieldSelector: `metadata.name=${pod}` },
      timeoutMs,
      signal,
      {
        done: (type, o) => type !== 'DELETED' && sidecarReady(o as V1Pod),
      },
    );
    return ready
      ? { present: true, ready: true, detail: `pod ${pod} has a Ready ${SIDECAR} sidecar` }
      : { present: true, ready: false, detail: `the ${SIDECAR} sidecar of pod ${pod} is not Ready after ${Math.round(timeoutMs / 1000)}s` };
  }

  async remaining(objects: readonly CreatedObject[]): Promise<CreatedObject[]> {
    const deadline = Date.now() + GONE_TIMEOUT_MS;
    let left = [...objects];
    for (;;) {
      const still: CreatedObject[] = [];
      let terminating = false;
      for (const object of left) {
        const state = await this.state(object);
        if (state !== 'absent') still.push(object);
        if (state === 'terminating') terminating = true;
      }
      left = still;
      // Only objects being deleted are worth waiting for (pods terminate gracefully): watch the
      // first one until it is deleted, then look at all of them again.
      const first = left[0];
      if (!terminating || first === undefined || Date.now() > deadline) return left;
      await this.deletion(first, Math.min(WATCH_GONE_MS, deadline - Date.now()));
    }
  }

  /** Resolves when `object` is deleted (watched, so without delay), or after `timeoutMs`. */
  private async deletion(object: CreatedObject, timeoutMs: number): Promise<void> {
    const path = await resolveResource(this.kc, object.resource, this.resources);
    const namespace = object.namespace ?? this.target.namespace;
    const collection = path.namespaced ? `${path.base}/namespaces/${namespace}/${path.plural}` : `${path.base}/${path.plural}`;
    await watchUntil(this.kc, collection, { fieldSelector: `metadata.name=${object.name}` }, timeoutMs, new AbortController().signal, {
      done: (type) => type === 'DELETED',
      // It may have gone before the watch began: then no event would ever come.
      begun: async () => (await this.state(object).catch(() => 'present')) === 'absent',
    });
  }

  private async state(object: CreatedObject): Promise<'absent' | 'terminating' | 'present'> {
    const path = await resolveResource(this.kc, object.resource, this.resources);
    const namespace = object.namespace ?? this.target.namespace;
    const url = path.namespaced
      ? `${path.base}/namespaces/${namespace}/${path.plural}/${object.name}`
      : `${path.base}/${path.plural}/${object.name}`;
    try {
      const found = (await getJson(this.kc, url)) as { metadata?: { deletionTimestamp?: string } };
      return found.metadata?.deletionTimestamp === undefined ? 'present' : 'terminating';
    } catch (error) {
      if (error instanceof ApiStatusError && error.status === 404) return 'absent';
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.createdNamespace) {
      try {
        await withDeadline(
          `the deletion of namespace ${this.target.namespace}`,
          this.core.deleteNamespace({ name: this.target.namespace }),
        );
      } catch {
        // reported by the leftover check of the namespace below
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    releaseAgents(this.kc);
  }
}

function isReady(pod: V1Pod): boolean {
  return (
    pod.metadata?.deletionTimestamp === undefined &&
    pod.status?.phase === 'Running' &&
    (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True')
  );
}

/** The oldest Ready pod: the one a learner would pick from `kubectl get pods`. */
function pickReady(pods: ReadonlyMap<string, V1Pod>): string | undefined {
  const ready = [...pods.values()].filter(isReady);
  const created = (pod: V1Pod): number => new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
  ready.sort((a, b) => created(a) - created(b));
  return ready[0]?.metadata?.name;
}

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

/**
 * Why no pod of the app will become Ready without someone changing something, when every one
 * of them is stuck; undefined while one may still get there.
 */
function stuck(pods: ReadonlyMap<string, V1Pod>): string | undefined {
  if (pods.size === 0) return undefined;
  const reasons: string[] = [];
  for (const pod of pods.values()) {
    const name = pod.metadata?.name ?? '?';
    const waiting = containerStatuses(pod).find((c) => STUCK.has(c.state?.waiting?.reason ?? ''));
    const unschedulable = pod.status?.conditions?.find(
      (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
    );
    if (waiting !== undefined) {
      const message = (waiting.state?.waiting?.message ?? '').split('\n')[0] ?? '';
      reasons.push(
        `pod ${name} cannot start: ${waiting.state?.waiting?.reason ?? ''} for container ${waiting.name} (image ${waiting.image})${message === '' ? '' : `: ${message.slice(0, 200)}`}`,
      );
    } else if (unschedulable !== undefined) {
      reasons.push(`pod ${name} cannot be scheduled: ${(unschedulable.message ?? 'Unschedulable').slice(0, 200)}`);
    } else {
      return undefined;
    }
  }
  return reasons.join('; ');
}

function describePods(pods: ReadonlyMap<string, V1Pod>): string {
  if (pods.size === 0) return 'no pods yet';
  return [...pods.values()]
    .map((pod) => {
      const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting !== undefined)?.state?.waiting?.reason;
      return `${pod.metadata?.name ?? '?'}: ${waiting ?? pod.status?.phase ?? 'Pending'}`;
    })
    .join(', ');
}
