/**
 * Colour, or none (https://no-color.org): NO_COLOR set to anything but '' turns every colour off,
 * in the UI and in its final summary; headless output (the plain reporter, plan, lint) is never
 * coloured, and a run is headless when stdout is not a terminal.
 */
import chalk from 'chalk';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { colorWanted } from '../../src/ui/theme.js';
import { CLI, kataCli, ROOT } from '../helpers/cli.js';
import { inTerminal, ptyMissing } from '../helpers/pty.js';
import { frameWith, kataOf, recording, renderApp, type Rendered } from '../helpers/ui.js';

/** An SGR sequence that sets a foreground or background colour (16, 256 or true colours). */
const COLOUR = /\x1b\[(?:\d+;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;\d+)*m/;
const ESCAPE = /\x1b/;

describe('colorWanted', () => {
  it('wants colour when NO_COLOR is unset or empty', () => {
    expect(colorWanted({})).toBe(true);
    expect(colorWanted({ NO_COLOR: '' })).toBe(true);
  });

  it('wants none when NO_COLOR holds anything, whatever it says', () => {
    for (const value of ['1', '0', 'false', 'no', ' '])
      expect(colorWanted({ NO_COLOR: value }), `NO_COLOR=${JSON.stringify(value)}`).toBe(false);
  });

  it('is not overruled by FORCE_COLOR', () => {
    expect(colorWanted({ NO_COLOR: '1', FORCE_COLOR: '3' })).toBe(false);
  });
});

describe('the UI components', () => {
  // Ink paints through chalk, which paints nothing when the test's stdout is not a terminal:
  // without this, no colour could ever show up and a test for its absence could not fail.
  let level: typeof chalk.level;
  beforeAll(() => {
    level = chalk.level;
    chalk.level = 3;
  });
  afterAll(() => {
    chalk.level = level;
  });
  let rendered: Rendered | undefined;
  afterEach(() => rendered?.unmount());

  const failing = recording('failing');

  it('paint the marks and the summary when colour is wanted, and nothing in colour when it is not', async () => {
    rendered = renderApp(kataOf(failing), { color: true });
    for (const event of failing) rendered.view.on(event);
    expect(await frameWith(rendered.frame, 'Kata failed')).toMatch(COLOUR);
    rendered.unmount();
    rendered = renderApp(kataOf(failing), { color: false });
    for (const event of failing) rendered.view.on(event);
    expect(await frameWith(rendered.frame, 'Kata failed')).not.toMatch(COLOUR);
  });
});

const state = mkdtempSync(join(tmpdir(), 'kata-color-state-'));
/** What a learner's shell has: no CI, a colour terminal. */
const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm-256color', XDG_STATE_HOME: state };
const KATA = 'test/fixtures/katas/state.md';

describe('the built CLI, headless', () => {
  const envs: Record<string, string>[] = [{}, { NO_COLOR: '1' }, { FORCE_COLOR: '1' }, { FORCE_COLOR: '3', NO_COLOR: '1' }];

  it('prints no escape sequence from run --yes, plan or lint, whatever NO_COLOR and FORCE_COLOR say', async () => {
    for (const extra of envs) {
      const env = { ...base, ...extra };
      for (const args of [
        ['run', 'test/fixtures/katas/failing.md', '--yes'],
        ['plan', KATA],
        ['lint', KATA],
      ]) {
        const result = await kataCli(args, { env });
        expect(result.all, `${args.join(' ')} with ${JSON.stringify(extra)}`).toMatch(args[0] === 'run' ? /FAIL wrong/ : /\S/);
        expect(result.all, `${args.join(' ')} with ${JSON.stringify(extra)}`).not.toMatch(ESCAPE);
      }
    }
  });
});

const missing = ptyMissing();
const ASKS = 'press Enter to run it';

/** The raw output of `kata run` of the state kata in a terminal, every step run (`a`). */
async function runInTerminal(extra: Record<string, string>): Promise<string> {
  const { output, exitCode } = await inTerminal(`node ${CLI} run ${KATA}`, {
    cwd: ROOT,
    env: { ...base, ...extra },
    answer: { when: ASKS, keys: 'a' },
  });
  expect(exitCode, output.slice(-2000)).toBe(0);
  return output;
}

describe.skipIf(missing !== undefined)(
  `the built CLI in a terminal${missing === undefined ? '' : ` (skipped: ${missing})`}`,
  { timeout: 60_000 },
  () => {
    it('colours the UI and its summary when NO_COLOR is unset or empty, and nothing when it holds anything', async () => {
      const cases: [Record<string, string>, boolean][] = [
        [{}, true],
        [{ NO_COLOR: '' }, true],
        [{ NO_COLOR: '1' }, false],
        [{ NO_COLOR: '0' }, false],
        [{ NO_COLOR: 'false' }, false],
        [{ NO_COLOR: '1', FORCE_COLOR: '3' }, false],
      ];
      const outputs = await Promise.all(cases.map(([extra]) => runInTerminal(extra)));
      cases.forEach(([extra, coloured], i) => {
        const output = outputs[i] ?? '';
        expect(output, JSON.stringify(extra)).toContain('Kata done: every step passed');
        // What stays after the UI leaves the alternate screen is the final summary, printed to stdout.
        const summary = output.slice(output.lastIndexOf('\x1b[?1049l'));
        expect(summary, JSON.stringify(extra)).toContain('2 passed, 0 failed, 0 skipped');
        expect(COLOUR.test(output), `the screen with ${JSON.stringify(extra)}`).toBe(coloured);
        expect(COLOUR.test(summary), `the summary with ${JSON.stringify(extra)}`).toBe(coloured);
      });
    });

    it('runs headless, without any escape sequence, when stdout is not a terminal, even with FORCE_COLOR and a terminal on stdin and stderr', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'kata-color-')), 'out.txt');
      const { output, exitCode } = await inTerminal(`node ${CLI} run ${KATA} > ${file}`, {
        cwd: ROOT,
        env: { ...base, FORCE_COLOR: '3' },
        timeoutMs: 15_000,
      });
      expect(exitCode).toBe(0);
      const written = readFileSync(file, 'utf8');
      expect(written).toContain('== passed: 3 passed, 0 failed, 0 skipped');
      expect(written).not.toMatch(ESCAPE);
      expect(output).not.toMatch(ESCAPE);
    });
  },
);
