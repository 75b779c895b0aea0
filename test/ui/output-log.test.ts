import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputLog } from '../../src/ui/output-log.js';
import { kata } from '../helpers/kata.js';

describe('the full output of each step, on disk', () => {
  it('writes every line of a step, with its commands and each attempt, and removes the folder at the end', () => {
    const k = kata('# Out\n```console\nseq 1 100000\n```\n');
    const step = k.steps[0]!;
    const log = new OutputLog(mkdtempSync(join(tmpdir(), 'kata-out-')));
    log.on({ type: 'step-started', step, attempt: 1, commands: ['seq 1 100000'] });
    for (let i = 1; i <= 100_000; i += 1000) log.on({ type: 'output', step, lines: Array.from({ length: 1000 }, (_, j) => String(i + j)) });
    log.on({ type: 'step-started', step, attempt: 2, commands: ['seq 1 100000'] });
    log.on({ type: 'output', step, lines: ['again'] });
    const file = log.fileOf(step.id)!;
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('$ seq 1 100000');
    expect(lines[100_000]).toBe('100000');
    expect(lines.slice(-3)).toEqual(['--- attempt 2 ---', '$ seq 1 100000', 'again']);
    log.dispose();
    expect(existsSync(log.dir)).toBe(false);
  });
});
