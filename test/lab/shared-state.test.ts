/**
 * Two package roots share one lab: a second copy of kata-runner (as a global install or another
 * clone would be, with its own dist/ and lab/) finds the lab this one brought up, through the
 * state folder ($KATA_LAB_DIR, default /var/lib/kata-runner/lab), and its `up` builds nothing.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { isRoot, labUp, needsLab, paths } from '../helpers/lab.js';

const other = mkdtempSync(join(tmpdir(), 'kata-other-root-'));
for (const part of ['package.json', 'dist', 'lab']) cpSync(join(packageRoot(), part), join(other, part), { recursive: true, filter: (src) => !src.endsWith('/lab/.cache') });
afterAll(() => rmSync(other, { recursive: true, force: true }));

/** `kata lab ARGS` run by the other package root's built CLI. */
function otherKata(...args: string[]) {
  return spawnSync(process.execPath, [join(other, 'dist', 'cli.js'), 'lab', ...args], { encoding: 'utf8', timeout: 240_000 });
}

describe('a second package root', () => {
  it(`finds the lab this one brought up${needsLab}`, () => {
    if (!labUp) return;
    expect(existsSync(join(other, 'lab', '.cache'))).toBe(false);
    const status = otherKata('status');
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('kata lab: running (12 of 12 processes)');
    expect(status.stdout).toContain(`export KUBECONFIG=${paths.kubeconfig} PATH=${paths.binDir}:$PATH`);
    const env = otherKata('env');
    expect(env.stdout).toContain(`export KUBECONFIG=${paths.kubeconfig}`);
  });

  it.skipIf(!isRoot)(`brings it up without building anything${needsLab}`, () => {
    if (!labUp) return;
    const up = otherKata('up');
    const output = `${up.stdout}${up.stderr}`;
    expect(up.status, output).toBe(0);
    expect(output).not.toMatch(/^(building|image|images) /m);
    expect(output).toMatch(/^kata lab: up in \d+s$/m);
    expect(existsSync(join(other, 'lab', '.cache'))).toBe(false);
  });
});
