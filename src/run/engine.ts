/**
 * The engine: runs a kata's plan step by step as a careful person would, proves each promise,
 * and always cleans up. Everything it does is told through typed events (events.ts).
 */
import { exitCodeOf, type Outcome } from '../errors.js';
import { HostShell } from '../exec/shell-session.js';
import { HOST, type Kata, type Step } from '../kata/model.js';
import { objectName, Journal } from './journal.js';
import type { EngineEvent, EventListener, StepStatus } from './events.js';
import type { ClusterPort, Shell, ShellState, StepGate } from './ports.js';
import { sleep } from './sleep.js';
import { StepRunner, type BackgroundHandle } from './step-runner.js';
import { omitUndefined } from '../omit-undefined.js';

export interface EngineOptions {
  readonly kata: Kata;
  /** Placeholder values given with --set. */
  readonly values: ReadonlyMap<string, string>;
  /** The cluster, when the run has one. */
  readonly cluster?: ClusterPort;
  /** Go on after a failed step (cleanup runs in any case). */
  readonly keepGoing?: boolean;
  /** Skip the cleanup phase on purpose. */
  readonly keep?: boolean;
  /** Timeout of a step without its own `timeout`. */
  readonly stepTimeoutMs?: number;
  /** How long to wait for a pod placeholder to have a Ready pod. */
  readonly podTimeoutMs?: number;
  /** How long to wait for workloads a step created to be ready before the next step. */
  readonly settleTimeoutMs?: number;
  /** Environment of the host shell. */
  readonly env: Record<string, string | undefined>;
  /** Working directory of the host shell (the kata's folder, so its relative paths work). */
  readonly cwd: string;
  readonly listener: EventListener;
  /** An interactive front end's say in the run (see StepGate); headless runs have none. */
  readonly gate?: StepGate;
  /**
   * Awaited after a step of the main phase failed and before anything else runs (the next step
   * or the cleanup), so that a front end can look at the cluster as the failure left it
   * (`kata test` collects its evidence here).
   */
  readonly afterStepFailed?: (step: Step) => Promise<void>;
}

export const DEFAULT_STEP_TIMEOUT_MS = 120_000;
export const DEFAULT_POD_TIMEOUT_MS = 180_000;
export const DEFAULT_SETTLE_TIMEOUT_MS = 90_000;

/** Runs one kata once. `interrupt()` stops the main phase (first call) and then the cleanup (second call). */
export class Engine {
  private readonly mainAbort = new AbortController();
  private readonly cleanupAbort = new AbortController();
  private readonly shells = new Map<string, Shell>();
  /** Host shells replaced because they died; closed at the end like the live ones. */
  private readonly deadHostShells: Shell[] = [];
  private readonly journal = new Journal();
  private failed = false;
  /** The learner quit from the UI: the run ends as interrupted, after the cleanup. */
  private quit = false;

  constructor(private readonly options: EngineOptions) {}

  /**
   * The directory and exported variables of one of the kata's shells, for a learner's own shell
   * (`i` in the UI). Undefined when the shell is not open or busy for more than a moment.
   */
  async contextState(name: string): Promise<ShellState | undefined> {
    const shell = name === HOST ? this.hostShell() : this.shells.get(name);
    if (shell === undefined || !shell.alive) return undefined;
    const busy = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2000).unref());
    return Promise.race([shell.state().catch(() => undefined), busy]);
  }

  /** Where one of the kata's pod shells runs (pod and container), for `kubectl exec -it` into the same place. */
  contextPlace(name: string): { readonly target: string; readonly container?: string } | undefined {
    return this.shells.get(name)?.place;
  }

  /** First call: stop the current step and go to cleanup. Second call: stop the cleanup too. */
  interrupt(): 'cleanup' | 'skip-cleanup' {
    if (!this.mainAbort.signal.aborted) {
      this.mainAbort.abort();
      return 'cleanup';
    }
    this.cleanupAbort.abort();
    return 'skip-cleanup';
  }

  /** Runs the kata: `ok` when every step passed (or was shown or skipped) and the cleanup left nothing. */
  async run(): Promise<Outcome> {
    const { kata, cluster, listener } = this.options;
    const started = Date.now();
    const emit = (event: EngineEvent): void => listener(event);
    emit({ type: 'run-started', kata, ...(cluster === undefined ? {} : { target: cluster.target }), at: started });

    const runner = new StepRunner({
      cluster,
      values: new Map(this.options.values),
      shells: this.shells,
      contexts: kata.contexts,
      journal: this.journal,
      stepTimeoutMs: this.options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
      podTimeoutMs: this.options.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS,
      settleTimeoutMs: this.options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS,
      hostShell: () => this.hostShell(),
      ...omitUndefined({ gate: this.options.gate }),
      emit: (event) => {
        if (event.type === 'step-ended' && event.status === 'failed') this.failed = true;
        emit(event);
      },
    });

    try {
      await this.mainPhase(
        kata.steps.filter((s) => s.phase === 'main'),
        runner,
      );
    } finally {
      await this.cleanupPhase(
        kata.steps.filter((s) => s.phase === 'cleanup'),
        runner,
      );
    }
    const interrupted = this.mainAbort.signal.aborted || this.quit;
    const outcome: Outcome = interrupted ? 'interrupted' : this.failed ? 'failed' : 'ok';
    emit({
      type: 'run-ended',
      status: outcome === 'ok' ? 'passed' : outcome,
      exitCode: exitCodeOf(outcome),
      durationMs: Date.now() - started,
    });
    return outcome;
  }

  private async mainPhase(steps: readonly Step[], runner: StepRunner): Promise<void> {
    const signal = this.mainAbort.signal;
    const pendingStops = new Map<string, BackgroundHandle[]>();
    const timed: Promise<void>[] = [];
    const phaseOver = new AbortController();
    const running = new Set<BackgroundHandle>();
    const finish = async (handle: BackgroundHandle): Promise<void> => {
      if (!running.delete(handle)) return;
      await runner.finishBackground(handle);
    };

    try {
      for (const step of steps) {
        if (signal.aborted) break;
        if (!step.run) {
          runner.shown(step);
          continue;
        }
        if (step.background) {
          const handle = await runner.startBackground(step, signal);
          if (runner.quitRequested) {
            this.quit = true;
            break;
          }
          if (handle === undefined) {
            if (this.failed && !this.options.keepGoing) break;
            continue;
          }
          running.add(handle);
          const bound = step.bound ?? { kind: 'for', ms: 10_000 };
          if (bound.kind === 'for') {
            timed.push(sleep(bound.ms, AbortSignal.any([signal, phaseOver.signal])).then(() => finish(handle)));
          } else {
            const index = steps.indexOf(step);
            const target = steps.findIndex((s) => s.id === bound.step);
            if (target !== -1 && target < index) {
              await runner.runStep(steps[target] as Step, signal, step.id);
              await finish(handle);
            } else {
              pendingStops.set(bound.step, [...(pendingStops.get(bound.step) ?? []), handle]);
            }
          }
          continue;
        }
        let status: StepStatus = await runner.runStep(step, signal);
        while (status === 'failed' && this.options.gate !== undefined && !signal.aborted) {
          const next = await this.options.gate.afterFailure(step);
          if (next === 'retry') status = await runner.runStep(step, signal, undefined, false);
          else {
            if (next === 'quit') runner.quitRequested = true;
            else status = 'skipped'; // the learner chose to go on: do not stop the run here
            break;
          }
        }
        if (status === 'failed') await this.options.afterStepFailed?.(step);
        if (runner.quitRequested) {
          this.quit = true;
          break;
        }
        for (const waiting of pendingStops.get(step.id) ?? []) await finish(waiting);
        pendingStops.delete(step.id);
        if (status === 'failed' && !this.options.keepGoing) break;
      }
    } finally {
      // Background jobs never outlive the phase that started them.
      phaseOver.abort();
      for (const handle of [...running]) await finish(handle);
      await Promise.all(timed);
    }
  }

  private async cleanupPhase(steps: readonly Step[], runner: StepRunner): Promise<void> {
    const emit = this.options.listener;
    if (this.options.keep) {
      emit({ type: 'cleanup-skipped', reason: '--keep: the cleanup phase was skipped on purpose; what the kata created is still there' });
      await this.closeShells();
      await this.options.cluster?.close();
      return;
    }
    const reason = this.mainAbort.signal.aborted || this.quit ? 'interrupted' : this.failed ? 'failure' : 'success';
    emit({ type: 'cleanup-started', reason });
    // Shells the kata opened in pods are closed before the cleanup deletes their pods.
    await this.closeShells((name) => name !== HOST);
    for (const step of steps) {
      if (this.cleanupAbort.signal.aborted) break;
      if (!step.run) {
        runner.shown(step);
        continue;
      }
      await runner.runStep(step, this.cleanupAbort.signal);
    }
    if (this.cleanupAbort.signal.aborted) {
      emit({
        type: 'cleanup-skipped',
        reason: 'interrupted a second time: the rest of the cleanup was skipped, so what the kata created may still be there',
      });
    }
    await this.closeShells();
    const cluster = this.options.cluster;
    if (cluster !== undefined) {
      const created = this.journal.list();
      if (created.length > 0 && !this.cleanupAbort.signal.aborted) {
        try {
          const left = await cluster.remaining(created);
          if (left.length > 0) {
            this.failed = true;
            emit({ type: 'leftovers', names: left.map(objectName) });
          }
        } catch (error) {
          this.failed = true;
          emit({
            type: 'cleanup-unverified',
            reason: `could not check that ${created.map(objectName).join(', ')} are gone: ${(error as Error).message}`,
          });
        }
      }
      try {
        await cluster.close();
      } catch (error) {
        emit({ type: 'cleanup-unverified', reason: `could not remove the run's namespace: ${(error as Error).message}` });
        this.failed = true;
      }
    }
  }

  private hostShell(): Shell {
    let shell = this.shells.get(HOST);
    if (shell === undefined || !shell.alive) {
      // A host shell that died (a learner's `exit`, `set -e`) still has its job logs and perhaps
      // processes it started: it is closed with the others at the end, not forgotten.
      if (shell !== undefined) this.deadHostShells.push(shell);
      shell = new HostShell({ env: { ...this.options.env, ...(this.options.cluster?.env ?? {}) }, cwd: this.options.cwd });
      this.shells.set(HOST, shell);
    }
    return shell;
  }

  private async closeShells(which: (name: string) => boolean = () => true): Promise<void> {
    const closing = [...this.shells].filter(([name]) => which(name));
    if (which(HOST)) closing.push(...this.deadHostShells.splice(0).map((shell) => [HOST, shell] as [string, Shell]));
    for (const [name, shell] of closing) {
      if (this.shells.get(name) === shell) this.shells.delete(name);
      const strays = await shell.close();
      if (strays.length > 0) this.options.listener({ type: 'strays-stopped', processes: strays });
    }
  }
}
