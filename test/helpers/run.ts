/**
 * A run as the engine reports it, for tests of what consumes its events (the recorder, the JSON
 * and JUnit reports): the checks run on the output for real and the excerpt is kept by the
 * engine's own ExcerptBuffer, so a report sees what a real run would give it.
 */
import { OutputChecks } from '../../src/checks/output-checks.js';
import type { Kata, Step } from '../../src/kata/model.js';
import { RunRecorder, type RunRecord } from '../../src/report/run-record.js';
import { ExcerptBuffer, type EngineEvent, type StepStatus, type Target } from '../../src/run/events.js';
import { describeFailures, type StepFailure } from '../../src/run/failure.js';

/** How one step's run went; what is left out is what a plain run gives. */
export interface StepRun {
  /** Default: failed when a check failed, else passed. */
  readonly status?: StepStatus;
  readonly output?: readonly string[];
  readonly exitCode?: number;
  /** Default: the failed checks, as the step runner gives them. */
  readonly failures?: readonly StepFailure[];
  /** Default: the failures, worded as the step runner words them. */
  readonly reason?: string;
  readonly durationMs?: number;
  readonly attempts?: number;
  readonly rerunFor?: string;
}

/** The step with this id. */
export function step(k: Kata, id: string): Step {
  const found = k.steps.find((s) => s.id === id);
  if (found === undefined) throw new Error(`the kata has no step ${id} (it has ${k.steps.map((s) => s.id).join(', ')})`);
  return found;
}

/** The events of a step: a shown block only ends; a step that runs starts, prints, is checked and ends. */
export function stepEvents(s: Step, run: StepRun = {}): EngineEvent[] {
  if (!s.run)
    return [
      {
        type: 'step-ended',
        step: s,
        status: 'shown',
        durationMs: 0,
        attempts: 0,
        reason: s.shownReason ?? 'shown',
        excerpt: { head: [], tail: [], omitted: 0 },
      },
    ];
  const output = run.output ?? [];
  const excerpt = new ExcerptBuffer();
  excerpt.pushLines(output);
  const checks = new OutputChecks(s.checks);
  checks.feedLines(output);
  const results = run.status === 'skipped' || run.status === 'interrupted' ? [] : checks.finish(run.exitCode ?? 0);
  const failed = results.filter((r) => !r.passed).map((r) => ({ expected: r.expected, detail: r.detail }));
  const status = run.status ?? (failed.length > 0 ? 'failed' : 'passed');
  const failures: readonly StepFailure[] | undefined =
    run.failures ?? (status === 'failed' && failed.length > 0 ? [{ kind: 'checks', failed }] : undefined);
  const reason = run.reason ?? (failures === undefined ? undefined : describeFailures(failures));
  return [
    {
      type: 'step-started',
      step: s,
      attempt: 1,
      commands: s.commands.map((c) => c.text),
      ...(run.rerunFor === undefined ? {} : { rerunFor: run.rerunFor }),
    },
    ...(output.length > 0 ? [{ type: 'output' as const, step: s, lines: output }] : []),
    ...results.map((result) => ({ type: 'check' as const, step: s, result })),
    {
      type: 'step-ended',
      step: s,
      status,
      durationMs: run.durationMs ?? 10,
      attempts: run.attempts ?? 1,
      ...(run.exitCode === undefined ? {} : { exitCode: run.exitCode }),
      ...(failures === undefined ? {} : { failures }),
      ...(reason === undefined ? {} : { reason }),
      excerpt: excerpt.excerpt(),
    },
  ];
}

/** The RunRecord of a run: run-started, then `events`, then run-ended with the status they make. */
export function recordOf(k: Kata, events: readonly EngineEvent[], options: { target?: Target; durationMs?: number } = {}): RunRecord {
  const recorder = new RunRecorder();
  recorder.on({ type: 'run-started', kata: k, ...(options.target === undefined ? {} : { target: options.target }), at: 0 });
  for (const event of events) recorder.on(event);
  const ended = recorder.record.steps.map((s) => s.status);
  const status = ended.includes('interrupted')
    ? 'interrupted'
    : ended.includes('failed') || recorder.record.leftovers.length > 0
      ? 'failed'
      : 'passed';
  recorder.on({
    type: 'run-ended',
    status,
    exitCode: status === 'passed' ? 0 : status === 'failed' ? 1 : 130,
    durationMs: options.durationMs ?? 1234,
  });
  return recorder.record;
}
