import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kataCli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kata-cli-'));
const write = (name: string, content: string | Buffer): string => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

describe('kata (built CLI)', () => {
  it('prints its version and help', async () => {
    const version = await kataCli(['--version']);
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await kataCli(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('kata plan FILE [--json]');
  });

  it('plans our ephemeral-containers kata as JSON with every check explicit', async () => {
    const result = await kataCli(['plan', 'katas/ephemeral-containers.md', '--json']);
    expect(result.exitCode).toBe(0);
    const plan = JSON.parse(result.stdout) as { steps: { id: string; checks: { kind: string; inferred: boolean }[]; needs: string[] }[] };
    const checks = plan.steps.flatMap((s) => s.checks.map((c) => `${s.id}:${c.kind}`));
    expect(checks).toEqual(
      expect.arrayContaining([
        'curl-nginx:contains',
        'inspect-pod:ephemeral-container',
        'capture-lo:payload-contains',
        'capture-eth0:payload-not-contains',
        'cleanup:contains',
      ]),
    );
    expect(plan.steps.flatMap((s) => s.checks).every((c) => !c.inferred)).toBe(true);
    expect(plan.steps.filter((s) => s.needs.includes('mesh')).map((s) => s.id)).toEqual(['capture-eth0', 'capture-lo']);
  });

  it('plans as text for people', async () => {
    const result = await kataCli(['plan', 'katas/ephemeral-containers.md']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Cleanup (always runs, also after a failure)');
    expect(result.stdout).toContain('-> opens shell "debugger"');
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.md'), /missing\.md: .*missing\.md does not exist\. Check the path/],
    ['a directory', () => dir, /is a directory, not a kata/],
    ['a binary file', () => write('bin.md', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])), /bin\.md:1: the file contains NUL bytes/],
    ['invalid UTF-8', () => write('latin.md', Buffer.from([0x23, 0x20, 0xe9, 0x0a])), /latin\.md:1: the file is not valid UTF-8/],
    [
      'an unclosed fence',
      () => write('open.md', '# T\n\n```console\nls\n'),
      /open\.md:3: this code block \(opened with ```\) is never closed/,
    ],
    [
      'an annotation typo',
      () => write('typo.md', '# T\n<!-- kata: timout 5s -->\n```console\nls\n```\n'),
      /typo\.md:2: unknown annotation clause "timout 5s"\. Did you mean `timeout`\?/,
    ],
  ])('explains %s in one paragraph with exit 2 and no stack trace', async (_name, file, message) => {
    const result = await kataCli(['plan', file()]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects usage mistakes with exit 2', async () => {
    for (const args of [['plan'], ['plan', 'a.md', 'b.md'], ['plan', '--jsn', 'a.md'], ['frobnicate'], ['lint']]) {
      const result = await kataCli(args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^kata: .*kata/);
    }
  });

  it('lints: exit 1 on errors, 0 when only warnings or nothing', async () => {
    const bad = write('lint-bad.md', '```console\nkubectl create ns x\n```\n');
    const warn = write('lint-warn.md', '```console\necho hi\n```\n');
    const failed = await kataCli(['lint', bad, warn]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain('lint-bad.md:2: error: this step creates cluster objects');
    expect(failed.stdout).toContain('lint-warn.md: 0 errors, 1 warning');
    const ok = await kataCli(['lint', 'katas/ephemeral-containers.md']);
    expect(ok.stdout).toBe('katas/ephemeral-containers.md: ok');
    expect(ok.exitCode).toBe(0);
  });
});
