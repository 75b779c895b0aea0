/**
 * The UI's model of a run: engine events folded into a snapshot that components render. Live
 * output keeps only the last lines of each step (bounded memory however much a command prints),
 * and snapshots are published at most every `batchMs` while output streams, so a flood costs a
 * few renders a second; everything else (a step starts or ends, a question) is published at once.
 */
import type { CheckResult } from '../checks/output-checks.js';
import type { Kata, Step } from '../kata/model.js';
import type { EngineEvent, Target } from '../run/events.js';
import type { GateDecision } from '../run/ports.js';
import type { Edits } from './edits.js';
import { omitUndefined } from '../omit-undefined.js';

/** What a step looks like in the list. `background` is a job still running. */
export type StepMark = 'pending' | 'waiting' | 'running' | 'background' | 'passed' | 'failed' | 'skipped' | 'shown' | 'interrupted';

/** One step as the UI shows it. */
export interface StepView {
  readonly step: Step;
  readonly mark: StepMark;
  /** Commands as they run (placeholders filled, edits applied); the kata's own until it starts. */
  readonly commands: readonly string[];
  readonly attempt: number;
  readonly durationMs?: number;
  readonly exitCode?: number;
  readonly reason?: string;
  readonly checks: readonly CheckResult[];
  /** The last progress message (waiting for a pod, retrying). */
  readonly progress?: string;
  /** The last lines of output (at most TAIL_LINES). */
  readonly tail: readonly string[];
  /** How many lines it printed in all. */
  readonly lineCount: number;
  /** Replayed to rebuild the state of a resumed run. */
  readonly replayed: boolean;
}

/** What the engine (through the gate) waits for the learner to decide. */
export type Question =
  | {
      readonly kind: 'before-step';
      readonly step: Step;
      readonly commands: readonly string[];
      readonly values: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'after-failure'; readonly step: Step };

export type Answer = GateDecision | 'retry' | 'continue' | 'quit';

/** Continue where they stopped, start from the beginning, or leave before anything runs. */
export type OfferAnswer = 'continue' | 'restart' | 'quit';

/** Offered before a resumed run starts. */
export interface ResumeOffer {
  /** The step the learner stopped at. */
  readonly at: Step;
  /** Steps before it that are replayed. */
  readonly replay: number;
  /** Steps that changed since the progress was saved, in words. */
  readonly changed: readonly string[];
}

export interface RunSnapshot {
  readonly kata: Kata;
  readonly target?: Target;
  readonly startedAt: number;
  /** Steps of the main phase, in order. */
  readonly steps: readonly StepView[];
  /** Steps of the cleanup phase as they run. */
  readonly cleanup: readonly StepView[];
  /** The step the screen is about: running, asked about, or the last one that ended. */
  readonly currentId?: string;
  /** The last step of the main phase that ran to an end: its result stays on screen while the next one is asked about. */
  readonly lastEndedId?: string;
  readonly phase: 'offer' | 'main' | 'cleanup' | 'ended';
  readonly cleanupReason?: 'success' | 'failure' | 'interrupted';
  readonly cleanupSkipped?: string;
  readonly leftovers: readonly string[];
  readonly ended?: { readonly status: 'passed' | 'failed' | 'interrupted'; readonly exitCode: number; readonly durationMs: number };
  readonly question?: Question;
  readonly offer?: ResumeOffer;
  /** Answering every question with "run" until a step fails. */
  readonly auto: boolean;
  /** A one-line message for the learner (e.g. why a key did nothing). */
  readonly notice?: string;
  /** Where the full output of each step is written (for the pager). */
  readonly outputDir?: string;
  /** Reports written at the end. */
  readonly reports: readonly string[];
  /** "Quit?" is on the screen (q or Ctrl-C was pressed once). */
  readonly quitAsked: boolean;
  /** A panel over the step: the help, or the editor with its draft and the field being typed in. */
  readonly panel?: { readonly kind: 'help' } | { readonly kind: 'edit'; readonly draft: Edits; readonly selected: number };
  /** What the learner changed in the step asked about. */
  readonly edits?: { readonly stepId: string; readonly edits: Edits };
}

/** Lines of output kept per step. */
export const TAIL_LINES = 200;
/** Longest line kept; the pager has the full one. */
const MAX_LINE = 1000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Folds engine events into snapshots and tells subscribers, batching streaming output. */
export class RunView {
  private state: Mutable<RunSnapshot>;
  private readonly views = new Map<string, Mutable<StepView>>();
  private readonly mainOrder: string[] = [];
  private readonly cleanupOrder: string[] = [];
  private readonly tails = new Map<string, string[]>();
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private pendingAnswer: ((answer: Answer) => void) | undefined;
  private pendingOffer: ((answer: OfferAnswer) => void) | undefined;

  constructor(
    kata: Kata,
    private readonly batchMs = 100,
  ) {
    for (const step of kata.steps) if (step.phase === 'main') this.newView(step);
    this.state = {
      kata,
      startedAt: Date.now(),
      steps: [],
      cleanup: [],
      phase: 'main',
      leftovers: [],
      auto: false,
      reports: [],
      quitAsked: false,
    };
    this.dirty = true;
    this.publish();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): RunSnapshot => this.state;

  /** The engine's listener. */
  on = (event: EngineEvent): void => {
    switch (event.type) {
      case 'run-started':
        this.set({ kata: event.kata, startedAt: event.at, phase: 'main', ...omitUndefined({ target: event.target }) });
        return;
      case 'step-started': {
        const view = this.view(event.step);
        view.mark = 'running';
        view.commands = event.commands;
        view.attempt = event.attempt;
        view.checks = [];
        delete view.reason;
        delete view.progress;
        if (event.attempt === 1 || event.rerunFor !== undefined) this.tails.set(event.step.id, []);
        view.tail = [];
        this.set({ currentId: event.step.id, notice: undefined });
        return;
      }
      case 'progress':
        this.view(event.step).progress = event.message;
        this.touch(true);
        return;
      case 'output': {
        const tail = this.tails.get(event.step.id) ?? [];
        // Only the last lines of a chunk can end up on the screen.
        for (const line of event.lines.length > TAIL_LINES ? event.lines.slice(-TAIL_LINES) : event.lines)
          tail.push(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}...` : line);
        // Trim in chunks: one splice per TAIL_LINES lines instead of a shift per line.
        if (tail.length > TAIL_LINES * 2) tail.splice(0, tail.length - TAIL_LINES);
        this.tails.set(event.step.id, tail);
        this.view(event.step).lineCount += event.lines.length;
        this.touch(false);
        return;
      }
      case 'background-started':
        this.view(event.step).mark = 'background';
        this.touch(true);
        return;
      case 'check': {
        const view = this.view(event.step);
        view.checks = [...view.checks, event.result];
        this.touch(true);
        return;
      }
      case 'step-ended': {
        const view = this.view(event.step);
        view.mark = event.status;
        view.durationMs = event.durationMs;
        if (event.exitCode !== undefined) view.exitCode = event.exitCode;
        if (event.reason !== undefined) view.reason = event.reason;
        else delete view.reason;
        delete view.progress;
        // A shown block ends without starting: it becomes current only when nothing else is.
        if (event.status !== 'shown')
          this.set({ currentId: event.step.id, ...(event.step.phase === 'main' ? { lastEndedId: event.step.id } : {}) });
        else if (this.state.currentId === undefined) this.set({ currentId: event.step.id });
        else this.touch(true);
        return;
      }
      case 'cleanup-started':
        this.set({ phase: 'cleanup', cleanupReason: event.reason, question: undefined });
        return;
      case 'cleanup-skipped':
        this.set({ cleanupSkipped: event.reason });
        return;
      case 'leftovers':
        this.set({ leftovers: [...this.state.leftovers, ...event.names.map((n) => `left behind: ${n}`)] });
        return;
      case 'left-in-place':
        this.set({ leftovers: [...this.state.leftovers, ...event.names.map((n) => `left in place (${event.why}): ${n}`)] });
        return;
      case 'strays-stopped':
        this.set({ leftovers: [...this.state.leftovers, ...event.processes.map((p) => `stopped (left running by the kata): ${p}`)] });
        return;
      case 'cleanup-unverified':
        this.set({ leftovers: [...this.state.leftovers, event.reason] });
        return;
      case 'run-ended':
        this.set({
          phase: 'ended',
          ended: { status: event.status, exitCode: event.exitCode, durationMs: event.durationMs },
          question: undefined,
        });
        return;
    }
  };

  /** Shows a question and resolves with the learner's answer. */
  ask(question: Question): Promise<Answer> {
    this.view(question.step).mark = question.kind === 'before-step' ? 'waiting' : 'failed';
    if (question.kind === 'before-step') this.view(question.step).commands = question.commands;
    this.set({ question, currentId: question.step.id });
    return new Promise((resolve) => (this.pendingAnswer = resolve));
  }

  /** Answers the open question (no-op when there is none). */
  answer(answer: Answer): void {
    const resolve = this.pendingAnswer;
    if (resolve === undefined) return;
    this.pendingAnswer = undefined;
    const question = this.state.question;
    if (question?.kind === 'before-step' && this.view(question.step).mark === 'waiting') this.view(question.step).mark = 'pending';
    this.set({ question: undefined, edits: undefined, panel: undefined });
    resolve(answer);
  }

  /** Offers to resume; resolves with the learner's choice. */
  offerResume(offer: ResumeOffer): Promise<OfferAnswer> {
    this.set({ phase: 'offer', offer, currentId: offer.at.id });
    return new Promise((resolve) => (this.pendingOffer = resolve));
  }

  answerOffer(answer: OfferAnswer): void {
    const resolve = this.pendingOffer;
    if (resolve === undefined) return;
    this.pendingOffer = undefined;
    this.set({ phase: 'main', offer: undefined, quitAsked: false });
    resolve(answer);
  }

  markReplayed(ids: ReadonlySet<string>): void {
    for (const id of ids) {
      const view = this.views.get(id);
      if (view !== undefined) view.replayed = true;
    }
    this.touch(true);
  }

  setEdits(stepId: string, edits: Edits | undefined): void {
    this.set({ edits: edits === undefined ? undefined : { stepId, edits } });
  }

  setPanel(panel: RunSnapshot['panel']): void {
    this.set({ panel });
  }

  setQuitAsked(quitAsked: boolean): void {
    this.set({ quitAsked });
  }

  setAuto(auto: boolean): void {
    this.set({ auto });
  }

  setNotice(notice: string | undefined): void {
    this.set({ notice });
  }

  setOutputDir(dir: string): void {
    this.set({ outputDir: dir });
  }

  setReports(reports: readonly string[]): void {
    this.set({ reports });
  }

  private newView(step: Step): Mutable<StepView> {
    const view: Mutable<StepView> = {
      step,
      mark: step.run ? 'pending' : 'shown',
      commands: step.commands.map((c) => c.text),
      attempt: 0,
      checks: [],
      tail: [],
      lineCount: 0,
      replayed: false,
    };
    this.views.set(step.id, view);
    (step.phase === 'cleanup' ? this.cleanupOrder : this.mainOrder).push(step.id);
    return view;
  }

  private view(step: Step): Mutable<StepView> {
    return this.views.get(step.id) ?? this.newView(step);
  }

  /** A new snapshot with `patch` applied (snapshots are never changed once handed out). */
  private set(patch: { [K in keyof RunSnapshot]?: RunSnapshot[K] | undefined }): void {
    const next: Record<string, unknown> = { ...this.state };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) delete next[key];
      else next[key] = value;
    }
    this.state = next as unknown as Mutable<RunSnapshot>;
    this.touch(true);
  }

  /** Publishes now (`urgent`) or within `batchMs`. */
  private touch(urgent: boolean): void {
    this.dirty = true;
    if (urgent || this.batchMs === 0) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.publish();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.publish();
    }, this.batchMs);
  }

  private publish(): void {
    if (!this.dirty) return;
    this.dirty = false;
    // The mutable views are the source of truth; a snapshot holds copies, so React sees a change.
    const copy = (id: string): StepView => {
      const v = this.views.get(id) as Mutable<StepView>;
      return { ...v, tail: (this.tails.get(id) ?? []).slice(-TAIL_LINES) };
    };
    this.state = { ...this.state, steps: this.mainOrder.map(copy), cleanup: this.cleanupOrder.map(copy) };
    for (const listener of this.listeners) listener();
  }
}
