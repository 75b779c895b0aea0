/**
 * The JUnit report of a `kata test` suite: one testsuite per kata, with its status, attempts and
 * the platform's versions as properties (`flaky` true for a kata that passed on a retry), one
 * testcase per step of its last attempt (main phase, then cleanup), and the evidence collected
 * when a step failed in that testcase's `<system-out>`.
 */
import { evidenceLines } from '../k8s/evidence.js';
import { testcase, xml } from './junit.js';
import { firstFailure, proofLine, totals, type AttemptRecord, type CheckProof, type KataResult, type SuiteRecord } from './suite.js';

export function suiteJunit(suite: SuiteRecord): string {
  const t = totals(suite.katas);
  const suites = suite.katas.map((k) => kataSuite(k, suite));
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const errors = suites.reduce((n, s) => n + s.errors, 0);
  const skipped = suites.reduce((n, s) => n + s.skipped, 0);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="kata test (${t.katas} katas)" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(suite.durationMs)}">\n` +
    suites.map((s) => s.xml).join('') +
    `</testsuites>\n`
  );
}

interface SuiteXml {
  readonly xml: string;
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
  readonly skipped: number;
}

function kataSuite(kata: KataResult, suite: SuiteRecord): SuiteXml {
  const last: AttemptRecord | undefined = kata.attempts[kata.attempts.length - 1];
  const properties: [string, string][] = [
    ['file', kata.file],
    ['status', kata.status],
    ['flaky', String(kata.status === 'flaky')],
    ['attempts', String(kata.attempts.length)],
    ...(last === undefined ? [] : ([['namespace', last.namespace]] as [string, string][])),
    ['runner.version', suite.versions.runner],
    ['cluster.version', suite.versions.cluster],
    ['mesh.version', suite.versions.mesh ?? 'none'],
  ];
  const props = `    <properties>\n${properties.map(([n, v]) => `      <property name="${xml(n)}" value="${xml(v)}"/>\n`).join('')}    </properties>\n`;
  const record = last?.record;
  let cases: string;
  let counts: Omit<SuiteXml, 'xml'>;
  if (kata.status === 'skipped') {
    cases = `    <testcase classname="${xml(kata.file)}" name="kata" time="0"><skipped message="${xml(kata.reason ?? 'skipped')}"/></testcase>\n`;
    counts = { tests: 1, failures: 0, errors: 0, skipped: 1 };
  } else if (kata.status === 'errored') {
    // The kata could not be read: an error (not a failure of its steps), with file:line and the fix.
    cases = `    <testcase classname="${xml(kata.file)}" name="kata" time="0"><error type="unreadable" message="${xml(kata.reason ?? 'cannot be read')}"/></testcase>\n`;
    counts = { tests: 1, failures: 0, errors: 1, skipped: 0 };
  } else if (record === undefined) {
    const why = last?.error ?? kata.reason ?? 'did not start';
    cases =
      kata.status === 'interrupted'
        ? `    <testcase classname="${xml(kata.file)}" name="kata" time="0"><error message="${xml(`interrupted: ${why}`)}"/></testcase>\n`
        : `    <testcase classname="${xml(kata.file)}" name="kata" time="0"><failure message="${xml(why)}"/></testcase>\n`;
    counts = { tests: 1, failures: kata.status === 'interrupted' ? 0 : 1, errors: kata.status === 'interrupted' ? 1 : 0, skipped: 0 };
  } else {
    const steps = [...record.steps.filter((s) => s.phase === 'main'), ...record.steps.filter((s) => s.phase === 'cleanup')].filter(
      (s) => s.status !== 'shown',
    );
    const evidenceOf = (id: string): string | undefined => {
      const e = last?.evidence.get(id);
      return e === undefined ? undefined : evidenceLines(e).join('\n');
    };
    const leftBehind =
      record.leftovers.length > 0
        ? `    <testcase classname="${xml(kata.file)}" name="nothing left behind" time="0"><failure message="${xml(`left behind: ${record.leftovers.join(', ')}`)}"/></testcase>\n`
        : '';
    const proofs = kata.proofs ?? [];
    cases =
      steps.map((s) => testcase(s, kata.file, evidenceOf(s.step.id))).join('') +
      leftBehind +
      proofs.map((p) => proofCase(kata.file, p)).join('');
    counts = {
      tests: steps.length + (leftBehind === '' ? 0 : 1) + proofs.length,
      failures:
        steps.filter((s) => s.status === 'failed').length +
        (leftBehind === '' ? 0 : 1) +
        proofs.filter((p) => p.verdict === 'proves-nothing').length,
      errors: steps.filter((s) => s.status === 'interrupted').length,
      skipped: steps.filter((s) => s.status === 'skipped').length + proofs.filter((p) => p.verdict === 'not-proven').length,
    };
  }
  // Earlier attempts (a retry's reasons) and stopped strays are notes, not testcases.
  const notes = [
    ...kata.attempts
      .slice(0, -1)
      .map((a, i) => `attempt ${i + 1} (namespace ${a.namespace}) ${a.status}: ${firstFailure(a, kata.file) ?? a.status}`),
    ...(record === undefined || record.strays.length === 0
      ? []
      : [`stopped what the kata left running on this machine: ${record.strays.join('; ')}`]),
  ];
  const out = notes.length === 0 ? '' : `    <system-out>${xml(notes.join('\n'))}</system-out>\n`;
  const time = seconds(kata.attempts.reduce((n, a) => n + a.durationMs, 0));
  const open = `  <testsuite name="${xml(kata.title)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${time}">\n`;
  return { xml: open + props + cases + out + '  </testsuite>\n', ...counts };
}

/** A check's proof (--prove) as a testcase on its line: passed when proven, a failure when it proves nothing, skipped when it could not be tried. */
function proofCase(file: string, proof: CheckProof): string {
  const open = `    <testcase classname="${xml(file)}" name="${xml(`proof: ${proof.check} (step ${proof.step})`)}" file="${xml(file)}" line="${proof.line}" time="0"`;
  const message = xml(proofLine(file, proof));
  if (proof.verdict === 'proven') return `${open}><system-out>${message}</system-out></testcase>\n`;
  if (proof.verdict === 'not-proven') return `${open}><skipped message="${message}"/></testcase>\n`;
  return `${open}><failure message="${message}"/></testcase>\n`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
