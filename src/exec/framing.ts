/**
 * The marker protocol of a shell session. Each command is sent as one line that evals it (so a
 * syntax error in the kata cannot swallow what follows), and a second line that prints a marker
 * with a per-session nonce and the exit status. Output before the marker belongs to the command.
 */

/** Quotes text for any POSIX shell: the result is one single-quoted word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The two lines that run `command` in the session and then print its marker. */
export function framedCommand(command: string, marker: string): string {
  // stderr joins stdout per command (not with `exec 2>&1` once: through `kubectl exec` without a
  // TTY that made some shells stop reading). The marker goes on a line of its own: when the command is interrupted, the shell drops the
  // rest of the line it was running, but still reads the next one.
  return `__kata_cmd=${shellQuote(command)}; { eval "$__kata_cmd"; } </dev/null 2>&1\n__kata_rc=$?; printf '\\036${marker}:%s\\036\\n' "$__kata_rc"\n`;
}

const MAX_PARTIAL = 64 * 1024;

/**
 * Splits a session's output into lines and finds each command's marker. Keeps only the current
 * partial line in memory (bounded: very long lines are cut into 64 KiB pieces).
 */
export class FrameParser {
  private pending = '';
  private readonly pattern: RegExp;

  /** Called with the complete lines of the running command's output, a chunk's worth at a time. */
  onLines: (lines: string[]) => void = () => {};
  /** Called with the exit status when the running command's marker arrives. */
  onEnd: (exitCode: number) => void = () => {};

  constructor(marker: string) {
    this.pattern = new RegExp(`\\x1e${marker}:(\\d+)\\x1e\\n`);
  }

  push(chunk: string): void {
    this.pending += chunk;
    for (;;) {
      // The marker starts with \x1e, which output almost never holds: only then is the pattern tried.
      const match = this.pending.includes('\x1e') ? this.pattern.exec(this.pending) : null;
      // split() is the fastest way to many lines; its last element is the line not ended yet.
      const lines = (match === null ? this.pending : this.pending.slice(0, match.index)).split('\n');
      const last = lines.pop() ?? '';
      if (match === null) {
        this.pending = last;
        // A line longer than the bound is handed out in pieces; the last bytes stay back, as
        // they may be the start of a marker.
        while (this.pending.length > MAX_PARTIAL + 64) {
          lines.push(this.pending.slice(0, MAX_PARTIAL));
          this.pending = this.pending.slice(MAX_PARTIAL);
        }
        if (lines.length > 0) this.onLines(lines);
        return;
      }
      // Output that did not end with a newline: the marker line ends it.
      for (let i = 0; i < last.length; i += MAX_PARTIAL) lines.push(last.slice(i, i + MAX_PARTIAL));
      this.pending = this.pending.slice(match.index + match[0].length);
      if (lines.length > 0) this.onLines(lines);
      this.onEnd(Number(match[1]));
    }
  }
}
