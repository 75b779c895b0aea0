/**
 * `kata test PATH...`: every kata found, each headless in a namespace of its own, `--jobs N` at
 * a time, failed ones retried from a clean namespace with `--retries N`; one summary table on
 * stdout (each kata's plain lines before it, printed when it ends), progress on stderr, and one
 * JUnit and one JSON report for the whole suite.
 */
import { appendFileSync } from 'node:fs';
import { exitCodeOf, KataError, UsageError, type Outcome } from '../../errors.js';
import { parseDuration } from '../../kata/annotations.js';
import type { Kata } from '../../kata/model.js';
import { loadKata } from '../../kata/parse.js';
import { omitUndefined } from '../../omit-undefined.js';
import { packageVersion } from '../../package-root.js';
import { checkReportPaths, parseReport, writeReportFiles, type Report } from '../../report/write.js';
import {
  describeVersions,
  kataStatus,
  suiteOutcome,
  summaryTable,
  suiteJson,
  type AttemptRecord,
  type KataResult,
  type SuiteRecord,
  type Versions,
} from '../../report/suite.js';
import { parseCommandArgs } from '../args.js';
import { needsCluster } from '../run/prepare.js';
import { runAttempt, type Running, type SuiteTarget } from './attempt.js';
import { discoverKatas } from './discover.js';
import { runPool } from './pool.js';
import { skipReason } from './skip.js';

const MAX_JOBS = 16;
const MAX_RETRIES = 5;

export async function testCommand(args: readonly string[]): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      jobs: { type: 'string', short: 'j' },
      retries: { type: 'string' },
      report: { type: 'string', multiple: true },
      set: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      context: { type: 'string' },
      prove: { type: 'boolean' },
    },
    'test',
  );
  if (positionals.length === 0)
    throw new UsageError('`kata test` needs at least one kata file or folder', 'Run e.g. `kata test katas/ --report junit=out/katas.xml`.');
  const jobs = count('--jobs', values.jobs, 2, 1, MAX_JOBS);
  const retries = count('--retries', values.retries, 0, 0, MAX_RETRIES);
  const timeout = values.timeout === undefined ? undefined : parseDuration(values.timeout);
  if (values.timeout !== undefined && timeout === undefined)
    throw new UsageError(`--timeout "${values.timeout}" is not a duration from 1ms to 24h`, 'Write e.g. --timeout 90s or --timeout 5m.');
  const reports = (values.report ?? []).map(parseReport);
  checkReportPaths(reports);

  // A kata that cannot be read is reported errored; the others run.
  const katas = new Map<string, Kata | KataError>();
  const read = (file: string): Kata | KataError => {
    let kata = katas.get(file);
    if (kata === undefined) {
      try {
        kata = loadKata(file);
      } catch (error) {
        if (!(error instanceof KataError)) throw error;
        kata = error;
      }
      katas.set(file, kata);
    }
    return kata;
  };
  const load = (file: string): Kata | undefined => {
    const kata = read(file);
    return kata instanceof KataError ? undefined : kata;
  };
  const files = discoverKatas(positionals, load);
  if (files.length === 0)
    throw new UsageError(`no katas found in ${positionals.join(', ')}`, 'A kata is a Markdown file with at least one step to run.');

  const started = Date.now();
  const needCluster = files.some((f) => {
    const kata = load(f);
    return kata !== undefined && needsCluster(kata);
  });
  const { readPlatform } = await import('../../k8s/platform.js');
  const platform = needCluster ? await readPlatform(omitUndefined({ context: values.context })) : undefined;
  const versions: Versions = {
    runner: packageVersion(),
    cluster: platform?.cluster ?? 'none',
    mesh: platform?.mesh === undefined ? null : `${platform.mesh.name} ${platform.mesh.version}`,
  };
  const progress = (line: string): void => void process.stderr.write(`kata test: ${line}\n`);
  progress(`${files.length} katas, ${jobs} at a time${retries > 0 ? `, ${retries} retries` : ''}; ${describeVersions(versions)}`);

  const prove = values.prove === true;
  const target: SuiteTarget = { set: values.set ?? [], prove, ...omitUndefined({ context: values.context, stepTimeoutMs: timeout }) };
  const running = new Set<Running>();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts++;
    progress(
      interrupts === 1
        ? `${signal}: stopping every kata and running its cleanup (again to skip the cleanup)`
        : `${signal} again: skipping the rest of the cleanup`,
    );
    for (const r of running) r.interrupt();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);

  let results: (KataResult | undefined)[];
  try {
    results = await runPool(
      files,
      jobs,
      async (file, index) => {
        const where = `[${index + 1}/${files.length}] ${file}`;
        const kata = read(file);
        if (kata instanceof KataError) {
          progress(`${where}: errored, it cannot be read`);
          return { file, title: file, status: 'errored', reason: kata.format(), attempts: [] };
        }
        const skipped =
          platform === undefined && needsCluster(kata) ? 'needs a cluster' : skipReason(kata, platform ?? { cluster: 'none' });
        if (skipped !== undefined) {
          progress(`${where}: skipped, ${skipped}`);
          return { file, title: kata.title, status: 'skipped', reason: skipped, attempts: [] };
        }
        const attempts: AttemptRecord[] = [];
        while (attempts.length <= retries && interrupts === 0) {
          let current: Running | undefined;
          const { attempt, output } = await runAttempt(file, target, (r) => {
            if (r === undefined) {
              if (current !== undefined) running.delete(current);
            } else {
              running.add((current = r));
              // Ctrl-C while the namespace was being created: stop this one as soon as it runs.
              for (let i = 0; i < interrupts; i++) r.interrupt();
            }
          });
          attempts.push(attempt);
          process.stdout.write(`=== ${file} (attempt ${attempts.length}, namespace ${attempt.namespace})\n${output}\n`);
          progress(`${where}: attempt ${attempts.length} ${attempt.status} in ${Math.round(attempt.durationMs / 100) / 10}s`);
          if (attempt.status !== 'failed') break;
        }
        return withProofs({ file, title: kata.title, status: kataStatus(attempts), attempts });
      },
      () => interrupts > 0,
    );
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  const done = results.map(
    (r, i): KataResult =>
      r ?? {
        file: files[i] as string,
        title: load(files[i] as string)?.title ?? (files[i] as string),
        status: 'interrupted',
        reason: 'not started: the suite was interrupted',
        attempts: [],
      },
  );
  const outcome = suiteOutcome(done, interrupts > 0);
  const suite: SuiteRecord = { versions, katas: done, durationMs: Date.now() - started, exitCode: exitCodeOf(outcome) };
  process.stdout.write(summaryTable(suite));
  for (const line of await writeSuiteReports(suite, reports)) process.stdout.write(`report: ${line}\n`);
  if (process.env.GITHUB_ACTIONS === 'true') await githubActions(suite);
  return outcome;
}

/**
 * With --prove, the verdicts of the last attempt's checks: a kata that passed with a check that
 * proves nothing fails (retries do not change that: its text is what is wrong).
 */
function withProofs(result: KataResult): KataResult {
  const proofs = result.attempts[result.attempts.length - 1]?.proofs;
  if (proofs === undefined) return result;
  const empty = proofs.filter((p) => p.verdict === 'proves-nothing');
  if (empty.length === 0 || (result.status !== 'passed' && result.status !== 'flaky')) return { ...result, proofs };
  const lines = empty.map((p) => `${result.file}:${p.line}`).join(', ');
  return {
    ...result,
    proofs,
    status: 'failed',
    reason: `${empty.length === 1 ? 'a check proves' : `${empty.length} checks prove`} nothing: ${lines}`,
  };
}

/** On GitHub Actions: `::error` lines on stdout, and the summary appended to $GITHUB_STEP_SUMMARY. */
async function githubActions(suite: SuiteRecord): Promise<void> {
  const { githubAnnotations, githubSummary } = await import('../../report/github.js');
  for (const line of githubAnnotations(suite)) process.stdout.write(`${line}\n`);
  const summary = process.env.GITHUB_STEP_SUMMARY;
  if (summary === undefined || summary === '') return;
  try {
    appendFileSync(summary, githubSummary(suite));
  } catch (error) {
    process.stderr.write(`kata test: the summary could not be appended to ${summary}: ${(error as Error).message}\n`);
  }
}

/** A whole number option in [min, max], or a UsageError. */
function count(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} "${value}" is not a whole number from ${min} to ${max}`, `Write e.g. ${flag} ${Math.max(min, 1)}.`);
  return n;
}

/** Writes the suite's reports; "kind path" for each, or why it was not written (the exit code stays the suite's). */
async function writeSuiteReports(suite: SuiteRecord, reports: readonly Report[]): Promise<string[]> {
  const { suiteJunit } = await import('../../report/suite-junit.js');
  return writeReportFiles(reports, { junit: () => suiteJunit(suite), json: () => suiteJson(suite) });
}
