/**
 * The few kinds of error kata-runner reports, on one base that carries the exit code and the
 * hint, and the one table from a command's outcome to its exit code. Nothing else in kata-runner
 * knows exit codes: commands return an Outcome or throw one of these, and src/cli.ts's handler
 * prints the paragraph and exits with the code.
 */

/** Documented exit codes (see README). */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  cluster: 3,
  internal: 4,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * How a command ended when it did not throw: `ok`; `failed` (a step, a check, the cleanup, lint
 * errors, a doctor finding); `unreadable` (`kata test`: a kata it found could not be read, the
 * others ran); `unavailable` (what it asks about is not there: the lab or its mesh
 * not running); `interrupted` (Ctrl-C, SIGTERM, the learner quit).
 */
export type Outcome = 'ok' | 'failed' | 'unreadable' | 'unavailable' | 'interrupted';

/** The exit code of an outcome. */
export function exitCodeOf(outcome: Outcome): ExitCodeValue {
  switch (outcome) {
    case 'ok':
      return ExitCode.ok;
    case 'failed':
      return ExitCode.failed;
    case 'unreadable':
      return ExitCode.usage;
    case 'unavailable':
      return ExitCode.cluster;
    case 'interrupted':
      return ExitCode.interrupted;
  }
}

export interface ErrorLocation {
  /** The kata file as the user named it. */
  readonly file?: string | undefined;
  /** 1-based line in that file. */
  readonly line?: number | undefined;
}

interface BaseOptions extends ErrorLocation {
  /** What to do about it, phrased as an instruction. */
  readonly hint?: string | undefined;
  readonly cause?: unknown;
  /** The command that reports it, for the prefix: `kata lab: ...` instead of `kata: ...`. */
  readonly command?: string | undefined;
}

/**
 * Every error kata-runner reports on purpose: one paragraph (`file:line: what. How to fix it.`)
 * and the exit code that goes with its kind.
 */
export abstract class KataRunnerError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly hint: string | undefined;
  /** The subcommand that reports it (`lab`), when the paragraph should name it. */
  readonly command: string | undefined;

  constructor(message: string, options: BaseOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = options.file;
    this.line = options.line;
    this.hint = options.hint;
    this.command = options.command;
  }

  /** `file:line: message. hint` on one paragraph. */
  format(): string {
    return formatParagraph(this.message, this, this.hint);
  }
}

/** A problem with the kata the user gave us (unreadable file, bad annotation, unclosed fence). Exit 2. */
export class KataError extends KataRunnerError {
  override readonly name = 'KataError';
  readonly exitCode = ExitCode.usage;
}

/** Wrong command-line usage (unknown flag, missing argument). Exit 2. */
export class UsageError extends KataRunnerError {
  override readonly name = 'UsageError';
  readonly exitCode = ExitCode.usage;

  constructor(message: string, hint = 'Run `kata --help` for the commands and their options.', options: Omit<BaseOptions, 'hint'> = {}) {
    super(message, { ...options, hint });
  }
}

/**
 * The cluster (or the lab) cannot be reached, refuses us, lacks what is needed, or the kubeconfig
 * names nothing usable: something the user sets up. Exit 3.
 */
export class ClusterError extends KataRunnerError {
  override readonly name = 'ClusterError';
  readonly exitCode = ExitCode.cluster;

  constructor(message: string, hint: string, options: Omit<BaseOptions, 'hint'> = {}) {
    super(message, { ...options, hint });
  }
}

/** What an external command did, for an ExternalError. */
export interface ExternalCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly exitCode: number;
  /** Its last lines of output. */
  readonly tail: readonly string[];
}

/**
 * A program kata-runner runs on the user's behalf failed in a way no precondition could name (a
 * stage of the lab's build): the command, its exit status and the end of its output. Exit 1.
 */
export class ExternalError extends KataRunnerError {
  override readonly name = 'ExternalError';
  readonly exitCode = ExitCode.failed;

  constructor(
    message: string,
    readonly external: ExternalCommand,
    hint: string,
    options: Omit<BaseOptions, 'hint'> = {},
  ) {
    super(message, { ...options, hint });
  }
}

/** Something kata-runner itself got wrong: never the user's fault. Exit 4. */
export class BugError extends KataRunnerError {
  override readonly name = 'BugError';
  readonly exitCode = ExitCode.internal;

  constructor(message: string, options: Omit<BaseOptions, 'hint'> = {}) {
    super(message, { ...options, hint: 'This is a bug in kata-runner; please report it with the command you ran.' });
  }
}

/**
 * What the top-level handler prints and returns for any error: the error's own paragraph and exit
 * code, or, for anything unexpected, an internal error (exit 4) with the stack only on request.
 */
export function describeError(error: unknown, debug: boolean): { readonly text: string; readonly exitCode: ExitCodeValue } {
  if (error instanceof KataRunnerError) {
    const text = `kata${error.command === undefined ? '' : ` ${error.command}`}: ${error.format()}`;
    return {
      text: debug && error.exitCode === ExitCode.internal && error.stack !== undefined ? `${text}\n${error.stack}` : text,
      exitCode: error.exitCode,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : '';
  return {
    text: `kata: internal error: ${message}. This is a bug in kata-runner; please report it with the command you ran${debug ? '' : ' (set KATA_DEBUG=1 to see the stack trace)'}.${stack}`,
    exitCode: ExitCode.internal,
  };
}

/**
 * The top-level handler: runs a command and returns its exit code; whatever it throws is written
 * as its paragraph (`writeError`, stderr in the CLI) and becomes the error's exit code.
 */
export async function runToExitCode(
  command: () => Promise<Outcome> | Outcome,
  writeError: (text: string) => void,
  debug = false,
): Promise<ExitCodeValue> {
  try {
    return exitCodeOf(await command());
  } catch (error) {
    const { text, exitCode } = describeError(error, debug);
    writeError(text);
    return exitCode;
  }
}

function formatParagraph(message: string, where: ErrorLocation, hint: string | undefined): string {
  const place = where.file === undefined ? '' : where.line === undefined ? `${where.file}: ` : `${where.file}:${where.line}: `;
  const body = /[.!?]$/.test(message) ? message : `${message}.`;
  return hint === undefined ? `${place}${body}` : `${place}${body} ${hint}`;
}
