/**
 * Runs a command line in a real pseudo-terminal (util-linux `script`) and keeps every byte it
 * wrote, escape sequences included: what a learner's terminal receives. tmux (test/e2e-ui) shows
 * the screen as drawn; this shows how it was drawn.
 */
import { spawn, spawnSync } from 'node:child_process';

/** Why a pseudo-terminal cannot be had here, or undefined when it can. */
export function ptyMissing(): string | undefined {
  return spawnSync('script', ['--version']).status === 0 ? undefined : 'script (util-linux) is not installed: apt-get install util-linux';
}

export interface TerminalRun {
  readonly cwd: string;
  /** The whole environment of the command. */
  readonly env: Record<string, string>;
  /** When the output first shows `when`, `keys` are typed (a moment later). */
  readonly answer?: { readonly when: string; readonly keys: string };
  readonly timeoutMs?: number;
}

/** Runs `command` (a shell command line) in a 100x40 terminal; resolves with the raw output once it ends. */
export function inTerminal(
  command: string,
  { cwd, env, answer, timeoutMs = 30_000 }: TerminalRun,
): Promise<{ output: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', `stty rows 40 cols 100; ${command}`, '/dev/null'], { cwd, env });
    let output = '';
    let answered = answer === undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not end within ${timeoutMs}ms; it wrote:\n${JSON.stringify(output.slice(-2000))}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (!answered && answer !== undefined && output.includes(answer.when)) {
        answered = true;
        // Ink attaches its key handlers in effects that run after the frame is written.
        setTimeout(() => child.stdin.write(answer.keys), 300);
      }
    });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ output, exitCode });
    });
  });
}
