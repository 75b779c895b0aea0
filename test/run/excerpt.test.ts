import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExcerptBuffer } from '../../src/run/events.js';

const keyLines = (n: number): string[] => Array.from({ length: n }, (_, i) => `MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${i}`);
const lines = (n: number, name = 'line'): string[] => Array.from({ length: n }, (_, i) => `${name} ${i}`);

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

  it('masks the same lines whether they come one by one or in chunks, however private key blocks fall across the skipped lines', () => {
    const line = fc.constantFrom(
      '-----BEGIN PRIVATE KEY-----',
      '-----END PRIVATE KEY-----',
      '-----BEGIN RSA PRIVATE KEY-----',
      '-----END RSA PRIVATE KEY-----',
      '-----BEGIN CERTIFICATE-----',
      '"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----"',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      'plain output',
      '----- a rule -----',
    );
    fc.assert(
      fc.property(fc.array(fc.array(line, { maxLength: 60 }), { maxLength: 8 }), (chunks) => {
        const one = new ExcerptBuffer(3, 5, 80);
        const batched = new ExcerptBuffer(3, 5, 80);
        for (const chunk of chunks) {
          for (const l of chunk) one.push(l);
          batched.pushLines(chunk);
        }
        expect(batched.excerpt()).toEqual(one.excerpt());
      }),
      { numRuns: 500 },
    );
  });

  it('masks a private key whose BEGIN line is among the lines of a large chunk that are skipped', () => {
    const excerpt = new ExcerptBuffer();
    excerpt.pushLines([...lines(100), '-----BEGIN PRIVATE KEY-----', ...keyLines(100), '-----END PRIVATE KEY-----']);
    const { tail } = excerpt.excerpt();
    expect(tail.slice(0, -1)).toEqual(Array.from({ length: 79 }, () => '[redacted]'));
    expect(tail.at(-1)).toBe('-----END PRIVATE KEY-----');
  });

  it('stops masking after a private key whose END line is among the lines of a large chunk that are skipped', () => {
    const excerpt = new ExcerptBuffer();
    excerpt.pushLines([...lines(20), '-----BEGIN PRIVATE KEY-----']);
    excerpt.pushLines(['-----END PRIVATE KEY-----', ...lines(200, 'after')]);
    expect(excerpt.excerpt().tail).toEqual(lines(200, 'after').slice(-80));
  });
});
