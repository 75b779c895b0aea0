/**
 * A run killed with SIGKILL (issue 11, item 4): its record in the state directory lets
 * `kata cleanup` and the next `kata run` find and remove the server it left running and its
 * temporary folders. Real processes: the built CLI, killed for real.
 */
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, kataCli, ROOT } from '../helpers/cli.js';

const fence = '```';

/** A kata that starts a web server in the background, then waits long enough to be killed. */
function crashKata(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kata-crash-'));
  copyFileSync(join(ROOT, 'katas', 'first-steps', 'serve.mjs'), join(dir, 'serve.mjs'));
  writeFileSync(join(dir, 'index.html'), 'stale page\n');
  const file = join(dir, 'crash.md');
  writeFileSync(
    file,
    `# Killed half way\n\n<!-- kata: id server; background while wait -->\n${fence}console\nnode serve.mjs\n${fence}\n\n` +
      `<!-- kata: id wait; timeout 10m -->\n${fence}console\nuntil [ -s port ]; do sleep 0.1; done; echo ready; sleep 600\n${fence}\n`,
  );
  return { dir, file };
}

/** The environment of one test: its own state directory and temporary folder. */
function isolated(): { env: Record<string, string>; state: string; tmp: string } {
  const base = mkdtempSync(join(tmpdir(), 'kata-crash-env-'));
  const state = join(base, 'state');
  const tmp = join(base, 'tmp');
  mkdirSync(tmp);
  return { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_STATE_HOME: state, TMPDIR: tmp }, state, tmp };
}

async function waitFor(child: { readonly all?: Readable | undefined }, text: string, ms = 20_000): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`"${text}" did not appear; saw:\n${seen}`)), ms);
    child.all?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** The page the kata's server serves, or undefined when nothing answers on its port. */
async function page(dir: string): Promise<string | undefined> {
  const port = readFileSync(join(dir, 'port'), 'utf8').trim();
  try {
    return await (await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(3000) })).text();
  } catch {
    return undefined;
  }
}

/** Starts the kata and kills the run with SIGKILL once its server answers. */
async function killHalfWay(file: string, env: Record<string, string>): Promise<void> {
  const child = execa(process.execPath, [CLI, 'run', file, '--yes'], { env, extendEnv: false, all: true, reject: false, buffer: false });
  await waitFor(child, 'ready');
  child.kill('SIGKILL');
  await child;
}

const jobFolders = (tmp: string): string[] => readdirSync(tmp).filter((n) => n.startsWith('kata-jobs-'));
const records = (state: string): string[] => {
  const dir = join(state, 'kata-runner', 'runs');
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe('a run killed with SIGKILL', () => {
  it('leaves a record from which `kata cleanup` removes its server and folders, and says what it removed', async () => {
    const { dir, file } = crashKata();
    const { env, state, tmp } = isolated();
    await killHalfWay(file, env);
    // What the kill left: the server still serves, its job folder is there, and so is the record.
    expect(await page(dir)).toBe('stale page\n');
    expect(jobFolders(tmp)).toHaveLength(1);
    expect(records(state)).toHaveLength(1);

    const cleanup = await kataCli(['cleanup', file], { env });
    expect(cleanup.exitCode, cleanup.all).toBe(0);
    expect(cleanup.stdout).toContain('crash.md (pid ');
    expect(cleanup.stdout).toContain('was killed before its cleanup');
    expect(cleanup.stdout).toMatch(/removed process \d+ node serve\.mjs/);
    expect(cleanup.stdout).toContain(`removed folder ${join(tmp, 'kata-jobs-')}`);
    expect(cleanup.stdout).toContain('kata cleanup: removed what a killed run of');
    expect(await page(dir)).toBeUndefined();
    expect(jobFolders(tmp)).toEqual([]);
    expect(records(state)).toEqual([]);

    const again = await kataCli(['cleanup'], { env });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('nothing to remove');
  }, 60_000);

  it('is cleaned up by the next `kata run`, of any kata, before its first step', async () => {
    const { dir, file } = crashKata();
    const { env, state, tmp } = isolated();
    await killHalfWay(file, env);
    expect(await page(dir)).toBe('stale page\n');

    const next = await kataCli(['run', 'katas/first-steps.md', '--yes'], { env });
    expect(next.exitCode, next.all).toBe(0);
    const lines = next.stdout.split('\n');
    const found = lines.findIndex((l) => l.includes('was killed before its cleanup'));
    expect(found, next.stdout).toBeGreaterThan(-1);
    expect(found).toBeLessThan(lines.findIndex((l) => l.startsWith('> workspace')));
    expect(next.stdout).toMatch(/removed process \d+ node serve\.mjs/);
    expect(await page(dir)).toBeUndefined();
    expect(jobFolders(tmp)).toEqual([]);
    expect(records(state)).toEqual([]);
  }, 60_000);

  it('leaves no record behind when it ends on its own, and leaves alone the record of a run still alive', async () => {
    const { file } = crashKata();
    const { env, state } = isolated();
    const child = execa(process.execPath, [CLI, 'run', file, '--yes'], { env, extendEnv: false, all: true, reject: false, buffer: false });
    await waitFor(child, 'ready');
    expect(records(state)).toHaveLength(1);
    const cleanup = await kataCli(['cleanup'], { env });
    expect(cleanup.stdout).toContain('nothing to remove');
    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(130);
    expect(records(state)).toEqual([]);
  }, 60_000);
});
