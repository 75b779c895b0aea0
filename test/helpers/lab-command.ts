/**
 * `kata lab ...` as the CLI runs it (src/commands/lab.ts behind the top-level handler), with the
 * output lines and the lab's paths chosen by the test: returns the exit code.
 */
import { runToExitCode } from '../../src/errors.js';
import { labCommand as command } from '../../src/commands/lab.js';
import type { LabPaths } from '../../src/lab/paths.js';

export function labCommand(args: readonly string[], write: (line: string) => void, paths: LabPaths): Promise<number> {
  return runToExitCode(() => command(args, write, paths), write);
}
