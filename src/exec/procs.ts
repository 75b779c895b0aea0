/** The process table, read from /proc: who is a child of whom, and signalling whole groups. */
import { readdirSync, readFileSync } from 'node:fs';

/** PIDs whose parent is `pid`. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentPid(Number(entry));
    if (ppid === pid) children.push(Number(entry));
  }
  return children;
}

/** All descendants of `pid` (children, grandchildren, ...). */
export function descendantPids(pid: number): number[] {
  const table = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentPid(Number(entry));
    if (ppid === undefined) continue;
    const list = table.get(ppid) ?? [];
    list.push(Number(entry));
    table.set(ppid, list);
  }
  const result: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of table.get(queue.shift() as number) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

/**
 * The fields of /proc/PID/stat after the command name, so that `fields[0]` is field 3 (the
 * state): the name is in parentheses and may itself contain spaces or ')'. Undefined when the
 * process is gone.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process ended while we looked
  }
}

function parentPid(pid: number): number | undefined {
  const ppid = statFields(pid)?.[1];
  return ppid === undefined ? undefined : Number(ppid);
}

/** True while `pid` exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z';
}

/** Field 22 of /proc/PID/stat (its start time): with the pid, it names one process, as pids are reused. */
export function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** Sends `signal` to the process group `pgid`, or to the process alone when it leads no group. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    try {
      process.kill(pgid, signal);
    } catch {
      // already gone
    }
  }
}

/** Processes whose environment holds `name=value` (only those this user may read: our own). */
export function processesTagged(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      if (environ.indexOf(needle) !== -1 && isAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** "1234 python3 -m http.server 18780": a process as a report names it. */
export function describeProcess(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return `${pid} ${cmdline.length > 120 ? `${cmdline.slice(0, 117)}...` : cmdline}`;
  } catch {
    return String(pid);
  }
}
