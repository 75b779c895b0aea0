/**
 * The annotation language: `<!-- kata: clause; clause -->` right before a code block. Invisible
 * when the Markdown is rendered, so annotated katas still read as ordinary katas.
 */
import { RE2JS } from 're2js';
import { KataError } from '../errors.js';
import type { Check } from './model.js';

/** What an annotation says about the block after it. */
export interface Annotation {
  /** 1-based line of the `<!--`. */
  readonly line: number;
  skip: boolean;
  run: boolean;
  id?: string;
  in?: { readonly name: string; readonly line: number };
  as?: string;
  timeoutMs?: number;
  retryMs?: number;
  background?:
    | { readonly kind: 'default' }
    | { readonly kind: 'for'; readonly ms: number }
    | { readonly kind: 'while'; readonly step: string; readonly line: number };
  readonly needs: string[];
  readonly checks: Check[];
}

/** Matches an HTML comment that is a kata annotation, capturing its body. */
export const ANNOTATION = /^\s*<!--\s*kata:([\s\S]*?)-->\s*$/;

const CLAUSES = ['skip', 'run', 'id', 'in', 'as', 'timeout', 'retry', 'background', 'needs', 'expect'];
const EXPECTS = ['contains', 'not-contains', 'matches', 'exit', 'payload', 'ephemeral-container'];
const NEEDS = ['mesh'];
/** Names of steps and contexts: what a person can type after `in`, `as`, `id`, `while`. */
const NAME = /^[A-Za-z0-9][\w.-]*$/;

/**
 * Parses the body of `<!-- kata: ... -->` (the text after `kata:`), which starts on kata
 * line `line`. Throws a KataError naming the clause's own line for anything it does not know.
 */
export function parseAnnotation(body: string, line: number, file: string): Annotation {
  const annotation: Annotation = { line, skip: false, run: false, needs: [], checks: [] };
  for (const clause of splitClauses(body, line)) {
    applyClause(annotation, clause, file);
  }
  return annotation;
}

interface Clause {
  readonly text: string;
  readonly line: number;
}

/** Splits on `;` outside double quotes, remembering the line each clause starts on. */
function splitClauses(body: string, line: number): Clause[] {
  const clauses: Clause[] = [];
  let current = '';
  let currentLine = line;
  let startLine = line;
  let quoted = false;
  // Whether `current` is still only blanks: a flag, as `current.trim()` at every character was quadratic.
  let blank = true;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\n') currentLine++;
    if (blank && !/\s/.test(c)) {
      startLine = currentLine;
      blank = false;
    }
    if (c === '\\' && quoted) {
      current += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      clauses.push({ text: current.trim(), line: startLine });
      current = '';
      blank = true;
      continue;
    }
    current += c;
  }
  clauses.push({ text: current.trim(), line: startLine });
  return clauses.filter((c) => c.text !== '');
}

/** A value as quoted in a message: a pasted megabyte makes a message no one can read. */
function quote(text: string): string {
  return `"${text.length > 80 ? `${text.slice(0, 77)}...` : text}"`;
}

function applyClause(a: Annotation, clause: Clause, file: string): void {
  const fail = (message: string, hint: string): never => {
    throw new KataError(message, { file, line: clause.line, hint });
  };
  const [keyword = '', ...rest] = clause.text.split(/\s+/);
  const argument = clause.text.slice(keyword.length).trim();
  const needName = (what: string): string => {
    if (rest.length !== 1 || !NAME.test(argument)) {
      fail(
        `\`${keyword}\` needs one ${what} (letters, digits, '-', '_', '.'), got ${quote(argument)}`,
        `Write e.g. \`${keyword} ${what === 'step id' ? 'curl-nginx' : 'tooling'}\`.`,
      );
    }
    return argument;
  };
  switch (keyword) {
    case 'skip':
    case 'run':
      if (argument !== '') fail(`\`${keyword}\` takes no value, got ${quote(argument)}`, `Write just \`${keyword}\`.`);
      a[keyword] = true;
      return;
    case 'id':
      a.id = needName('step id');
      return;
    case 'in':
      a.in = { name: needName('context name'), line: clause.line };
      return;
    case 'as':
      a.as = needName('context name');
      return;
    case 'timeout':
    case 'retry': {
      const ms = parseDuration(argument);
      if (ms === undefined)
        return fail(
          `\`${keyword}\` needs a duration from 1ms to 24h like 30s, 2m or 1m30s, got ${quote(argument)}`,
          `Write e.g. \`${keyword} 30s\`.`,
        );
      a[keyword === 'timeout' ? 'timeoutMs' : 'retryMs'] = ms;
      return;
    }
    case 'background': {
      if (argument === '') a.background = { kind: 'default' };
      else if (rest[0] === 'for' && rest.length === 2) {
        const ms = parseDuration(rest[1] as string);
        if (ms === undefined)
          return fail(
            `\`background for\` needs a duration from 1ms to 24h like 10s, got ${quote(rest[1] ?? '')}`,
            'Write e.g. `background for 10s`.',
          );
        a.background = { kind: 'for', ms };
      } else if (rest[0] === 'while' && rest.length === 2 && NAME.test(rest[1] as string)) {
        a.background = { kind: 'while', step: rest[1] as string, line: clause.line };
      } else
        fail(
          `\`background\` takes \`for DURATION\` or \`while STEP_ID\`, got ${quote(argument)}`,
          'Write e.g. `background for 10s` or `background while curl-nginx`.',
        );
      return;
    }
    case 'needs':
      if (!NEEDS.includes(argument))
        fail(`unknown requirement ${quote(argument)} in \`needs\``, `Known requirements: ${NEEDS.join(', ')}.`);
      if (!a.needs.includes(argument)) a.needs.push(argument);
      return;
    case 'expect':
      a.checks.push(parseExpect(argument, clause.line, fail));
      return;
    default:
      fail(`unknown annotation clause ${quote(clause.text)}`, `${suggest(keyword, CLAUSES)}Known clauses: ${CLAUSES.join(', ')}.`);
  }
}

type Fail = (message: string, hint: string) => never;

function parseExpect(argument: string, line: number, fail: Fail): Check {
  const [kind = '', ...rest] = argument.split(/\s+/);
  const after = argument.slice(kind.length).trim();
  switch (kind) {
    case 'contains':
    case 'not-contains':
      return { kind, text: quoted(after, `expect ${kind}`, fail), inferred: false, line };
    case 'matches': {
      const pattern = quoted(after, 'expect matches', fail);
      try {
        RE2JS.compile(pattern);
      } catch (error) {
        fail(
          `\`expect matches\` has a regular expression the runner cannot use: ${(error as Error).message}`,
          'Write an RE2 regular expression (the JavaScript syntax without lookarounds and backreferences, which could make a check run forever), with `\\\\` for a literal backslash.',
        );
      }
      return { kind, pattern, inferred: false, line };
    }
    case 'exit': {
      if (rest.length !== 1 || !/^\d{1,3}$/.test(after) || Number(after) > 255)
        fail(`\`expect exit\` needs an exit status 0-255, got ${quote(after)}`, 'Write e.g. `expect exit 0`.');
      return { kind, code: Number(after), inferred: false, line };
    }
    case 'payload': {
      const [mode = '', ...tail] = rest;
      if (mode === 'encrypted' || mode === 'plaintext') {
        if (tail.length > 0)
          fail(`\`expect payload ${mode}\` takes nothing after it, got ${quote(tail.join(' '))}`, `Write \`expect payload ${mode}\`.`);
        return { kind: mode === 'encrypted' ? 'payload-encrypted' : 'payload-plaintext', inferred: false, line };
      }
      if (mode !== 'contains' && mode !== 'not-contains') {
        fail(
          `\`expect payload\` takes \`contains\`, \`not-contains\`, \`encrypted\` or \`plaintext\`, got ${quote(mode)}`,
          'Write e.g. `expect payload contains "Welcome to nginx!"` or `expect payload encrypted`.',
        );
      }
      const text = quoted(tail.join(' '), `expect payload ${mode}`, fail);
      return { kind: mode === 'contains' ? 'payload-contains' : 'payload-not-contains', text, inferred: false, line };
    }
    case 'ephemeral-container': {
      const attrs = parseAttributes(after, fail);
      const pod = attrs.get('pod');
      const image = attrs.get('image');
      if (pod === undefined || image === undefined)
        fail(
          '`expect ephemeral-container` needs pod="..." and image="..."',
          'Write e.g. `expect ephemeral-container pod="<nginx POD>" image="praqma/network-multitool"`.',
        );
      for (const key of attrs.keys())
        if (key !== 'pod' && key !== 'image')
          fail(`\`expect ephemeral-container\` has no attribute ${quote(key)}`, 'It takes pod="..." and image="...".');
      return { kind, pod: pod as string, image: image as string, inferred: false, line };
    }
    default:
      return fail(`unknown check "expect ${argument}"`, `${suggest(kind, EXPECTS)}Known checks: ${EXPECTS.join(', ')}.`);
  }
}

/** A double-quoted string: `\"` and `\\` are escapes, any other backslash is kept (regexes). */
function quoted(text: string, what: string, fail: Fail): string {
  const match = /^"((?:[^"\\]|\\.)*)"$/.exec(text);
  if (match === null)
    return fail(
      `\`${what}\` needs one double-quoted text, got ${text === '' ? 'nothing' : quote(text)}`,
      `Write e.g. \`${what} "Welcome to nginx!"\`.`,
    );
  const value = (match[1] as string).replace(/\\(["\\])/g, '$1');
  // Every output contains the empty text: such a check could never fail.
  if (value === '') return fail(`\`${what}\` needs a text to look for, got ""`, `Write e.g. \`${what} "Welcome to nginx!"\`.`);
  return value;
}

function parseAttributes(text: string, fail: Fail): Map<string, string> {
  const attrs = new Map<string, string>();
  const pattern = /\s*([a-z-]+)="((?:[^"\\]|\\.)*)"\s*/gy;
  let consumed = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    attrs.set(m[1] as string, (m[2] as string).replace(/\\(["\\])/g, '$1'));
    consumed = pattern.lastIndex;
  }
  if (consumed !== text.length)
    fail(`cannot read attributes ${quote(text.slice(consumed))}`, 'Write attributes as key="value" separated by spaces.');
  return attrs;
}

/** Parses `30s`, `2m`, `1m30s`, `500ms`, `1h` into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let ms = 0;
  let consumed = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed = pattern.lastIndex;
  }
  // Under a millisecond rounds to nothing, and Node's timers cannot wait longer than ~24.8 days
  // (a longer one fires at once): both are refused rather than turned into something else.
  return consumed === text.length && consumed > 0 && Math.round(ms) >= 1 && ms <= MAX_DURATION_MS ? Math.round(ms) : undefined;
}

/** The longest duration a timeout, retry or bound may have: 24 hours, well within Node's timers. */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** "Did you mean `expect`? " when a word is one or two edits from a known one. */
function suggest(word: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `Did you mean \`${best}\`? `;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}
