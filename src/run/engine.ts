/**
 * The engine: runs a kata's plan step by step as a careful person would, proves each promise,
 * and always cleans up. Everything it does is told through typed events (events.ts).
 */
import { exitCodeOf, type Outcome } from '../errors.js';
import { HostShell } from '../exec/shell-session.js';
import { runsKubectl } from '../kata/commands.js';
import { HOST, type Kata, type Step } from '../kata/model.js';
import { objectName, Journal } from './journal.js';
import type { RunLedger } from './ledger.js';
import type { EngineEvent, EventListener, StepStatus } from './events.js';
import type { ClusterPort, Shell, ShellState, StepGate } from './ports.js';
import { sleep } from './sleep.js';
import { probeStep, type Probe } from './probe.js';
import { failureScope, type FailureScope } from './failure-scope.js';
import { formatDuration } from '../kata/describe.js';
import { StepRunner, type BackgroundHandle } from './step-runner.js';
import { omitUndefined } from '../omit-undefined.js';

export type { FailureScope } from './failure-scope.js';

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
   * The run's record on disk (ledger.ts): the engine adds its shells' folders and what the
   * journal records, and removes it when the run ends on its own. Runs without one (tests) leave none.
   */
  readonly ledger?: RunLedger;
  /**
   * Awaited after a step of the main phase failed and before anything else runs (the next step
   * or the cleanup), so that a front end can look at the cluster as the failure left it
   * (`kata test` collects its evidence here).
   */
  readonly afterStepFailed?: (step: Step, scope: FailureScope) => Promise<void>;
  /**
   * Awaited before each step of the main phase that runs, with a probe that evaluates another
   * step's checks at this point (`kata test --prove` shows there that a later check can fail).
   */
  readonly beforeStep?: (step: Step, probe: Probe) => Promise<void>;
}

/** What an interrupt did: stopped the main phase, found the cleanup already running (it goes on), or skipped the rest of it. */
export type InterruptEffect = 'cleanup' | 'in-cleanup' | 'skip-cleanup';

export const DEFAULT_STEP_TIMEOUT_MS = 120_000;
export const DEFAULT_POD_TIMEOUT_MS = 180_000;
export const DEFAULT_SETTLE_TIMEOUT_MS = 90_000;
/** How long the cleanup waits for the API server's answer before a step that runs kubectl. */
const CLEANUP_PROBE_MS = 5_000;
/** The timeout of each command of such a step while the API server does not answer. */
const CLEANUP_UNANSWERED_MS = 15_000;

/** Runs one kata once. `interrupt()` stops the main phase (first call) and then the cleanup (second call). */
export class Engine {
  private readonly mainAbort = new AbortController();
  private readonly cleanupAbort = new AbortController();
  private readonly shells = new Map<string, Shell>();
  /** Host shells replaced because they died; closed at the end like the live ones. */
  private readonly deadHostShells: Shell[] = [];
  private readonly journal: Journal;
  private failed = false;
  /** The cleanup phase has begun: an interrupt no longer stops a step of the main phase. */
  private inCleanup = false;
  /** Interrupts received while the cleanup ran. */
  private cleanupInterrupts = 0;
  /** The learner quit from the UI: the run ends as interrupted, after the cleanup. */
  private quit = false;
  /** Placeholder values: given with --set, and those resolved so far. */
  private readonly values: Map<string, string>;
  /** The background jobs started, for the evidence of a failure. */
  private readonly background: BackgroundHandle[] = [];
  /** Evaluates a step's checks at the current point of the main phase (for `beforeStep`). */
  private probe: Probe = () => Promise.resolve({ ran: false, why: 'the run has not started', waitingFor: 'stop' });

  constructor(private readonly options: EngineOptions) {
    this.journal = new Journal((objects) => options.ledger?.setObjects(objects));
    this.values = new Map(options.values);
  }

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

  /**
   * First call: stop the current step and go to the cleanup. Second call: stop the cleanup too.
   * It always takes two: when the cleanup is already running at the first call, it goes on
   * ('in-cleanup'), and the second skips the rest of it.
   */
  interrupt(): InterruptEffect {
    if (!this.inCleanup && !this.mainAbort.signal.aborted) {
      this.mainAbort.abort();
      return 'cleanup';
    }
    if (this.inCleanup && !this.mainAbort.signal.aborted && this.cleanupInterrupts++ === 0) return 'in-cleanup';
    this.cleanupAbort.abort();
    return 'skip-cleanup';
  }

  /** Runs the kata: `ok` when every step passed (or was shown or skipped) and the cleanup left nothing. */
  async run(): Promise<Outcome> {
    const { kata, cluster, listener } = this.options;
    const started = Date.now();
    const emit = (event: EngineEvent): void => listener(event);
    emit({ type: 'run-started', kata, ...(cluster === undefined ? {} : { target: cluster.target }), at: started });

    const values = this.values;
    this.probe = (step, runCommands) =>
      probeStep(
        {
          cluster,
          values,
          shells: this.shells,
          hostShell: () => this.hostShell(),
          stepTimeoutMs: this.options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
          signal: this.mainAbort.signal,
        },
        step,
        runCommands,
      );
    const runner = new StepRunner({
      cluster,
      values,
      shells: this.shells,
      contexts: kata.contexts,
      journal: this.journal,
      stepTimeoutMs: this.options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
      podTimeoutMs: this.options.podTimeoutMs ?? DEFAULT_POD_TIMEOUT_MS,
      settleTimeoutMs: this.options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS,
      hostShell: () => this.hostShell(),
      ...omitUndefined({ gate: this.options.gate, shellEnv: this.runMark() }),
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
      this.inCleanup = true;
      await this.cleanupPhase(
        kata.steps.filter((s) => s.phase === 'cleanup'),
        runner,
      );
    }
    // The run ended on its own and said what it left: no later run has anything to find.
    this.options.ledger?.remove();
    // Interrupted means something was stopped: a step, or the cleanup. A Ctrl-C during the
    // cleanup that let it finish changes nothing in the verdict.
    const interrupted = this.mainAbort.signal.aborted || this.quit || this.cleanupAbort.signal.aborted;
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
    /** Set when the phase stops at a failed step (without --keep-going). */
    let failedStop = false;
    /** Why the phase ended before its last step, if it did. */
    const early = (): string | undefined =>
      signal.aborted || this.quit ? 'the run was interrupted' : failedStop ? 'the run stopped at a failed step' : undefined;
    // A job stopped because the run ended early is reported as interrupted, not judged on what
    // it had time to see; a job whose bound was reached (or whose kata ran to its end) is judged.
    const finish = async (handle: BackgroundHandle): Promise<void> => {
      if (!running.delete(handle)) return;
      const why = early();
      const bound = handle.step.bound ?? { kind: 'for', ms: 10_000 };
      const until = bound.kind === 'while' ? `while ${bound.step} runs` : `for ${formatDuration(bound.ms)}`;
      await runner.finishBackground(handle, why === undefined ? undefined : `stopped before its end (${until}): ${why}`);
    };

    try {
      for (const step of steps) {
        if (signal.aborted) break;
        if (!step.run) {
          runner.shown(step);
          continue;
        }
        if (this.options.beforeStep !== undefined) {
          await this.options.beforeStep(step, this.probe);
          if (signal.aborted) break;
        }
        if (step.background) {
          const handle = await runner.startBackground(step, signal);
          if (runner.quitRequested) {
            this.quit = true;
            break;
          }
          if (handle === undefined) {
            if (this.failed && !this.options.keepGoing) {
              failedStop = true;
              break;
            }
            continue;
          }
          running.add(handle);
          this.background.push(handle);
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
        if (status === 'failed')
          await this.options.afterStepFailed?.(step, failureScope(this.options.kata, this.values, this.journal, this.background));
        if (runner.quitRequested) {
          this.quit = true;
          break;
        }
        // A job that runs while this step runs has had its time, whatever the step did.
        for (const waiting of pendingStops.get(step.id) ?? []) await finish(waiting);
        pendingStops.delete(step.id);
        if (status === 'failed' && !this.options.keepGoing) {
          failedStop = true;
          break;
        }
      }
    } finally {
      // Background jobs never outlive the phase that started them: `background for 60s` is a
      // limit, not a wait (katas give servers a generous one). A job the kata was done with is
      // judged; one the run stopped early (interrupt, quit, a failure) is reported interrupted.
      phaseOver.abort();
      for (const handle of [...running]) await finish(handle);
      await Promise.all(timed);
    }
  }

  private async cleanupPhase(steps: readonly Step[], runner: StepRunner): Promise<void> {
    const emit = this.options.listener;
    if (this.options.keep) {
      emit({ type: 'cleanup-skipped', reason: '--keep: the cleanup phase was skipped on purpose; what the kata created is still there' });
      this.leftInPlace('--keep');
      await this.closeShells();
      try {
        await this.options.cluster?.close(undefined, { keepNamespace: true });
      } catch (error) {
        emit({ type: 'cleanup-unverified', reason: `could not release the run's namespace: ${(error as Error).message}` });
      }
      return;
    }
    const reason = this.mainAbort.signal.aborted || this.quit ? 'interrupted' : this.failed ? 'failure' : 'success';
    emit({ type: 'cleanup-started', reason });
    // A shell the kata opened in a pod stays open for the cleanup steps that run in it, and is
    // closed after the last of them: before a later step deletes its pod. The others close now.
    const lastUse = new Map<string, number>();
    steps.forEach((step, i) => {
      if (step.run && step.context !== HOST) lastUse.set(step.context, i);
    });
    await this.closeShells((name) => name !== HOST && !lastUse.has(name));
    for (const [i, step] of steps.entries()) {
      if (this.cleanupAbort.signal.aborted) break;
      if (!step.run) {
        runner.shown(step);
        continue;
      }
      runner.timeoutCapMs = await this.cleanupBound(step);
      await runner.runStep(step, this.cleanupAbort.signal);
      runner.timeoutCapMs = undefined;
      await this.closeShells((name) => name !== HOST && lastUse.get(name) === i);
    }
    if (this.cleanupAbort.signal.aborted) {
      emit({
        type: 'cleanup-skipped',
        reason: 'interrupted a second time: the rest of the cleanup was skipped, so what the kata created may still be there',
      });
      this.leftInPlace('interrupted');
    }
    await this.closeShells();
    const cluster = this.options.cluster;
    if (cluster !== undefined) {
      const created = this.journal.list();
      if (created.length > 0 && !this.cleanupAbort.signal.aborted) {
        try {
          const left = await cluster.remaining(created, this.cleanupAbort.signal);
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
        await cluster.close(this.cleanupAbort.signal);
      } catch (error) {
        emit({ type: 'cleanup-unverified', reason: `could not remove the run's namespace: ${(error as Error).message}` });
        this.failed = true;
      }
    }
  }

  /**
   * A cleanup step that runs kubectl, while the API server does not answer, gets a short timeout
   * per command instead of the whole step timeout: the cleanup still tries every command (the
   * server may come back), but a server that is gone does not hold the end of the run for minutes.
   */
  private async cleanupBound(step: Step): Promise<number | undefined> {
    const cluster = this.options.cluster;
    if (cluster?.answers === undefined || !step.commands.some((c) => runsKubectl(c.text))) return undefined;
    if (await cluster.answers(CLEANUP_PROBE_MS, this.cleanupAbort.signal)) return undefined;
    this.options.listener({
      type: 'progress',
      step,
      message: `the API server did not answer within ${CLEANUP_PROBE_MS / 1000}s: each command of this cleanup step gets ${CLEANUP_UNANSWERED_MS / 1000}s`,
    });
    return CLEANUP_UNANSWERED_MS;
  }

  /** The cleanup was skipped: what the journal recorded is reported as left in place (not looked up: nothing more is to wait). */
  private leftInPlace(why: '--keep' | 'interrupted'): void {
    const names = this.journal.list().map(objectName);
    // Skipping the cleanup on purpose keeps a namespace the run created too (deleting it would
    // delete everything in it); an interrupted cleanup still deletes it, so it is not named then.
    const cluster = this.options.cluster;
    if (why === '--keep' && cluster?.createdNamespace === true) names.push(`namespace/${cluster.target.namespace}`);
    if (names.length > 0) this.options.listener({ type: 'left-in-place', names, why });
  }

  /** The mark every process of the run carries in its environment, when the run keeps a record. */
  private runMark(): Record<string, string> | undefined {
    const ledger = this.options.ledger;
    return ledger === undefined ? undefined : { [ledger.run.mark.name]: ledger.run.mark.value };
  }

  private hostShell(): Shell {
    let shell = this.shells.get(HOST);
    if (shell === undefined || !shell.alive) {
      // A host shell that died (a learner's `exit`, `set -e`) still has its job logs and perhaps
      // processes it started: it is closed with the others at the end, not forgotten.
      if (shell !== undefined) this.deadHostShells.push(shell);
      const host = new HostShell({
        env: { ...this.options.env, ...(this.options.cluster?.env ?? {}), ...(this.runMark() ?? {}) },
        cwd: this.options.cwd,
      });
      this.options.ledger?.addTempDir(host.logDir);
      shell = host;
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
