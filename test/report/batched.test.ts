import { describe, expect, it } from 'vitest';
import { batchedWriter } from '../../src/report/batched.js';

describe('batchedWriter', () => {
  it('hands what one turn of the event loop wrote to the sink in one piece, in order', async () => {
    const written: string[] = [];
    const write = batchedWriter((text) => written.push(text));
    write('a\n');
    write('b\n');
    expect(written).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual(['a\nb\n']);
    write('c\n');
    write.flush();
    expect(written).toEqual(['a\nb\n', 'c\n']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once when a lot is pending', () => {
    const written: string[] = [];
    const write = batchedWriter((text) => written.push(text));
    write('x'.repeat(70_000));
    expect(written).toHaveLength(1);
  });
});
