/**
 * Progress of an interactive run, kept on disk so `kata run FILE --resume` can continue at the
 * first unfinished step: $XDG_STATE_HOME/kata-runner/ (default ~/.local/state/kata-runner/), one
 * JSON file per kata path. Each step's fingerprint is saved too, so a kata edited since then is
 * noticed and the learner is told which steps changed. One run at a time keeps a kata's progress
 * (claimProgress): a second run of the same kata, started while the first runs, keeps none, so
 * neither overwrites nor clears the other's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Kata, Step } from '../kata/model.js';

/** How a finished step ended, and what the learner changed before running it. */
export interface FinishedStep {
  readonly status: 'passed' | 'skipped';
  /** Commands as the learner edited them. */
  readonly commands?: readonly string[];
  /** Placeholder values the learner typed. */
  readonly values?: Readonly<Record<string, string>>;
}

export interface Progress {
  readonly schema: 1;
  /** Absolute path of the kata. */
  readonly file: string;
  readonly title: string;
  readonly savedAt: string;
  /** Fingerprints of the main-phase steps that run, in order. */
  readonly steps: readonly { readonly id: string; readonly line: number; readonly fingerprint: string }[];
  readonly finished: Readonly<Record<string, FinishedStep>>;
}

/** Where a resumed run starts and what it does before. */
export interface ResumePlan {
  /** The first unfinished step; undefined when every step is finished. */
  readonly at?: Step;
  /** Finished steps before `at` that passed: they are run again, without asking, to rebuild their state. */
  readonly replay: ReadonlyMap<string, FinishedStep>;
  /** Finished steps before `at` that the learner skipped: skipped again. */
  readonly skip: ReadonlySet<string>;
  /** What changed in the kata since the progress was saved, one line per step. */
  readonly changed: readonly string[];
}

/** The folder holding progress files. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'kata-runner');
}

/** The progress file of a kata (named after a hash of its absolute path). */
export function progressFile(kataFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256').update(resolve(kataFile)).digest('hex').slice(0, 16);
  return join(stateDir(env), `${hash}.json`);
}

/** What makes a step behave as it does: where and what it runs, and what it promises. */
export function fingerprint(step: Step): string {
  const essence = {
    context: step.context,
    opens: step.opens ?? null,
    commands: step.commands.map((c) => c.text),
    background: step.background,
    bound: step.bound ?? null,
    checks: step.checks.map(({ line: _line, ...check }) => check),
    retry: step.retryMs ?? null,
    timeout: step.timeoutMs ?? null,
  };
  return createHash('sha256').update(JSON.stringify(essence)).digest('hex').slice(0, 16);
}

function runnable(kata: Kata): Step[] {
  return kata.steps.filter((s) => s.phase === 'main' && s.run);
}

/** Reads the saved progress of a kata; undefined when there is none or it cannot be read. */
export function loadProgress(kataFile: string, env: NodeJS.ProcessEnv = process.env): Progress | undefined {
  try {
    const progress = JSON.parse(readFileSync(progressFile(kataFile, env), 'utf8')) as Progress;
    return progress.schema === 1 && typeof progress.finished === 'object' ? progress : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims the progress of a kata for one run: a lock file beside the progress file, holding this
 * process's pid and a token of the run. Returns the token, or undefined while another run that
 * is still alive holds it. A lock whose process has ended (a crash, a closed terminal) is taken over.
 */
export function claimProgress(kataFile: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const lock = `${progressFile(kataFile, env)}.lock`;
  const token = randomUUID();
  mkdirSync(stateDir(env), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, `${process.pid} ${token}\n`, { flag: 'wx' }); // fails if the file exists: one winner
      return token;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readLock(lock)?.split(' ')[0]);
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) return undefined;
    rmSync(lock, { force: true });
  }
  return undefined;
}

/** Lets go of a claim (the run ended); a claim that is not this run's is left alone. */
export function releaseProgress(kataFile: string, token: string, env: NodeJS.ProcessEnv = process.env): void {
  const lock = `${progressFile(kataFile, env)}.lock`;
  if (readLock(lock)?.split(' ')[1] === token) rmSync(lock, { force: true });
}

function readLock(lock: string): string | undefined {
  try {
    return readFileSync(lock, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (signal 0 only asks; EPERM means it exists but is not ours). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Saves progress (written to a temporary file and renamed, so a crash never leaves half a file). */
export function saveProgress(kata: Kata, finished: Readonly<Record<string, FinishedStep>>, env: NodeJS.ProcessEnv = process.env): void {
  const path = progressFile(kata.file, env);
  mkdirSync(stateDir(env), { recursive: true });
  const progress: Progress = {
    schema: 1,
    file: resolve(kata.file),
    title: kata.title,
    savedAt: new Date().toISOString(),
    steps: runnable(kata).map((s) => ({ id: s.id, line: s.line, fingerprint: fingerprint(s) })),
    finished,
  };
  writeFileSync(`${path}.tmp`, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** Forgets the progress of a kata (it was finished). */
export function clearProgress(kataFile: string, env: NodeJS.ProcessEnv = process.env): void {
  rmSync(progressFile(kataFile, env), { force: true });
}

/** Works out where to continue and what changed. A finished step that changed is still replayed, in its new form. */
export function planResume(kata: Kata, progress: Progress): ResumePlan {
  const saved = new Map(progress.steps.map((s) => [s.id, s]));
  const changed: string[] = [];
  const now = runnable(kata);
  for (const step of now) {
    const before = saved.get(step.id);
    if (before === undefined) changed.push(`${step.id} (line ${step.line}) is new`);
    else if (before.fingerprint !== fingerprint(step)) changed.push(`${step.id} (line ${step.line}) changed`);
  }
  for (const before of progress.steps) {
    if (!now.some((s) => s.id === before.id)) changed.push(`${before.id} (was line ${before.line}) was removed`);
  }
  const replay = new Map<string, FinishedStep>();
  const skip = new Set<string>();
  for (const step of now) {
    const done = progress.finished[step.id];
    if (done === undefined) return { at: step, replay, skip, changed };
    if (done.status === 'passed') replay.set(step.id, done);
    else skip.add(step.id);
  }
  return { replay, skip, changed };
}
