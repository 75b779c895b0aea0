import { describe, expect, it } from 'vitest';
import { decodeCapture, dumpLineBytes } from '../../src/checks/hexdump.js';
import { OutputChecks } from '../../src/checks/output-checks.js';
import type { Check } from '../../src/kata/model.js';

const run = (checks: Check[], lines: string[], exitCode: number | null = 0) => {
  const c = new OutputChecks(checks);
  c.feedLines(lines);
  return c.finish(exitCode ?? undefined).map((r) => [r.passed, r.detail]);
};
const at = { inferred: false, line: 1 } as const;

/** A real `tcpdump -XX` capture of an HTTP reply (trimmed), with the phrase cut across lines. */
const CAPTURE = [
  '10:01:02.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 92)',
  '    127.0.0.1.80 > 127.0.0.1.51000: Flags [P.], cksum 0xfe50 (incorrect -> 0x1), seq 1:41, ack 1, win 512, length 40: HTTP',
  '\t0x0000:  0000 0000 0000 0000 0000 0000 0800 4500  ..............E.',
  '\t0x0010:  005c 0001 4000 4006 3c9a 7f00 0001 7f00  .\\..@.@.<.......',
  '\t0x0020:  0001 0050 c738 0000 0001 0000 0001 8018  ...P.8..........',
  '\t0x0030:  0200 fe50 0000 3c68 313e 5765 6c63 6f6d  ...P..<h1>Welcom',
  '\t0x0040:  6520 746f 206e 6769 6e78 213c 2f68 313e  e.to.nginx!</h1>',
  '\t0x0050:  0a                                       .',
];

describe('tcpdump hex dump decoding', () => {
  it('reads the hex columns and ignores the ASCII column', () => {
    expect(dumpLineBytes('\t0x0040:  6520 746f 206e 6769 6e78 213c 2f68 313e  e.to.nginx!</h1>')?.toString('latin1')).toBe(
      'e to nginx!</h1>',
    );
    expect(dumpLineBytes('\t0x0050:  0a                                       .')).toEqual(Buffer.from([0x0a]));
    expect(dumpLineBytes('    127.0.0.1.80 > 127.0.0.1.51000: Flags [P.]')).toBeUndefined();
    expect(dumpLineBytes('\t0x0000:  cafe babe  dead beef')?.length).toBe(4);
  });

  it('finds a phrase that the dump splits across two lines', () => {
    expect(decodeCapture(CAPTURE.join('\n')).includes('Welcome to nginx!')).toBe(true);
  });
});

describe('OutputChecks', () => {
  it('checks contains / not-contains across line breaks while streaming', () => {
    expect(
      run(
        [
          { kind: 'contains', text: 'b\nc', ...at },
          { kind: 'not-contains', text: 'zzz', ...at },
        ],
        ['a', 'b', 'c'],
      ),
    ).toEqual([
      [true, 'found in the output'],
      [true, 'not found in the output'],
    ]);
    expect(run([{ kind: 'contains', text: 'Welcome', ...at }], ['nothing here'])).toEqual([[false, 'not found in the output']]);
  });

  it('checks a regular expression line by line and the exit status', () => {
    expect(
      run(
        [
          { kind: 'matches', pattern: '\\d+: lo:', ...at },
          { kind: 'exit', code: 0, ...at },
        ],
        ['1: lo: <LOOPBACK>', '2: eth0@if9: <UP>'],
        0,
      ),
    ).toEqual([
      [true, 'matched: 1: lo: <LOOPBACK>'],
      [true, 'exit status was 0'],
    ]);
    expect(run([{ kind: 'exit', code: 0, ...at }], [], 7)).toEqual([[false, 'exit status was 7']]);
    expect(run([{ kind: 'exit', code: 0, ...at }], [], null)).toEqual([[false, 'the command did not exit (stopped or timed out)']]);
  });

  it('checks the decoded payload of a capture, not its ASCII column', () => {
    expect(run([{ kind: 'payload-contains', text: 'Welcome to nginx!', ...at }], CAPTURE)).toEqual([[true, 'found in 81 captured bytes']]);
    expect(run([{ kind: 'payload-not-contains', text: 'Welcome to nginx!', ...at }], CAPTURE)).toEqual([
      [false, 'found in 81 captured bytes'],
    ]);
    // The ASCII column shows "e.to.nginx!" for the space: a check on it would be wrong.
    expect(run([{ kind: 'contains', text: 'Welcome to nginx!', ...at }], CAPTURE)).toEqual([[false, 'not found in the output']]);
  });

  it('does not pass a payload not-contains check on an empty capture', () => {
    expect(run([{ kind: 'payload-not-contains', text: 'x', ...at }], ['tcpdump: listening on eth0'])).toEqual([
      [false, 'the output holds no tcpdump -X/-XX hex dump (no packets captured?)'],
    ]);
  });
});

describe('expect matches on a linear-time engine', () => {
  it('answers at once where a backtracking engine would take forever (^(a+)+$ on 41 a and a !)', () => {
    const line = `${'a'.repeat(41)}!`;
    expect(run([{ kind: 'matches', pattern: '^(a+)+$', ...at }], [line, 'aaa'])).toEqual([[true, 'matched: aaa']]);
    expect(run([{ kind: 'matches', pattern: '^(a+)+$', ...at }], [line])).toEqual([[false, 'no line matches']]);
  });
});
