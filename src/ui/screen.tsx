/**
 * The Ink screen of an interactive run: started once, suspended while a shell or pager has the
 * terminal (and mounted again after: its state lives in the RunView), stopped at the end.
 */
import { render, type Instance } from 'ink';
import type { Actions } from './actions.js';
import { App } from './components/App.js';
import type { RunView } from './run-view.js';
import { Terminal } from './terminal.js';
import { ThemeContext, colorWanted } from './theme.js';

/** The Ink screen: started once, suspended while a shell or pager has the terminal, stopped at the end. */
export class Screen {
  private instance: Instance | undefined;
  private readonly terminal: Terminal;
  private actions: Actions | undefined;
  private onCrash: () => void = () => {};
  private takeInputBack: () => void = () => {};

  constructor(
    private readonly view: RunView,
    private readonly output: NodeJS.WriteStream,
    private readonly input: NodeJS.ReadStream,
  ) {
    this.terminal = new Terminal(output, input);
  }

  start(actions: Actions, onCrash: () => void): void {
    this.actions = actions;
    this.onCrash = onCrash;
    this.mount();
  }

  /** Unmounts Ink and gives the terminal back as it was (normal screen, cooked mode, input released). */
  async suspend(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance !== undefined) {
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
    }
    this.terminal.restore();
    this.takeInputBack = releaseInput(this.input);
  }

  resume(): void {
    this.takeInputBack();
    this.takeInputBack = () => {};
    this.mount();
  }

  async stop(): Promise<void> {
    await this.suspend();
  }

  private mount(): void {
    if (this.actions === undefined) return;
    this.terminal.enter();
    const instance = render(
      <ThemeContext.Provider value={{ color: colorWanted() }}>
        <App view={this.view} actions={this.actions} />
      </ThemeContext.Provider>,
      { stdout: this.output, stdin: this.input, exitOnCtrlC: false, patchConsole: false, maxFps: 20 },
    );
    this.instance = instance;
    instance.waitUntilExit().catch(() => {
      if (this.instance !== instance) return;
      this.instance = undefined;
      this.terminal.restore();
      this.onCrash();
    });
  }
}

/**
 * Stops Node from reading the terminal, so every key goes to the learner's shell or pager, and
 * returns how to start again. Pausing the stream is not enough: a TTY handle that started reading
 * keeps reading into the stream's buffer, so the handle's read is stopped, and started again
 * after (the stream still counts itself as reading and would never ask again).
 */
function releaseInput(input: NodeJS.ReadStream): () => void {
  input.pause();
  const handle = (input as unknown as { _handle?: { reading?: boolean; readStop?: () => number; readStart?: () => number } })._handle;
  if (handle?.readStop === undefined || handle.readStart === undefined || handle.reading !== true) return () => {};
  handle.reading = false;
  handle.readStop();
  return () => {
    handle.reading = true;
    handle.readStart?.();
  };
}
