import { describe, expect, it } from 'vitest';
import { omitUndefined } from '../src/omit-undefined.js';

describe('omitUndefined', () => {
  it('drops the undefined properties and keeps every other value, falsy ones included, in order', () => {
    const result = omitUndefined({ a: 1, b: undefined, c: 0, d: '', e: null, f: false });
    expect(result).toEqual({ a: 1, c: 0, d: '', e: null, f: false });
    expect(Object.keys(result)).toEqual(['a', 'c', 'd', 'e', 'f']);
    expect('b' in result).toBe(false);
  });
});
