/** A real terminal for end-to-end tests: a detached tmux session we type into and read the screen of. */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';

/** Why tmux tests cannot run here, or undefined when they can. */
export function tmuxMissing(): string | undefined {
  const probe = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'tmux is not installed: apt-get install -y tmux';
}

export class Tmux {
  private readonly socket = `kata-e2e-${randomBytes(4).toString('hex')}`;

  /** Starts `command` (a shell command line) in a new session of the given size. */
  constructor(command: string, options: { cwd: string; env: Record<string, string>; columns?: number; rows?: number }) {
    const env = Object.entries(options.env)
      .map(([k, v]) => `${k}=${shq(v)}`)
      .join(' ');
    // CI is unset in the terminal: the UI under test is what a learner gets, and CI (set by CI
    // systems) would choose the plain reporter. The pane stays after the command ends so its
    // last screen can be read.
    this.tmux(
      'new-session',
      '-d',
      '-s',
      'kata',
      '-x',
      String(options.columns ?? 100),
      '-y',
      String(options.rows ?? 40),
      '-c',
      options.cwd,
      `env -u CI ${env} ${command}; echo "[exit $?]"; sleep 3600`,
    );
  }

  /** The visible screen as text. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'kata');
  }

  /** Types keys (tmux key names such as Enter, C-c, Escape, or literal text). */
  send(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'kata', ...keys);
  }

  /** Types text literally. */
  type(text: string): void {
    this.tmux('send-keys', '-t', 'kata', '-l', text);
  }

  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', 'kata', '-x', String(columns), '-y', String(rows));
  }

  /** Waits (polling the screen) until `test` holds; throws with the screen when it does not in time. */
  async waitFor(test: string | RegExp | ((screen: string) => boolean), timeoutMs = 15_000): Promise<string> {
    const check = typeof test === 'string' ? (s: string) => s.includes(test) : test instanceof RegExp ? (s: string) => test.test(s) : test;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (check(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the screen never showed ${String(test)}; it shows:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** A tmux format of the pane, e.g. `#{alternate_on}` (1 while the alternate screen is shown) or `#{cursor_flag}`. */
  format(format: string): string {
    return this.tmux('display-message', '-p', '-t', 'kata', format).trim();
  }

  /** Ends the session and removes its socket file (tmux leaves it behind when the server is killed). */
  kill(): void {
    const path = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    if (path !== '') rmSync(path, { force: true });
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}

function shq(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
