/**
 * Re-runs the text asks for ("retry the `curl` command from before and you should now get a
 * 403"): a step that repeats the earlier step's commands in the same shell, carrying the check
 * the sentence makes. `kata plan` shows it as a re-run of that step.
 */
import type { Check } from '../model.js';
import type { MutableStep } from './step-shape.js';

/** A re-run to insert: before step index `before`, repeating `of`. */
export interface Rerun {
  readonly before: number;
  readonly of: MutableStep;
  /** Line of the sentence that asks for it. */
  readonly line: number;
  readonly checks: Check[];
  readonly sentence: string;
}

/** Inserts the re-runs that carry a check (a re-run without one proves nothing), keeping `stepBlock` in step. */
export function insertReruns(steps: MutableStep[], stepBlock: number[], reruns: readonly Rerun[]): void {
  const ids = new Set(steps.map((s) => s.id));
  const ordered = reruns.filter((r) => r.checks.length > 0).sort((a, b) => b.before - a.before);
  for (const rerun of ordered) {
    const at = steps[rerun.before] as MutableStep;
    let id = `${rerun.of.id}-again`;
    for (let k = 2; ids.has(id); k++) id = `${rerun.of.id}-again-${k}`;
    ids.add(id);
    const step: MutableStep = {
      blockLine: rerun.of.blockLine,
      section: at.section,
      phase: at.phase,
      prose: rerun.sentence,
      proseLine: rerun.line,
      lang: rerun.of.lang,
      code: rerun.of.code,
      id,
      line: rerun.line,
      run: true,
      context: rerun.of.context,
      contextReason: rerun.of.contextReason,
      commands: rerun.of.commands,
      background: false,
      needs: rerun.of.needs,
      placeholders: rerun.of.placeholders,
      checks: rerun.checks,
    };
    if (rerun.of.needsInferred !== undefined) step.needsInferred = rerun.of.needsInferred;
    step.rerunOf = rerun.of.id;
    steps.splice(rerun.before, 0, step);
    stepBlock.splice(rerun.before, 0, stepBlock[rerun.before] as number);
  }
}
