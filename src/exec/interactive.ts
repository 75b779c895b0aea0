/**
 * Hands the terminal to the learner: an interactive shell in the step's context (`i`) or a pager
 * on a step's full output (`o`). These inherit the terminal, so the caller (the Ink UI) must step
 * aside first (raw mode off, stdin released) and take the terminal back after they exit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShellState } from './shell-session.js';
import { onPath } from './which.js';
import { omitUndefined } from '../omit-undefined.js';

/** Where the learner's shell runs: on this machine, or in a pod the kata opened a shell in. */
export type ShellPlace =
  | { readonly kind: 'host'; readonly cwd: string }
  | {
      readonly kind: 'pod';
      /** `pod-name`, `pod/name` or `deploy/x`. */
      readonly target: string;
      readonly container?: string;
      /** The shell the kata uses there (`bash`, `sh`). */
      readonly shell: string;
    };

export interface InteractiveOptions {
  /** Environment (the run's KUBECONFIG for pods). */
  readonly env: Record<string, string | undefined>;
  /** The kubectl to use. */
  readonly kubectl?: string;
  /** A line shown before the shell starts (e.g. "type exit to return to the kata"). */
  readonly banner?: string;
  /** Start where the kata's shell is, with its variables. */
  readonly state?: ShellState;
}

/**
 * The program and arguments that open an interactive shell at `place`. With `rcfile` (host) or
 * `state` (pod), the shell starts in the kata shell's directory with its exported variables.
 */
export function shellCommand(
  place: ShellPlace,
  kubectl = 'kubectl',
  state?: ShellState,
  rcfile?: string,
): { file: string; args: string[]; cwd?: string } {
  if (place.kind === 'host')
    return { file: 'bash', args: rcfile === undefined ? [] : ['--rcfile', rcfile, '-i'], cwd: state?.cwd ?? place.cwd };
  const container = place.container === undefined ? [] : ['-c', place.container];
  if (state === undefined) return { file: kubectl, args: ['exec', '-it', place.target, ...container, '--', place.shell] };
  // The exports and directory travel as arguments, never spliced into the script.
  const script = `eval "$1" 2>/dev/null; cd "$2" 2>/dev/null; exec ${place.shell === 'bash' ? 'bash' : 'sh'}`;
  return { file: kubectl, args: ['exec', '-it', place.target, ...container, '--', 'sh', '-c', script, 'sh', state.exports, state.cwd] };
}

/** Opens an interactive shell with the terminal; resolves with its exit code when the learner leaves it. */
export async function openShell(place: ShellPlace, options: InteractiveOptions): Promise<number> {
  let rcdir: string | undefined;
  let rcfile: string | undefined;
  if (place.kind === 'host' && options.state !== undefined) {
    // bash reads the learner's own ~/.bashrc first, then takes the kata shell's variables.
    rcdir = mkdtempSync(join(tmpdir(), 'kata-shell-'));
    rcfile = join(rcdir, 'rc');
    writeFileSync(rcfile, `[ -f ~/.bashrc ] && . ~/.bashrc\n${options.state.exports}\n`, { mode: 0o600 });
  }
  const { file, args, cwd } = shellCommand(place, options.kubectl, options.state, rcfile);
  if (options.banner !== undefined) process.stdout.write(`${options.banner}\n`);
  try {
    return await inherit(file, args, options.env, cwd);
  } finally {
    if (rcdir !== undefined) rmSync(rcdir, { recursive: true, force: true });
  }
}

/** Shows a file in `less` (or `more` when less is missing); resolves when the learner quits it. */
export function openPager(path: string, env: Record<string, string | undefined>): Promise<number> {
  const pager = onPath('less', env) ? 'less' : 'more';
  // -R: keep colours; +G: start at the end, where the interesting part of a log usually is.
  const args = pager === 'less' ? ['-R', '+G', path] : [path];
  return inherit(pager, args, env);
}

function inherit(file: string, args: string[], env: Record<string, string | undefined>, cwd?: string): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn(file, args, { stdio: 'inherit', env, ...omitUndefined({ cwd }) });
    child.on('error', (error) => {
      process.stdout.write(`could not start ${file}: ${error.message}\n`);
      resolvePromise(127);
    });
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal === null ? 0 : 128)));
  });
}
