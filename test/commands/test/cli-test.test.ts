import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kataCli } from '../../helpers/cli.js';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

describe('kata test (built CLI, no cluster)', () => {
  it('runs a kata that needs no cluster and writes the suite JSON with the runner version', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kata-test-cli-')), 'sub', 'suite.json');
    const result = await kataCli(['test', 'katas/first-steps.md', '--report', `json=${out}`], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/^katas\/first-steps\.md\s+passed\s+1\s/m);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { versions: { runner: string; cluster: string }; totals: { passed: number } };
    expect(json.versions).toMatchObject({ runner: expect.stringMatching(/^\d+\.\d+\.\d+/), cluster: 'none' });
    expect(json.totals.passed).toBe(1);
  });

  it('exits 2 on usage mistakes, with a one-paragraph reason', async () => {
    for (const args of [['test'], ['test', 'katas', '--jobs', '0'], ['test', 'katas', '--retries', 'x'], ['test', '/no/such/dir']]) {
      const result = await kataCli(args, { env });
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
