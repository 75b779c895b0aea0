/**
 * The terminal while the UI owns it: the alternate screen, a hidden cursor, raw mode. Whatever
 * happens (normal end, an exception, a signal), `restore()` runs on process exit and puts the
 * terminal back: raw mode off, cursor shown, the learner's screen and scrollback as they were.
 */
const ENTER = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE = '\x1b[?25h\x1b[?1049l';

export class Terminal {
  private entered = false;
  private readonly onExit = (): void => this.restore();

  constructor(
    private readonly output: NodeJS.WriteStream,
    private readonly input: NodeJS.ReadStream,
  ) {}

  /** Switches to the alternate screen (the learner's screen comes back untouched afterwards). */
  enter(): void {
    if (this.entered) return;
    this.entered = true;
    process.on('exit', this.onExit);
    this.output.write(ENTER);
  }

  /** Leaves the alternate screen, shows the cursor and turns raw mode off. Safe to call twice. */
  restore(): void {
    if (this.input.isTTY && this.input.isRaw) this.input.setRawMode(false);
    if (!this.entered) return;
    this.entered = false;
    process.off('exit', this.onExit);
    this.output.write(LEAVE);
  }
}
