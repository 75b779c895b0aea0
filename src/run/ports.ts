/**
 * What the engine needs from the outside world, as interfaces: a shell to run commands in and a
 * cluster to resolve pods and verify promises. src/exec and src/k8s implement them; tests can
 * pass real host shells and a cluster-less run.
 */
import type { ShellOpener, Step } from '../kata/model.js';
import type { BackgroundJob, CommandResult, RunOptions, ShellState } from '../exec/shell-session.js';
import type { Target } from './events.js';

export type { ShellState } from '../exec/shell-session.js';

/** A long-lived shell: the host's, or one the kata opened in a pod. */
export interface Shell {
  run(command: string, options: RunOptions): Promise<CommandResult>;
  startBackground(command: string, onLines: (lines: readonly string[]) => void): Promise<BackgroundJob>;
  /** Where it is and what it exported, so a learner's own shell can start the same way. */
  state(): Promise<ShellState>;
  /** Ends it; resolves with the processes the kata had left running from it, which were stopped. */
  close(): Promise<readonly string[]>;
  readonly alive: boolean;
  /** For a shell in a pod: what `kubectl exec` needs to reach the same container. */
  readonly place?: { readonly target: string; readonly container?: string };
}

/** An object the kata created, as kubectl reported it (`deployment.apps/nginx created`). */
export interface CreatedObject {
  /** `deployment.apps`, `service`, `pod`, ... as kubectl printed it. */
  readonly resource: string;
  readonly name: string;
  /** Namespace given with -n on the command, if any; else the run's namespace. */
  readonly namespace?: string;
}

/** The cluster side of a run. */
export interface ClusterPort {
  readonly target: Target;
  /** Environment for every command (KUBECONFIG pointing at the run's private kubeconfig). */
  readonly env: Record<string, string>;
  /** True when the run created its namespace (and `close` deletes it): a killed run's record says so. */
  readonly createdNamespace?: boolean;
  /** Waits (by watching) for a Ready pod with label app=`app`, reporting progress; returns its name. */
  resolvePod(app: string, timeoutMs: number, onProgress: (message: string) => void, signal: AbortSignal): Promise<string>;
  /**
   * Whether the API server answers a cheap request within `timeoutMs`: the cleanup asks before
   * each step that runs kubectl, so that a server that stopped answering does not cost every
   * cleanup command its whole timeout. Never throws.
   */
  answers?(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Opens a long-lived shell in a pod (exec), in an ephemeral container (debug) or a new pod (run); `env` is added to its kubectl's. */
  openShell(opener: ShellOpener, target: string, signal: AbortSignal, env?: Readonly<Record<string, string>>): Promise<Shell>;
  /** Reads the pod through the API: does it have an ephemeral container with this image? `signal` gives up at once. */
  ephemeralContainer(pod: string, image: string, signal?: AbortSignal): Promise<{ readonly found: boolean; readonly detail: string }>;
  /**
   * Whether the pod runs a mesh sidecar (an `istio-proxy` container, or a native sidecar of that
   * name); when it does, waits (by watching) up to `timeoutMs` for the sidecar to be Ready.
   */
  meshSidecar(pod: string, timeoutMs: number, onProgress: (message: string) => void, signal: AbortSignal): Promise<MeshSidecar>;
  /**
   * Waits (by watching) until workloads a step created are ready to be used, as a careful person
   * would before the next command: deployments available, pods Ready, services with a ready
   * endpoint. Resolves with what is not ready, one phrase each naming the object: still not ready
   * after `timeoutMs`, or at once when its pods cannot start (a missing image, a crash loop,
   * unschedulable), with the reason. Never throws for that: a kata may break a workload on purpose.
   */
  settle(
    objects: readonly CreatedObject[],
    timeoutMs: number,
    onProgress: (message: string) => void,
    signal: AbortSignal,
  ): Promise<string[]>;
  /** Which of these objects still exist; `signal` (a second Ctrl-C) stops waiting for those being deleted. */
  remaining(objects: readonly CreatedObject[], signal?: AbortSignal): Promise<CreatedObject[]>;
  /**
   * Releases what the run set up (private kubeconfig, its hold on the namespace, a namespace it
   * created, verified gone); throws with one line naming what is left. `signal` stops the wait.
   * `keepNamespace` (--keep) leaves a namespace the run created in place with what is in it.
   */
  close(signal?: AbortSignal, options?: { readonly keepNamespace?: boolean }): Promise<void>;
}

/** What an interactive front end decides before a step runs. */
export type GateDecision =
  /** Run it; `commands` replaces its commands (edited), `values` replaces placeholder values. */
  | { readonly action: 'run'; readonly commands?: readonly string[]; readonly values?: Readonly<Record<string, string>> }
  | { readonly action: 'skip' }
  /** Stop the main phase here and go to the cleanup. */
  | { readonly action: 'quit' };

/**
 * Lets a front end (the Ink UI) take part in a run: asked before each step of the main phase
 * (with its commands as they will run, placeholders filled) and after a step failed.
 * Headless runs have no gate.
 */
export interface StepGate {
  beforeStep(step: Step, commands: readonly string[], values: ReadonlyMap<string, string>): Promise<GateDecision>;
  afterFailure(step: Step): Promise<'retry' | 'continue' | 'quit'>;
}

/** A pod's mesh sidecar as a `needs mesh` step sees it. */
export type MeshSidecar = { readonly present: false } | { readonly present: true; readonly ready: boolean; readonly detail: string };
