/**
 * `kata test --prove` and a suite with an unreadable kata, through the built CLI on katas that
 * need no cluster (real shells, real files): the checks that hold whatever the kata does are
 * reported by file:line in the table, the JSON, the JUnit and the GitHub annotations; a good
 * kata has none; an unreadable kata is errored and the others still run.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kataCli, ROOT } from '../../helpers/cli.js';
import { xmllintErrors, xmllintMissing, xpath } from '../../helpers/xml.js';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const XSD = join(ROOT, 'test/fixtures/junit/junit.xsd');
const NOTES = 'test/fixtures/katas/prove/notes.md';

interface Proof {
  step: string;
  line: number;
  verdict: string;
  how: string;
}
interface Json {
  exitCode: number;
  totals: Record<string, number>;
  katas: { file: string; status: string; reason?: string; proofs?: Proof[] }[];
}

const scratch = (): string[] => readdirSync('/tmp').filter((n) => n.startsWith('kata-prove-notes.'));

describe('kata test --prove (built CLI, no cluster)', () => {
  it('reports the checks that prove nothing by file:line and fails their kata; a good kata has none', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kata-prove-'));
    const summary = join(out, 'summary.md');
    writeFileSync(summary, '');
    const before = scratch();
    const result = await kataCli(
      ['test', '--prove', NOTES, 'katas/first-steps.md', '--report', `json=${out}/suite.json`, '--report', `junit=${out}/suite.xml`],
      { env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } },
    );
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${NOTES}\\s+failed\\s+1\\s+\\S+\\s+2 checks prove nothing: ${NOTES}:30, ${NOTES}:44$`, 'm'));
    expect(result.stdout).toMatch(/^katas\/first-steps\.md\s+passed\s/m);
    expect(result.stdout).toContain(
      `prove: ${NOTES}:30: output contains "total" (step list-long) proves nothing: it held when evaluated before step scratch`,
    );

    const json = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as Json;
    const notes = json.katas.find((k) => k.file === NOTES);
    const verdicts = new Map(notes?.proofs?.map((p) => [p.step, p]));
    // Run before the steps it depends on (no note.txt there yet), it fails: proven.
    expect(verdicts.get('read-note')).toMatchObject({ verdict: 'proven', how: expect.stringContaining('before step scratch (line 10)') });
    // `ls -la` prints its total in any folder.
    expect(verdicts.get('list-long')).toMatchObject({ verdict: 'proves-nothing', line: 30 });
    // Not read-only (tee writes a file): judged on its output with the text removed.
    expect(verdicts.get('keep-copy')).toMatchObject({ verdict: 'proven', how: expect.stringContaining('removed') });
    // /x*/ also matches an empty line.
    expect(verdicts.get('stamp')).toMatchObject({ verdict: 'proves-nothing', line: 44 });
    expect(verdicts.get('remove-scratch')?.verdict).toBe('proven');
    const first = json.katas.find((k) => k.file === 'katas/first-steps.md');
    expect(first?.status).toBe('passed');
    expect(first?.proofs?.length).toBeGreaterThan(0);
    expect(first?.proofs?.filter((p) => p.verdict !== 'proven')).toEqual([]);
    expect(first?.proofs?.find((p) => p.step === 'fetch')?.how).toContain('failed when evaluated before step workspace');

    expect(result.stdout).toContain(`::error file=${NOTES},line=30,title=Notes in a scratch folder%3A a check proves nothing::`);
    expect(result.stdout).toContain(`::error file=${NOTES},line=44,`);
    expect(readFileSync(summary, 'utf8')).toContain('2 checks prove nothing');

    const junit = readFileSync(join(out, 'suite.xml'), 'utf8');
    expect(xpath(junit, `count(//testcase[@line="30"][starts-with(@name, "proof:")]/failure)`)).toBe('1');
    expect(xpath(junit, `count(//testsuite[1]/testcase[starts-with(@name, "proof:")][not(failure)])`)).toBe('3');
    if (xmllintMissing === undefined) expect(xmllintErrors(junit, XSD)).toBe('');
    // The scratch folder the kata made is gone (its cleanup ran; the probes made nothing).
    expect(scratch().filter((n) => !before.includes(n))).toEqual([]);
  });

  it('runs a probe so that a shell in which the kata said `set -e` survives it failing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kata-strict-'));
    const fence = '```';
    writeFileSync(
      join(folder, 'strict.md'),
      [
        '# A strict shell',
        '',
        '<!-- kata: id strict -->',
        `${fence}console`,
        'set -e',
        `export SCRATCH=$(mktemp -d ${folder}/scratch.XXXXXX)`,
        'cd "$SCRATCH"',
        'export MARK=kept',
        fence,
        '',
        '<!-- kata: id first -->',
        `${fence}console`,
        'echo first > state.txt',
        fence,
        '',
        '<!-- kata: id second -->',
        `${fence}console`,
        'echo second > state.txt',
        fence,
        '',
        '<!-- kata: id look; expect not-contains "first"; expect contains "mark kept" -->',
        `${fence}console`,
        'cat state.txt; echo "mark $MARK"',
        fence,
        '',
        '## Cleanup',
        '',
        `${fence}console`,
        'cd /',
        'rm -rf "$SCRATCH"',
        fence,
        '',
      ].join('\n'),
    );
    const result = await kataCli(['test', '--prove', join(folder, 'strict.md'), '--report', `json=${folder}/suite.json`], { env });
    // Before `first` the probe's `cat state.txt` fails with errexit on: the shell must live on.
    expect(result.exitCode, result.all).toBe(0);
    const json = JSON.parse(readFileSync(join(folder, 'suite.json'), 'utf8')) as Json;
    const proofs = json.katas[0]?.proofs ?? [];
    expect(proofs.map((p) => [p.verdict, p.how.replace(/:.*/, '')])).toEqual([
      ['proven', 'failed when evaluated before step second (line 18)'],
      ['proven', 'failed when evaluated before step strict (line 5)'],
    ]);
    expect(readdirSync(folder).sort()).toEqual(['strict.md', 'suite.json']);
  });

  it('reports an unreadable kata as errored with file:line, runs the others, and exits 2', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kata-errored-'));
    writeFileSync(join(folder, 'a-good.md'), '# Good\n\n<!-- kata: expect contains "hi" -->\n```console\necho hi\n```\n');
    writeFileSync(join(folder, 'b-bad.md'), '# Bad\n\ntext\n\n<!-- kata: expect contians "hi" -->\n```console\necho hi\n```\n');
    const result = await kataCli(
      ['test', folder, '--report', `json=${folder}/out/suite.json`, '--report', `junit=${folder}/out/suite.xml`],
      {
        env,
      },
    );
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stdout).toMatch(/a-good\.md\s+passed\s/);
    expect(result.stdout).toMatch(/b-bad\.md\s+errored\s+0\s+\S+\s+.*b-bad\.md:5: .*contians/);
    expect(result.stdout).toMatch(/== 1 passed, 0 failed, 0 flaky, 0 skipped, 1 errored of 2 katas in .*; exit 2/);
    const json = JSON.parse(readFileSync(join(folder, 'out/suite.json'), 'utf8')) as Json;
    expect(json.exitCode).toBe(2);
    expect(json.totals).toMatchObject({ katas: 2, passed: 1, errored: 1 });
    expect(json.katas[1]).toMatchObject({ status: 'errored', reason: expect.stringContaining('b-bad.md:5:') });
    const junit = readFileSync(join(folder, 'out/suite.xml'), 'utf8');
    expect(xpath(junit, 'string(//testsuite[2]/testcase/error/@message)')).toContain('b-bad.md:5:');
    expect(xpath(junit, 'string(/testsuites/@errors)')).toBe('1');
    if (xmllintMissing === undefined) expect(xmllintErrors(junit, XSD)).toBe('');
  });
});
