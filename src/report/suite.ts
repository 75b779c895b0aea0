/**
 * The record of a `kata test` suite (every kata, every attempt, the platform's versions) and what
 * is made from it besides JUnit: the summary table and the JSON report.
 */
import type { Evidence } from '../k8s/evidence.js';
import { formatDuration } from '../kata/describe.js';
import { redact } from '../redact.js';
import { jsonReport, type RunRecord } from './run-record.js';

/** How a kata of a suite ended: `flaky` failed first and passed on a retry; `errored` could not be read (`reason` says where and why). */
export type KataStatus = 'passed' | 'failed' | 'flaky' | 'skipped' | 'errored' | 'interrupted';

/** The versions a suite ran on, in every report, so that a maintainer sees which platform a kata broke on. */
export interface Versions {
  readonly runner: string;
  readonly cluster: string;
  /** `istio 1.31.0`, or null without a mesh. */
  readonly mesh: string | null;
}

/** What `kata test --prove` found about one check of a kata. */
export interface CheckProof {
  /** The step's id. */
  readonly step: string;
  /** The check's line in the kata. */
  readonly line: number;
  /** `expect contains "NAME"`, as `kata plan` words it. */
  readonly check: string;
  /** `proves-nothing` fails the kata; `not-proven` (nothing could be tried) is a note. */
  readonly verdict: 'proven' | 'proves-nothing' | 'not-proven';
  /** How it was shown, in words: where it failed, or where it held. */
  readonly how: string;
}

/** One run of a kata, in its own namespace. */
export interface AttemptRecord {
  readonly namespace: string;
  /** Undefined when it could not start (the kata unreadable, the namespace not created): `error` says why. */
  readonly record?: RunRecord;
  readonly error?: string;
  /** Evidence collected when a step failed, by step id. */
  readonly evidence: ReadonlyMap<string, Evidence>;
  readonly status: 'passed' | 'failed' | 'interrupted';
  readonly durationMs: number;
  /** With --prove: the verdict on each check of the steps that passed. */
  readonly proofs?: readonly CheckProof[];
}

/** A kata of the suite and how it ended. */
export interface KataResult {
  readonly file: string;
  readonly title: string;
  readonly status: KataStatus;
  /** Why it was skipped or errored (`file:line: what. How to fix it.`), or why it failed when no step says it. */
  readonly reason?: string;
  readonly attempts: readonly AttemptRecord[];
  /** With --prove: the verdict on each check of its last attempt (any `proves-nothing` fails the kata). */
  readonly proofs?: readonly CheckProof[];
}

export interface SuiteRecord {
  readonly versions: Versions;
  readonly katas: readonly KataResult[];
  readonly durationMs: number;
  readonly exitCode: number;
}

export type Totals = Record<KataStatus, number> & { readonly katas: number };

/** A kata's status from its attempts (in order): passed on a retry is flaky. */
export function kataStatus(attempts: readonly Pick<AttemptRecord, 'status'>[]): Exclude<KataStatus, 'skipped' | 'errored'> {
  const last = attempts[attempts.length - 1];
  if (last === undefined) return 'interrupted';
  if (last.status === 'passed') return attempts.length > 1 ? 'flaky' : 'passed';
  return last.status;
}

/** Counts of katas per status. */
export function totals(katas: readonly Pick<KataResult, 'status'>[]): Totals {
  const counts = { katas: katas.length, passed: 0, failed: 0, flaky: 0, skipped: 0, errored: 0, interrupted: 0 };
  for (const kata of katas) counts[kata.status]++;
  return counts;
}

/**
 * The suite's outcome: interrupted beats unreadable (a kata errored) beats failed beats ok (flaky
 * and skipped katas do not fail a suite).
 */
export function suiteOutcome(
  katas: readonly Pick<KataResult, 'status'>[],
  interrupted: boolean,
): 'ok' | 'failed' | 'unreadable' | 'interrupted' {
  if (interrupted || katas.some((k) => k.status === 'interrupted')) return 'interrupted';
  if (katas.some((k) => k.status === 'errored')) return 'unreadable';
  return katas.some((k) => k.status === 'failed') ? 'failed' : 'ok';
}

/** `runner 0.1.0, cluster v1.34.1, mesh istio 1.31.0` */
export function describeVersions(versions: Versions): string {
  return `runner ${versions.runner}, cluster ${versions.cluster}, mesh ${versions.mesh ?? 'none'}`;
}

/** The first failed step of an attempt, as `step ID at FILE:LINE: reason` (masked), or its error. */
export function firstFailure(attempt: AttemptRecord, file: string): string | undefined {
  const found = failureOf(attempt, file);
  return found === undefined ? undefined : redact(found);
}

function failureOf(attempt: AttemptRecord, file: string): string | undefined {
  if (attempt.error !== undefined) return attempt.error;
  const failed = attempt.record?.steps.find((s) => s.status === 'failed');
  if (failed !== undefined) return `step ${failed.step.id} at ${file}:${failed.step.line}: ${failed.reason ?? 'failed'}`;
  const left = attempt.record?.leftovers ?? [];
  return left.length > 0 ? `left behind: ${left.join(', ')}` : undefined;
}

/** `FILE:LINE: expect contains "NAME" (step s2) proves nothing: how` */
export function proofLine(file: string, proof: CheckProof): string {
  const verdict = proof.verdict === 'proves-nothing' ? 'proves nothing' : proof.verdict === 'proven' ? 'proven' : 'not proven';
  return redact(`${file}:${proof.line}: ${proof.check} (step ${proof.step}) ${verdict}: ${proof.how}`);
}

/** What the summary table says of a kata in its last column. */
function note(kata: KataResult): string {
  if (kata.status === 'skipped' || kata.status === 'errored') return kata.reason ?? '';
  const last = kata.attempts[kata.attempts.length - 1];
  if (kata.status === 'flaky') {
    const first = kata.attempts[0];
    return `passed on attempt ${kata.attempts.length}; attempt 1: ${first === undefined ? '' : (firstFailure(first, kata.file) ?? 'failed')}`;
  }
  if (kata.status === 'failed' && last !== undefined) return kata.reason ?? firstFailure(last, kata.file) ?? '';
  return '';
}

/** The summary: one row per kata, the totals, the versions. */
export function summaryTable(suite: SuiteRecord): string {
  const rows = suite.katas.map((k) => [
    k.file,
    k.status,
    String(k.attempts.length),
    formatDuration(k.attempts.reduce((t, a) => t + a.durationMs, 0)),
    note(k),
  ]);
  const header = ['KATA', 'STATUS', 'ATTEMPTS', 'TIME', 'NOTE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const t = totals(suite.katas);
  return [
    line(header),
    ...rows.map(line),
    `== ${t.passed} passed, ${t.failed} failed, ${t.flaky} flaky, ${t.skipped} skipped${t.errored > 0 ? `, ${t.errored} errored` : ''}${t.interrupted > 0 ? `, ${t.interrupted} interrupted` : ''} of ${t.katas} katas in ${formatDuration(suite.durationMs)}; exit ${suite.exitCode}`,
    `versions: ${describeVersions(suite.versions)}`,
    '',
  ].join('\n');
}

/** An attempt's report: `kata run`'s JSON report with its namespace, the versions and each failed step's evidence. */
function attemptJson(attempt: AttemptRecord, versions: Versions): Record<string, unknown> {
  const base =
    attempt.record === undefined
      ? { status: attempt.status, error: attempt.error }
      : (jsonReport(attempt.record) as Record<string, unknown>);
  const steps = (base.steps as Record<string, unknown>[] | undefined)?.map((s) => {
    const evidence = attempt.evidence.get(s.id as string);
    return evidence === undefined ? s : { ...s, evidence };
  });
  return { ...base, ...(steps === undefined ? {} : { steps }), namespace: attempt.namespace, versions };
}

/** The JSON report of a suite: the versions, the totals and, per kata, its status and the report of each attempt. */
export function suiteJson(suite: SuiteRecord): unknown {
  return {
    schema: 1,
    kind: 'kata-test',
    versions: suite.versions,
    status: suite.exitCode === 0 ? 'passed' : suite.exitCode === 130 ? 'interrupted' : 'failed',
    exitCode: suite.exitCode,
    durationMs: suite.durationMs,
    totals: totals(suite.katas),
    katas: suite.katas.map((k) => ({
      file: k.file,
      title: k.title,
      status: k.status,
      ...(k.reason === undefined ? {} : { reason: k.reason }),
      ...(k.proofs === undefined ? {} : { proofs: k.proofs }),
      attempts: k.attempts.map((a) => attemptJson(a, suite.versions)),
    })),
  };
}
