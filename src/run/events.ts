/**
 * The engine's typed event stream: the only thing the UI, the plain reporter and the JSON/JUnit
 * writers consume.
 */
import type { CheckResult } from '../checks/output-checks.js';
import type { Kata, Step } from '../kata/model.js';
import { Redactor } from '../redact.js';
import type { StepFailure } from './failure.js';

/** Where the run happens: printed before anything else. */
export interface Target {
  readonly cluster: string;
  readonly context: string;
  readonly namespace: string;
}

export type StepStatus = 'passed' | 'failed' | 'skipped' | 'shown' | 'interrupted';

/** The lines of a step's output kept for reports: the first and the last ones. */
export interface Excerpt {
  readonly head: readonly string[];
  readonly tail: readonly string[];
  /** Lines between head and tail that were not kept. */
  readonly omitted: number;
}

export type EngineEvent =
  | { readonly type: 'run-started'; readonly kata: Kata; readonly target?: Target; readonly at: number }
  | {
      readonly type: 'step-started';
      readonly step: Step;
      readonly attempt: number;
      readonly commands: readonly string[];
      readonly rerunFor?: string;
    }
  | { readonly type: 'progress'; readonly step: Step; readonly message: string }
  /** Lines a step printed, as they arrived (one event per chunk read, not per line). */
  | { readonly type: 'output'; readonly step: Step; readonly lines: readonly string[] }
  | { readonly type: 'background-started'; readonly step: Step }
  | { readonly type: 'check'; readonly step: Step; readonly result: CheckResult }
  | {
      readonly type: 'step-ended';
      readonly step: Step;
      readonly status: StepStatus;
      readonly durationMs: number;
      readonly attempts: number;
      readonly exitCode?: number;
      /** Why it failed, as data (status failed only); `reason` words them. */
      readonly failures?: readonly StepFailure[];
      /** Why it failed, was skipped, shown or interrupted, in words. */
      readonly reason?: string;
      readonly excerpt: Excerpt;
    }
  | { readonly type: 'cleanup-started'; readonly reason: 'success' | 'failure' | 'interrupted' }
  | { readonly type: 'cleanup-skipped'; readonly reason: string }
  | { readonly type: 'leftovers'; readonly names: readonly string[] }
  /**
   * The cleanup was skipped (--keep, or a second interrupt): what the journal recorded, left in
   * place (or, after an interrupt, perhaps half removed). Not a failure by itself.
   */
  | { readonly type: 'left-in-place'; readonly names: readonly string[]; readonly why: '--keep' | 'interrupted' }
  /** Processes the kata started on this machine and left running (`cmd &`, `nohup`): stopped at the end. */
  | { readonly type: 'strays-stopped'; readonly processes: readonly string[] }
  /** The cluster could not be asked whether the cleanup worked: counts as a failure. */
  | { readonly type: 'cleanup-unverified'; readonly reason: string }
  | {
      readonly type: 'run-ended';
      readonly status: 'passed' | 'failed' | 'interrupted';
      readonly exitCode: number;
      readonly durationMs: number;
    };

/** Something that consumes engine events. */
export type EventListener = (event: EngineEvent) => void;

/** Keeps the first and last lines of a stream, whatever its size. */
export class ExcerptBuffer {
  private readonly head: string[] = [];
  private tail: string[] = [];
  private omitted = 0;
  /** What reports keep of the output is masked here, once, for every report. */
  private readonly redactor = new Redactor();

  constructor(
    private readonly headSize = 20,
    private readonly tailSize = 80,
    private readonly maxLine = 500,
  ) {}

  /**
   * Keeps a chunk's lines: only its last ones can end up in the tail, so only those are masked and
   * kept; the ones before are shown to the redactor only for where key blocks begin and end.
   */
  pushLines(lines: readonly string[]): void {
    let i = 0;
    while (i < lines.length && this.head.length < this.headSize) this.push(lines[i++] as string);
    const rest = lines.length - i;
    if (rest > this.tailSize) {
      this.omitted += this.tail.length + rest - this.tailSize;
      this.tail = [];
      const kept = lines.length - this.tailSize;
      for (; i < kept; i++) this.redactor.skip(lines[i] as string);
    }
    for (; i < lines.length; i++) this.push(lines[i] as string);
  }

  push(raw: string): void {
    const line = this.redactor.line(raw);
    const clipped = line.length > this.maxLine ? `${line.slice(0, this.maxLine)}...` : line;
    if (this.head.length < this.headSize) {
      this.head.push(clipped);
      return;
    }
    this.tail.push(clipped);
    if (this.tail.length > this.tailSize * 2) {
      this.omitted += this.tail.length - this.tailSize;
      this.tail = this.tail.slice(-this.tailSize);
    }
  }

  excerpt(): Excerpt {
    const extra = Math.max(0, this.tail.length - this.tailSize);
    return { head: [...this.head], tail: this.tail.slice(extra), omitted: this.omitted + extra };
  }
}
