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
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, VersionApi, type V1Pod } from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { PodShell } from '../exec/pod-shell.js';
import type { ShellOpener } from '../kata/model.js';
import type { ClusterPort, CreatedObject, MeshSidecar, Shell } from '../run/ports.js';
import type { Target } from '../run/events.js';
import { omitUndefined } from '../omit-undefined.js';
import {
  apiErrorMessage,
  ApiStatusError,
  getJson,
  httpStatusOf,
  resolveResource,
  watchJson,
  withDeadline,
  type ResourcePath,
} from './api.js';
import { acquireLease, type HeldLease } from './lease.js';
import { hasSidecar, SIDECAR, sidecarReady } from './mesh.js';
import { finalizersOf, isStale, removeNamespace } from './namespaces.js';
import { MANAGED_BY, MANAGED_BY_VALUE, OWNER_ANNOTATION, thisRun } from './owner.js';
import { allStuck, describePods } from './pods.js';
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
  const owner = thisRun();
  let createdNamespace = false;
  let notVisible = false;
  let existed = false;
  try {
    const existing = await withDeadline(`namespace ${namespace}`, core.readNamespace({ name: namespace }));
    if (existing.status?.phase === 'Terminating') {
      const held = finalizersOf(existing);
      throw new ClusterError(
        `namespace ${namespace} is being deleted (Terminating${held.length === 0 ? '' : `, held by the finalizers ${held.join(', ')}`}): nothing can be created in it`,
        `Wait until it is gone (\`kubectl get namespace ${namespace}\`), or run with another --namespace.`,
      );
    }
    existed = true;
    if (isStale(existing)) {
      // A run that died (killed, or its API server gone at its end) left it: it is the runner's,
      // so this run takes it over and deletes it at its end, whatever the kata does.
      await withDeadline(
        `the takeover of namespace ${namespace}`,
        core.patchNamespace(
          { name: namespace, body: { metadata: { annotations: { [OWNER_ANNOTATION]: JSON.stringify(owner) } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
      );
      createdNamespace = true;
    }
  } catch (error) {
    if (error instanceof ClusterError) throw error;
    // A namespace-scoped user (a RoleBinding to edit or admin) may not read namespaces: the run
    // takes its namespace for one that exists and is not the run's to delete.
    if (statusOf(error) === 403) notVisible = true;
    else if (statusOf(error) !== 404) throw describeConnectError(error, target, `get namespace ${namespace}`);
  }
  if (!notVisible && !createdNamespace && !existed) {
    // The run creates it, so the run deletes it at the end. The label says whose it is, the
    // annotation which run: a later run removes it if this one dies before its end.
    const labels: Record<string, string> = { [MANAGED_BY]: MANAGED_BY_VALUE };
    if (options.meshWanted === true && (await hasIstio(core))) labels['istio-injection'] = 'enabled';
    try {
      await withDeadline(
        `the creation of namespace ${namespace}`,
        core.createNamespace({
          body: { metadata: { name: namespace, labels, annotations: { [OWNER_ANNOTATION]: JSON.stringify(owner) } } },
        }),
      );
    } catch (failed) {
      throw describeConnectError(failed, target, `create namespace ${namespace}`);
    }
    createdNamespace = true;
  }
  let lease: HeldLease | undefined;
  try {
    lease = await acquireLease(kc, namespace, owner);
  } catch (error) {
    if (createdNamespace) await removeNamespace(kc, namespace, { timeoutMs: 1 }).catch(() => undefined);
    releaseAgents(kc);
    if (error instanceof ClusterError) throw error;
    if (notVisible && statusOf(error) === 404)
      throw new ClusterError(
        `namespace ${namespace} does not exist, and the user of context ${target.context} may neither see nor create namespaces`,
        'Run with --namespace NAME of a namespace you may use (`kata doctor --namespace NAME` checks it), or ask a cluster admin to create it.',
      );
    throw describeConnectError(error, target, `take Lease kata-runner in namespace ${namespace}`);
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

  return new KubeCluster(kc, core, target, kubeconfigPath, dir, createdNamespace, options.shellTimeoutMs ?? 180_000, lease);
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

/** The HTTP status of an API error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  return httpStatusOf(error);
}

/**
 * One paragraph for what went wrong talking to the cluster: credentials refused (401), an RBAC
 * denial naming what was denied (403, the server's own words), or not reachable.
 */
function describeConnectError(error: unknown, target: Target, doing?: string): ClusterError {
  const status = statusOf(error);
  if (status === 401) {
    return new ClusterError(
      `the cluster at ${target.cluster} (context ${target.context}) refused the credentials (HTTP 401)`,
      'Check the user of this context (an expired token or certificate?), or pick another with --context NAME.',
      { cause: error },
    );
  }
  if (status === 403) {
    return new ClusterError(
      `the user of context ${target.context} may not ${doing ?? 'do what the run needs'} on ${target.cluster}: ${apiErrorMessage(error)}`,
      `Ask the cluster admin for that permission, run in a namespace you may use (--namespace NAME; \`kata doctor --namespace NAME\` checks it), or pick another --context.`,
      { cause: error },
    );
  }
  return new ClusterError(
    `cannot reach the cluster at ${target.cluster} (context ${target.context}): ${apiErrorMessage(error)}`,
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
    private readonly lease: HeldLease | undefined,
  ) {}

  get env(): Record<string, string> {
    return { KUBECONFIG: this.kubeconfigPath };
  }

  async resolvePod(app: string, timeoutMs: number, onProgress: (message: string) => void, signal: AbortSignal): Promise<string> {
    const namespace = this.target.namespace;
    const labelSelector = `app=${app}`;
    const pods = new Map<string, V1Pod>();
    let list;
    try {
      list = await withDeadline(
        `the pods with label ${labelSelector}`,
        this.core.listNamespacedPod({ namespace, labelSelector }),
        undefined,
        signal,
      );
    } catch (error) {
      throw new Error(`cannot list the pods with label ${labelSelector}: ${apiErrorMessage(error)}`, { cause: error });
    }
    for (const pod of list.items) pods.set(pod.metadata?.name ?? '', pod);
    const ready = pickReady(pods);
    if (ready !== undefined) return ready;
    const stuckNow = allStuck(pods);
    if (stuckNow !== undefined) throw new Error(stuckNow);
    onProgress(`waiting for a Ready pod with label ${labelSelector} in namespace ${namespace} (${describePods(pods)})`);

    return new Promise<string>((resolve, reject) => {
      // Ends the watch, whether the server answered it or not: on a Ready pod, an abort (Ctrl-C), the timeout.
      const over = new AbortController();
      let settled = false;
      const finish = (error: Error | undefined, name?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        over.abort();
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
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      let lastReport = '';
      watchJson(
        this.kc,
        `/api/v1/namespaces/${namespace}/pods`,
        { labelSelector, resourceVersion: list.metadata?.resourceVersion },
        (type, object) => {
          const pod = object as V1Pod;
          const name = pod.metadata?.name ?? '';
          if (type === 'DELETED') pods.delete(name);
          else pods.set(name, pod);
          const found = pickReady(pods);
          if (found !== undefined) return finish(undefined, found);
          const why = allStuck(pods);
          if (why !== undefined) return finish(new Error(why));
          const report = describePods(pods);
          if (report !== lastReport) onProgress(`waiting for a Ready pod with label ${labelSelector}: ${(lastReport = report)}`);
        },
        over.signal,
      ).then(
        () => finish(new Error(`the watch on pods ended before a pod with label ${labelSelector} was Ready`)),
        (error: unknown) => finish(new Error(`watching pods failed: ${apiErrorMessage(error)}`)),
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

  async answers(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await withDeadline('its version', this.kc.makeApiClient(VersionApi).getCode(), timeoutMs, signal);
      return true;
    } catch {
      releaseAgents(this.kc); // the request that got no answer still holds a socket
      return false;
    }
  }

  async openShell(opener: ShellOpener, target: string, signal: AbortSignal, env: Readonly<Record<string, string>> = {}): Promise<Shell> {
    return PodShell.open({ opener, target, env: { ...process.env, ...this.env, ...env }, timeoutMs: this.shellTimeoutMs, signal });
  }

  async ephemeralContainer(pod: string, image: string, signal?: AbortSignal): Promise<{ found: boolean; detail: string }> {
    const object = await this.readPod(pod, signal);
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

  /** The pod, within the API deadline and given up at once on an abort; errors in one line. */
  private async readPod(pod: string, signal?: AbortSignal): Promise<V1Pod> {
    try {
      return await withDeadline(
        `pod ${pod}`,
        this.core.readNamespacedPod({ name: pod, namespace: this.target.namespace }),
        undefined,
        signal,
      );
    } catch (error) {
      throw new Error(`cannot read pod ${pod}: ${apiErrorMessage(error)}`, { cause: error });
    }
  }

  async meshSidecar(pod: string, timeoutMs: number, onProgress: (message: string) => void, signal: AbortSignal): Promise<MeshSidecar> {
    const object = await this.readPod(pod, signal);
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

  async remaining(objects: readonly CreatedObject[], signal: AbortSignal = new AbortController().signal): Promise<CreatedObject[]> {
    const deadline = Date.now() + GONE_TIMEOUT_MS;
    let left = [...objects];
    for (;;) {
      const still: CreatedObject[] = [];
      let terminating = false;
      for (const object of left) {
        const state = await this.state(object, signal);
        if (state !== 'absent') still.push(object);
        if (state === 'terminating') terminating = true;
      }
      left = still;
      // Only objects being deleted are worth waiting for (pods terminate gracefully): watch the
      // first one until it is deleted, then look at all of them again.
      const first = left[0];
      if (!terminating || first === undefined || Date.now() > deadline || signal.aborted) return left;
      await this.deletion(first, Math.min(WATCH_GONE_MS, deadline - Date.now()), signal);
    }
  }

  /** Resolves when `object` is deleted (watched, so without delay), or after `timeoutMs`. */
  private async deletion(object: CreatedObject, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const path = await resolveResource(this.kc, object.resource, this.resources);
    const namespace = object.namespace ?? this.target.namespace;
    const collection = path.namespaced ? `${path.base}/namespaces/${namespace}/${path.plural}` : `${path.base}/${path.plural}`;
    await watchUntil(this.kc, collection, { fieldSelector: `metadata.name=${object.name}` }, timeoutMs, signal, {
      done: (type) => type === 'DELETED',
      // It may have gone before the watch began: then no event would ever come.
      begun: async () => (await this.state(object).catch(() => 'present')) === 'absent',
    });
  }

  private async state(object: CreatedObject, signal?: AbortSignal): Promise<'absent' | 'terminating' | 'present'> {
    const path = await resolveResource(this.kc, object.resource, this.resources);
    const namespace = object.namespace ?? this.target.namespace;
    const url = path.namespaced
      ? `${path.base}/namespaces/${namespace}/${path.plural}/${object.name}`
      : `${path.base}/${path.plural}/${object.name}`;
    try {
      const found = (await getJson(this.kc, url, undefined, signal)) as { metadata?: { deletionTimestamp?: string } };
      return found.metadata?.deletionTimestamp === undefined ? 'present' : 'terminating';
    } catch (error) {
      if (error instanceof ApiStatusError && error.status === 404) return 'absent';
      throw error;
    }
  }

  /**
   * Releases the run's Lease and, when the run created the namespace (or took over a dead run's),
   * deletes it and waits until it is gone. Throws, naming the namespace and what holds it (its
   * finalizers) or the API's error, when it is not gone; an abort (a second Ctrl-C) stops the wait.
   * With `keepNamespace` (--keep) a namespace the run created stays, with what the kata put in it.
   */
  async close(signal?: AbortSignal, options: { readonly keepNamespace?: boolean } = {}): Promise<void> {
    const namespace = this.target.namespace;
    const problems: string[] = [];
    try {
      if (!this.createdNamespace || options.keepNamespace === true)
        await this.lease?.release(signal).catch((error: unknown) => problems.push((error as Error).message));
      else {
        const removal = await removeNamespace(this.kc, namespace, omitUndefined({ timeoutMs: GONE_TIMEOUT_MS, signal }));
        if (!removal.gone)
          problems.push(
            signal?.aborted === true
              ? `namespace ${namespace} may still be there (interrupted while it was being deleted)`
              : removal.reason,
          );
      }
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
      releaseAgents(this.kc);
    }
    if (problems.length > 0)
      throw new Error(
        `${problems.join('; ')}; a later run with --namespace ${namespace} removes it (or \`kubectl delete namespace ${namespace}\`)`,
      );
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
