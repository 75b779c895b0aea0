/**
 * The full output of every step, written to files as it streams so the pager (`o`) can show all
 * of it while the UI keeps only the last lines in memory. Lines are gathered and appended about
 * ten times a second; the folder is removed when the run's UI closes.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent } from '../run/events.js';

/** Bytes gathered before they are written even if the flush timer has not fired yet. */
const FLUSH_BYTES = 256 * 1024;

export class OutputLog {
  readonly dir: string;
  private readonly files = new Map<string, { fd: number; path: string; pending: string[]; bytes: number; runs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  constructor(parent = tmpdir()) {
    this.dir = mkdtempSync(join(parent, 'kata-run-'));
  }

  /** The file holding a step's output so far (flushed first), or undefined when it printed nothing yet. */
  fileOf(stepId: string): string | undefined {
    const file = this.files.get(stepId);
    if (file === undefined) return undefined;
    this.flush();
    return file.path;
  }

  on = (event: EngineEvent): void => {
    if (event.type === 'step-started') {
      const header =
        event.rerunFor !== undefined
          ? `--- again, while ${event.rerunFor} runs ---`
          : event.attempt > 1
            ? `--- attempt ${event.attempt} ---`
            : undefined;
      const file = this.file(event.step.id);
      if (header !== undefined || file.runs > 0) this.append(event.step.id, header ?? `--- ${event.step.id} runs again ---`);
      file.runs++;
      for (const command of event.commands) this.append(event.step.id, `$ ${command}`);
      return;
    }
    if (event.type === 'output') this.append(event.step.id, event.lines.join('\n'));
    else if (event.type === 'step-ended' || event.type === 'run-ended') this.flush();
  };

  /** Writes what is gathered. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const file of this.files.values()) {
      if (file.pending.length === 0) continue;
      writeSync(file.fd, `${file.pending.join('\n')}\n`);
      file.pending = [];
      file.bytes = 0;
    }
  }

  /** Closes the files and removes the folder. */
  dispose(): void {
    this.flush();
    for (const file of this.files.values()) closeSync(file.fd);
    this.files.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private file(stepId: string) {
    let file = this.files.get(stepId);
    if (file === undefined) {
      const path = join(this.dir, `${String(++this.count).padStart(2, '0')}-${stepId.replace(/[^\w.-]/g, '_')}.log`);
      file = { fd: openSync(path, 'a'), path, pending: [], bytes: 0, runs: 0 };
      this.files.set(stepId, file);
    }
    return file;
  }

  /** Gathers `text` (one or more lines, without the last newline) for the step's file. */
  private append(stepId: string, text: string): void {
    const file = this.file(stepId);
    file.pending.push(text);
    file.bytes += text.length + 1;
    if (file.bytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 100);
  }
}
