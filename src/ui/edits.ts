/** What the learner changed before a step runs: placeholder values and whole commands. */
import type { Step } from '../kata/model.js';
import { fillPlaceholders, invalidValue } from '../kata/placeholders.js';
import type { GateDecision } from '../run/ports.js';

export interface Edits {
  /** Placeholder name -> the value typed. */
  readonly values: Readonly<Record<string, string>>;
  /** Index of a command -> its text as typed (replaces the kata's). */
  readonly commands: Readonly<Record<number, string>>;
}

export const NO_EDITS: Edits = { values: {}, commands: {} };

export function hasEdits(edits: Edits): boolean {
  return Object.keys(edits.values).length > 0 || Object.keys(edits.commands).length > 0;
}

/** The commands as they will run: typed ones as typed, the others with placeholders filled. */
export function commandsWith(step: Step, asked: readonly string[], values: ReadonlyMap<string, string>, edits: Edits): string[] {
  const merged = new Map(values);
  for (const [name, value] of Object.entries(edits.values)) merged.set(name, value);
  return step.commands.map(
    (c, i) => edits.commands[i] ?? (Object.keys(edits.values).length === 0 ? (asked[i] ?? c.text) : fillPlaceholders(c.text, merged)),
  );
}

/** Why a typed value cannot be used, per placeholder. */
export function valueProblems(edits: Edits): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [name, value] of Object.entries(edits.values)) {
    const problem = invalidValue(value);
    if (problem !== undefined) problems[name] = problem;
  }
  return problems;
}

/** The gate's answer for "run" with these edits. */
export function runDecision(step: Step, asked: readonly string[], values: ReadonlyMap<string, string>, edits: Edits): GateDecision {
  if (!hasEdits(edits)) return { action: 'run' };
  const typedCommands = Object.keys(edits.commands).length > 0;
  return {
    action: 'run',
    ...(Object.keys(edits.values).length > 0 ? { values: edits.values } : {}),
    ...(typedCommands ? { commands: commandsWith(step, asked, values, edits) } : {}),
  };
}
