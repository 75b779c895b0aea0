/**
 * `kata run`: loads the kata, connects to the cluster when the kata needs one, runs the engine
 * with the reporters attached, handles SIGINT/SIGTERM (cleanup first, skip it on the second),
 * and writes the reports.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runsKubectl } from '../kata/commands.js';
import type { Kata } from '../kata/model.js';
import { loadKata } from '../kata/parse.js';
import { junitReport } from '../report/junit.js';
import { PlainReporter } from '../report/plain.js';
import { jsonReport, RunRecorder, type RunRecord } from '../report/run-record.js';
import { ClusterError, UsageError } from '../errors.js';
import { accessSync, constants } from 'node:fs';
import { Engine, type EngineOptions } from './engine.js';
import type { EngineEvent } from './events.js';
import { parseSetValues } from './placeholders.js';
import type { ClusterPort } from './ports.js';

/** What `kata run` was asked, whoever shows the run (plain lines or the UI). */
export interface RunSettings {
  readonly file: string;
  /** `--set "NAME=VALUE"` */
  readonly set: readonly string[];
  /** `--report KIND=PATH` */
  readonly reports: readonly string[];
  readonly keep: boolean;
  readonly keepGoing: boolean;
  readonly stepTimeoutMs?: number;
  /** Connects to the cluster (namespace and context are its business); injected so that the Kubernetes client is only loaded when needed. */
  readonly connect?: (kata: Kata) => Promise<ClusterPort>;
}

export interface RunKataOptions extends RunSettings {
  /** Where progress and results go (stdout for the plain reporter). */
  readonly write: (text: string) => void;
}

/** A report to write at the end of a run: `--report junit=PATH`. */
export interface Report {
  readonly kind: 'junit' | 'json';
  readonly path: string;
}

/** True when a kata talks to a cluster (kubectl, pod shells, API checks, pod placeholders). */
export function needsCluster(kata: Kata): boolean {
  return kata.steps.some(
    (s) =>
      s.run &&
      (s.commands.some((c) => runsKubectl(c.text)) ||
        s.opens !== undefined ||
        s.placeholders.some((p) => p.podOfApp !== undefined) ||
        s.checks.some((c) => c.kind === 'ephemeral-container') ||
        s.needs.includes('mesh')),
  );
}

/** What every run needs before its first step, whoever shows it (plain lines or the UI). */
export interface PreparedRun {
  readonly reports: readonly Report[];
  readonly values: Map<string, string>;
  readonly kata: Kata;
  readonly cluster?: ClusterPort;
}

/**
 * Reads the options, the kata and (when the kata needs one) connects to the cluster. Every
 * problem is a UsageError, KataError or ClusterError before anything runs.
 */
export async function prepareRun(options: Pick<RunKataOptions, 'reports' | 'set' | 'file' | 'connect'>): Promise<PreparedRun> {
  const reports = options.reports.map(parseReport);
  checkReportPaths(reports);
  const values = parseSetValues(options.set);
  if (typeof values === 'string') throw new UsageError(values);
  const kata = loadKata(options.file);
  if (!needsCluster(kata)) return { reports, values, kata };
  if (options.connect === undefined) throw new ClusterError('this kata needs a Kubernetes cluster', 'Run it with a kubeconfig, or start a local cluster with `kata lab up`.');
  if (!onPath('kubectl')) throw new ClusterError('this kata runs kubectl, which is not installed here', 'Install kubectl, or start the local lab (`kata lab up`), which provides one.');
  return { reports, values, kata, cluster: await options.connect(kata) };
}

/** The engine options every run shares, headless or interactive; the caller adds its listener (and gate). */
export function engineSettings(prepared: PreparedRun, settings: RunSettings): Omit<EngineOptions, 'listener'> {
  return {
    kata: prepared.kata,
    values: prepared.values,
    ...(prepared.cluster === undefined ? {} : { cluster: prepared.cluster }),
    keep: settings.keep,
    keepGoing: settings.keepGoing,
    ...(settings.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: settings.stepTimeoutMs }),
    env: { ...process.env },
    // The kata's folder, so that its relative paths (manifests, scripts) work.
    cwd: dirname(resolve(settings.file)),
  };
}

/** Runs a kata headless and returns the exit code. */
export async function runKata(options: RunKataOptions): Promise<number> {
  const prepared = await prepareRun(options);
  const { reports } = prepared;

  const recorder = new RunRecorder();
  const plain = new PlainReporter(options.write);
  const engine = new Engine({
    ...engineSettings(prepared, options),
    listener: (event: EngineEvent) => {
      recorder.on(event);
      plain.on(event);
    },
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    const what = engine.interrupt();
    options.write(
      what === 'cleanup'
        ? `\n== ${signal}: stopping the current step and running the cleanup (${signal === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to skip the cleanup)\n`
        : `\n== ${signal} again: skipping the rest of the cleanup\n`,
    );
  };
  // A closed terminal (SIGHUP) is a request to stop like any other: cleanup first.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  let outcome;
  try {
    outcome = await engine.run();
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }

  plain.summary(recorder.record, writeReports(recorder.record, reports));
  return outcome.exitCode;
}

/**
 * Writes the reports of a run; returns "kind path" for each, for the summary. A report that
 * cannot be written is named with the reason, and the others are still written: the run's
 * verdict (its exit code) never depends on a report.
 */
export function writeReports(record: RunRecord, reports: readonly Report[]): string[] {
  return reports.map((report) => {
    try {
      makeFolders(dirname(resolve(report.path)));
      writeFileSync(report.path, report.kind === 'junit' ? junitReport(record) : `${JSON.stringify(jsonReport(record), null, 2)}\n`);
      return `${report.kind} ${report.path}`;
    } catch (error) {
      return `${report.kind} ${report.path} NOT WRITTEN (${(error as Error).message})`;
    }
  });
}

/**
 * Proves before the first step that each report can be written where it is asked for (a folder,
 * a path under a file, a read-only place fail now, not after the whole run), leaving nothing.
 */
export function checkReportPaths(reports: readonly Report[]): void {
  for (const report of reports) {
    const path = resolve(report.path);
    const fail = (why: string): never => {
      throw new UsageError(`--report ${report.kind}=${report.path} cannot be written: ${why}`, 'Give a file path in a folder you can write, e.g. --report junit=out/kata.xml.');
    };
    if (existsSync(path) && statSync(path).isDirectory()) fail('it is a folder');
    const folder = nearestExisting(dirname(path));
    if (!statSync(folder).isDirectory()) fail(`${folder} is a file, not a folder`);
    // Creating a file is the only test that holds everywhere (read-only mounts, /proc, ACLs).
    const probe = join(folder, `.kata-report-probe-${process.pid}`);
    try {
      closeSync(openSync(probe, 'wx'));
      unlinkSync(probe);
    } catch (error) {
      fail(`no file can be created in ${folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
}

function nearestExisting(dir: string): string {
  let current = dir;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/**
 * mkdir -p without Node's recursive mkdir, which never returns where the kernel answers ENOENT
 * to a mkdir below an existing folder (as /proc does).
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let current = dir; !existsSync(current); current = dirname(current)) missing.unshift(current);
  for (const folder of missing) mkdirSync(folder);
}

/** True when `program` is an executable on PATH. */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(`${dir}/${program}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Parses `--report junit=PATH` / `--report json=PATH`. */
export function parseReport(spec: string): Report {
  const match = /^(junit|json)=(.+)$/.exec(spec);
  if (match === null) throw new UsageError(`--report "${spec}" is not KIND=PATH`, 'Write e.g. --report junit=out/kata.xml or --report json=out/kata.json.');
  return { kind: match[1] as 'junit' | 'json', path: match[2] as string };
}
