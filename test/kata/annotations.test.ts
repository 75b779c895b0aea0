import { describe, expect, it } from 'vitest';
import { parseAnnotation, parseDuration } from '../../src/kata/annotations.js';
import { kata, kataError } from '../helpers/kata.js';

const parse = (body: string) => parseAnnotation(body, 7, 'k.md');

describe('parseAnnotation', () => {
  it('reads every clause kind, several per comment', () => {
    const a = parse(' skip; id curl-nginx; in tooling; as debugger; timeout 30s; retry 1m30s; needs mesh ');
    expect(a).toMatchObject({
      skip: true,
      id: 'curl-nginx',
      in: { name: 'tooling' },
      as: 'debugger',
      timeoutMs: 30_000,
      retryMs: 90_000,
      needs: ['mesh'],
    });
  });

  it('reads background bounds', () => {
    expect(parse('background').background).toEqual({ kind: 'default' });
    expect(parse('background for 10s').background).toEqual({ kind: 'for', ms: 10_000 });
    expect(parse('background while curl-nginx').background).toMatchObject({ kind: 'while', step: 'curl-nginx' });
  });

  it('reads every check, flagged as not inferred', () => {
    const a = parse(
      'expect contains "Welcome to nginx!"; expect not-contains "error; really"; expect matches "\\d+: lo:"; expect exit 0; ' +
        'expect payload contains "a \\"quoted\\" word"; expect payload not-contains "x"; ' +
        'expect ephemeral-container pod="<nginx POD>" image="praqma/network-multitool"',
    );
    expect(a.checks).toEqual([
      { kind: 'contains', text: 'Welcome to nginx!', inferred: false, line: 7 },
      { kind: 'not-contains', text: 'error; really', inferred: false, line: 7 },
      { kind: 'matches', pattern: '\\d+: lo:', inferred: false, line: 7 },
      { kind: 'exit', code: 0, inferred: false, line: 7 },
      { kind: 'payload-contains', text: 'a "quoted" word', inferred: false, line: 7 },
      { kind: 'payload-not-contains', text: 'x', inferred: false, line: 7 },
      { kind: 'ephemeral-container', pod: '<nginx POD>', image: 'praqma/network-multitool', inferred: false, line: 7 },
    ]);
  });

  it('names the line of the clause in a multi-line comment', () => {
    const error = kataError(() => parse('id a;\n  expct contains "x"'));
    expect(error.line).toBe(8);
    expect(error.message).toContain('unknown annotation clause "expct contains');
    expect(error.hint).toContain('Did you mean `expect`?');
  });

  it.each([
    ['frobnicate', 'unknown annotation clause'],
    ['expect contain "x"', 'unknown check'],
    ['expect contains x', 'needs one double-quoted text'],
    ['expect matches "("', 'regular expression the runner cannot use: error parsing regexp: missing closing )'],
    [
      'expect matches "(?=lookahead)x"',
      'regular expression the runner cannot use: error parsing regexp: invalid or unsupported Perl syntax',
    ],
    ['expect exit 300', 'exit status 0-255'],
    ['expect payload has "x"', '`expect payload` takes'],
    ['expect ephemeral-container pod="p"', 'needs pod="..." and image="..."'],
    ['expect ephemeral-container pod="p" image="i" size="1"', 'has no attribute "size"'],
    ['timeout soon', 'needs a duration'],
    ['retry 0s', 'needs a duration'],
    ['background forever', '`background` takes'],
    ['background for ever', 'needs a duration'],
    ['needs istio', 'unknown requirement'],
    ['in two words', 'needs one context name'],
    ['id', 'needs one step id'],
    ['skip now', 'takes no value'],
  ])('rejects %j with a message containing %j', (body, message) => {
    const error = kataError(() => parse(body));
    expect(error.message).toContain(message);
    expect(error.line).toBe(7);
    expect(error.format()).toMatch(/^k\.md:7: /);
  });
});

describe('annotations that could never work', () => {
  it('refuses an empty text to look for, and an annotation without its colon', () => {
    expect(() => parse('expect contains ""')).toThrow(/`expect contains` needs a text to look for, got ""/);
    expect(() => parse('expect payload not-contains ""')).toThrow(/needs a text to look for/);
    const error = kataError(() => kata('# T\n\n<!-- kata id x; expect contains "a" -->\n```console\necho a\n```\n'));
    expect(error.format()).toBe(
      'test.md:3: this looks like a kata annotation but lacks the colon after "kata". Write it as `<!-- kata: ... -->`.',
    );
    expect(kata('# T\n\n<!-- kata-runner notes: none -->\n```console\necho a\n```\n').steps).toHaveLength(1);
  });
});

describe('parseDuration', () => {
  it('reads ms, s, m, h and combinations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('10s ')).toBeUndefined();
  });

  it('refuses what timers cannot wait for: under a millisecond, over a day', () => {
    expect(parseDuration('0.0001ms')).toBeUndefined();
    expect(parseDuration('1000h')).toBeUndefined();
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(() => parseAnnotation('background for 1000h', 3, 'k.md')).toThrow(
      /`background for` needs a duration from 1ms to 24h like 10s, got "1000h"/,
    );
    expect(() => parseAnnotation('timeout 1000h', 3, 'k.md')).toThrow(/`timeout` needs a duration from 1ms to 24h/);
  });
});
