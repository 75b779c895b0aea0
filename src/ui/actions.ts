/** What the screen asks of the outside world: it never starts a process itself. */
import type { Step } from '../kata/model.js';

export interface Actions {
  /** Quit: stop the running step and go to the cleanup; during the cleanup, skip the rest of it. */
  readonly interrupt: () => void;
  /** Hand the terminal to an interactive shell where `step` runs. */
  readonly openShell: (step: Step) => void;
  /** Show the full output of `step` in a pager. */
  readonly openOutput: (step: Step) => void;
}
