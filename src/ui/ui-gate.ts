/**
 * The UI's say in the run (the engine's StepGate): each question goes to the screen and waits for
 * the learner, except while running the rest automatically (`a`) and while replaying the steps a
 * resumed run had already finished.
 */
import type { Step } from '../kata/model.js';
import type { FinishedStep } from '../run/resume.js';
import type { GateDecision, StepGate } from '../run/ports.js';
import type { RunView } from './run-view.js';
import { omitUndefined } from '../omit-undefined.js';

export class UiGate implements StepGate {
  /** Decisions taken before each step that ran (for saving progress). */
  readonly decisions = new Map<string, GateDecision>();
  /** The engine's placeholder values (filled as pods are found): the pod of a shell context lives here. */
  values: ReadonlyMap<string, string> = new Map();

  constructor(
    private readonly view: RunView,
    private replay: ReadonlyMap<string, FinishedStep> = new Map(),
    private skip: ReadonlySet<string> = new Set(),
  ) {}

  /** True while the gate replays the finished steps of a resumed run. */
  get replaying(): boolean {
    return this.replay.size > 0 || this.skip.size > 0;
  }

  /** Starts from the beginning instead of resuming. */
  forget(): void {
    this.replay = new Map();
    this.skip = new Set();
  }

  async beforeStep(step: Step, commands: readonly string[], values: ReadonlyMap<string, string>): Promise<GateDecision> {
    this.values = values;
    const replayed = this.replay.get(step.id);
    if (replayed !== undefined) {
      return this.remember(step, {
        action: 'run',
        ...omitUndefined({ commands: replayed.commands, values: replayed.values }),
      });
    }
    if (this.skip.has(step.id)) return { action: 'skip' };
    if (this.view.getSnapshot().auto) return this.remember(step, { action: 'run' });
    const answer = await this.view.ask({ kind: 'before-step', step, commands, values });
    if (answer === 'quit') return { action: 'quit' };
    if (typeof answer === 'string') return this.remember(step, { action: 'run' });
    return this.remember(step, answer);
  }

  async afterFailure(step: Step): Promise<'retry' | 'continue' | 'quit'> {
    // A failure always stops "run the rest automatically": the learner decides what happens next.
    if (this.view.getSnapshot().auto) this.view.setAuto(false);
    const answer = await this.view.ask({ kind: 'after-failure', step });
    return answer === 'retry' || answer === 'continue' ? answer : 'quit';
  }

  private remember(step: Step, decision: GateDecision): GateDecision {
    this.decisions.set(step.id, decision);
    return decision;
  }
}
