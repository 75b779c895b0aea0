/**
 * Progress of an interactive run, kept on disk so `kata run FILE --resume` can continue at the
 * first unfinished step: $XDG_STATE_HOME/kata-runner/ (default ~/.local/state/kata-runner/), one
 * JSON file per kata path. Each step's fingerprint is saved too, so a kata edited since then is
 * noticed and the learner is told which steps changed.
 */
import { createHash } from 'node:crypto';
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
