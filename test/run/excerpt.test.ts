import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExcerptBuffer } from '../../src/run/events.js';

describe('ExcerptBuffer', () => {
  it('keeps the same head, tail and count of omitted lines whether lines come one by one or in chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ maxLength: 8 }), { maxLength: 300 }), { maxLength: 12 }), (chunks) => {
        const one = new ExcerptBuffer(5, 10, 6);
        const batched = new ExcerptBuffer(5, 10, 6);
        for (const chunk of chunks) {
          for (const line of chunk) one.push(line);
          batched.pushLines(chunk);
        }
        expect(batched.excerpt()).toEqual(one.excerpt());
        const e = batched.excerpt();
        expect(e.head.length + e.omitted + e.tail.length).toBe(chunks.flat().length);
      }),
      { numRuns: 500 },
    );
  });
});
