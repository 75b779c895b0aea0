/**
 * Runs one step: fills its placeholders, finds (or opens) its shell, runs its commands, judges
 * its checks, retries when the kata says so. Background steps are started and finished here too.
 */
import { OutputChecks, type CheckResult } from '../checks/output-checks.js';
import type { BackgroundJob } from '../exec/shell-session.js';
import { formatDuration } from '../kata/describe.js';
import { apiChecks } from './api-checks.js';
import { runsKubectl } from '../kata/commands.js';
import { HOST, type ContextInfo, type Step } from '../kata/model.js';
import type { EngineEvent, StepStatus } from './events.js';
import { ExcerptBuffer } from './events.js';
import { describeFailure, describeFailures, type StepFailure } from './failure.js';
import type { Journal } from './journal.js';
import { fillPlaceholders, invalidValue } from '../kata/placeholders.js';
import type { ClusterPort, CreatedObject, Shell, StepGate } from './ports.js';
import { BugError } from '../errors.js';
import { omitUndefined } from '../omit-undefined.js';
import { sleep } from './sleep.js';

export interface StepRunnerOptions {
  readonly cluster: ClusterPort | undefined;
  /** Placeholder values: given with --set, and those resolved so far. */
  readonly values: Map<string, string>;
  readonly shells: Map<string, Shell>;
  /** The shells the kata opens, with how to open them. */
  readonly contexts: readonly ContextInfo[];
  readonly journal: Journal;
  readonly stepTimeoutMs: number;
  readonly podTimeoutMs: number;
  /** How long to wait for created workloads to be ready before going on anyway. */
  readonly settleTimeoutMs: number;
  readonly hostShell: () => Shell;
  /** Added to the environment of every shell opened in a pod (the run's mark: a killed run's kubectl is found by it). */
  readonly shellEnv?: Readonly<Record<string, string>>;
  readonly emit: (event: EngineEvent) => void;
  /** Asked before each step of the main phase, when the run is interactive. */
  readonly gate?: StepGate;
}

/** kubectl's answer for an object that does not exist. */
const NOT_FOUND = /^Error from server \(NotFound\): /;
const OTHER_ERROR = /^(?:Error from server \((?!NotFound\))|error: )/;

/** A background step that is running. */
export interface BackgroundHandle {
  readonly step: Step;
  readonly job: BackgroundJob;
  readonly checks: OutputChecks;
  readonly excerpt: ExcerptBuffer;
  readonly started: number;
  /** When it last printed a line. */
  lastOutput: number;
}

/** Retries wait this long between attempts: a poll interval of the product, not a test sleep. */
const RETRY_PAUSE_MS = 1000;
/** Longest wait for a background job's first line before the next step starts. */
const BACKGROUND_READY_MS = 2000;
/** Before stopping a background job whose output is checked: wait for this much quiet... */
const SETTLE_QUIET_MS = 1100;
/** ...but no longer than this. */
const SETTLE_MAX_MS = 4000;

/** Why a step does not run: a failure, or a skip or interruption with its reason. */
type NotRun =
  { readonly status: 'failed'; readonly failure: StepFailure } | { readonly status: 'skipped' | 'interrupted'; readonly reason: string };

type Prepared = { ok: true; shell: Shell; commands: string[] } | ({ ok: false } & NotRun);

/** How one attempt of a step ended. */
interface Attempt {
  readonly status: StepStatus;
  readonly retryable: boolean;
  /** Status failed: why. */
  readonly failures: readonly StepFailure[];
  /** Status skipped or interrupted: why, in words. */
  readonly reason?: string;
  readonly exitCode?: number | undefined;
  readonly results: CheckResult[];
  readonly excerpt: ExcerptBuffer;
}

const INTERRUPTED = 'interrupted';

/** The failures and words of a step that did not run. */
function notRun(n: NotRun): { failures: readonly StepFailure[]; reason: string } {
  return n.status === 'failed' ? { failures: [n.failure], reason: describeFailure(n.failure) } : { failures: [], reason: n.reason };
}

/** A step's failed checks as one failure. */
function checkFailure(results: readonly CheckResult[]): StepFailure[] {
  const failed = results.filter((r) => !r.passed);
  return failed.length === 0 ? [] : [{ kind: 'checks', failed: failed.map((r) => ({ expected: r.expected, detail: r.detail })) }];
}

export class StepRunner {
  constructor(private readonly o: StepRunnerOptions) {}

  /** A block that is shown, not run. */
  shown(step: Step): void {
    this.o.emit({
      type: 'step-ended',
      step,
      status: 'shown',
      durationMs: 0,
      attempts: 0,
      reason: step.shownReason ?? 'shown',
      excerpt: { head: [], tail: [], omitted: 0 },
    });
  }

  /** Set when the gate said quit: the main phase ends after this step. */
  quitRequested = false;
  /** A bound on every command's timeout while set: the cleanup sets it when the API server does not answer. */
  timeoutCapMs: number | undefined;
  /** Commands the learner edited, per step: a retry runs the edit again, not the kata's text. */
  private readonly edited = new Map<string, readonly string[]>();

  private timeoutOf(step: Step): number {
    const own = step.timeoutMs ?? this.o.stepTimeoutMs;
    return this.timeoutCapMs === undefined ? own : Math.min(own, this.timeoutCapMs);
  }

  /** Runs a foreground step (with its retries) and reports it. `rerunFor` marks a re-run for a background step. */
  async runStep(step: Step, signal: AbortSignal, rerunFor?: string, askGate = true): Promise<StepStatus> {
    const started = Date.now();
    const deadline = step.retryMs === undefined ? started : started + step.retryMs;
    let attempt = 0;
    for (;;) {
      attempt++;
      const outcome = await this.attempt(step, signal, attempt, rerunFor, askGate);
      const retry = outcome.status === 'failed' && outcome.retryable && Date.now() + RETRY_PAUSE_MS < deadline && !signal.aborted;
      if (!retry) {
        for (const result of outcome.results) this.o.emit({ type: 'check', step, result });
        const durationMs = Date.now() - started;
        const failed = outcome.status === 'failed';
        this.o.emit({
          type: 'step-ended',
          step,
          status: outcome.status,
          durationMs,
          attempts: attempt,
          ...omitUndefined({
            exitCode: outcome.exitCode,
            failures: failed ? outcome.failures : undefined,
            reason: failed ? describeFailures(outcome.failures, { attempts: attempt, durationMs }) : outcome.reason,
          }),
          excerpt: outcome.excerpt.excerpt(),
        });
        return outcome.status;
      }
      this.o.emit({
        type: 'progress',
        step,
        message: `attempt ${attempt} failed (${describeFailures(outcome.failures)}); retrying for up to ${formatDuration(deadline - Date.now())}`,
      });
      await sleep(RETRY_PAUSE_MS, signal);
    }
  }

  private async attempt(
    step: Step,
    signal: AbortSignal,
    attempt: number,
    rerunFor: string | undefined,
    askGate: boolean,
  ): Promise<Attempt> {
    const excerpt = new ExcerptBuffer();
    const prepared = await this.prepare(step, signal);
    const startedEvent = (commands: readonly string[]): void =>
      this.o.emit({ type: 'step-started', step, attempt, commands, ...omitUndefined({ rerunFor }) });
    if (!prepared.ok) {
      startedEvent(step.commands.map((c) => c.text));
      return { status: prepared.status, retryable: false, ...notRun(prepared), results: [], excerpt };
    }
    if (askGate && attempt === 1 && rerunFor === undefined && step.phase === 'main') {
      const decision = await this.ask(step, prepared);
      if (decision !== undefined) {
        startedEvent(prepared.commands);
        return {
          status: decision === 'quit' ? 'interrupted' : 'skipped',
          retryable: false,
          failures: [],
          reason: decision === 'quit' ? 'you quit here' : 'skipped by you',
          results: [],
          excerpt,
        };
      }
    } else {
      const edit = this.edited.get(step.id);
      if (edit !== undefined) prepared.commands = [...edit];
    }
    startedEvent(prepared.commands);
    if (step.opens !== undefined) return this.openShell(step, prepared.commands, signal, excerpt);

    const checks = new OutputChecks(step.checks);
    const explicitExit = step.checks.some((c) => c.kind === 'exit');
    const created: CreatedObject[] = [];
    const cleanupFailures: StepFailure[] = [];
    let exitCode: number | undefined;
    for (const [i, command] of prepared.commands.entries()) {
      if (step.context !== HOST && /^(exit|logout)(\s+\d+)?$/.test(command.trim())) {
        // Leaving a shell the kata opened: close our session to it.
        this.o.shells.delete(step.context);
        await prepared.shell.close();
        exitCode = 0;
        continue;
      }
      // Only kubectl on the host reports what it created.
      const record = step.context === HOST ? this.o.journal.reader(step.commands[i]?.text ?? command) : undefined;
      let notFound = false;
      let otherError = false;
      const result = await prepared.shell.run(command, {
        timeoutMs: this.timeoutOf(step),
        signal,
        onLines: (lines) => {
          if (step.phase === 'cleanup') {
            for (const line of lines) {
              if (NOT_FOUND.test(line)) notFound = true;
              else if (OTHER_ERROR.test(line)) otherError = true;
            }
          }
          excerpt.pushLines(lines);
          checks.feedLines(lines);
          if (record !== undefined) {
            for (const line of lines) {
              const object = record(line);
              if (object !== undefined) created.push(object);
            }
          }
          this.o.emit({ type: 'output', step, lines });
        },
      });
      exitCode = result.exitCode;
      if (result.interrupted) return { status: 'interrupted', retryable: false, failures: [], reason: INTERRUPTED, results: [], excerpt };
      if (result.sessionLost && !result.timedOut) {
        // The dead shell stays where it was: later steps see it is not alive, and the engine
        // closes it with the others (its job logs and what it started go with it).
        return {
          status: 'failed',
          retryable: false,
          failures: [{ kind: 'shell-lost', shell: step.context, command }],
          results: [],
          excerpt,
        };
      }
      // A command that overran its timeout failed for that, even when stopping it took its shell
      // along (a builtin loop): the step says both.
      const failure: StepFailure | undefined = result.timedOut
        ? {
            kind: 'timeout',
            command,
            timeoutMs: this.timeoutOf(step),
            ...(result.sessionLost ? { shellLost: step.context } : {}),
          }
        : exitCode !== undefined && exitCode !== 0 && !explicitExit
          ? { kind: 'exit-status', command, exitCode }
          : undefined;
      if (failure === undefined) continue;
      // Deleting what is already gone leaves the cluster as the cleanup wants it.
      if (
        step.phase === 'cleanup' &&
        notFound &&
        !otherError &&
        exitCode === 1 &&
        !result.timedOut &&
        runsKubectl(command) &&
        /\bdelete\b/.test(command)
      ) {
        this.o.emit({ type: 'output', step, lines: ['(already gone: not counted as a failure of the cleanup)'] });
        continue;
      }
      // A cleanup goes on after a failed command (an object already gone, a delete that timed
      // out): every later delete still runs, and the step reports each failure.
      if (step.phase === 'cleanup') {
        cleanupFailures.push(failure);
        this.o.emit({ type: 'output', step, lines: [`(${describeFailure(failure)}; the cleanup goes on)`] });
        continue;
      }
      return {
        status: 'failed',
        retryable: true,
        failures: [failure],
        exitCode,
        results: result.timedOut ? [] : checks.finish(exitCode),
        excerpt,
      };
    }
    const results = [...checks.finish(exitCode), ...(await this.apiChecks(step))];
    const failedChecks = checkFailure(results);
    if (failedChecks.length === 0) await this.settle(step, created, signal);
    const failures = [...cleanupFailures, ...failedChecks];
    return { status: failures.length === 0 ? 'passed' : 'failed', retryable: true, failures, exitCode, results, excerpt };
  }

  /**
   * Asks the gate, if any, and applies its answer to `prepared` (edited commands or values).
   * Returns 'skip' or 'quit' when the step must not run.
   */
  private async ask(step: Step, prepared: Prepared & { ok: true }): Promise<'skip' | 'quit' | undefined> {
    if (this.o.gate === undefined) return undefined;
    const decision = await this.o.gate.beforeStep(step, prepared.commands, this.o.values);
    if (decision.action === 'quit') {
      this.quitRequested = true;
      return 'quit';
    }
    if (decision.action === 'skip') return 'skip';
    for (const [name, value] of Object.entries(decision.values ?? {})) {
      const problem = invalidValue(value);
      if (problem === undefined) this.o.values.set(name, value);
    }
    prepared.commands =
      decision.commands !== undefined ? [...decision.commands] : step.commands.map((c) => fillPlaceholders(c.text, this.o.values));
    if (decision.commands !== undefined) this.edited.set(step.id, prepared.commands);
    else this.edited.delete(step.id);
    return undefined;
  }

  /** Starts a background step; undefined when it could not start (already reported as failed or skipped). */
  async startBackground(step: Step, signal: AbortSignal): Promise<BackgroundHandle | undefined> {
    const started = Date.now();
    const excerpt = new ExcerptBuffer();
    const prepared = await this.prepare(step, signal);
    if (prepared.ok && step.phase === 'main') {
      const decision = await this.ask(step, prepared);
      if (decision !== undefined) {
        this.o.emit({ type: 'step-started', step, attempt: 1, commands: prepared.commands });
        this.o.emit({
          type: 'step-ended',
          step,
          status: decision === 'quit' ? 'interrupted' : 'skipped',
          durationMs: 0,
          attempts: 1,
          reason: decision === 'quit' ? 'you quit here' : 'skipped by you',
          excerpt: excerpt.excerpt(),
        });
        return undefined;
      }
    }
    this.o.emit({ type: 'step-started', step, attempt: 1, commands: prepared.ok ? prepared.commands : step.commands.map((c) => c.text) });
    if (!prepared.ok) {
      const { failures, reason } = notRun(prepared);
      this.o.emit({
        type: 'step-ended',
        step,
        status: prepared.status,
        durationMs: Date.now() - started,
        attempts: 1,
        ...(failures.length === 0 ? {} : { failures }),
        reason,
        excerpt: excerpt.excerpt(),
      });
      return undefined;
    }
    const checks = new OutputChecks(step.checks);
    const command = prepared.commands.join('\n');
    let firstLine: () => void = () => {};
    const spoke = new Promise<void>((resolve) => (firstLine = resolve));
    const handle = { step, checks, excerpt, started, lastOutput: started };
    try {
      const job = await prepared.shell.startBackground(command, (lines) => {
        firstLine();
        handle.lastOutput = Date.now();
        excerpt.pushLines(lines);
        checks.feedLines(lines);
        this.o.emit({ type: 'output', step, lines });
      });
      // Servers and captures say when they are ready ("listening on lo", "Serving HTTP on ...");
      // the next step starts after that first line, or after a short grace for silent jobs.
      const grace = new AbortController();
      await Promise.race([spoke, sleep(BACKGROUND_READY_MS, AbortSignal.any([signal, grace.signal]))]);
      grace.abort();
      this.o.emit({ type: 'background-started', step });
      return Object.assign(handle, { job });
    } catch (error) {
      const failure: StepFailure = { kind: 'background-start', detail: (error as Error).message };
      this.o.emit({
        type: 'step-ended',
        step,
        status: 'failed',
        durationMs: Date.now() - started,
        attempts: 1,
        failures: [failure],
        reason: describeFailure(failure),
        excerpt: excerpt.excerpt(),
      });
      return undefined;
    }
  }

  /**
   * Stops a background step with SIGINT (so it flushes what it captured) and judges its checks;
   * when `cutShort` says why it was stopped before its bound, it is reported interrupted instead.
   */
  async finishBackground(handle: BackgroundHandle, cutShort?: string): Promise<void> {
    const { step } = handle;
    if (cutShort !== undefined) {
      const exitCode = await handle.job.stop();
      this.o.emit({
        type: 'step-ended',
        step,
        status: 'interrupted',
        durationMs: Date.now() - handle.started,
        attempts: 1,
        ...omitUndefined({ exitCode }),
        reason: cutShort,
        excerpt: handle.excerpt.excerpt(),
      });
      return;
    }
    if (step.checks.length > 0) {
      // tcpdump hands packets over in blocks (up to a second late) and drops what it holds when
      // interrupted: let the output settle before stopping a job whose output is checked.
      const deadline = Date.now() + SETTLE_MAX_MS;
      while (Date.now() - handle.lastOutput < SETTLE_QUIET_MS && Date.now() < deadline && !handle.job.exited)
        await sleep(50, new AbortController().signal);
    }
    // A job that ended before it was stopped (a missing binary, a server that could not bind)
    // failed on its own: its exit status counts, unless the kata says which one it expects.
    const endedOnItsOwn = handle.job.exited;
    const exitCode = await handle.job.stop();
    const results = [...handle.checks.finish(exitCode), ...(await this.apiChecks(step))];
    for (const result of results) this.o.emit({ type: 'check', step, result });
    const failures = checkFailure(results);
    if (endedOnItsOwn && exitCode !== 0 && !step.checks.some((c) => c.kind === 'exit'))
      failures.unshift({ kind: 'background-ended', exitCode });
    this.o.emit({
      type: 'step-ended',
      step,
      status: failures.length === 0 ? 'passed' : 'failed',
      durationMs: Date.now() - handle.started,
      attempts: 1,
      ...omitUndefined({
        exitCode,
        failures: failures.length === 0 ? undefined : failures,
        reason: failures.length === 0 ? undefined : describeFailures(failures),
      }),
      excerpt: handle.excerpt.excerpt(),
    });
  }

  /** Placeholders, requirements and the shell: everything a step needs before its first command. */
  private async prepare(step: Step, signal: AbortSignal): Promise<Prepared> {
    for (const placeholder of step.placeholders) {
      if (this.o.values.has(placeholder.name)) continue;
      if (placeholder.podOfApp === undefined || this.o.cluster === undefined) {
        return { ok: false, status: 'failed', failure: { kind: 'placeholder-unresolved', placeholder: placeholder.name } };
      }
      try {
        const pod = await this.o.cluster.resolvePod(
          placeholder.podOfApp,
          this.o.podTimeoutMs,
          (message) => this.o.emit({ type: 'progress', step, message }),
          signal,
        );
        const problem = invalidValue(pod);
        if (problem !== undefined)
          return { ok: false, status: 'failed', failure: { kind: 'placeholder-invalid', placeholder: placeholder.name, problem } };
        this.o.values.set(placeholder.name, pod);
        // A pod of a workload the kata created must be gone after the cleanup too (not just terminating).
        if (this.o.journal.createdWorkload(placeholder.podOfApp)) this.o.journal.add({ resource: 'pod', name: pod });
      } catch (error) {
        if (signal.aborted) return { ok: false, status: 'interrupted', reason: INTERRUPTED };
        return {
          ok: false,
          status: 'failed',
          failure: { kind: 'pod-not-found', placeholder: placeholder.name, detail: (error as Error).message },
        };
      }
    }
    if (step.needs.includes('mesh')) {
      try {
        const mesh = await this.meshMissing(step, signal);
        if (mesh !== undefined) return { ok: false, ...mesh };
      } catch (error) {
        return {
          ok: false,
          status: 'failed',
          failure: { kind: 'mesh', why: 'could not look for a mesh sidecar', detail: (error as Error).message },
        };
      }
    }
    const commands = step.commands.map((c) => fillPlaceholders(c.text, this.o.values));
    if (step.opens !== undefined) return { ok: true, shell: this.o.hostShell(), commands };
    const shell = step.context === HOST ? this.o.hostShell() : this.o.shells.get(step.context);
    if (shell === undefined || !shell.alive) return { ok: false, status: 'failed', failure: { kind: 'no-shell', shell: step.context } };
    return { ok: true, shell, commands };
  }

  private async openShell(step: Step, commands: string[], signal: AbortSignal, excerpt: ExcerptBuffer): Promise<Attempt> {
    const name = step.opens as string;
    const context = step.opens === undefined ? undefined : name;
    const cluster = this.o.cluster;
    const opener = step.commands.length > 0 ? commands[commands.length - 1] : undefined;
    if (cluster === undefined)
      return { status: 'failed', retryable: false, failures: [{ kind: 'no-cluster', command: opener ?? '' }], results: [], excerpt };
    const info = this.o.contexts.find((c) => c.name === name)?.opener;
    // The parser pairs every `opens` with its context: a step without one is kata-runner's own mistake.
    if (info === undefined || context === undefined)
      throw new BugError(`step ${step.id} opens the shell "${name}", which the kata's contexts do not name`);
    try {
      const target = fillPlaceholders(info.target, this.o.values);
      const shell = await cluster.openShell(info, target, signal, this.o.shellEnv);
      this.o.shells.set(context, shell);
      this.o.values.set(`context:${context}`, target);
      this.o.emit({ type: 'output', step, lines: [`(shell "${context}" is open: later steps of the kata run in it)`] });
      return { status: 'passed', retryable: false, failures: [], results: [], excerpt };
    } catch (error) {
      if (signal.aborted) return { status: 'interrupted', retryable: false, failures: [], reason: INTERRUPTED, results: [], excerpt };
      return {
        status: 'failed',
        retryable: true,
        failures: [{ kind: 'shell-open', shell: context, detail: (error as Error).message }],
        results: [],
        excerpt,
      };
    }
  }

  /** Waits for what the step created to be usable before the next step (not a check: never fails the step). */
  private async settle(step: Step, created: readonly CreatedObject[], signal: AbortSignal): Promise<void> {
    const cluster = this.o.cluster;
    if (cluster === undefined || created.length === 0 || step.phase !== 'main') return;
    try {
      const pending = await cluster.settle(
        created,
        this.o.settleTimeoutMs,
        (message) => this.o.emit({ type: 'progress', step, message }),
        signal,
      );
      if (pending.length > 0 && !signal.aborted) {
        this.o.emit({
          type: 'progress',
          step,
          message: `going on without waiting longer: ${pending.join('; ')}`,
        });
      }
    } catch (error) {
      this.o.emit({
        type: 'progress',
        step,
        message: `could not wait for ${created.map((o) => `${o.resource}/${o.name}`).join(', ')}: ${(error as Error).message}`,
      });
    }
  }

  /** Checks that read the cluster instead of the output. */
  private async apiChecks(step: Step): Promise<CheckResult[]> {
    return apiChecks(step, this.o.cluster, this.o.values);
  }

  /**
   * Why a `needs mesh` step does not run: skipped when there is no mesh sidecar (never passed),
   * failed when the sidecar is there but never became Ready. Undefined when the mesh is ready.
   */
  private async meshMissing(step: Step, signal: AbortSignal): Promise<NotRun | undefined> {
    const why = step.needsInferred === undefined ? 'needs a service mesh' : `needs a service mesh (${step.needsInferred})`;
    const cluster = this.o.cluster;
    if (cluster === undefined) return { status: 'skipped', reason: `${why}, and this run has no cluster` };
    const pod = this.podOf(step);
    if (pod === undefined) return { status: 'skipped', reason: `${why}, but the step names no pod to look for a sidecar in` };
    const sidecar = await cluster.meshSidecar(
      pod,
      this.o.podTimeoutMs,
      (message) => this.o.emit({ type: 'progress', step, message }),
      signal,
    );
    if (!sidecar.present) return { status: 'skipped', reason: `${why}: pod ${pod} has no istio-proxy sidecar` };
    if (signal.aborted) return { status: 'interrupted', reason: INTERRUPTED };
    return sidecar.ready ? undefined : { status: 'failed', failure: { kind: 'mesh', why, detail: sidecar.detail } };
  }

  /** The pod a step is about: its shell's pod, else its first pod placeholder. */
  private podOf(step: Step): string | undefined {
    const placeholder = step.placeholders.find((p) => p.podOfApp !== undefined);
    if (placeholder !== undefined) return this.o.values.get(placeholder.name);
    return this.o.values.get(`context:${step.context}`);
  }
}
