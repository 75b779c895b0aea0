/**
 * Which run owns what in the cluster, and whether that run is still alive: a run is named by its
 * host, pid and the pid's start time (pids are reused), plus a random id. A namespace the runner
 * creates carries it in an annotation; the Lease that keeps two runs out of one namespace carries
 * it too. On the same host a dead owner is certain (its process is gone); from another host only
 * an expired Lease says so.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { isAlive, startTime } from '../exec/procs.js';

/** Label on every namespace the runner creates. */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kata-runner';
/** Annotation with the owning run (JSON of RunOwner) on a namespace the runner created, and on its Lease. */
export const OWNER_ANNOTATION = 'kata-runner/owner';

/** The run that owns a namespace or a Lease. */
export interface RunOwner {
  readonly runId: string;
  readonly host: string;
  readonly pid: number;
  /** Field 22 of /proc/PID/stat; absent where there is no /proc. */
  readonly start?: string;
}

let self: RunOwner | undefined;

/** This process as an owner (one id for the whole process). */
export function thisRun(): RunOwner {
  if (self === undefined) {
    const start = startTime(process.pid);
    self = { runId: randomBytes(6).toString('hex'), host: hostname(), pid: process.pid, ...(start === undefined ? {} : { start }) };
  }
  return self;
}

/** The owner written in an annotation; undefined when there is none or it is not ours to read. */
export function parseOwner(annotations: Readonly<Record<string, string>> | undefined): RunOwner | undefined {
  const text = annotations?.[OWNER_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const o = JSON.parse(text) as Partial<RunOwner>;
    if (typeof o.runId !== 'string' || typeof o.host !== 'string' || typeof o.pid !== 'number') return undefined;
    return { runId: o.runId, host: o.host, pid: o.pid, ...(typeof o.start === 'string' ? { start: o.start } : {}) };
  } catch {
    return undefined;
  }
}

/** `host pid N (run ID)`, how messages name a run. */
export function describeOwner(owner: RunOwner): string {
  return `the kata run with pid ${owner.pid} on ${owner.host} (run ${owner.runId})`;
}

/** Alive or dead when this host can tell (the owner ran here); undefined for another host's run. */
export function ownerAlive(owner: RunOwner): boolean | undefined {
  if (owner.host !== hostname()) return undefined;
  if (owner.pid === process.pid && owner.runId === thisRun().runId) return true;
  if (!isAlive(owner.pid)) return false;
  return owner.start === undefined || startTime(owner.pid) === owner.start;
}

export function sameRun(a: RunOwner, b: RunOwner): boolean {
  return a.runId === b.runId && a.host === b.host && a.pid === b.pid;
}
