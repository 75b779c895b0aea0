/**
 * The key map is the one table the key handler, the footer, the help screen and the README's key
 * table come from: these tests hold the README to it, and each situation's footer to keys that do
 * something there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { footerKeys, helpRows, KEY_MAP, situationOf, type Situation } from '../../src/ui/key-map.js';
import type { RunSnapshot } from '../../src/ui/run-view.js';

/** A key's names as the README writes them: single characters in backticks. */
const readmeName = (name: string): string => (name.length === 1 ? `\`${name}\`` : name);

describe('the key map', () => {
  it("is the README's key table, row for row", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = /^\| key \| does \|\n\| --- \| --- \|\n((?:\|.*\|\n)+)/m.exec(readme)?.[1];
    expect(table, 'README.md has a "| key | does |" table').toBeDefined();
    const rows = (table ?? '').trimEnd().split('\n');
    expect(rows).toEqual(helpRows().map((r) => `| ${r.keys.map(readmeName).join(', ')} | ${r.help} |`));
  });

  it('offers in the footer only keys that act in that situation, and each key once', () => {
    const situations: Situation[] = [
      'editing',
      'help',
      'confirm-quit',
      'offer',
      'ended',
      'cleanup',
      'before-step',
      'after-failure',
      'running',
    ];
    for (const situation of situations) {
      const listed = KEY_MAP.filter((b) => b.in[situation]?.label !== undefined);
      for (const binding of listed) expect(binding.in[situation]?.do, `${binding.names[0]} in ${situation}`).toBeTypeOf('function');
      expect(new Set(listed.map((b) => b.names[0])).size).toBe(listed.length);
    }
  });

  it('names each situation from the snapshot, a panel before a question before the phase', () => {
    const base = { phase: 'main', quitAsked: false, auto: false, steps: [], cleanup: [] } as unknown as RunSnapshot;
    expect(situationOf(base)).toBe('running');
    expect(situationOf({ ...base, question: { kind: 'after-failure' } } as unknown as RunSnapshot)).toBe('after-failure');
    expect(situationOf({ ...base, quitAsked: true, question: { kind: 'after-failure' } } as unknown as RunSnapshot)).toBe('confirm-quit');
    expect(situationOf({ ...base, quitAsked: true, panel: { kind: 'help' } } as unknown as RunSnapshot)).toBe('help');
    expect(situationOf({ ...base, phase: 'cleanup' } as unknown as RunSnapshot)).toBe('cleanup');
    expect(footerKeys({ ...base, panel: { kind: 'help' } } as unknown as RunSnapshot)).toEqual([{ key: 'any key', does: 'close help' }]);
    expect(footerKeys({ ...base, phase: 'ended' } as unknown as RunSnapshot)).toEqual([]);
  });
});
