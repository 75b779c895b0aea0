/**
 * A step printing 200,000 lines under the terminal UI: keys are still answered while it streams,
 * and the process's memory stays bounded. The figures are printed (and written to
 * $KATA_BENCH_OUT as JSON when set) for bench/RESULTS.md.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Tmux, tmuxMissing } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI, as a learner starts it: `kata run FILE`. */
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const LAUNCH = `${CLI} run`;
const KATA = fileURLToPath(new URL('./flood.md', import.meta.url));
const missing = tmuxMissing();

let term: Tmux | undefined;
afterEach(() => term?.kill());

/** The PID of the UI's node process (the one running dist/cli.js). */
function uiPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(CLI) && cmdline.includes(KATA) && cmdline.startsWith('node')) return Number(entry);
    } catch {
      // it ended while we looked
    }
  }
  return undefined;
}

/** Peak and current resident memory of a process, in MB. */
function memory(pid: number): { peakMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

describe.skipIf(missing !== undefined)(
  `a flood of output in the terminal UI${missing === undefined ? '' : ` (skipped: ${missing})`}`,
  { timeout: 180_000 },
  () => {
    it('200,000 lines: keys are answered while it streams, memory stays bounded', async () => {
      const state = mkdtempSync(join(tmpdir(), 'kata-ui-state-'));
      term = new Tmux(`node ${LAUNCH} ${KATA}`, {
        cwd: ROOT,
        env: { XDG_STATE_HOME: state, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' },
        columns: 100,
        rows: 30,
      });
      const t = term;
      await t.waitFor((s) => s.includes('Step 1 of 2') && s.includes('press Enter'));
      const pid = uiPid();
      expect(pid).toBeDefined();
      const before = memory(pid!);
      const started = Date.now();
      t.send('Enter');
      await t.waitFor(/flood line \d+/);
      // A key while the flood streams: the help opens, then closes.
      const asked = Date.now();
      t.send('?');
      await t.waitFor('any key closes this help', 10_000);
      const helpMs = Date.now() - asked;
      const stillRunning = !t.screen().includes('flood passed');
      t.send('x');
      const screen = await t.waitFor((s) => s.includes('Step 2 of 2') && s.includes('press Enter'), 120_000);
      const floodMs = Date.now() - started;
      const after = memory(pid!);
      expect(screen).toMatch(/✓ flood passed/);
      expect(screen).toContain('200,000 lines of output');
      t.send('q');
      await t.waitFor('Quit?');
      t.send('y');
      await t.waitFor('Kata stopped before the end', 30_000);

      const figures = {
        lines: 200_000,
        note: 'includes 2 s of pauses in the step (20 x 0.1 s) so keys arrive mid-stream',
        floodWallMs: floodMs,
        keyAnsweredMs: helpMs,
        keyAnsweredWhileStreaming: stillRunning,
        rssBeforeMb: Math.round(before.rssMb),
        peakRssMb: Math.round(after.peakMb),
      };
      console.log(`UI flood figures: ${JSON.stringify(figures)}`);
      if (process.env.KATA_BENCH_OUT !== undefined) writeFileSync(process.env.KATA_BENCH_OUT, `${JSON.stringify(figures, null, 2)}\n`);
      expect(helpMs).toBeLessThan(2000);
      // Ink, React and yoga alone take ~90 MB at rest; the flood may add garbage, not a copy of the output.
      expect(after.peakMb - before.rssMb).toBeLessThan(80);
      expect(after.peakMb).toBeLessThan(200);
      expect(existsSync(state)).toBe(true);
    });

    it('q while the flood streams stops the step, then the cleanup runs; SIGTERM needs no question', async () => {
      const state = mkdtempSync(join(tmpdir(), 'kata-ui-state-'));
      const env = { XDG_STATE_HOME: state, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' };
      term = new Tmux(`node ${LAUNCH} ${KATA}; echo "[exit $?]"`, { cwd: ROOT, env, columns: 100, rows: 30 });
      let t = term;
      await t.waitFor((s) => s.includes('Step 1 of 2') && s.includes('press Enter'));
      t.send('Enter');
      await t.waitFor(/flood line \d+/);
      t.send('q');
      await t.waitFor('Quit?');
      t.send('y');
      let screen = await t.waitFor('[exit 130]', 30_000);
      expect(screen).toMatch(/■ flood/);
      expect(screen).toContain('Kata stopped before the end');
      t.kill();

      term = new Tmux(`node ${LAUNCH} ${KATA}; echo "[exit $?]"`, { cwd: ROOT, env, columns: 100, rows: 30 });
      t = term;
      await t.waitFor((s) => s.includes('Step 1 of 2') && s.includes('press Enter'));
      process.kill(uiPid()!, 'SIGTERM');
      screen = await t.waitFor('[exit 130]', 30_000);
      expect(screen).toContain('Kata stopped before the end');
      expect(t.format('#{alternate_on}')).toBe('0');
    });
  },
);
