/**
 * `kata cleanup [FILE]`: finds the runs that were killed (SIGKILL, a crash) before they could
 * clean up, by the records they kept in the state directory, and removes what they left: the
 * processes they started, their temporary folders, the objects they created in the cluster.
 * `kata run` does the same before it starts; this is the same on demand.
 */
import { relative, resolve } from 'node:path';
import type { Outcome } from '../errors.js';
import { UsageError } from '../errors.js';
import { removeDeadRuns, type DeadRunCleanup } from '../run/dead-runs.js';
import { parseCommandArgs } from './args.js';

export async function cleanupCommand(args: readonly string[]): Promise<Outcome> {
  const { positionals } = parseCommandArgs(args, {}, 'cleanup');
  if (positionals.length > 1)
    throw new UsageError('`kata cleanup` takes at most one kata file', 'Run `kata cleanup` or `kata cleanup FILE`.');
  // The file need not exist any more: a run of it is found by the path it had.
  const file = positionals[0];
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  const done = await removeDeadRuns(file === undefined ? {} : { file }, (cleanup) => {
    for (const line of describeDeadRun(cleanup, true)) write(line);
  });
  const kept = done.filter((d) => d.kept.length > 0).length;
  const whose = file === undefined ? '' : ` of ${file}`;
  if (done.length === 0) write(`kata cleanup: no run${whose} was killed before its cleanup; nothing to remove`);
  else if (kept === 0)
    write(`kata cleanup: removed what ${done.length === 1 ? 'a killed run' : `${done.length} killed runs`}${whose} left behind`);
  else
    write(
      `kata cleanup: ${kept === 1 ? 'a killed run' : `${kept} killed runs`}${whose} still left something that could not be removed (above); their records are kept: run \`kata cleanup\` again when it can be`,
    );
  return kept === 0 ? 'ok' : 'failed';
}

/**
 * The lines about one dead run: what it was, what was removed and what is still there. Without
 * `always`, a run that left nothing gets no line (`kata run` stays quiet about it).
 */
export function describeDeadRun(cleanup: DeadRunCleanup, always = false): string[] {
  const { run, removed, kept } = cleanup;
  if (!always && removed.length === 0 && kept.length === 0) return [];
  const lines = [`== a run of ${shortPath(run.file)} (pid ${run.pid}, started ${run.startedAt}) was killed before its cleanup`];
  if (removed.length === 0 && kept.length === 0) lines.push('   it left nothing behind');
  for (const what of removed) lines.push(`   removed ${what}`);
  for (const what of kept) lines.push(`   COULD NOT REMOVE ${what}`);
  if (kept.length > 0) lines.push('   its record is kept: `kata cleanup` (or the next `kata run`) tries again');
  return lines;
}

function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || resolve(rel) !== file ? file : rel;
}
