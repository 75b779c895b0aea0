/** Shared by the lab tests: where the lab is, whether it is up, and kubectl against it. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { labPaths } from '../../src/lab/paths.js';
import { readLabState } from '../../src/lab/status.js';

export const paths = labPaths();
export const kubectlBin = join(paths.binDir, 'kubectl');
export const isRoot = process.getuid?.() === 0;

const state = await readLabState(paths);
/** The lab runs and its node and DNS are Ready. */
export const labUp = state.running && state.nodeReady && state.dnsReady;
/** Appended to the names of tests that cannot run, so the skip says what to do. */
export const needsLab = labUp ? '' : ' (skipped: the lab is not up; run `sudo kata lab up` first)';

export const env = { ...process.env, KUBECONFIG: paths.kubeconfig, PATH: `${paths.binDir}:${process.env.PATH ?? ''}` };

/** kubectl against the lab; throws with its stderr when it fails. */
export function kubectl(args: readonly string[], options: { timeoutMs?: number } = {}): string {
  return execFileSync(kubectlBin, args, { env, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** kubectl that may fail: its exit status and output. */
export function kubectlStatus(args: readonly string[], timeoutMs = 60_000): { status: number | null; output: string } {
  const r = spawnSync(kubectlBin, args, { env, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A command in the lab's network namespace (root only). */
export function inLabNetns(args: readonly string[]): string {
  return execFileSync('nsenter', ['--net=/run/netns/kata-lab', ...args], { encoding: 'utf8', timeout: 20_000 });
}

/** Polls `probe` until it returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
