/**
 * Checks on what a step printed, evaluated while the output streams so that memory stays
 * bounded however much a command prints: only a window the length of the searched text is kept.
 */
import { describeCheck } from '../kata/describe.js';
import type { Check } from '../kata/model.js';
import { RE2JS } from 're2js';
import { dumpLineBytes } from './hexdump.js';
import { OutputLike } from './output-like.js';
import { CaptureReader, type CaptureSummary } from './packets.js';

/** The verdict on one check. */
export interface CheckResult {
  readonly check: Check;
  readonly passed: boolean;
  /** What was expected, in words. */
  readonly expected: string;
  /** Why it failed (or passed), in words. */
  readonly detail: string;
}

/** A check that reads the output line by line and then the exit status. */
interface StreamingCheck {
  feed(line: string): void;
  finish(exitCode: number | undefined): CheckResult;
}

/** Finds a text in a stream of chunks, keeping only the overlap between chunks. */
class StreamSearch {
  private tail: Buffer = Buffer.alloc(0);
  found = false;

  constructor(private readonly needle: Buffer) {}

  feed(bytes: Buffer): void {
    if (this.found || this.needle.length === 0) {
      this.found = true;
      return;
    }
    const hay = this.tail.length === 0 ? bytes : Buffer.concat([this.tail, bytes]);
    if (hay.indexOf(this.needle) !== -1) {
      this.found = true;
      this.tail = Buffer.alloc(0);
      return;
    }
    const keep = Math.min(hay.length, this.needle.length - 1);
    this.tail = Buffer.from(hay.subarray(hay.length - keep));
  }

  /** A search that has seen what this one has, to go on with other input. */
  copy(): StreamSearch {
    const other = new StreamSearch(this.needle);
    other.tail = this.tail;
    other.found = this.found;
    return other;
  }
}

/**
 * The runner hands a line longer than this in pieces (framing.ts, and FileTail in
 * shell-session.ts, both 64 KiB), so the line after such a piece may be its continuation.
 */
const CUT_LINE_CHARS = 64 * 1024;

/**
 * Looks for a text across lines. After a piece of a cut line there is no telling a cut from a line
 * break, so from the first such piece on a second search reads the pieces as one line; the text
 * is found when either finds it (a phrase across a cut, or one with a line break there).
 */
function textCheck(check: Check & { kind: 'contains' | 'not-contains' }): StreamingCheck {
  const search = new StreamSearch(Buffer.from(check.text));
  let joined: StreamSearch | undefined;
  let afterPiece = false;
  let first = true;
  return {
    feed(line) {
      const bytes = Buffer.from(first ? line : `\n${line}`);
      if (afterPiece) {
        joined ??= search.copy();
        joined.feed(Buffer.from(line));
      } else joined?.feed(bytes);
      search.feed(bytes);
      afterPiece = line.length >= CUT_LINE_CHARS;
      first = false;
    },
    finish() {
      const found = search.found || joined?.found === true;
      const passed = check.kind === 'contains' ? found : !found;
      return { check, passed, expected: describeCheck(check), detail: found ? 'found in the output' : 'not found in the output' };
    },
  };
}

function payloadCheck(check: Check & { kind: 'payload-contains' | 'payload-not-contains' }): StreamingCheck {
  const search = new StreamSearch(Buffer.from(check.text));
  let bytes = 0;
  return {
    feed(line) {
      const decoded = dumpLineBytes(line);
      if (decoded === undefined) return;
      bytes += decoded.length;
      search.feed(decoded);
    },
    finish() {
      const passed = check.kind === 'payload-contains' ? search.found : !search.found;
      const detail =
        bytes === 0
          ? 'the output holds no tcpdump -X/-XX hex dump (no packets captured?)'
          : `${search.found ? 'found' : 'not found'} in ${bytes} captured bytes`;
      // An empty capture proves nothing, so "not-contains" does not pass on it.
      return { check, passed: passed && bytes > 0, expected: describeCheck(check), detail };
    },
  };
}

/**
 * Encrypted: TLS records and no plaintext in the data of the captured packets. Plaintext: some
 * packet carries HTTP or readable text. A failure shows what was seen (the plaintext itself).
 */
function encryptionCheck(check: Check & { kind: 'payload-encrypted' | 'payload-plaintext' }): StreamingCheck {
  const reader = new CaptureReader();
  return {
    feed(line) {
      reader.feed(line);
    },
    finish() {
      const seen = reader.summary();
      const plain = seen.http + seen.text;
      const passed = check.kind === 'payload-encrypted' ? seen.tls > 0 && plain === 0 : plain > 0;
      return { check, passed, expected: describeCheck(check), detail: captureDetail(seen) };
    },
  };
}

function captureDetail(seen: CaptureSummary): string {
  if (seen.packets === 0) return 'the output holds no tcpdump -X/-XX hex dump (no packets captured?)';
  if (seen.withData === 0) return `${seen.packets} packets captured, none carrying data`;
  const parts: string[] = [];
  if (seen.tls > 0) parts.push(`TLS records (${seen.tlsRecords.join(', ')}) in ${seen.tls}`);
  if (seen.http > 0) parts.push(`plaintext HTTP in ${seen.http}`);
  if (seen.text > 0) parts.push(`readable text in ${seen.text}`);
  if (parts.length === 0) parts.push('neither TLS records nor plaintext in any');
  const excerpt = seen.plaintextExcerpt === undefined ? '' : `; plaintext seen: "${seen.plaintextExcerpt}"`;
  return `${parts.join(', ')} of ${seen.withData} packets with data${excerpt}`;
}

/**
 * A kata's regular expression runs on RE2's linear-time engine (re2js): a pattern such as
 * `^(a+)+$` cannot hang the run on a line that makes a backtracking engine take forever.
 */
/**
 * A line that matches. A line the runner cut into pieces is also matched across each cut: the
 * pattern is tried on the piece before and the one after as one text (RE2 keeps that linear).
 * `^` may only match at a real start of line, so such a pattern is tried across a cut only where
 * the piece before starts its line.
 */
function matchCheck(check: Check & { kind: 'matches' }): StreamingCheck {
  const pattern = RE2JS.compile(check.pattern);
  const anchored = check.pattern.includes('^');
  let matched: string | undefined;
  let piece: string | undefined; // the last line, when it was a piece of a cut line
  let pieceStartsLine = true;
  return {
    feed(line) {
      if (matched !== undefined) return;
      if (pattern.matcher(line).find()) matched = line;
      else if (piece !== undefined && (pieceStartsLine || !anchored)) {
        const across = piece + line;
        if (pattern.matcher(across).find()) matched = across;
      }
      const isPiece = line.length >= CUT_LINE_CHARS;
      pieceStartsLine = piece === undefined;
      piece = isPiece ? line : undefined;
    },
    finish() {
      return {
        check,
        passed: matched !== undefined,
        expected: describeCheck(check),
        detail: matched === undefined ? 'no line matches' : `matched: ${matched.slice(0, 200)}`,
      };
    },
  };
}

function likeCheck(check: Check & { kind: 'output-like' }): StreamingCheck {
  const like = new OutputLike(check.expected);
  return {
    feed(line) {
      like.feed(line);
    },
    finish() {
      return { check, ...like.finish(), expected: describeCheck(check) };
    },
  };
}

/** A status line (`HTTP/1.1 503 Service Unavailable`, curl -v's `< HTTP/2 200`, wget -S's indented one). */
const STATUS_LINE = /^\s*(?:<\s*)?HTTP\/\d(?:\.\d)?\s+([1-5]\d\d)\b/;

/**
 * Where a `curl -w` format puts the status: the format's line that holds `%{http_code}`, as a
 * pattern (its other variables match anything). A format that is the code alone matches a line
 * ending in three digits, since the body before it may lack a final newline.
 */
export function statusPattern(format: string): RegExp {
  const line = format.split(/\\n|\n/).find((l) => /%\{(?:http_code|response_code)\}/.test(l)) ?? '%{http_code}';
  const source = line
    .split(/(%\{[\w.]+\})/)
    .map((part) =>
      /^%\{(?:http_code|response_code)\}$/.test(part)
        ? '([1-5]\\d\\d)'
        : /^%\{/.test(part)
          ? '.*?'
          : part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`(?<!\\d)${source}${/\}$/.test(line) ? '$' : ''}`);
}

/** An HTTP status the command printed: "you should get a 403". Every status seen is told in the detail. */
function statusCheck(check: Check & { kind: 'status' }): StreamingCheck {
  const pattern = check.format === undefined ? undefined : statusPattern(check.format);
  const counts = new Map<string, number>();
  return {
    feed(line) {
      const code = STATUS_LINE.exec(line)?.[1] ?? pattern?.exec(line)?.[1];
      if (code !== undefined) counts.set(code, (counts.get(code) ?? 0) + 1);
    },
    finish() {
      const passed = counts.has(String(check.code));
      const seen = [...counts].map(([code, n]) => (n === 1 ? code : `${code} (${n} times)`)).join(', ');
      const detail = counts.size === 0 ? 'no HTTP status in the output' : `statuses seen: ${seen}`;
      return { check, passed, expected: describeCheck(check), detail };
    },
  };
}

function exitCheck(check: Check & { kind: 'exit' }): StreamingCheck {
  return {
    feed() {},
    finish(exitCode) {
      return {
        check,
        passed: exitCode === check.code,
        expected: describeCheck(check),
        detail: exitCode === undefined ? 'the command did not exit (stopped or timed out)' : `exit status was ${exitCode}`,
      };
    },
  };
}

/** The output checks of a step (API checks such as ephemeral-container are not among them). */
export class OutputChecks {
  private readonly checks: StreamingCheck[];

  constructor(checks: readonly Check[]) {
    this.checks = checks.flatMap((check): StreamingCheck[] => {
      switch (check.kind) {
        case 'contains':
        case 'not-contains':
          return [textCheck(check)];
        case 'payload-contains':
        case 'payload-not-contains':
          return [payloadCheck(check)];
        case 'payload-encrypted':
        case 'payload-plaintext':
          return [encryptionCheck(check)];
        case 'matches':
          return [matchCheck(check)];
        case 'exit':
          return [exitCheck(check)];
        case 'output-like':
          return [likeCheck(check)];
        case 'status':
          return [statusCheck(check)];
        case 'ephemeral-container':
          return [];
      }
    });
  }

  /** Feeds a chunk's lines; a step without output checks costs nothing per line. */
  feedLines(lines: readonly string[]): void {
    if (this.checks.length === 0) return;
    for (const line of lines) for (const check of this.checks) check.feed(line);
  }

  finish(exitCode: number | undefined): CheckResult[] {
    return this.checks.map((check) => check.finish(exitCode));
  }
}
