/**
 * Saves the learner's progress after every step of the main phase, so quitting (or a crash, or a
 * closed terminal) keeps it; forgets it when the kata is finished. Only while this run holds the
 * kata's claim (claimProgress): a second run of the same kata at once leaves the first's alone.
 */
import type { Kata } from '../kata/model.js';
import type { EngineEvent } from '../run/events.js';
import { claimProgress, clearProgress, releaseProgress, saveProgress, type FinishedStep } from '../run/resume.js';
import type { UiGate } from './ui-gate.js';
import { omitUndefined } from '../omit-undefined.js';

export class ProgressKeeper {
  private readonly finished: Record<string, FinishedStep>;
  /** This run's claim on the kata's progress; undefined while another run holds it. */
  private claim: string | undefined;

  constructor(
    private readonly kata: Kata,
    private readonly gate: UiGate,
    private readonly env: NodeJS.ProcessEnv,
    /** Steps finished in the run being resumed (kept until they finish again). */
    initial: Readonly<Record<string, FinishedStep>> = {},
  ) {
    this.finished = { ...initial };
    this.claimed();
  }

  /** True when this run holds the claim, taking it if the run that held it has let go. */
  private claimed(): boolean {
    try {
      this.claim ??= claimProgress(this.kata.file, this.env);
    } catch {
      // Progress is a convenience: a read-only state folder must not stop the kata.
    }
    return this.claim !== undefined;
  }

  on = (event: EngineEvent): void => {
    if (event.type === 'run-ended') {
      if (this.claim === undefined) return;
      const main = this.kata.steps.filter((s) => s.phase === 'main' && s.run);
      if (event.status === 'passed' && main.every((s) => this.finished[s.id] !== undefined)) clearProgress(this.kata.file, this.env);
      releaseProgress(this.kata.file, this.claim, this.env);
      this.claim = undefined;
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
    if (!this.claimed()) return;
    try {
      saveProgress(this.kata, this.finished, this.env);
    } catch {
      // Progress is a convenience: a read-only state folder must not stop the kata.
    }
  };
}
