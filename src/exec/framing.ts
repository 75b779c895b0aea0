/**
 * The marker protocol of a shell session. Each command is sent as one line that evals it (so a
 * syntax error in the kata cannot swallow what follows), and a second line that prints a marker
 * with a per-session nonce and the exit status. Output before the marker belongs to the command.
 */

/** Quotes text for any POSIX shell: the result is one single-quoted word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The two lines that run `command` in the session and then print its marker. They work the same
 * whatever the learner set in the shell (bash or POSIX sh):
 * - `set -x`: the runner's own lines run with tracing off (`{ set +x; } 2>/dev/null` traces
 *   nowhere), and the learner's setting is back on for their command only;
 * - `set -u`: every variable the lines read is set first;
 * - `set -e`: an `internal` command (the runner's `wait`, `pwd`, a job's start) runs where errexit
 *   does not apply (an `if` condition), so its status never ends the shell. A learner's own
 *   command keeps bash's meaning of `set -e`.
 */
export function framedCommand(command: string, marker: string, internal = false): string {
  // stderr joins stdout per command (not with `exec 2>&1` once: through `kubectl exec` without a
  // TTY that made some shells stop reading). The marker goes on a line of its own: when the command is interrupted, the shell drops the
  // rest of the line it was running, but still reads the next one.
  // The second line starts with a plain assignment: after a syntax error inside `eval`, bash
  // cannot parse a reserved word (`{`, `case`) at the start of the next line. The status is taken
  // at the end of the first line (tracing already off); when the rest of that line was dropped
  // (an interrupt), it is `$?` at the start of the second.
  const quiet = '{ __kata_o=$-; set +x; } 2>/dev/null; __kata_rc=; ';
  const traced = 'case $__kata_o in *x*) set -x;; esac';
  const done = `\n__kata_rc=\${__kata_rc:-$?}; printf '\\036${marker}:%s\\036\\n' "$__kata_rc"; ${traced}\n`;
  if (internal) {
    return `${quiet}__kata_cmd=${shellQuote(command)}; if { eval "$__kata_cmd"; } </dev/null 2>&1; then __kata_rc=0; else __kata_rc=$?; fi${done}`;
  }
  return `${quiet}__kata_cmd=${shellQuote(command)}; ${traced}; { eval "$__kata_cmd"; } </dev/null 2>&1; { __kata_rc=$?; set +x; } 2>/dev/null${done}`;
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
