/** Runs the built CLI (dist/cli.js) as a real process. `npm test` builds it first. */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export async function kataCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return execa(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: options.env ?? {}, reject: false, all: true });
}
