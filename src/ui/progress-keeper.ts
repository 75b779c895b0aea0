/**
 * Saves the learner's progress after every step of the main phase, so quitting (or a crash, or a
 * closed terminal) keeps it; forgets it when the kata is finished.
 */
import type { Kata } from '../kata/model.js';
import type { EngineEvent } from '../run/events.js';
import { clearProgress, saveProgress, type FinishedStep } from '../run/resume.js';
import type { UiGate } from './ui-gate.js';
import { omitUndefined } from '../omit-undefined.js';

export class ProgressKeeper {
  private readonly finished: Record<string, FinishedStep>;

  constructor(
    private readonly kata: Kata,
    private readonly gate: UiGate,
    private readonly env: NodeJS.ProcessEnv,
    /** Steps finished in the run being resumed (kept until they finish again). */
    initial: Readonly<Record<string, FinishedStep>> = {},
  ) {
    this.finished = { ...initial };
  }

  on = (event: EngineEvent): void => {
    if (event.type === 'run-ended') {
      const main = this.kata.steps.filter((s) => s.phase === 'main' && s.run);
      if (event.status === 'passed' && main.every((s) => this.finished[s.id] !== undefined)) clearProgress(this.kata.file, this.env);
      return;
    }
    if (event.type !== 'step-ended' || event.step.phase !== 'main' || event.status === 'shown') return;
    const id = event.step.id;
    if (event.status === 'passed' || (event.status === 'skipped' && event.reason === 'skipped by you')) {
      const decision = this.gate.decisions.get(id);
      const edited = decision?.action === 'run' ? decision : undefined;
      this.finished[id] = {
        status: event.status,
        ...omitUndefined({ commands: edited?.commands, values: edited?.values }),
      };
    } else if (event.status === 'failed' || event.status === 'interrupted') {
      delete this.finished[id];
    } else return;
    try {
      saveProgress(this.kata, this.finished, this.env);
    } catch {
      // Progress is a convenience: a read-only state folder must not stop the kata.
    }
  };
}
