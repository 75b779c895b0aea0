/**
 * Runs the lab's shell scripts (lab/up.sh, lab/down.sh): the only place the lab spawns a
 * process. Output is handed over line by line as it comes, so that a 10-minute cold build shows
 * progress; the scripts' LAB-ERROR / LAB-HINT lines (a problem the user can fix) are kept apart.
 */
import { execa } from 'execa';
import { omitUndefined } from '../omit-undefined.js';

/** What a lab script did. */
export interface LabScriptResult {
  readonly exitCode: number;
  /** The message of a `LAB-ERROR:` line, when the script reported a user-fixable problem. */
  readonly error?: string;
  /** The `LAB-HINT:` line that goes with it. */
  readonly hint?: string;
  /** The last lines the script printed (for a failure message). */
  readonly tail: readonly string[];
}

const TAIL_LINES = 15;

/**
 * Runs `bash SCRIPT ARGS...` with stdin closed, streaming every output line (stdout and stderr
 * interleaved) to `onLine`. Never rejects for a non-zero exit: the result says how it ended.
 */
export async function runLabScript(
  script: string,
  args: readonly string[],
  onLine: (line: string) => void,
  env: Readonly<Record<string, string>> = {},
): Promise<LabScriptResult> {
  const subprocess = execa('bash', [script, ...args], {
    all: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    env: { ...env },
  });
  let error: string | undefined;
  let hint: string | undefined;
  const tail: string[] = [];
  for await (const line of subprocess.iterable({ from: 'all' })) {
    if (line.startsWith('LAB-ERROR: ')) error = line.slice('LAB-ERROR: '.length);
    else if (line.startsWith('LAB-HINT: ')) hint = line.slice('LAB-HINT: '.length);
    else {
      onLine(line);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    }
  }
  const result = await subprocess;
  return { exitCode: result.exitCode ?? 1, tail, ...omitUndefined({ error, hint }) };
}
