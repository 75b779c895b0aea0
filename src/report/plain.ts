/**
 * The plain line reporter: what a headless run (CI, a pipe, --yes) prints. Live output is shown
 * up to a limit per step, so a flood (tcpdump -XX) neither hides the results nor costs time; the
 * last lines are printed when the step ends.
 */
import { describeCheck, formatDuration } from '../kata/describe.js';
import type { EngineEvent } from '../run/events.js';
import { redact, Redactor } from '../redact.js';
import type { RunRecord } from './run-record.js';
import { tally } from './run-record.js';

const LIVE_LINES = 40;
const TAIL_LINES = 15;
/** How the runner's own lines in a job's output begin (see FileTail in src/exec/shell-session.ts). */
const RUNNER_NOTICE = '[kata-runner: ';

/**
 * A line with its control characters shown, not obeyed: CR and LF as `\r` and `\n` (one event,
 * one line), ESC and the other C0/C1 controls as `\xHH`, and the Unicode bidirectional overrides
 * as `\uHHHH`. Tabs stay.
 */
export function visible(line: string): string {
  return line.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** Writes a run as plain lines to `write`. Call `summary` after the run with the reports written. */
export class PlainReporter {
  private shownLines = new Map<string, number>();
  /** Steps whose runner notice past the live limit was printed. */
  private readonly noticed = new Set<string>();
  /** One per step: a private key block spans lines. */
  private readonly redactors = new Map<string, Redactor>();
  private file = '';

  constructor(private readonly write: (text: string) => void) {}

  on(event: EngineEvent): void {
    // What commands print goes out escaped: a CR or a cursor move could otherwise draw a fake line.
    const w = (line: string): void => this.write(`${visible(line)}\n`);
    switch (event.type) {
      case 'run-started': {
        this.file = event.kata.file;
        w(`kata: ${event.kata.title} (${event.kata.file})`);
        w(
          event.target === undefined
            ? 'target: this machine only (the kata needs no cluster)'
            : `target: cluster ${event.target.cluster}, context ${event.target.context}, namespace ${event.target.namespace}`,
        );
        return;
      }
      case 'step-started': {
        if (event.attempt > 1) return;
        this.shownLines.set(event.step.id, 0);
        this.redactors.set(event.step.id, new Redactor());
        const again = event.rerunFor === undefined ? '' : ` (again, while ${event.rerunFor} runs)`;
        const first = event.commands[0]?.split('\n')[0] ?? '';
        const more = event.commands.length > 1 ? ` (+${event.commands.length - 1} more)` : '';
        w(`> ${event.step.id}${again} [${event.step.context}] $ ${first}${more}`);
        return;
      }
      case 'progress':
        w(`  ... ${event.step.id}: ${event.message}`);
        return;
      case 'output': {
        const before = this.shownLines.get(event.step.id) ?? 0;
        this.shownLines.set(event.step.id, before + event.lines.length);
        // The runner's own word on the output (a flood's dropped bytes) is shown past the live
        // limit too, once per step: otherwise only a lucky last chunk would carry it.
        if (before + event.lines.length > LIVE_LINES && !this.noticed.has(event.step.id)) {
          const notice = event.lines.find((l, i) => before + i >= LIVE_LINES && l.startsWith(RUNNER_NOTICE));
          if (notice !== undefined) {
            this.noticed.add(event.step.id);
            w(`  | ${notice}`);
          }
        }
        if (before > LIVE_LINES) return;
        const redactor = this.redactors.get(event.step.id) ?? new Redactor();
        this.redactors.set(event.step.id, redactor);
        for (const line of event.lines.slice(0, LIVE_LINES - before)) w(`  | ${redactor.line(line)}`);
        if (before + event.lines.length > LIVE_LINES) w(`  | ... (more output; the last ${TAIL_LINES} lines follow when the step ends)`);
        return;
      }
      case 'background-started':
        w(`  ~ ${event.step.id} runs in the background`);
        return;
      case 'check':
        w(
          `  ${event.result.passed ? 'ok  ' : 'FAIL'} ${describeCheck(event.result.check)}${event.result.check.inferred ? ' (inferred)' : ''}: ${redact(event.result.detail)}`,
        );
        return;
      case 'step-ended': {
        const shown = this.shownLines.get(event.step.id) ?? 0;
        if (shown > LIVE_LINES) {
          const tail = event.excerpt.tail.slice(-TAIL_LINES);
          for (const line of tail) w(`  | ${line}`);
        }
        const where = `${this.file}:${event.step.line}`;
        const time = event.durationMs > 0 ? ` (${formatDuration(event.durationMs)})` : '';
        if (event.status === 'shown') w(`- ${event.step.id} shown, not run: ${event.reason ?? ''}`);
        else if (event.status === 'passed') w(`PASS ${event.step.id}${time}`);
        else if (event.status === 'skipped') w(`SKIP ${event.step.id}: ${event.reason ?? ''}`);
        else if (event.status === 'interrupted') w(`STOP ${event.step.id}: interrupted`);
        else w(`FAIL ${event.step.id}${time} at ${where}: ${redact(event.reason ?? 'failed')}`);
        return;
      }
      case 'cleanup-started':
        w(
          `== cleanup (${event.reason === 'success' ? 'the kata is done' : event.reason === 'failure' ? 'after a failure' : 'after an interruption'})`,
        );
        return;
      case 'cleanup-skipped':
        w(`== cleanup skipped: ${event.reason}`);
        return;
      case 'leftovers':
        w(`FAIL left behind after cleanup: ${event.names.join(', ')}`);
        return;
      case 'left-in-place':
        w(
          event.why === '--keep'
            ? `== left in place (--keep): ${event.names.join(', ')}`
            : `== may still be there (the cleanup was interrupted): ${event.names.join(', ')}`,
        );
        return;
      case 'strays-stopped':
        w(`== stopped what the kata left running on this machine: ${event.processes.map(redact).join('; ')}`);
        return;
      case 'cleanup-unverified':
        w(`FAIL ${event.reason}`);
        return;
      case 'run-ended':
        return;
    }
  }

  /** The closing lines: counts, time, exit code and where the reports went. */
  summary(record: RunRecord, reports: readonly string[]): void {
    const t = tally(record);
    const parts = [`${t.passed} passed`, `${t.failed} failed`, `${t.skipped} skipped`];
    if (t.interrupted > 0) parts.push(`${t.interrupted} interrupted`);
    this.write(
      `== ${record.status ?? 'ended'}: ${parts.join(', ')} in ${formatDuration(record.durationMs ?? 0)}; exit ${record.exitCode ?? '?'}\n`,
    );
    for (const report of reports) this.write(`report: ${report}\n`);
  }
}
