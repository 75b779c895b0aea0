/**
 * A deliberately broken copy of the output a step produced, for `kata test --prove`: what a check
 * looks for taken out of it (or, for a check that something is absent, put into it). A check
 * that still passes on it does not read what it claims to (an empty text, a pattern that matches
 * anything): it proves nothing. This is the weaker of the two proofs; running the command before
 * the steps it depends on (src/commands/test/prove.ts) is the stronger one.
 */
import { RE2JS } from 're2js';
import type { Check } from '../kata/model.js';
import { dumpLine, dumpLineBytes } from './hexdump.js';
import { applicationData, classify } from './packets.js';
import { OutputChecks, type CheckResult } from './output-checks.js';

/** The broken copy and what was done to it, in words (`with "NAME" removed`). */
export interface BrokenOutput {
  readonly lines: readonly string[];
  readonly how: string;
}

/** Removing a text may join pieces into the text again (`aXXb` without `X`...): at most this many rounds. */
const ROUNDS = 20;

/** The broken copy of `lines` for `check`, or undefined for checks not on the output (exit status, API). */
export function breakOutput(check: Check, lines: readonly string[]): BrokenOutput | undefined {
  switch (check.kind) {
    case 'contains':
      return { lines: withoutText(lines, check.text), how: `with ${JSON.stringify(check.text)} removed` };
    case 'not-contains':
      return { lines: [...lines, check.text], how: `with ${JSON.stringify(check.text)} added` };
    case 'matches':
      return {
        lines: lines.map((l) => withoutMatches(l, check.pattern)),
        how: `with what /${check.pattern}/ matched removed`,
      };
    case 'payload-contains':
      return {
        lines: withoutPayload(lines, Buffer.from(check.text)),
        how: `with the dump lines carrying ${JSON.stringify(check.text)} removed`,
      };
    case 'payload-not-contains':
      return { lines: [...lines, ...dumpOf(Buffer.from(check.text))], how: `with a packet carrying ${JSON.stringify(check.text)} added` };
    case 'payload-encrypted':
      return {
        lines: withoutPackets(lines, (kind) => kind === 'tls'),
        how: 'with the packets carrying TLS records removed',
      };
    case 'payload-plaintext':
      return {
        lines: withoutPackets(lines, (kind) => kind === 'http' || kind === 'text'),
        how: 'with the packets carrying plaintext removed',
      };
    case 'exit':
    case 'ephemeral-container':
      return undefined;
  }
}

/** The check's verdict on the broken copy: it proves something when it fails there. */
export function judgeBroken(check: Check, broken: BrokenOutput, exitCode: number | undefined): CheckResult | undefined {
  const checks = new OutputChecks([check]);
  checks.feedLines(broken.lines);
  return checks.finish(exitCode)[0];
}

function withoutText(lines: readonly string[], text: string): string[] {
  if (text === '') return [...lines];
  let joined = lines.join('\n');
  for (let i = 0; i < ROUNDS && joined.includes(text); i++) joined = joined.split(text).join('');
  return joined.split('\n');
}

function withoutMatches(line: string, pattern: string): string {
  const re = RE2JS.compile(pattern);
  let current = line;
  for (let i = 0; i < ROUNDS; i++) {
    const next = re.matcher(current).replaceAll('');
    if (next === current) break;
    current = next;
  }
  return current;
}

/** Drops every dump line that holds a byte of an occurrence of `needle` in the capture's bytes. */
function withoutPayload(lines: readonly string[], needle: Buffer): string[] {
  let current = [...lines];
  for (let round = 0; round < ROUNDS && needle.length > 0; round++) {
    const spans: { index: number; start: number; end: number }[] = [];
    let at = 0;
    current.forEach((line, index) => {
      const bytes = dumpLineBytes(line);
      if (bytes === undefined) return;
      spans.push({ index, start: at, end: at + bytes.length });
      at += bytes.length;
    });
    const all = Buffer.concat(current.flatMap((l) => dumpLineBytes(l) ?? []));
    const drop = new Set<number>();
    for (let found = all.indexOf(needle); found !== -1; found = all.indexOf(needle, found + 1)) {
      const end = found + needle.length;
      for (const span of spans) if (span.start < end && span.end > found) drop.add(span.index);
    }
    if (drop.size === 0) break;
    current = current.filter((_, i) => !drop.has(i));
  }
  return current;
}

/** Drops the dump lines of the packets whose data is of a kind `drop` names (a dump restarts at offset 0 per packet). */
function withoutPackets(lines: readonly string[], drop: (kind: ReturnType<typeof classify>) => boolean): string[] {
  const kept: string[] = [];
  let packet: string[] = [];
  let frame: Buffer[] = [];
  const flush = (): void => {
    if (packet.length === 0) return;
    const data = applicationData(Buffer.concat(frame));
    if (data === undefined || data.length === 0 || !drop(classify(data))) kept.push(...packet);
    packet = [];
    frame = [];
  };
  for (const line of lines) {
    const dump = dumpLine(line);
    if (dump === undefined) {
      flush();
      kept.push(line);
      continue;
    }
    if (dump.offset === 0) flush();
    packet.push(line);
    frame.push(dump.bytes);
  }
  flush();
  return kept;
}

/** `bytes` as tcpdump -X prints them: 16 per line, in groups of two. */
function dumpOf(bytes: Buffer): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const chunk = bytes.subarray(offset, offset + 16);
    const hex = (chunk.toString('hex').match(/.{1,4}/g) ?? []).join(' ');
    const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`\t0x${offset.toString(16).padStart(4, '0')}:  ${hex}  ${ascii}`);
  }
  return lines;
}
