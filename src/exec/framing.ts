/**
 * The marker protocol of a shell session. Each command is sent as one line that evals it (so a
 * syntax error in the kata cannot swallow what follows), and a second line that prints a marker
 * with a per-session nonce and the exit status. Output before the marker belongs to the command.
 */

/** Quotes text for any POSIX shell: the result is one single-quoted word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The lines that run one command in a session: see `framedCommand`. */
export interface FramedLines {
  /** Runs the command and prints its marker: sent at once. */
  readonly command: string;
  /** Prints a marker after an interrupt dropped the rest of `command`'s line: sent only then. */
  readonly afterInterrupt: string;
}

/**
 * The lines that run `command` in the session and then print its marker. Each command gets fresh
 * nonces, and its line carries the marker that ends it: nothing of the runner's waits in the
 * shell's input while the learner's command runs, so `read -u 10` (bash keeps its own input
 * there while a command's stdin is redirected) finds nothing to read, and no command can learn
 * a marker to forge. Only after an interrupt, which makes the shell drop the rest of the line it
 * was running, does the runner send a second line with a marker of its own.
 *
 * They work the same whatever the learner set in the shell (bash or POSIX sh):
 * - `set -x`: the runner's own lines run with tracing off (`{ set +x; } 2>/dev/null` traces
 *   nowhere), and the learner's setting is back on for their command only;
 * - `set -u`: every variable the lines read is set first;
 * - `set -e`: an `internal` command (the runner's `wait`, `pwd`, a job's start) runs where errexit
 *   does not apply (an `if` condition), so its status never ends the shell. A learner's own
 *   command keeps bash's meaning of `set -e`.
 * Notices of the learner's jobs that ended since the last command (`[1]+ Done ...`, which bash
 * prints before the next command it runs) are dropped first: a headless run has no prompt for
 * them, they are not the next step's output, and the jobs are found and named at cleanup.
 */
export function framedCommand(command: string, marker: string, nonces: readonly [string, string], internal = false): FramedLines {
  // stderr joins stdout per command (not with `exec 2>&1` once: through `kubectl exec` without a
  // TTY that made some shells stop reading).
  // After a syntax error inside `eval`, bash cannot parse a reserved word (`{`, `case`) at the
  // start of the next line it reads, but an empty line clears that: each command's line is followed
  // by one (all the input that waits while the command runs: nothing to forge from), and the
  // interrupt line starts with a plain assignment. The status is taken at the end of the
  // command's line (tracing already off); when the rest of that line was dropped (an interrupt),
  // it is `$?` at the start of the interrupt line.
  const quiet = '{ __kata_o=$-; set +x; } 2>/dev/null; __kata_rc=; { jobs -n || :; } >/dev/null 2>&1; ';
  const traced = 'case $__kata_o in *x*) set -x;; esac';
  const print = (nonce: string): string => `printf '\\036${marker}-${nonce}:%s\\036\\n' "$__kata_rc"; ${traced}\n`;
  const afterInterrupt = `__kata_rc=\${__kata_rc:-$?}; ${print(nonces[1])}`;
  if (internal) {
    return {
      command: `${quiet}__kata_cmd=${shellQuote(command)}; if { eval "$__kata_cmd"; } </dev/null 2>&1; then __kata_rc=0; else __kata_rc=$?; fi; ${print(nonces[0])}\n`,
      afterInterrupt,
    };
  }
  return {
    command: `${quiet}__kata_cmd=${shellQuote(command)}; ${traced}; { eval "$__kata_cmd"; } </dev/null 2>&1; { __kata_rc=$?; set +x; } 2>/dev/null; ${print(nonces[0])}\n`,
    afterInterrupt,
  };
}

const MAX_PARTIAL = 64 * 1024;

/**
 * Splits a session's output into lines and finds each command's marker. Keeps only the current
 * partial line in memory (bounded: very long lines are cut into 64 KiB pieces).
 */
export class FrameParser {
  private pending = '';
  private readonly pattern: RegExp;
  private accepted: readonly string[] | undefined;

  /** Called with the complete lines of the running command's output, a chunk's worth at a time. */
  onLines: (lines: string[]) => void = () => {};
  /** Called with the exit status when the running command's marker arrives. */
  onEnd: (exitCode: number) => void = () => {};

  constructor(marker: string) {
    this.pattern = new RegExp(`\\x1e${marker}(?:-([0-9a-f]+))?:(\\d+)\\x1e\\n`);
  }

  /**
   * The nonces that end the running command. A marker with another nonce is a late one of an
   * earlier command (its interrupt line, sent when the command had already ended): dropped.
   */
  expect(nonces: readonly string[] | undefined): void {
    this.accepted = nonces;
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
      const nonce = match[1];
      if (this.accepted !== undefined && (nonce === undefined || !this.accepted.includes(nonce))) continue;
      this.onEnd(Number(match[2]));
    }
  }
}
