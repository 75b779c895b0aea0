/**
 * Splits a code block into the commands a person would type: one per line, with `\`
 * continuations joined, comments dropped, and multi-line constructs (quotes, heredocs,
 * `for ...; do` ... `done`, `$(` ... `)`) kept whole for the shell.
 */

/** A command as found in a block. */
export interface SourceCommand {
  readonly text: string;
  /** 1-based line in the kata of its first source line. */
  readonly line: number;
  /** True when the block ended while the command was still open (unclosed quote, missing `done`). */
  readonly unfinished: boolean;
}

/** The commands of a block, and whether `$ ` prompts marked them (other lines being output). */
export interface BlockCommands {
  readonly commands: readonly SourceCommand[];
  readonly prompted: boolean;
}

const PROMPT = /^\s*\$ /;

/**
 * True when a line of `code` starts with a `$ ` prompt. Line by line: `/^\s*\$ /m` on the whole
 * block retries `\s*` at every line of a long run of blank lines, quadratic in their number.
 */
export function hasPrompts(code: string): boolean {
  return code.split('\n').some((line) => PROMPT.test(line));
}

/** Splits `code` whose first line is kata line `firstLine`. Linear in the size of the block. */
export function splitCommands(code: string, firstLine: number): BlockCommands {
  const lines = code.replace(/\n$/, '').split('\n');
  const prompted = hasPrompts(code);
  const commands: SourceCommand[] = [];
  let buffer: string[] = [];
  let startLine = 0;
  const scanner = new ShellScanner();

  const flush = (unfinished: boolean): void => {
    if (buffer.length === 0) return;
    const text = joinContinuations(buffer).trim();
    if (text !== '') commands.push({ text, line: startLine, unfinished });
    buffer = [];
    scanner.reset();
  };

  lines.forEach((raw, index) => {
    let line = raw.replace(/\r$/, '');
    if (buffer.length === 0) {
      if (prompted) {
        if (!PROMPT.test(line)) return; // output printed by the previous command
        line = line.replace(PROMPT, '');
      }
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      startLine = firstLine + index;
    }
    buffer.push(line);
    scanner.feed(line);
    if (scanner.complete()) flush(false);
  });
  flush(true);
  return { commands, prompted };
}

/**
 * Joins a command's lines, a line that ends with `\\` running on into the next with one space
 * (the blanks around the break dropped). A loop, not a regular expression: `[ \\t]*\\\\\\n` is
 * retried at every blank of a long run of blanks, quadratic in its length.
 */
function joinContinuations(lines: readonly string[]): string {
  let text = '';
  let continued = false;
  lines.forEach((line, k) => {
    let part = continued ? line.slice(blanksFrom(line, 0)) : line;
    const separator = k === 0 ? '' : continued ? ' ' : '\n';
    continued = k < lines.length - 1 && part.endsWith('\\');
    if (continued) part = part.slice(0, blanksBefore(part, part.length - 1));
    text += separator + part;
  });
  return text;
}

/** The index of the first character at or after `from` that is not a space or tab. */
function blanksFrom(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/** The index where the run of spaces and tabs that ends right before `end` starts. */
function blanksBefore(text: string, end: number): number {
  let i = end;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  return i;
}

/** Characters that end a word: whitespace, operators, quotes, backslash, redirections. */
const WORD_END = new Set([...' \t\r\n\v\f;&|()\'"\\<>'].map((c) => c.charCodeAt(0)));
const OPENERS = new Set(['for', 'while', 'until', 'if', 'case', 'select']);
const CLOSERS = new Set(['done', 'fi', 'esac']);
/** Words after which the next word is again in command position. */
const COMMAND_POSITION_AFTER = new Set(['do', 'then', 'else', 'elif', '{', '!', 'time']);

/**
 * An approximate shell lexer: enough to know whether the text fed so far is a complete command.
 * It never backtracks, so it cannot hang on any input.
 */
export class ShellScanner {
  private quote: "'" | '"' | '' = '';
  private depth = 0;
  private parens = 0;
  private heredocs: string[] = [];
  private inHeredoc = false;
  private trailingContinuation = false;
  private nextLineCommandPosition = true;

  reset(): void {
    this.nextLineCommandPosition = true;
    this.quote = '';
    this.depth = 0;
    this.parens = 0;
    this.heredocs = [];
    this.inHeredoc = false;
    this.trailingContinuation = false;
  }

  /** Feeds one source line (without its newline). */
  feed(line: string): void {
    if (this.inHeredoc) {
      const delimiter = this.heredocs[0];
      if (delimiter !== undefined && line.replace(/^\t+/, '') === delimiter) this.heredocs.shift();
      this.inHeredoc = this.heredocs.length > 0;
      return;
    }
    this.scanLine(line);
    if (this.heredocs.length > 0 && this.quote === '') this.inHeredoc = true;
  }

  /** True when everything fed forms complete commands. */
  complete(): boolean {
    return this.quote === '' && this.depth <= 0 && this.parens <= 0 && !this.inHeredoc && !this.trailingContinuation;
  }

  private scanLine(line: string): void {
    // A new line starts a new command unless the previous one ended with `\`, `|` or `&&`.
    let commandPosition = this.nextLineCommandPosition;
    this.nextLineCommandPosition = true;
    this.trailingContinuation = false;
    let i = 0;
    const n = line.length;
    while (i < n) {
      const c = line[i] as string;
      if (this.quote === "'") {
        if (c === "'") this.quote = '';
        i++;
        continue;
      }
      if (this.quote === '"') {
        if (c === '\\') i += 2;
        else {
          if (c === '"') this.quote = '';
          i++;
        }
        continue;
      }
      if (c === '\\') {
        if (i === n - 1) {
          this.trailingContinuation = true;
          this.nextLineCommandPosition = commandPosition;
          return;
        }
        i += 2;
        commandPosition = false;
        continue;
      }
      if (c === "'" || c === '"') {
        this.quote = c;
        commandPosition = false;
        i++;
        continue;
      }
      if (c === ' ' || c === '\t') {
        i++;
        continue;
      }
      if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string))) return; // comment to end of line
      if (c === ';' || c === '&' || c === '|') {
        commandPosition = true;
        i++;
        continue;
      }
      if (c === '(') {
        this.parens++;
        commandPosition = true;
        i++;
        continue;
      }
      if (c === ')') {
        this.parens--;
        i++;
        continue;
      }
      if (c === '<' && line.startsWith('<<', i) && !line.startsWith('<<<', i)) {
        const match = /^<<-?\s*(['"]?)([A-Za-z_][\w-]*)\1/.exec(line.slice(i));
        if (match !== null) {
          this.heredocs.push(match[2] as string);
          i += match[0].length;
          continue;
        }
      }
      // A word: read up to the next separator.
      let j = i;
      while (j < n && !WORD_END.has(line.charCodeAt(j))) j++;
      if (j === i) {
        i++; // a lone redirection character
        continue;
      }
      const word = line.slice(i, j);
      if (commandPosition) {
        if (OPENERS.has(word)) this.depth++;
        else if (CLOSERS.has(word)) this.depth--;
        else if (word === '}') this.depth--;
        if (word === '{') this.depth++;
      }
      commandPosition = COMMAND_POSITION_AFTER.has(word) || (commandPosition && (word === '{' || word === '}'));
      i = j;
    }
    const tail = line.trimEnd();
    if (this.quote === '' && (tail.endsWith('|') || tail.endsWith('&&'))) this.trailingContinuation = true;
  }
}
