/**
 * Issue 4's last promise: on the lab, the ephemeral-containers kata can be walked in the terminal
 * UI, including `i` into the tooling pod and back. A real terminal (tmux) runs `kata run`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Tmux, tmuxMissing } from '../helpers/tmux.js';
import { ROOT } from '../helpers/cli.js';
import { readLabState } from '../../src/lab/status.js';
import { env, labUp, needsLab, paths } from '../helpers/lab.js';

const ASKS = 'Read the step, then press Enter to run it.';
const missing = tmuxMissing();
/** With the lab's mesh the namespace the run creates joins it, and the two captures run. */
const mesh = labUp && (await readLabState(paths)).mesh?.ready === true;
let term: Tmux | undefined;
afterEach(() => term?.kill());

describe('the terminal UI on the lab', () => {
  it.skipIf(!labUp || missing !== undefined)(`walks the ephemeral-containers kata, with i into the tooling pod and back${needsLab}${missing === undefined ? '' : ` (skipped: ${missing})`}`, { timeout: 300_000 }, async () => {
    const state = mkdtempSync(join(tmpdir(), 'kata-ui-lab-'));
    const command = `node dist/cli.js run katas/ephemeral-containers.md --namespace kata-ui-${process.pid}; echo "[exit $?]"`;
    const t = new Tmux(`sh -c '${command}'`, {
      cwd: ROOT,
      env: { XDG_STATE_HOME: state, PATH: env.PATH ?? '', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color', KUBECONFIG: env.KUBECONFIG ?? '' },
      columns: 120,
      rows: 40,
    });
    term = t;
    let screen = await t.waitFor((s) => s.includes('Step 1 of 9') && s.includes(ASKS), 60_000);
    expect(screen).toContain('context kata-lab');
    for (const next of [2, 3, 4]) {
      t.send('Enter');
      screen = await t.waitFor((s) => s.includes(`Step ${next} of 9`) && s.includes(ASKS), 120_000);
    }
    // Step 4 runs in the tooling pod's shell: `i` gives the learner a shell there.
    expect(screen).toContain('$ curl nginx');
    t.send('i');
    await t.waitFor('Type exit to go back to the kata', 60_000);
    t.type('echo "IN-$(hostname)"');
    t.send('Enter');
    await t.waitFor(/IN-multitool-[a-z0-9]+-[a-z0-9]+/, 30_000);
    t.type('exit');
    t.send('Enter');
    await t.waitFor((s) => s.includes('Step 4 of 9') && s.includes(ASKS), 30_000);
    // The rest runs by itself, then the cleanup.
    t.send('a');
    screen = await t.waitFor('[exit 0]', 240_000);
    expect(screen).toContain('nothing left behind');
    if (mesh) {
      expect(screen).toMatch(/\b\d+ passed, 0 failed, 0 skipped/);
      expect(screen).not.toMatch(/↷ capture-eth0/);
    } else {
      expect(screen).toContain('7 passed, 0 failed, 2 skipped');
      expect(screen).toMatch(/↷ capture-eth0/);
    }
  });
});
