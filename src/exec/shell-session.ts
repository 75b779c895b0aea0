/**
 * A long-lived shell that commands are fed into, so `cd`, `export` and variables carry from step
 * to step exactly as in the learner's terminal. Output and exit status of each command are framed
 * by markers (see framing.ts); a command that overruns its timeout is interrupted without killing
 * the shell.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';
import { FrameParser, framedCommand, shellQuote } from './framing.js';
import { childPids, describeProcess, isAlive, processesTagged, signalGroup } from './procs.js';
import { omitUndefined } from '../omit-undefined.js';
import { UsageError } from '../errors.js';

/** How a command in a session ended. */
export interface CommandResult {
  /** Exit status, undefined when the command had to be killed together with its shell. */
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  /** Stopped because the run was interrupted (Ctrl-C, SIGTERM). */
  readonly interrupted: boolean;
  /** The shell itself died or had to be killed: its state (cwd, variables) is gone. */
  readonly sessionLost: boolean;
}

export interface RunOptions {
  readonly timeoutMs: number;
  /** The command's output, in complete lines, as they arrive (a chunk's worth per call). */
  readonly onLines: (lines: readonly string[]) => void;
  readonly signal?: AbortSignal;
  /** The runner's own command (`wait`, `pwd`): the learner's `set -e` must not end the shell over it. */
  readonly internal?: boolean;
}

/** A shell's directory and exported variables (`pwd`, `export -p`), to start another shell the same way. */
export interface ShellState {
  /** Its working directory. */
  readonly cwd: string;
  /** Its exported variables, as `export -p` prints them. */
  readonly exports: string;
}

/** A job started in the background of a session (tcpdump, a server, a loop). */
export interface BackgroundJob {
  readonly pid: number;
  /** Stops it with SIGINT (so tcpdump & co. flush), then SIGTERM, then SIGKILL; resolves with its exit status. */
  stop(graceMs?: number): Promise<number | undefined>;
  /** True once it has exited by itself or been stopped. */
  readonly exited: boolean;
}

export interface SessionOptions {
  /** Environment of the shell (merged over nothing: pass process.env explicitly to inherit). */
  readonly env: Record<string, string | undefined>;
  readonly cwd?: string;
}

/** Time between SIGINT, SIGTERM and SIGKILL when stopping something. */
export const GRACE_MS = 2000;
const POLL_MS = 50;

/** Starts a shell process with piped stdio and exactly the environment given: the one way shells are spawned. */
export function spawnShell(file: string, args: readonly string[], options: SessionOptions & { readonly detached?: boolean }) {
  return execa(file, args, {
    detached: options.detached ?? false,
    buffer: false,
    reject: false,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    env: options.env,
    extendEnv: false,
    ...omitUndefined({ cwd: options.cwd }),
  });
}

/** What a framed shell needs of its process: pipes, a pid, and a promise that settles when it ends. */
export interface PipedProcess extends PromiseLike<unknown> {
  readonly pid?: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
}

/**
 * A shell process that commands are framed into: the part a host shell and a pod shell share.
 * `interrupt` stops the running command (SIGINT, then SIGTERM, then SIGKILL); when even that
 * does not end it (a builtin loop), the whole process is killed and the session is lost.
 */
export class FramedProcess {
  readonly marker = `KATA${randomBytes(6).toString('hex')}`;
  private readonly parser = new FrameParser(this.marker);
  private queue: Promise<unknown> = Promise.resolve();
  private exitedFlag = false;
  /** Everything the process wrote before the first command, or after it died: for error messages. */
  private stray: string[] = [];

  constructor(
    readonly process: PipedProcess,
    /** Signals the running command; `false` when it had no process to signal (yet). */
    private readonly interrupt: (signal: NodeJS.Signals) => boolean | Promise<void>,
    private readonly killAll: () => void,
  ) {
    this.parser.onLines = (lines) => this.keepStray(lines);
    this.parser.expect([]);
    process.stdout.setEncoding('utf8');
    process.stdout.on('data', (chunk: string) => this.parser.push(chunk));
    process.stderr.setEncoding('utf8');
    process.stderr.on('data', (chunk: string) => {
      this.parser.onLines(chunk.replace(/\n$/, '').split('\n'));
    });
    process.stdin.on('error', () => {}); // the shell died; run() reports it
    void process
      .then(undefined, () => undefined)
      .then(() => {
        this.exitedFlag = true;
        this.parser.onEnd(Number.NaN);
      });
  }

  get exited(): boolean {
    return this.exitedFlag;
  }

  /** The last lines printed outside of any command (kubectl's own errors, for instance). */
  get strayOutput(): string {
    return this.stray.join('\n');
  }

  write(text: string): void {
    if (!this.exitedFlag) this.process.stdin.write(text);
  }

  /** Runs one command (which may span lines) and resolves when it ends, times out or is interrupted. */
  run(command: string, options: RunOptions): Promise<CommandResult> {
    const next = this.queue.then(() => this.runNow(command, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runNow(command: string, options: RunOptions): Promise<CommandResult> {
    if (this.exitedFlag) return Promise.resolve({ exitCode: undefined, timedOut: false, interrupted: false, sessionLost: true });
    if (options.signal?.aborted === true)
      return Promise.resolve({ exitCode: undefined, timedOut: false, interrupted: true, sessionLost: false });
    return new Promise((resolve) => {
      let timedOut = false;
      let interrupted = false;
      let escalation: NodeJS.Timeout | undefined;
      let retry: NodeJS.Timeout | undefined;
      const nonces = [randomBytes(6).toString('hex'), randomBytes(6).toString('hex')] as const;
      const lines = framedCommand(command, this.marker, nonces, options.internal === true);
      let interruptLineSent = false;
      const finish = (exitCode: number): void => {
        clearTimeout(timer);
        clearTimeout(escalation);
        clearTimeout(retry);
        options.signal?.removeEventListener('abort', onAbort);
        this.parser.onLines = (lines) => this.keepStray(lines);
        this.parser.onEnd = () => {};
        this.parser.expect([]);
        const lost = Number.isNaN(exitCode);
        resolve({ exitCode: lost ? undefined : exitCode, timedOut, interrupted, sessionLost: lost });
      };
      const stopForeground = (): void => {
        // An interrupt that comes between two commands of a step (`echo a; sleep 2`) finds no
        // process to stop: it is sent again as soon as there is one, not 2 s later as SIGTERM.
        const sigint = (): void => {
          if (this.interrupt('SIGINT') === false && !this.exitedFlag) retry = setTimeout(sigint, POLL_MS);
        };
        if (!interruptLineSent) {
          interruptLineSent = true;
          this.write(lines.afterInterrupt);
        }
        sigint();
        escalation = setTimeout(() => {
          clearTimeout(retry);
          void this.interrupt('SIGTERM');
          escalation = setTimeout(() => {
            void this.interrupt('SIGKILL');
            // A shell builtin loop has no process of its own to kill: the shell has to go.
            escalation = setTimeout(() => this.killAll(), GRACE_MS);
          }, GRACE_MS);
        }, GRACE_MS);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stopForeground();
      }, options.timeoutMs);
      const onAbort = (): void => {
        interrupted = true;
        clearTimeout(timer);
        stopForeground();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.parser.onLines = options.onLines;
      this.parser.onEnd = finish;
      this.parser.expect(nonces);
      this.process.stdin.write(lines.command);
    });
  }

  /** The shell's directory and exported variables, read between two commands. */
  async state(): Promise<ShellState> {
    const lines: string[] = [];
    const result = await this.run('pwd; export -p', { timeoutMs: 10_000, internal: true, onLines: (some) => lines.push(...some) });
    if (result.exitCode !== 0) throw new Error('the shell did not tell its directory');
    return { cwd: lines[0] ?? '/', exports: lines.slice(1).join('\n') };
  }

  /** Closes stdin and waits for the process to end; kills it when it does not within the grace time. */
  async end(): Promise<void> {
    if (!this.exitedFlag) {
      this.process.stdin.end();
      await until(() => this.exitedFlag, GRACE_MS);
      if (!this.exitedFlag) this.killAll();
    }
    await this.process;
  }

  private keepStray(lines: readonly string[]): void {
    this.stray.push(...lines.slice(-20));
    if (this.stray.length > 20) this.stray.splice(0, this.stray.length - 20);
  }
}

/**
 * A folder of its own for the host shell's job logs, in the temporary folder. Node takes TMPDIR as
 * it is; one that does not exist is the user's to fix, so it is said so, not reported as a bug.
 */
function jobsFolder(): string {
  try {
    return mkdtempSync(join(tmpdir(), 'kata-jobs-'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES') throw error;
    const what = code === 'EACCES' ? 'cannot be written to' : 'does not exist';
    throw new UsageError(
      `the temporary folder ${tmpdir()} (TMPDIR) ${what}`,
      `Create it (mkdir -p "${tmpdir()}"), set TMPDIR to a folder you can write to, or unset it to use /tmp.`,
      { cause: error },
    );
  }
}

/** A bash on this machine, in its own process group, with job control so each command gets a group of its own. */
export class HostShell {
  private readonly framed: FramedProcess;
  private readonly jobs = new Set<number>();
  /** The folder of its background jobs' logs (removed by `close`; a crashed run's is found by its record). */
  readonly logDir = jobsFolder();
  private jobCount = 0;

  /**
   * Every process the kata starts from this shell inherits this mark in its environment, however
   * it detaches (`cmd &`, `nohup`, `setsid`): that is how the close finds and stops them.
   */
  private readonly mark = `${process.pid}-${randomUUID()}`;

  constructor(options: SessionOptions) {
    const subprocess = spawnShell('bash', ['--noprofile', '--norc'], {
      ...options,
      env: { ...options.env, [SHELL_MARK]: this.mark },
      detached: true,
    });
    this.framed = new FramedProcess(
      subprocess,
      (signal) => this.signalForeground(signal),
      () => this.kill(),
    );
    // Job control gives every command its own process group, which is what lets a timeout stop
    // the command and not the shell. A trap (not an ignore) on INT keeps the shell alive when its
    // foreground job dies of SIGINT, and children still get the default SIGINT behaviour.
    this.framed.write(`set -m; exec 2>&1; trap ':' INT; PS1=; PS2=; unset HISTFILE\n`);
  }

  /** PID of the shell. */
  get pid(): number {
    return this.framed.process.pid ?? -1;
  }

  /** True while the shell is running. */
  get alive(): boolean {
    return !this.framed.exited;
  }

  /** Runs one command (which may span lines) and resolves when it ends, times out or is interrupted. */
  run(command: string, options: RunOptions): Promise<CommandResult> {
    return this.framed.run(command, options);
  }

  /** Its directory and exported variables. */
  state(): Promise<ShellState> {
    return this.framed.state();
  }

  /** Starts `command` in the background of this shell (same cwd and variables); its output is streamed to `onLines`. */
  async startBackground(command: string, onLines: (lines: readonly string[]) => void): Promise<BackgroundJob> {
    const log = join(this.logDir, `job-${++this.jobCount}.log`);
    let pidText = '';
    const started = await this.run(`{ eval ${shellQuote(command)}; } </dev/null >>${shellQuote(log)} 2>&1 &\necho "$!"`, {
      timeoutMs: 10_000,
      internal: true,
      onLines: (lines) => (pidText = (lines.at(-1) ?? '').trim()),
    });
    const pid = Number(pidText);
    if (started.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0)
      throw new Error(`could not start a background job in the shell: ${pidText}`);
    this.jobs.add(pid);
    const tail = new FileTail(log, onLines);
    const poller = setInterval(() => tail.read(), POLL_MS * 2);
    let exitCode: number | undefined;
    let exited = false;
    const waitExit = async (): Promise<void> => {
      // `wait` in the shell reaps the job and tells its status; the shell is free by now.
      const result = await this.run(`wait ${pid}`, { timeoutMs: 10_000, internal: true, onLines: () => {} });
      exitCode = result.exitCode;
    };
    const job: BackgroundJob = {
      pid,
      get exited() {
        return exited || !isAlive(pid);
      },
      stop: async (graceMs = GRACE_MS) => {
        if (!exited) {
          for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
            if (!isAlive(pid)) break;
            signalGroup(pid, signal);
            await until(() => !isAlive(pid), graceMs);
          }
          await waitExit();
          exited = true;
          this.jobs.delete(pid);
        }
        clearInterval(poller);
        tail.drain();
        tail.flush();
        return exitCode;
      },
    };
    return job;
  }

  /**
   * Ends the shell: background jobs are stopped, then the shell exits (or is killed), then every
   * process the kata started from it and left running (`cmd &`, `nohup`, `setsid`) is stopped.
   * Resolves with those processes, for the report.
   */
  async close(): Promise<string[]> {
    for (const pid of this.jobs) {
      signalGroup(pid, 'SIGINT');
      await until(() => !isAlive(pid), GRACE_MS);
      if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
    }
    this.jobs.clear();
    // The shell's end waits for its output pipes to close, which a stray child holds open.
    const ended = this.framed.end();
    await until(() => this.framed.exited || !isAlive(this.pid), GRACE_MS * 2);
    const { stopped: strays } = await stopTagged(SHELL_MARK, this.mark);
    await ended;
    rmSync(this.logDir, { recursive: true, force: true });
    return strays;
  }

  /** Signals the shell's foreground command; false when it has no process (between two commands, or a builtin). */
  private signalForeground(signal: NodeJS.Signals): boolean {
    if (this.framed.exited) return true;
    let reached = false;
    for (const child of childPids(this.pid)) {
      if (this.jobs.has(child)) continue;
      signalGroup(child, signal);
      reached = true;
    }
    return reached;
  }

  private kill(): void {
    if (this.framed.exited) return;
    for (const pid of this.jobs) signalGroup(pid, 'SIGKILL');
    signalGroup(this.pid, 'SIGKILL');
  }
}

/** Resolves when `condition` holds or after `ms`. */
export async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
}

/** The environment variable that marks the processes of one host shell. */
export const SHELL_MARK = 'KATA_RUNNER_SHELL';

/**
 * The environment variable that marks every process of one run (its value is the run's id), in
 * all of its host shells: how a later run finds what a run that was killed left running.
 */
export const RUN_MARK = 'KATA_RUNNER_RUN';

/**
 * Stops the processes whose environment holds `name=value` (SIGTERM, then SIGKILL after the
 * grace); returns them as named for a report, and those still alive after SIGKILL (a process
 * in uninterruptible sleep).
 */
export async function stopTagged(name: string, value: string): Promise<{ stopped: string[]; alive: string[] }> {
  const pids = processesTagged(name, value);
  if (pids.length === 0) return { stopped: [], alive: [] };
  const names = new Map(pids.map((pid) => [pid, describeProcess(pid)]));
  for (const pid of pids) signalGroup(pid, 'SIGTERM');
  await until(() => pids.every((pid) => !isAlive(pid)), GRACE_MS);
  const stubborn = pids.filter((pid) => isAlive(pid));
  for (const pid of stubborn) signalGroup(pid, 'SIGKILL');
  await until(() => stubborn.every((pid) => !isAlive(pid)), GRACE_MS);
  const alive = new Set(stubborn.filter((pid) => isAlive(pid)));
  return {
    stopped: pids.filter((pid) => !alive.has(pid)).map((pid) => names.get(pid) as string),
    alive: [...alive].map((pid) => names.get(pid) as string),
  };
}

/** Most a job's log is read in one turn of the event loop: the rest waits for the next poll. */
const SLICE_BYTES = 4 * 1024 * 1024;
/** A line longer than this is handed over in pieces of this size. */
const LONG_LINE_CHARS = 64 * 1024;
/** Most of a job's log kept on disk: beyond it the unread part is dropped (and said so). */
export const JOB_LOG_CAP_BYTES = 64 * 1024 * 1024;

/**
 * Reads a growing file (a background job's log) from where it left off and hands out complete
 * lines, in bounded slices so that a job that writes faster
 * than it can be read (`yes`, `tcpdump -XX` under load) never starves the event loop (timers,
 * signals, the job's bound). The job appends (`>>`), so the log can be emptied under it: when
 * it grows past JOB_LOG_CAP_BYTES the unread bytes are dropped, counted, and a line says so.
 */
class FileTail {
  private offset = 0;
  private partial = '';
  private readonly buffer = Buffer.alloc(64 * 1024);
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly path: string,
    private readonly onLines: (lines: readonly string[]) => void,
  ) {}

  read(): void {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return;
    }
    if (size > JOB_LOG_CAP_BYTES) {
      const dropped = size - this.offset;
      truncateSync(this.path, 0);
      this.offset = 0;
      this.partial = '';
      this.onLines([`[kata-runner: at least ${dropped} bytes of this job's output dropped: it wrote faster than they could be read]`]);
      return;
    }
    if (size <= this.offset) return;
    const fd = openSync(this.path, 'r');
    try {
      let slice = 0;
      while (slice < SLICE_BYTES) {
        const n = readSync(fd, this.buffer, 0, this.buffer.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        slice += n;
        const text = this.partial + this.decoder.write(this.buffer.subarray(0, n));
        const lines = text.split('\n');
        this.partial = lines.pop() ?? '';
        // One endless line is cut, not joined again on every read (memory stays bounded).
        if (this.partial.length > LONG_LINE_CHARS) {
          lines.push(this.partial);
          this.partial = '';
        }
        if (lines.length > 0) this.onLines(lines);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Reads what is left (a stopped job writes no more), still in slices. */
  drain(): void {
    for (let before = -1; before !== this.offset;) {
      before = this.offset;
      this.read();
    }
  }

  flush(): void {
    if (this.partial !== '') this.onLines([this.partial]);
    this.partial = '';
  }
}
