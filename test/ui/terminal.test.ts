import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built module (npm test builds first): a child process cannot load TypeScript on Node 20.
const TERMINAL = fileURLToPath(new URL('../../dist/ui/terminal.js', import.meta.url));

describe('the terminal is always given back', () => {
  it('leaves the alternate screen and shows the cursor even when the process crashes', () => {
    // A real process that takes the screen and then dies of an uncaught exception.
    const script = `import('${TERMINAL}').then(({ Terminal }) => { new Terminal(process.stdout, process.stdin).enter(); throw new Error('boom'); });`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('boom');
    expect(run.stdout.indexOf('\x1b[?1049h')).toBe(0);
    expect(run.stdout.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
  });
});
