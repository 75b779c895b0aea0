/**
 * The runner hands a line longer than 64 KiB to the checks in pieces (FrameParser for a step's
 * output, FileTail for a background job's log), so memory stays bounded. A phrase that straddles
 * a cut is still one phrase in the output, and `expect contains` must find it.
 */
import { describe, expect, it } from 'vitest';
import { OutputChecks } from '../../src/checks/output-checks.js';
import { FrameParser } from '../../src/exec/framing.js';
import type { Check } from '../../src/kata/model.js';

const at = { inferred: false, line: 1 } as const;
const CUT = 64 * 1024;
const contains = (text: string): Check => ({ kind: 'contains', text, ...at });
const notContains = (text: string): Check => ({ kind: 'not-contains', text, ...at });
const matches = (pattern: string): Check => ({ kind: 'matches', pattern, ...at });
const verdicts = (checks: Check[], lines: readonly string[]): boolean[] => {
  const c = new OutputChecks(checks);
  c.feedLines(lines);
  return c.finish(0).map((r) => r.passed);
};

describe('checks on lines the runner cut into pieces', () => {
  it('find a phrase across the cut FrameParser makes at 64 KiB', () => {
    const parser = new FrameParser('m1');
    const lines: string[] = [];
    parser.onLines = (some) => lines.push(...some);
    const before = 'x'.repeat(64 * 1024 - 4);
    parser.push(`${before}Welcome to nginx!${'y'.repeat(150_000)}`);
    parser.push('\nnext line\n\x1em1:0\x1e\n');
    expect(lines.length).toBeGreaterThan(2); // it was cut
    expect(lines[0]?.endsWith('Welc')).toBe(true);
    expect(verdicts([contains('Welcome to nginx!'), notContains('Welcome to nginx!')], lines)).toEqual([true, false]);
  });

  it('find a phrase across a cut of a longer piece (a background job log read by FileTail)', () => {
    const lines = [`${'x'.repeat(70_000)}Welc`, 'ome to nginx!'];
    expect(verdicts([contains('Welcome to nginx!'), notContains('Welcome to nginx!')], lines)).toEqual([true, false]);
  });

  it('still read a line break after a long line, and never join short lines', () => {
    expect(verdicts([contains('end\nstart')], [`${'x'.repeat(70_000)}end`, 'start'])).toEqual([true]);
    expect(verdicts([contains('Welcome')], ['Welc', 'ome'])).toEqual([false]);
    expect(verdicts([contains('Welcome')], [`${'x'.repeat(70_000)}Welc`, 'short', 'ome'])).toEqual([false]);
  });

  it('match a pattern across the cut FrameParser makes at 64 KiB, and keep ^ to real starts of lines', () => {
    const parser = new FrameParser('m1');
    const lines: string[] = [];
    parser.onLines = (some) => lines.push(...some);
    parser.push(`${'x'.repeat(64 * 1024 - 6)}status=200 OK${'y'.repeat(100)}`);
    parser.push('\nnext\n\x1em1:0\x1e\n');
    expect(lines.length).toBe(3); // cut once, then "next"
    expect(verdicts([matches('status=\\d+ OK'), matches('^x+status'), matches('^status')], lines)).toEqual([true, true, false]);
    // A third piece: the window of the second and third pieces does not start a line.
    const long = ['a'.repeat(CUT), 'c'.repeat(CUT), 'xdone'];
    expect(verdicts([matches('^c+xdone'), matches('c{3}xdone'), matches('^a+c')], long)).toEqual([false, true, true]);
  });
});
