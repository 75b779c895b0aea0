/**
 * A shell the kata opened in a pod: `kubectl exec -i` into a container, `kubectl debug -i` into a
 * new ephemeral container, or `kubectl run -i` of a new pod. No TTY: commands are framed into the
 * shell's stdin like on the host. Interrupting a command and background jobs use separate
 * `kubectl exec` calls into the same container, because signals do not travel through kubectl.
 */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import type { ShellOpener } from '../kata/model.js';
import {
  FramedProcess,
  GRACE_MS,
  spawnShell,
  until,
  type BackgroundJob,
  type CommandResult,
  type RunOptions,
  type ShellState,
} from './shell-session.js';
import { omitUndefined } from '../omit-undefined.js';

/** Where a pod shell lives, once opened. */
export interface PodShellOptions {
  readonly opener: ShellOpener;
  /** The opener's target with placeholders filled (a pod name, or `deploy/x`). */
  readonly target: string;
  /** Environment for kubectl (KUBECONFIG of the run). */
  readonly env: Record<string, string | undefined>;
  /** How long opening may take (image pulls for debug containers and new pods). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** The kubectl to use. */
  readonly kubectl?: string;
}

/** A script for `sh -c` that signals every child of PID (and their groups), then PID itself when asked. */
function signalScript(pid: number, signal: string, self: boolean): string {
  const sig = signal.replace(/^SIG/, '');
  return (
    `for d in /proc/[0-9]*; do p=\${d#/proc/}; s=$(cat $d/stat 2>/dev/null) || continue; s=\${s##*) }; set -- $s; ` +
    `[ "$2" = "${pid}" ] && { kill -${sig} -- -$p 2>/dev/null || kill -${sig} $p 2>/dev/null; }; done; ` +
    (self ? `kill -${sig} ${pid} 2>/dev/null; ` : '') +
    'true'
  );
}

export class PodShell {
  private readonly framed: FramedProcess;
  private readonly kubectl: string;
  private remotePid = -1;
  /** `pod/name` or `deploy/x` and the container, for exec calls into the same place. */
  private execTarget: { target: string; container?: string } = { target: '' };
  private readonly jobs = new Set<BackgroundJob>();

  private constructor(private readonly options: PodShellOptions) {
    this.kubectl = options.kubectl ?? 'kubectl';
    const { argv, exec } = PodShell.command(options.opener, options.target);
    this.execTarget = exec;
    const subprocess = spawnShell(this.kubectl, argv, { env: options.env });
    this.framed = new FramedProcess(
      subprocess,
      (signal) => this.signalRemote(signal, false),
      () => subprocess.kill('SIGKILL'),
    );
    this.framed.write(`set -m 2>/dev/null; trap ':' INT; PS1=; PS2=\n`);
  }

  /** Opens the shell and waits until it answers (the debug container or pod may first need its image). */
  static async open(options: PodShellOptions): Promise<PodShell> {
    const shell = new PodShell(options);
    let pid = '';
    // kubectl's own complaints (`pods "x" not found`, a Forbidden) arrive while this first
    // command is framed, so they are among its lines, not the stray output.
    const heard: string[] = [];
    const result = await shell.framed.run('echo "$$"', {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      internal: true,
      onLines: (lines) => {
        heard.push(...lines.filter((l) => l.trim() !== '').slice(-5));
        pid = (lines.at(-1) ?? '').trim();
      },
    });
    if (result.exitCode !== 0 || !/^\d+$/.test(pid)) {
      const said = [...heard.filter((l) => !/^\d+$/.test(l.trim())), shell.framed.strayOutput.trim()]
        .filter((l) => l !== '')
        .join('\n')
        .trim();
      await shell.close();
      throw new Error(
        result.timedOut
          ? `no answer within ${Math.round(options.timeoutMs / 1000)}s`
          : said === ''
            ? 'kubectl ended without opening a shell'
            : said.split('\n').slice(-3).join(' '),
      );
    }
    shell.remotePid = Number(pid);
    return shell;
  }

  /** The kubectl arguments for the long-lived shell (no TTY), and where later execs go. */
  static command(opener: ShellOpener, target: string): { argv: string[]; exec: { target: string; container?: string } } {
    const args: string[] = [];
    for (const arg of opener.args) {
      if (arg === opener.target) args.push(target);
      else if (/^-[a-zA-Z]*$/.test(arg) && /[it]/.test(arg)) {
        // -it / -ti / -t: keep stdin, drop the TTY (the runner is not a terminal).
        const rest = arg.slice(1).replace(/t/g, '');
        if (rest !== '') args.push(`-${rest}`);
      } else if (arg === '--tty' || arg === '--tty=true') continue;
      else args.push(arg);
    }
    if (!args.some((a) => a === '-i' || /^-[a-zA-Z]*i/.test(a) || a === '--stdin')) args.push('-i');
    let container = opener.kind === 'debug' ? undefined : opener.container;
    if (opener.kind === 'debug') {
      const named = args.findIndex((a) => a === '-c' || a === '--container' || a.startsWith('--container='));
      if (named === -1) {
        // Name it ourselves (as kubectl would: debugger-xxxxx) so background jobs can exec into it.
        container = `debugger-${randomBytes(4).toString('hex').slice(0, 5)}`;
        args.push(`--container=${container}`);
      } else container = (args[named] as string).includes('=') ? (args[named] as string).split('=')[1] : args[named + 1];
    }
    const execTarget = opener.kind === 'run' ? `pod/${target}` : target;
    return {
      argv: [...args, '--', opener.shell],
      exec: { target: execTarget, ...omitUndefined({ container }) },
    };
  }

  get alive(): boolean {
    return !this.framed.exited;
  }

  /** The pod (or `deploy/x`) and container this shell runs in. */
  get place(): { target: string; container?: string } {
    return this.execTarget;
  }

  /** Its directory and exported variables. */
  state(): Promise<ShellState> {
    return this.framed.state();
  }

  run(command: string, options: RunOptions): Promise<CommandResult> {
    return this.framed.run(command, options);
  }

  /**
   * Starts a job in the same container with a separate exec that inherits the shell's directory
   * and exported variables; it prints its PID first so it can be stopped with a real SIGINT.
   */
  async startBackground(command: string, onLines: (lines: readonly string[]) => void): Promise<BackgroundJob> {
    const { cwd: dir, exports } = await this.framed.state();
    const script = 'echo "$$"; eval "$1" 2>/dev/null; cd "$2" 2>/dev/null; exec sh -c "$3"';
    const job = execa(this.kubectl, ['exec', '-i', ...this.containerArgs(), '--', 'sh', '-c', script, 'sh', exports, dir, command], {
      buffer: false,
      reject: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      env: this.options.env,
      extendEnv: false,
    });
    let pid = -1;
    let exited = false;
    let partial = '';
    const feed = (chunk: string): void => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      if (pid === -1) {
        // The job's first line is its PID (kubectl's own warnings may come before it).
        const at = lines.findIndex((line) => /^\d+$/.test(line.trim()));
        if (at !== -1) pid = Number(lines.splice(at, 1)[0]?.trim());
      }
      if (lines.length > 0) onLines(lines);
    };
    job.stdout.setEncoding('utf8');
    job.stdout.on('data', feed);
    job.stderr.setEncoding('utf8');
    job.stderr.on('data', feed);
    const done = job.then((r) => {
      exited = true;
      if (partial !== '') onLines([partial]);
      partial = '';
      return r.exitCode;
    });
    await until(() => pid !== -1 || exited, 30_000);
    if (pid === -1) throw new Error(`kubectl exec into ${this.execTarget.target} did not start the job`);
    const handle = {
      pid,
      get exited() {
        return exited;
      },
      stop: async (graceMs = GRACE_MS): Promise<number | undefined> => {
        for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
          if (exited) break;
          await this.execQuiet(['sh', '-c', signalScript(pid, signal, true)]);
          await until(() => exited, graceMs);
        }
        if (!exited) job.kill('SIGKILL');
        const code = await done;
        this.jobs.delete(handle);
        return code;
      },
    };
    this.jobs.add(handle);
    return handle;
  }

  async close(): Promise<string[]> {
    for (const job of [...this.jobs]) await job.stop(1000);
    // Closing kubectl's stdin does not always reach the container (attach), and a shell that is
    // PID 1 of an ephemeral container ignores SIGTERM: the pod would wait out its grace period
    // when the cleanup deletes it. So the shell is told to exit, as the learner would.
    this.framed.write('exit\n');
    await this.framed.end();
    // What it started in the container goes with the pod (or its ephemeral container).
    return [];
  }

  private containerArgs(): string[] {
    const { target, container } = this.execTarget;
    return container === undefined ? [target] : [target, '-c', container];
  }

  private async signalRemote(signal: NodeJS.Signals, self: boolean): Promise<void> {
    if (this.remotePid <= 0) return;
    await this.execQuiet(['sh', '-c', signalScript(this.remotePid, signal, self)]);
  }

  private async execQuiet(command: string[]): Promise<void> {
    await execa(this.kubectl, ['exec', ...this.containerArgs(), '--', ...command], {
      reject: false,
      env: this.options.env,
      extendEnv: false,
      timeout: 15_000,
    });
  }
}
