/**
 * The few kinds of error kata-runner reports. Each maps to one exit code and prints as one
 * paragraph: what went wrong, where (file:line when there is one) and how to fix it.
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

export interface ErrorLocation {
  /** The kata file as the user named it. */
  readonly file?: string | undefined;
  /** 1-based line in that file. */
  readonly line?: number | undefined;
}

interface KataErrorOptions extends ErrorLocation {
  /** What to do about it, phrased as an instruction. */
  readonly hint?: string;
  readonly cause?: unknown;
}

/** A problem with the kata the user gave us (unreadable file, bad annotation, unclosed fence). Exit 2. */
export class KataError extends Error {
  override readonly name = 'KataError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: KataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = options.file;
    this.line = options.line;
    this.hint = options.hint;
  }

  /** `file:line: message. hint` on one paragraph. */
  format(): string {
    return formatParagraph(this.message, this, this.hint);
  }
}

/** The cluster cannot be reached, or refuses us, or the kubeconfig names nothing usable. Exit 3. */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    message: string,
    readonly hint: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  format(): string {
    return formatParagraph(this.message, {}, this.hint);
  }
}

/** Wrong command-line usage (unknown flag, missing argument). Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly hint: string = 'Run `kata --help` for the commands and their options.',
  ) {
    super(message);
  }

  format(): string {
    return formatParagraph(this.message, {}, this.hint);
  }
}

function formatParagraph(message: string, where: ErrorLocation, hint: string | undefined): string {
  const place = where.file === undefined ? '' : where.line === undefined ? `${where.file}: ` : `${where.file}:${where.line}: `;
  const body = /[.!?]$/.test(message) ? message : `${message}.`;
  return hint === undefined ? `${place}${body}` : `${place}${body} ${hint}`;
}
