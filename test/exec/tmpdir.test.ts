import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kata-tmpdir-'));
const kata = join(dir, 'echo.md');
writeFileSync(kata, '# Echo\n\n```console\necho hi\n```\n\n# Cleanup\n\n```console\necho bye\n```\n');

describe('a TMPDIR that does not exist', () => {
  it('is a usage error naming TMPDIR and the fix (exit 2), not an internal error', async () => {
    const missing = join(dir, 'no-such-folder');
    const result = await execa(process.execPath, [CLI, 'run', kata, '--yes'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir, TMPDIR: missing },
      extendEnv: false,
      reject: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`kata: the temporary folder ${missing} (TMPDIR) does not exist`);
    expect(result.stderr).toContain('mkdir -p');
    expect(result.stderr).not.toContain('internal error');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
