import { describe, expect, it } from 'vitest';
import { ExcerptBuffer } from '../../src/run/events.js';
import { PlainReporter } from '../../src/report/plain.js';
import { kata } from '../helpers/kata.js';

describe('the plain reporter', () => {
  it('prints the first 40 lines live whatever the chunks, says once that more follow, then the last 15', () => {
    const k = kata('# Out\n```console\nseq 1 100\n```\n');
    const step = k.steps[0]!;
    let text = '';
    const plain = new PlainReporter((t) => (text += t));
    plain.on({ type: 'run-started', kata: k, at: 0 });
    plain.on({ type: 'step-started', step, attempt: 1, commands: ['seq 1 100'] });
    const excerpt = new ExcerptBuffer();
    // Chunks as a pipe delivers them: one line, then 30 across the limit, then the rest.
    const chunks = [[1], [2, 31], [32, 60], [61, 100]].map(([from, to = from]) =>
      Array.from({ length: to! - from! + 1 }, (_, i) => String(from! + i)),
    );
    for (const lines of chunks) {
      for (const line of lines) excerpt.push(line);
      plain.on({ type: 'output', step, lines });
    }
    plain.on({ type: 'step-ended', step, status: 'passed', durationMs: 5, attempts: 1, excerpt: excerpt.excerpt() });
    const shown = text
      .split('\n')
      .filter((l) => l.startsWith('  | '))
      .map((l) => l.slice(4));
    expect(shown.slice(0, 40)).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 1)));
    expect(shown[40]).toBe('... (more output; the last 15 lines follow when the step ends)');
    expect(shown.slice(41)).toEqual(Array.from({ length: 15 }, (_, i) => String(86 + i)));
    expect(text).toContain('PASS');
  });

  it('prints a short output whole, without the notice', () => {
    const k = kata('# Out\n```console\nseq 1 3\n```\n');
    const step = k.steps[0]!;
    let text = '';
    const plain = new PlainReporter((t) => (text += t));
    plain.on({ type: 'step-started', step, attempt: 1, commands: ['seq 1 3'] });
    plain.on({ type: 'output', step, lines: ['1', '2', '3'] });
    plain.on({
      type: 'step-ended',
      step,
      status: 'passed',
      durationMs: 5,
      attempts: 1,
      excerpt: { head: ['1', '2', '3'], tail: [], omitted: 0 },
    });
    expect(text.split('\n').filter((l) => l.startsWith('  | '))).toEqual(['  | 1', '  | 2', '  | 3']);
  });

  it('masks a token in the command line of a stray it names', () => {
    let text = '';
    const plain = new PlainReporter((t) => (text += t));
    plain.on({ type: 'strays-stopped', processes: ['4243 curl -H Authorization: Bearer abcdefgh12345678 http://web'] });
    expect(text).toContain('4243 curl -H Authorization: Bearer [redacted] http://web');
    expect(text).not.toContain('abcdefgh12345678');
  });

  it('shows the control characters a command prints instead of obeying them, so no output can draw a fake PASS line', () => {
    const k = kata('# Out\n```console\nprintf x\n```\n');
    const step = k.steps[0]!;
    let text = '';
    const plain = new PlainReporter((t) => (text += t));
    plain.on({ type: 'step-started', step, attempt: 1, commands: ['printf x'] });
    plain.on({ type: 'output', step, lines: ['working\rPASS everything', '\x1b[2K\x1b[1GPASS s9', 'tab\tstays', '\u202eevil'] });
    plain.on({
      type: 'step-ended',
      step,
      status: 'failed',
      durationMs: 5,
      attempts: 1,
      reason: 'expected "a": saw "\x1b[32mb\rPASS"',
      excerpt: { head: [], tail: [], omitted: 0 },
    });
    expect(text).not.toMatch(/[\r\x1b\u202e]/);
    expect(text.split('\n').filter((l) => /^\s*PASS/.test(l))).toEqual([]);
    expect(text).toContain('  | working\\rPASS everything\n');
    expect(text).toContain('  | \\x1b[2K\\x1b[1GPASS s9\n');
    expect(text).toContain('  | tab\tstays\n');
    expect(text).toContain('  | \\u202eevil\n');
    expect(text).toContain('saw "\\x1b[32mb\\rPASS"');
  });
});
