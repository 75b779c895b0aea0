/**
 * JUnit XML: one testcase per step that runs (main and cleanup as two suites), with file:line;
 * what was left behind is a failed testcase of the cleanup suite, strays a note in its system-out.
 */
import { redact } from '../redact.js';
import type { RunRecord, StepRecord } from './run-record.js';

export function junitReport(record: RunRecord): string {
  const file = record.kata?.file ?? 'kata';
  const suites = (['main', 'cleanup'] as const).map((phase) => {
    const steps = record.steps.filter((s) => s.phase === phase && s.status !== 'shown');
    // What was left behind is a failed testcase of the cleanup suite, so it is counted as one.
    const leftBehind =
      phase === 'cleanup' && record.leftovers.length > 0
        ? `    <testcase classname="${xml(file)}" name="nothing left behind" file="${xml(file)}" time="0"><failure message="${xml(`left behind: ${record.leftovers.join(', ')}`)}"/></testcase>\n`
        : '';
    const extra = leftBehind === '' ? 0 : 1;
    // Strays do not fail the run, so they are a note, not a testcase (the recorder masked them).
    const strays =
      phase === 'cleanup' && record.strays.length > 0
        ? `    <system-out>${xml(`stopped what the kata left running on this machine: ${record.strays.join('; ')}`)}</system-out>\n`
        : '';
    const failures = steps.filter((s) => s.status === 'failed').length + extra;
    const errors = steps.filter((s) => s.status === 'interrupted').length;
    const skipped = steps.filter((s) => s.status === 'skipped').length;
    const time = steps.reduce((t, s) => t + s.durationMs, 0) / 1000;
    const name = `${record.kata?.title ?? file}${phase === 'cleanup' ? ' (cleanup)' : ''}`;
    return (
      `  <testsuite name="${xml(name)}" tests="${steps.length + extra}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time.toFixed(3)}">\n` +
      leftBehind +
      steps.map((s) => testcase(s, file)).join('') +
      strays +
      '  </testsuite>\n'
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(record.kata?.title ?? file)}" time="${((record.durationMs ?? 0) / 1000).toFixed(3)}">\n${suites.join('')}</testsuites>\n`;
}

/** One step as a testcase; `systemOut` (already masked) goes into a failed one's `<system-out>`. */
export function testcase(s: StepRecord, file: string, systemOut?: string): string {
  const command = s.step.commands[0]?.text.split('\n')[0] ?? '';
  const name = `${s.step.id}${s.rerunFor === undefined ? '' : ` (again, for ${s.rerunFor})`}: ${command}`;
  const open = `    <testcase classname="${xml(file)}" name="${xml(name)}" file="${xml(file)}" line="${s.step.line}" time="${(s.durationMs / 1000).toFixed(3)}"`;
  const output = [
    ...s.excerpt.head,
    ...(s.excerpt.omitted > 0 ? [`... ${s.excerpt.omitted} lines omitted ...`] : []),
    ...s.excerpt.tail,
  ].join('\n');
  const where = `${file}:${s.step.line}`;
  // A reason can quote what a command printed (a check's detail), so it is masked as the output is.
  const reason = s.reason === undefined ? undefined : redact(s.reason);
  switch (s.status) {
    case 'passed':
      return `${open}/>\n`;
    case 'skipped':
      return `${open}><skipped message="${xml(reason ?? 'skipped')}"/></testcase>\n`;
    case 'interrupted':
      return `${open}><error message="${xml(`${where}: interrupted`)}"/></testcase>\n`;
    default:
      return `${open}><failure message="${xml(`${where}: ${reason ?? 'failed'}`)}">${xml(output)}</failure>${systemOut === undefined ? '' : `<system-out>${xml(systemOut)}</system-out>`}</testcase>\n`;
  }
}

/** Text as XML 1.0 character data or attribute value. */
export function xml(text: string): string {
  // XML 1.0 allows neither control characters other than tab and newlines, nor U+FFFE/U+FFFF,
  // nor a surrogate without its pair: a command may print any of them.
  return text
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '',
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
