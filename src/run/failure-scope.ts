/** What the run knows of the kata when a step fails, handed to `afterStepFailed` for the evidence. */
import type { Kata } from '../kata/model.js';
import type { Journal } from './journal.js';
import type { CreatedObject } from './ports.js';
import type { BackgroundHandle } from './step-runner.js';

/** What the kata created, the pods it looked up and its background jobs, when a step failed. */
export interface FailureScope {
  /** What kubectl reported created so far (the journal). */
  readonly created: readonly CreatedObject[];
  /** Each pod placeholder resolved so far (`nginx POD`) and its pod. */
  readonly pods: ReadonlyMap<string, string>;
  /** Every background job started so far (running or stopped), with its last lines. */
  readonly background: readonly { readonly step: string; readonly line: number; readonly lines: readonly string[] }[];
}

/** Lines of a background job kept for the evidence. */
const JOB_LINES = 20;

export function failureScope(
  kata: Kata,
  values: ReadonlyMap<string, string>,
  journal: Journal,
  background: readonly BackgroundHandle[],
): FailureScope {
  const pods = new Map<string, string>();
  for (const step of kata.steps)
    for (const p of step.placeholders) {
      const pod = values.get(p.name);
      if (p.podOfApp !== undefined && pod !== undefined) pods.set(p.name, pod);
    }
  return {
    created: journal.list(),
    pods,
    background: background.map((h) => {
      const { head, tail } = h.excerpt.excerpt();
      return { step: h.step.id, line: h.step.line, lines: [...head, ...tail].slice(-JOB_LINES) };
    }),
  };
}
