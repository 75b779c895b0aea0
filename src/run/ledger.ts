/**
 * The record of a run while it runs, in the state directory (`runs/ID.json` under the folder
 * resume.ts uses): its pid and start time, its kata, the mark its processes carry, the temporary
 * folders it made, its cluster target and the objects its journal recorded. It is rewritten
 * (temporary file + rename) whenever one of these changes and removed when the run ends on its
 * own, so a record whose process is gone is the trace of a run that was killed (SIGKILL, a crash,
 * a power cut): a later `kata run` or `kata cleanup` removes what it left (dead-runs.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isAlive, startTime } from '../exec/procs.js';
import { RUN_MARK } from '../exec/shell-session.js';
import type { CreatedObject } from './ports.js';
import { stateDir } from './resume.js';

/** The cluster side of a run, as a later run needs it to delete what this one created. */
export interface RecordedCluster {
  /** The API server, for the report. */
  readonly server: string;
  readonly context: string;
  readonly namespace: string;
  /** The run created its namespace: deleting the namespace removes what the journal missed. */
  readonly createdNamespace: boolean;
  /** The learner's kubeconfig ($KUBECONFIG of the run; undefined: kubectl's default). */
  readonly kubeconfig?: string;
  /** The kubectl the run used (the lab's is not on everyone's PATH). */
  readonly kubectl: string;
}

/** What is on disk for one run. */
export interface LiveRun {
  readonly schema: 1;
  readonly id: string;
  readonly pid: number;
  /** Field 22 of /proc/PID/stat: with the pid, it tells the run's process from a later one with the same pid. */
  readonly startTime: string;
  /** Absolute path of the kata. */
  readonly file: string;
  readonly startedAt: string;
  /** Every process the run starts carries `name=value` in its environment. */
  readonly mark: { readonly name: string; readonly value: string };
  /** Temporary folders the run made (job logs, the private kubeconfig). */
  readonly tempDirs: readonly string[];
  readonly cluster?: RecordedCluster;
  /** What the kata created, as the journal recorded it. */
  readonly objects: readonly CreatedObject[];
}

/** The folder of run records. */
export function runsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'runs');
}

/** Keeps the record of the current run up to date. Writing is best effort: a failure is told once (`problem`). */
export class RunLedger {
  private current: LiveRun;
  private readonly path: string;
  private removed = false;
  /** Why the record could not be written, when it could not (the run goes on). */
  problem: string | undefined;

  constructor(file: string, dir: string = runsDir()) {
    const id = `${process.pid}-${randomUUID()}`;
    this.path = join(dir, `${id}.json`);
    this.current = {
      schema: 1,
      id,
      pid: process.pid,
      startTime: startTime(process.pid) ?? '',
      file: resolve(file),
      startedAt: new Date().toISOString(),
      mark: { name: RUN_MARK, value: id },
      tempDirs: [],
      objects: [],
    };
    this.write();
  }

  /** The record as written last. */
  get run(): LiveRun {
    return this.current;
  }

  /** Records a temporary folder the run made. */
  addTempDir(path: string): void {
    if (this.current.tempDirs.includes(path)) return;
    this.current = { ...this.current, tempDirs: [...this.current.tempDirs, path] };
    this.write();
  }

  setCluster(cluster: RecordedCluster): void {
    this.current = { ...this.current, cluster };
    this.write();
  }

  setObjects(objects: readonly CreatedObject[]): void {
    this.current = { ...this.current, objects: [...objects] };
    this.write();
  }

  /** The run ended on its own (it cleaned up, or said what it left): its record goes. */
  remove(): void {
    this.removed = true;
    rmSync(this.path, { force: true });
  }

  private write(): void {
    if (this.removed) return;
    try {
      writeRecord(this.path, this.current);
    } catch (error) {
      this.problem ??= `cannot keep the record of this run in ${this.path} (${(error as Error).message}): if it is killed, a later run will not find what it leaves`;
    }
  }
}

/** Writes a record atomically: a crash never leaves half a file. */
export function writeRecord(path: string, run: LiveRun): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(run, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Every readable record in `dir`, with its path. Unreadable or foreign files are left alone. */
export function listRuns(dir: string = runsDir()): { readonly path: string; readonly run: LiveRun }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const runs: { path: string; run: LiveRun }[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    try {
      const run = JSON.parse(readFileSync(path, 'utf8')) as LiveRun;
      if (run.schema === 1 && typeof run.pid === 'number' && typeof run.id === 'string') runs.push({ path, run });
    } catch {
      // being written by its run, or not ours
    }
  }
  return runs;
}

/** True when the process of the run is gone (or its pid now belongs to another process). */
export function isDead(run: LiveRun): boolean {
  return !isAlive(run.pid) || startTime(run.pid) !== run.startTime;
}
