/** Helpers to write katas inline in tests. */
import { parseKata } from '../../src/kata/parse.js';
import type { Kata, Step } from '../../src/kata/model.js';

/** Removes the common indentation of a template literal, so katas can be indented in tests. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Parses an inline kata. */
export function kata(markdown: string, file = 'test.md'): Kata {
  return parseKata(dedent(markdown), file);
}

/** The step whose commands include `text`. */
export function stepWith(k: Kata, text: string): Step {
  const step = k.steps.find((s) => s.commands.some((c) => c.text.includes(text)));
  if (step === undefined) throw new Error(`no step runs ${text}`);
  return step;
}

/** Expects `fn` to throw a KataError and returns it. */
export function kataError(fn: () => unknown): { message: string; line: number | undefined; hint: string | undefined; format(): string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error && error.name === 'KataError') return error as never;
    throw error;
  }
  throw new Error('expected a KataError');
}
