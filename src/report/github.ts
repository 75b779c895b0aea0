/**
 * GitHub Actions conventions for a `kata test` suite: an `::error file=...,line=...::` line per
 * failed step (so the failure shows on the kata's line in a pull request) and a Markdown summary
 * for $GITHUB_STEP_SUMMARY.
 */
import { redact } from '../redact.js';
import { describeVersions, firstFailure, proofLine, totals, type SuiteRecord } from './suite.js';

/** Workflow commands escape `%`, CR and LF in the message, and also `:` and `,` in properties. */
const data = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (text: string): string => data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One `::error` line per failed step of each failed kata's last attempt (or per kata that could not start). */
export function githubAnnotations(suite: SuiteRecord): string[] {
  const lines: string[] = [];
  for (const kata of suite.katas) {
    if (kata.status === 'errored') {
      const line = /^[^\n]*?:(\d+):/.exec(kata.reason ?? '')?.[1];
      lines.push(
        `::error file=${property(kata.file)},${line === undefined ? '' : `line=${line},`}title=${property(`${kata.file}: cannot be read`)}::${data(kata.reason ?? 'cannot be read')}`,
      );
      continue;
    }
    for (const proof of kata.proofs ?? [])
      if (proof.verdict === 'proves-nothing')
        lines.push(
          `::error file=${property(kata.file)},line=${proof.line},title=${property(`${kata.title}: a check proves nothing`)}::${data(proofLine(kata.file, proof))}`,
        );
    if (kata.status !== 'failed') continue;
    const last = kata.attempts[kata.attempts.length - 1];
    const failed = last?.record?.steps.filter((s) => s.status === 'failed') ?? [];
    if (failed.length === 0 && last?.status === 'passed') continue; // failed for its proofs: annotated above
    if (failed.length === 0) {
      const why = last === undefined ? kata.reason : firstFailure(last, kata.file);
      lines.push(`::error file=${property(kata.file)},title=${property(kata.title)}::${data(why ?? 'failed')}`);
    }
    for (const s of failed)
      lines.push(
        `::error file=${property(kata.file)},line=${s.step.line},title=${property(`${kata.title}: step ${s.step.id}`)}::${data(redact(s.reason ?? 'failed'))}`,
      );
  }
  return lines;
}

/** The suite as a Markdown table for the job's summary page. */
export function githubSummary(suite: SuiteRecord): string {
  const t = totals(suite.katas);
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = suite.katas.map((k) => {
    const last = k.attempts[k.attempts.length - 1];
    const note =
      k.status === 'skipped' || k.status === 'errored' || k.reason !== undefined
        ? (k.reason ?? '')
        : last === undefined
          ? ''
          : (firstFailure(last, k.file) ?? '');
    return `| ${cell(k.file)} | ${k.status} | ${k.attempts.length} | ${cell(k.status === 'passed' ? '' : note)} |`;
  });
  return [
    `### kata test: ${t.passed} passed, ${t.failed} failed, ${t.flaky} flaky, ${t.skipped} skipped${t.errored > 0 ? `, ${t.errored} errored` : ''} of ${t.katas}`,
    '',
    '| Kata | Status | Attempts | Note |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `Versions: ${describeVersions(suite.versions)}`,
    '',
  ].join('\n');
}
