import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_KATA_BYTES, readKataFile } from '../../src/kata/read.js';
import { kataError } from '../helpers/kata.js';

const dir = mkdtempSync(join(tmpdir(), 'kata-read-'));

describe('readKataFile', () => {
  it('reads UTF-8 and drops a byte-order mark', () => {
    const file = join(dir, 'bom.md');
    writeFileSync(file, '\ufeff# Tïtle\n');
    expect(readKataFile(file)).toBe('# Tïtle\n');
  });

  it('says a missing file does not exist', () => {
    const error = kataError(() => readKataFile(join(dir, 'nope.md')));
    expect(error.message).toContain('does not exist');
    expect(error.hint).toContain('Check the path');
  });

  it('refuses a directory', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(kataError(() => readKataFile(sub)).message).toContain('is a directory');
  });

  it('refuses devices and named pipes, which have no size and may never end', () => {
    expect(kataError(() => readKataFile('/dev/zero')).message).toBe('/dev/zero is a device, not a kata file');
    const fifo = join(dir, 'pipe.md');
    execFileSync('mkfifo', [fifo]);
    expect(kataError(() => readKataFile(fifo)).message).toBe(`${fifo} is a named pipe, not a kata file`);
  });

  it('refuses binary files with the line of the first NUL byte', () => {
    const file = join(dir, 'bin.md');
    writeFileSync(file, Buffer.from('line one\nline two\0\x01\x02'));
    const error = kataError(() => readKataFile(file));
    expect(error.message).toContain('binary');
    expect(error.line).toBe(2);
  });

  it('refuses invalid UTF-8 with its line', () => {
    const file = join(dir, 'latin1.md');
    writeFileSync(file, Buffer.concat([Buffer.from('ok\nok\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])]));
    const error = kataError(() => readKataFile(file));
    expect(error.message).toContain('not valid UTF-8');
    expect(error.line).toBe(3);
  });

  it('refuses files larger than the limit without reading them', () => {
    const file = join(dir, 'huge.md');
    writeFileSync(file, '');
    truncateSync(file, MAX_KATA_BYTES + 1);
    expect(kataError(() => readKataFile(file)).message).toContain('a kata must be at most 16 MB');
  });
});
