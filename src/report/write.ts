/**
 * The report files of a run (`--report junit=PATH`, `--report json=PATH`): asked for, proven
 * writable before the first step, and written at the end whatever the verdict.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { junitReport } from './junit.js';
import { jsonReport, type RunRecord } from './run-record.js';

/** A report to write at the end of a run: `--report junit=PATH`. */
export interface Report {
  readonly kind: 'junit' | 'json';
  readonly path: string;
}

/** Parses `--report junit=PATH` / `--report json=PATH`. */
export function parseReport(spec: string): Report {
  const match = /^(junit|json)=(.+)$/.exec(spec);
  if (match === null)
    throw new UsageError(`--report "${spec}" is not KIND=PATH`, 'Write e.g. --report junit=out/kata.xml or --report json=out/kata.json.');
  return { kind: match[1] as 'junit' | 'json', path: match[2] as string };
}

/**
 * Writes the reports of a run; returns "kind path" for each, for the summary. A report that
 * cannot be written is named with the reason, and the others are still written: the run's
 * verdict (its exit code) never depends on a report.
 */
export function writeReports(record: RunRecord, reports: readonly Report[]): string[] {
  return writeReportFiles(reports, { junit: () => junitReport(record), json: () => jsonReport(record) });
}

/**
 * Writes each report with the renderer of its kind (JSON values are written pretty-printed); what
 * `writeReports` says of the result holds for any set of reports (`kata test`'s suite too).
 */
export function writeReportFiles(
  reports: readonly Report[],
  render: { readonly junit: () => string; readonly json: () => unknown },
): string[] {
  return reports.map((report) => {
    try {
      makeFolders(dirname(resolve(report.path)));
      writeFileSync(report.path, report.kind === 'junit' ? render.junit() : `${JSON.stringify(render.json(), null, 2)}\n`);
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
      throw new UsageError(
        `--report ${report.kind}=${report.path} cannot be written: ${why}`,
        'Give a file path in a folder you can write, e.g. --report junit=out/kata.xml.',
      );
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
