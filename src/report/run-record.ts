/**
 * Folds the engine's events into a record of the run: what the JSON and JUnit reports and the
 * final summary are made from.
 */
import type { CheckResult } from '../checks/output-checks.js';
import { describeCheck } from '../kata/describe.js';
import type { Kata, Phase, Step } from '../kata/model.js';
import type { EngineEvent, Excerpt, StepStatus, Target } from '../run/events.js';
import { describeFailure, type StepFailure } from '../run/failure.js';
import { redact } from '../redact.js';
import { omitUndefined } from '../omit-undefined.js';

export interface StepRecord {
  readonly step: Step;
  readonly phase: Phase;
  /** Set when this was a re-run of the step for a background step. */
  readonly rerunFor?: string;
  status: StepStatus;
  durationMs: number;
  attempts: number;
  exitCode?: number;
  reason?: string;
  /** Why it failed, as data (status failed). */
  failures?: readonly StepFailure[];
  readonly checks: CheckResult[];
  excerpt: Excerpt;
}

export interface RunRecord {
  kata?: Kata;
  target?: Target;
  readonly steps: StepRecord[];
  cleanup?: { readonly reason: string };
  cleanupSkipped?: string;
  leftovers: readonly string[];
  /** Processes the kata left running on this machine, which the runner stopped. */
  strays: readonly string[];
  status?: 'passed' | 'failed' | 'interrupted';
  exitCode?: number;
  durationMs?: number;
}

/** Collects events into a RunRecord. */
export class RunRecorder {
  readonly record: RunRecord = { steps: [], leftovers: [], strays: [] };
  private readonly open = new Map<string, StepRecord>();

  on(event: EngineEvent): void {
    const r = this.record;
    switch (event.type) {
      case 'run-started':
        r.kata = event.kata;
        if (event.target !== undefined) r.target = event.target;
        return;
      case 'step-started': {
        if (this.open.has(event.step.id) && event.attempt > 1) return;
        const rec: StepRecord = {
          step: event.step,
          phase: event.step.phase,
          ...omitUndefined({ rerunFor: event.rerunFor }),
          status: 'interrupted',
          durationMs: 0,
          attempts: 0,
          checks: [],
          excerpt: { head: [], tail: [], omitted: 0 },
        };
        this.open.set(event.step.id, rec);
        r.steps.push(rec);
        return;
      }
      case 'check':
        this.current(event.step).checks.push(event.result);
        return;
      case 'step-ended': {
        const rec = this.current(event.step);
        rec.status = event.status;
        rec.durationMs = event.durationMs;
        rec.attempts = event.attempts;
        if (event.exitCode !== undefined) rec.exitCode = event.exitCode;
        if (event.reason !== undefined) rec.reason = event.reason;
        if (event.failures !== undefined) rec.failures = event.failures;
        rec.excerpt = { head: event.excerpt.head.map(redact), tail: event.excerpt.tail.map(redact), omitted: event.excerpt.omitted };
        this.open.delete(event.step.id);
        return;
      }
      case 'cleanup-started':
        r.cleanup = { reason: event.reason };
        return;
      case 'cleanup-skipped':
        r.cleanupSkipped = event.reason;
        return;
      case 'leftovers':
        r.leftovers = event.names;
        return;
      case 'left-in-place':
        r.leftovers = [...r.leftovers, ...event.names];
        return;
      case 'strays-stopped':
        // A command line can hold a token: masked here, once, for every report.
        r.strays = [...r.strays, ...event.processes.map(redact)];
        return;
      case 'cleanup-unverified':
        r.leftovers = [...r.leftovers, `(unverified) ${event.reason}`];
        return;
      case 'run-ended':
        r.status = event.status;
        r.exitCode = event.exitCode;
        r.durationMs = event.durationMs;
        return;
      default:
        return;
    }
  }

  private current(step: Step): StepRecord {
    let rec = this.open.get(step.id);
    if (rec === undefined) {
      // A shown block ends without having started.
      rec = {
        step,
        phase: step.phase,
        status: 'shown',
        durationMs: 0,
        attempts: 0,
        checks: [],
        excerpt: { head: [], tail: [], omitted: 0 },
      };
      this.open.set(step.id, rec);
      this.record.steps.push(rec);
    }
    return rec;
  }
}

/** Counts per status (shown blocks are not counted as tests). */
export function tally(record: RunRecord): Record<StepStatus, number> {
  const counts: Record<StepStatus, number> = { passed: 0, failed: 0, skipped: 0, shown: 0, interrupted: 0 };
  for (const s of record.steps) counts[s.status]++;
  return counts;
}

/** The JSON report (see README "Reports"). */
export function jsonReport(record: RunRecord): unknown {
  return {
    schema: 1,
    kata: record.kata === undefined ? undefined : { file: record.kata.file, title: record.kata.title },
    target: record.target ?? null,
    status: record.status,
    exitCode: record.exitCode,
    durationMs: record.durationMs,
    summary: tally(record),
    steps: record.steps.map((s) => ({
      id: s.step.id,
      line: s.step.line,
      phase: s.phase,
      ...omitUndefined({ rerunFor: s.rerunFor }),
      context: s.step.context,
      commands: s.step.commands.map((c) => c.text),
      status: s.status,
      durationMs: s.durationMs,
      attempts: s.attempts,
      ...omitUndefined({ exitCode: s.exitCode }),
      ...(s.reason === undefined ? {} : { reason: redact(s.reason) }),
      // Machine-readable: `failure.kind` says why (exit-status, timeout, checks, ...; see README).
      ...(s.failures === undefined || s.failures.length === 0
        ? {}
        : { failure: failureJson(s.failures[0] as StepFailure), failures: s.failures.map(failureJson) }),
      checks: s.checks.map((c) => ({
        kind: c.check.kind,
        description: describeCheck(c.check),
        inferred: c.check.inferred,
        ...omitUndefined({ because: c.check.because }),
        passed: c.passed,
        detail: redact(c.detail),
      })),
      output: s.excerpt,
    })),
    cleanup: record.cleanup ?? null,
    ...omitUndefined({ cleanupSkipped: record.cleanupSkipped }),
    leftovers: record.leftovers,
    strays: record.strays,
  };
}

/** A failure in the JSON report: its kind, its words, and its fields, with every text redacted. */
function failureJson(failure: StepFailure): Record<string, unknown> {
  const fields = JSON.parse(JSON.stringify(failure), (_key, value: unknown) =>
    typeof value === 'string' ? redact(value) : value,
  ) as Record<string, unknown>;
  return { ...fields, message: redact(describeFailure(failure)) };
}
