/**
 * A probe: a later step's checks evaluated at an earlier point of the run, for `kata test --prove`
 * (the engine's `beforeStep` hook hands one to the command module). Its API checks are read
 * then; its commands, when the caller says they only read, run again in the step's own shell as
 * that shell is at this point. A probe reports nothing as a step (no events), records nothing
 * in the journal, waits for no pod, and leaves the run's placeholder values as they were.
 */
import { OutputChecks, type CheckResult } from '../checks/output-checks.js';
import { HOST, type Step } from '../kata/model.js';
import { fillPlaceholders } from '../kata/placeholders.js';
import { apiChecks } from './api-checks.js';
import type { ClusterPort, Shell } from './ports.js';

/** What a probe found: the verdicts of the step's checks at this point, or why it could not be evaluated here. */
export type ProbeResult =
  | { readonly ran: true; readonly results: readonly CheckResult[]; readonly commandsRun: boolean }
  /** `waitingFor`: `pod` when only a pod the step names was missing (it may be there at a later point). */
  | { readonly ran: false; readonly why: string; readonly waitingFor: 'pod' | 'shell' | 'value' | 'stop' };

/** Evaluates `step`'s checks now; `runCommands` runs its commands too (only for commands that only read). */
export type Probe = (step: Step, runCommands: boolean) => Promise<ProbeResult>;

/** What a probe needs of the run. */
export interface ProbeContext {
  readonly cluster: ClusterPort | undefined;
  readonly values: ReadonlyMap<string, string>;
  readonly shells: ReadonlyMap<string, Shell>;
  readonly hostShell: () => Shell;
  readonly stepTimeoutMs: number;
  readonly signal: AbortSignal;
}

/** A probe looks a pod up for this long: a pod that is not Ready now is not there yet at this point. */
const PROBE_POD_MS = 1500;
/** A probe's command runs for at most this long (a `curl` to a service that is not there yet may hang). */
const PROBE_TIMEOUT_MS = 20_000;

/** Evaluates the step's checks at this point of the run (see the module's comment). */
export async function probeStep(context: ProbeContext, step: Step, runCommands: boolean): Promise<ProbeResult> {
  const { cluster, signal } = context;
  const values = new Map(context.values);
  for (const placeholder of step.placeholders) {
    if (values.has(placeholder.name)) continue;
    if (placeholder.podOfApp === undefined || cluster === undefined)
      return { ran: false, why: `<${placeholder.name}> has no value yet`, waitingFor: 'value' };
    try {
      values.set(placeholder.name, await cluster.resolvePod(placeholder.podOfApp, PROBE_POD_MS, () => {}, signal));
    } catch {
      if (signal.aborted) return { ran: false, why: 'the run was interrupted', waitingFor: 'stop' };
      return { ran: false, why: `no Ready pod of app ${placeholder.podOfApp} yet`, waitingFor: 'pod' };
    }
  }
  let commandsRun = false;
  const results: CheckResult[] = [];
  if (runCommands) {
    const shell = step.context === HOST ? context.hostShell() : context.shells.get(step.context);
    if (shell === undefined || !shell.alive) return { ran: false, why: `its shell "${step.context}" is not open yet`, waitingFor: 'shell' };
    const checks = new OutputChecks(step.checks);
    const explicitExit = step.checks.some((c) => c.kind === 'exit');
    let exitCode: number | undefined;
    for (const command of step.commands) {
      const result = await shell.run(fillPlaceholders(command.text, values), {
        timeoutMs: Math.min(step.timeoutMs ?? context.stepTimeoutMs, PROBE_TIMEOUT_MS),
        signal,
        // The runner's command, not the kata's: a probe that fails (it should, early) must not
        // end a shell in which the kata said `set -e`.
        internal: true,
        onLines: (lines) => checks.feedLines(lines),
      });
      if (result.interrupted) return { ran: false, why: 'the run was interrupted', waitingFor: 'stop' };
      if (result.sessionLost) return { ran: false, why: `its shell "${step.context}" was lost while it ran`, waitingFor: 'stop' };
      exitCode = result.exitCode;
      // Like the step itself: a failing command ends it (unless the kata expects a status).
      if (result.timedOut || (exitCode !== 0 && !explicitExit)) break;
    }
    results.push(...checks.finish(exitCode));
    commandsRun = true;
  }
  results.push(...(await apiChecks(step, cluster, values)));
  return { ran: true, results, commandsRun };
}
