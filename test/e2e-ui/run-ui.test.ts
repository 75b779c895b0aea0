/**
 * The terminal UI end to end, in a real terminal (tmux): a newcomer walks katas/first-steps.md
 * with only what the screen says, retries a failed step, quits halfway (the cleanup is shown and
 * done), and resumes. The UI is started as `kata run` (dist/cli.js).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Tmux, tmuxMissing } from '../helpers/tmux.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI, as a learner starts it: `kata run FILE`. */
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const LAUNCH = `${CLI} run`;
const missing = tmuxMissing();
const ASKS = 'Read the step, then press Enter to run it.';

let term: Tmux | undefined;
afterEach(() => term?.kill());

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/commands/run/interactive.js'))) throw new Error('dist/ is not built: run `npm run build` first');
});

function start(args: string, state: string, size: { columns?: number; rows?: number } = {}): Tmux {
  // The terminal's settings are compared before and after, to prove they were restored.
  const command = `S=$(stty -g); node ${LAUNCH} ${args}; code=$?; [ "$(stty -g)" = "$S" ] && echo TTY-RESTORED; exit $code`;
  term = new Tmux(`sh -c '${command}'`, {
    cwd: ROOT,
    env: { XDG_STATE_HOME: state, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' },
    ...size,
  });
  return term;
}

function stateDir(): string {
  return mkdtempSync(join(tmpdir(), 'kata-ui-state-'));
}

function progressOf(state: string): { finished: Record<string, { status: string }> } | undefined {
  const dir = join(state, 'kata-runner');
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  return file === undefined ? undefined : JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

describe.skipIf(missing !== undefined)(
  `kata run in a terminal${missing === undefined ? '' : ` (skipped: ${missing})`}`,
  { timeout: 120_000 },
  () => {
    it('walks first-steps to the end with only what the screen says', async () => {
      const state = stateDir();
      const t = start('katas/first-steps.md', state);
      let screen = await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes(ASKS));
      expect(screen).toContain('First steps with kata-runner');
      expect(screen).toContain('this machine only');
      expect(screen).toContain('$ export WORKDIR=$(mktemp -d /tmp/kata-first-steps.XXXXXX)');
      t.send('Enter');
      screen = await t.waitFor((s) => s.includes('Step 2 of 4') && s.includes(ASKS));
      expect(screen).toContain('✓ workspace passed');
      t.send('Enter');
      screen = await t.waitFor((s) => s.includes('Step 3 of 4') && s.includes(ASKS));
      expect(screen).toMatch(/✓ page passed[\s\S]*index\.html[\s\S]*serve\.mjs/);
      t.send('Enter');
      screen = await t.waitFor((s) => s.includes('Step 4 of 4') && s.includes(ASKS));
      expect(screen).toMatch(/◆ server/);
      t.send('Enter');
      screen = await t.waitFor('[exit 0]', 30_000);
      expect(screen).toContain('Cleanup (the kata is done)');
      expect(screen).toMatch(/✓ remove-workdir/);
      expect(screen).toContain('nothing left behind');
      expect(screen).toContain('Kata done: every step passed');
      expect(screen).toContain('4 passed, 0 failed, 0 skipped');
      expect(screen).toContain('TTY-RESTORED');
      expect(progressOf(state)).toBeUndefined(); // finished: nothing to resume
    });

    it('an edited command that fails: what was expected and seen, then r retries and the kata goes on', async () => {
      const t = start('katas/first-steps.md', stateDir());
      await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes(ASKS));
      t.send('Enter');
      await t.waitFor((s) => s.includes('Step 2 of 4') && s.includes(ASKS));
      t.send('e');
      await t.waitFor('Edit before page runs');
      t.send('Tab');
      await t.waitFor('› command 2: ls');
      t.send('C-u');
      // Fails the first time it runs, passes after (whether a retry keeps the edit or not).
      t.type('test -e again || { touch again; ls /nonexistent-kata-dir; } && ls');
      t.send('Enter');
      let screen = await t.waitFor((s) => s.includes('(edited)') && !s.includes('Edit before'));
      expect(screen).toContain("- ls (the kata's)");
      t.send('Enter');
      screen = await t.waitFor('The step failed', 20_000);
      expect(screen).toMatch(/✗ failed/);
      expect(screen).toContain('nonexistent-kata-dir');
      expect(screen).toContain('r  retry');
      t.send('r');
      screen = await t.waitFor((s) => s.includes('Step 3 of 4') && s.includes(ASKS), 20_000);
      expect(screen).toMatch(/✓ page passed/);
      t.send('q');
      await t.waitFor('Quit?');
      t.send('y');
      await t.waitFor('[exit 130]', 30_000);
    });

    it('quit halfway: asks, runs the cleanup and shows it, keeps the progress; --resume continues there', async () => {
      const state = stateDir();
      let t = start('katas/first-steps.md', state);
      await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes(ASKS));
      t.send('Enter');
      await t.waitFor((s) => s.includes('Step 2 of 4') && s.includes(ASKS));
      t.send('Enter');
      await t.waitFor((s) => s.includes('Step 3 of 4') && s.includes(ASKS));
      t.send('q');
      await t.waitFor('Quit? The cleanup runs next');
      t.send('n');
      await t.waitFor((s) => !s.includes('Quit?') && s.includes(ASKS));
      t.send('q');
      await t.waitFor('Quit?');
      t.send('y');
      let screen = await t.waitFor('[exit 130]', 30_000);
      expect(screen).toContain('Cleanup (you quit)');
      expect(screen).toMatch(/✓ remove-workdir/);
      const removed = /removed (\/tmp\/kata-first-steps\.\w+)/.exec(screen);
      expect(removed).not.toBeNull();
      expect(existsSync(removed![1]!)).toBe(false);
      expect(screen).toContain('Kata stopped before the end');
      expect(screen).toContain('TTY-RESTORED');
      expect(Object.keys(progressOf(state)?.finished ?? {})).toEqual(['workspace', 'page']);
      t.kill();

      t = start('katas/first-steps.md --resume', state);
      screen = await t.waitFor('You stopped this kata at step server');
      expect(screen).toContain('Continuing runs the 2 steps you passed again first');
      expect(screen).not.toContain('The kata changed');
      t.send('Enter');
      // The two finished steps are replayed (their folder and page are needed by the server).
      screen = await t.waitFor((s) => s.includes('Step 3 of 4') && s.includes(ASKS), 20_000);
      expect(screen).toMatch(/✓ workspace \(replayed\)/);
      expect(screen).toMatch(/✓ page \(replayed\)/);
      t.send('Enter');
      await t.waitFor((s) => s.includes('Step 4 of 4') && s.includes(ASKS));
      t.send('Enter');
      screen = await t.waitFor('[exit 0]', 30_000);
      expect(screen).toContain('4 passed, 0 failed, 0 skipped');
      expect(progressOf(state)).toBeUndefined();
    });

    it('--resume tells which steps changed in the kata since', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'kata-ui-copy-'));
      cpSync(join(ROOT, 'katas'), dir, { recursive: true });
      const state = stateDir();
      let t = start(`${dir}/first-steps.md`, state);
      await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes(ASKS));
      t.send('Enter');
      await t.waitFor((s) => s.includes('Step 2 of 4') && s.includes(ASKS));
      t.send('C-c');
      await t.waitFor('Quit?');
      t.send('C-c'); // Ctrl-C twice: like q, then yes
      await t.waitFor('[exit 130]', 30_000);
      t.kill();
      const kata = join(dir, 'first-steps.md');
      writeFileSync(
        kata,
        readFileSync(kata, 'utf8').replace(
          "echo '<h1>Hello from kata-runner</h1>' > index.html",
          "echo '<h1>Hello from kata-runner</h1>' > index.html; date",
        ),
      );
      t = start(`${kata} --resume`, state);
      const screen = await t.waitFor('You stopped this kata at step page');
      expect(screen).toContain('The kata changed since you stopped');
      expect(screen).toMatch(/page \(line \d+\) changed/);
      t.send('n'); // start from the beginning instead
      await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes(ASKS));
      t.send('q');
      await t.waitFor('Quit?');
      t.send('y');
      await t.waitFor('[exit 130]', 30_000);
      rmSync(dir, { recursive: true, force: true });
    });

    it('i gives the terminal to a shell and o to a pager; the screen comes back where it was', async () => {
      const t = start('katas/first-steps.md', stateDir());
      await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes(ASKS));
      expect(t.format('#{alternate_on}')).toBe('1');
      t.send('Enter');
      await t.waitFor((s) => s.includes('Step 2 of 4') && s.includes(ASKS));
      t.send('i');
      await t.waitFor('Type exit to go back to the kata');
      expect(t.format('#{alternate_on}')).toBe('0');
      t.type('echo SHELL-$((6*7))');
      t.send('Enter');
      await t.waitFor('SHELL-42');
      t.type('exit');
      t.send('Enter');
      await t.waitFor((s) => s.includes('Step 2 of 4') && s.includes(ASKS));
      t.send('Enter'); // keys reach the screen again
      await t.waitFor((s) => s.includes('Step 3 of 4') && s.includes(ASKS));
      t.send('o');
      // The pager shows the whole output of the step before, commands included.
      await t.waitFor((s) => s.includes('$ ls') && s.includes('serve.mjs') && !s.includes(ASKS));
      t.send('q');
      await t.waitFor((s) => s.includes('Step 3 of 4') && s.includes(ASKS));
      t.send('q');
      await t.waitFor('Quit?');
      t.send('y');
      const screen = await t.waitFor('[exit 130]', 30_000);
      expect(screen).toContain('TTY-RESTORED');
      expect(t.format('#{alternate_on}')).toBe('0');
      expect(t.format('#{cursor_flag}')).toBe('1');
    });

    it('60 columns and a resize keep the screen readable', async () => {
      const t = start('katas/first-steps.md', stateDir(), { columns: 60, rows: 24 });
      let screen = await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes('Enter'));
      expect(screen).toContain('q  quit');
      t.resize(100, 30);
      await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes('q  quit'));
      t.resize(60, 20);
      screen = await t.waitFor((s) => s.includes('Step 1 of 4') && s.includes('q  quit'));
      expect(screen.split('\n').filter((l) => l.includes('Step 1 of 4'))).toHaveLength(1);
      t.send('q');
      await t.waitFor('Quit?');
      t.send('y');
      await t.waitFor('[exit 130]', 30_000);
    });
  },
);
