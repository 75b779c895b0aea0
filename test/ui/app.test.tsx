import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/run/events.js';
import { UiGate } from '../../src/ui/ui-gate.js';
import { kata as inlineKata } from '../helpers/kata.js';
import { frameWith, kataOf, KEYS, recording, renderApp, waitForFrame, type Rendered } from '../helpers/ui.js';

let rendered: Rendered | undefined;
afterEach(() => rendered?.unmount());

const firstSteps = recording('first-steps');
const failing = recording('failing');

/** Feeds events up to (not including) the first one matching `stop`. */
function feedUntil(events: readonly EngineEvent[], on: (e: EngineEvent) => void, stop: (e: EngineEvent) => boolean = () => false): void {
  for (const event of events) {
    if (stop(event)) return;
    on(event);
  }
}

describe('the run screen', () => {
  it('shows the title, where it runs, the progress and the keys', async () => {
    rendered = renderApp(kataOf(firstSteps));
    rendered.view.on(firstSteps[0] as EngineEvent);
    const frame = await frameWith(rendered.frame, 'First steps with kata-runner', 'this machine only', 'step 1 of 4');
    expect(frame).toContain('workspace');
    expect(frame).toContain('fetch');
  });

  it('marks every status: pending, waiting, running, background, passed, failed, skipped, interrupted', async () => {
    const k = inlineKata(`
      # Marks
      \`\`\`console
      echo a
      \`\`\`
      \`\`\`console
      echo b
      \`\`\`
      \`\`\`console
      echo c
      \`\`\`
      \`\`\`console
      echo d
      \`\`\`
      <!-- kata: background for 5s -->
      \`\`\`console
      tail -f /dev/null
      \`\`\`
      \`\`\`console
      echo f
      \`\`\`
      \`\`\`console
      echo g
      \`\`\`
      \`\`\`console
      echo h
      \`\`\`
    `);
    rendered = renderApp(k);
    const { view } = rendered;
    const [a, b, c, d, bg, f, g] = k.steps;
    const excerpt = { head: [], tail: [], omitted: 0 };
    view.on({ type: 'run-started', kata: k, at: Date.now() });
    view.on({ type: 'step-started', step: a!, attempt: 1, commands: ['echo a'] });
    view.on({ type: 'step-ended', step: a!, status: 'passed', durationMs: 5, attempts: 1, excerpt });
    view.on({ type: 'step-started', step: b!, attempt: 1, commands: ['echo b'] });
    view.on({ type: 'step-ended', step: b!, status: 'failed', durationMs: 5, attempts: 1, reason: 'exited with status 1', excerpt });
    view.on({ type: 'step-started', step: c!, attempt: 1, commands: ['echo c'] });
    view.on({ type: 'step-ended', step: c!, status: 'skipped', durationMs: 0, attempts: 1, reason: 'skipped by you', excerpt });
    view.on({ type: 'step-started', step: d!, attempt: 1, commands: ['echo d'] });
    view.on({ type: 'step-ended', step: d!, status: 'interrupted', durationMs: 0, attempts: 1, excerpt });
    view.on({ type: 'step-started', step: bg!, attempt: 1, commands: ['tail -f /dev/null'] });
    view.on({ type: 'background-started', step: bg! });
    view.on({ type: 'step-started', step: f!, attempt: 1, commands: ['echo f'] });
    void view.ask({ kind: 'before-step', step: g!, commands: ['echo g'], values: new Map() });
    // f runs (spinner), g waits for the learner, h is pending.
    const frame = await waitForFrame(rendered.frame, (fr) => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] s6/.test(fr));
    const line = (id: string): string => frame.split('\n').find((l) => new RegExp(`[^\\w]${id} `).test(l)) ?? '';
    expect(line('s1')).toContain('✓');
    expect(line('s2')).toContain('✗');
    expect(line('s3')).toContain('↷');
    expect(line('s4')).toContain('■');
    expect(line('s5')).toContain('◆');
    expect(line('s7')).toContain('▶');
    expect(line('s8')).toContain('○');
  });

  it('walks a recorded run: the step asked about, its command, the result of the one before', async () => {
    rendered = renderApp(kataOf(firstSteps));
    const { view } = rendered;
    feedUntil(firstSteps, view.on, (e) => e.type === 'step-started' && e.step.id === 'server');
    const page = kataOf(firstSteps).steps.find((s) => s.id === 'server')!;
    void view.ask({ kind: 'before-step', step: page, commands: ['node serve.mjs'], values: new Map() });
    const frame = await frameWith(rendered.frame, 'Step 3 of 4', '$ node serve.mjs', 'Enter', 'run');
    // The prose is rendered from Markdown: inline code loses its backticks... unless colours are off.
    expect(frame).toContain('Start the web server.');
    // The step before stays in view with its output and checks.
    expect(frame).toContain('✓ page passed');
    expect(frame).toContain('index.html');
    expect(frame).toMatch(/✓ output contains "serve.mjs"/);
  });

  it('shows the live output of a running step, its checks, and the cleanup and summary at the end', async () => {
    rendered = renderApp(kataOf(firstSteps));
    const { view } = rendered;
    const fetchEnds = firstSteps.findIndex((e) => e.type === 'step-ended' && e.step.id === 'fetch');
    feedUntil(firstSteps.slice(0, fetchEnds), view.on);
    await frameWith(
      rendered.frame,
      'Step 4 of 4',
      '│ <h1>Hello from kata-runner</h1>',
      '✓ check: output contains "Hello from kata-runner"',
    );
    feedUntil(firstSteps.slice(fetchEnds), view.on);
    const frame = await frameWith(
      rendered.frame,
      'Cleanup',
      'remove-workdir',
      '$ rm -rf "$WORKDIR"',
      'nothing left behind',
      'Kata done: every step passed',
      '4 passed, 0 failed, 0 skipped',
    );
    expect(frame).toMatch(/✓ server\s+\d/);
  });

  it('a failed check shows what was expected, what was seen, and the output', async () => {
    rendered = renderApp(kataOf(failing));
    const { view } = rendered;
    feedUntil(failing, view.on, (e) => e.type === 'cleanup-started');
    const wrong = kataOf(failing).steps.find((s) => s.id === 'wrong')!;
    void view.ask({ kind: 'after-failure', step: wrong });
    const frame = await frameWith(rendered.frame, '✗ check: output contains "two"', 'expected:', 'seen:', 'three', 'failed');
    expect(frame).toContain('test.md'.length > 0 ? 'failing.md:' : '');
    expect(frame).toContain(' r  retry');
    expect(frame).toContain(' c  continue without it');
  });
});

describe('keys', () => {
  const k = inlineKata(`
    # Keys
    Look at <nginx POD>:
    \`\`\`console
    kubectl describe pod <nginx POD>
    echo <name>
    \`\`\`
  `);
  const step = k.steps[0]!;
  const asked = ['kubectl describe pod nginx-abc', 'echo <name>'];
  const values = new Map([['nginx POD', 'nginx-abc']]);

  it('Enter runs, s skips, q asks before quitting', async () => {
    rendered = renderApp(k);
    const gate = new UiGate(rendered.view);
    const first = gate.beforeStep(step, asked, values);
    await frameWith(rendered.frame, 'kubectl describe pod nginx-abc');
    rendered.press(KEYS.enter);
    expect(await first).toEqual({ action: 'run' });
    const second = gate.beforeStep(step, asked, values);
    await frameWith(rendered.frame, 'Read the step');
    rendered.press('s');
    expect(await second).toEqual({ action: 'skip' });
    const third = gate.beforeStep(step, asked, values);
    await frameWith(rendered.frame, 'Read the step');
    rendered.press('q');
    await frameWith(rendered.frame, 'Quit? The cleanup runs next');
    rendered.press('n');
    await frameWith(rendered.frame, 'Read the step');
    rendered.press(KEYS.ctrlC);
    await frameWith(rendered.frame, 'Quit?');
    rendered.press('y');
    expect(await third).toEqual({ action: 'quit' });
  });

  it('the placeholder editor: a typed value is marked as edited, a bad one is refused, and the step runs with it', async () => {
    rendered = renderApp(k);
    const gate = new UiGate(rendered.view);
    const decision = gate.beforeStep(step, asked, values);
    await frameWith(rendered.frame, 'kubectl describe pod nginx-abc');
    rendered.press('e');
    await frameWith(rendered.frame, 'Edit before s1 runs', '› <nginx POD>: nginx-abc');
    rendered.press(KEYS.ctrlU);
    rendered.press('Bad Name');
    await frameWith(rendered.frame, 'cannot be used: it is not a Kubernetes name');
    rendered.press(KEYS.enter); // refused: the editor stays open
    await frameWith(rendered.frame, 'Edit before s1 runs');
    rendered.press(KEYS.ctrlU);
    rendered.press('nginx-xyz');
    await frameWith(rendered.frame, '› <nginx POD>: nginx-xyz');
    rendered.press(KEYS.enter);
    const frame = await frameWith(rendered.frame, '<nginx POD> = nginx-xyz (edited; was nginx-abc)', '$ kubectl describe pod nginx-xyz');
    expect(frame).not.toContain('Edit before');
    rendered.press(KEYS.enter);
    expect(await decision).toEqual({ action: 'run', values: { 'nginx POD': 'nginx-xyz' } });
  });

  it('editing a command shows it as a diff from the kata and runs it as typed', async () => {
    rendered = renderApp(k);
    const gate = new UiGate(rendered.view);
    const decision = gate.beforeStep(step, asked, values);
    await frameWith(rendered.frame, 'kubectl describe pod nginx-abc');
    rendered.press('e');
    await frameWith(rendered.frame, 'Edit before s1 runs');
    for (let i = 0; i < 3; i++) rendered.press(KEYS.tab);
    await frameWith(rendered.frame, '› command 2: echo <name>');
    rendered.press(KEYS.ctrlU);
    rendered.press('echo hello');
    await frameWith(rendered.frame, '› command 2: echo hello');
    rendered.press(KEYS.enter);
    const frame = await frameWith(rendered.frame, "- echo <name> (the kata's)", '+ echo hello (edited)');
    expect(frame).toContain('$ kubectl describe pod nginx-abc');
    rendered.press(KEYS.enter);
    expect(await decision).toEqual({ action: 'run', commands: ['kubectl describe pod nginx-abc', 'echo hello'] });
  });

  it('? shows every key and the marks; any key closes it', async () => {
    rendered = renderApp(k);
    const gate = new UiGate(rendered.view);
    void gate.beforeStep(step, asked, values);
    await frameWith(rendered.frame, 'Read the step');
    rendered.press('?');
    const help = await frameWith(rendered.frame, 'Keys', 'Marks');
    for (const key of ['Enter', 's ', 'r ', 'e ', 'a ', 'i ', 'o ', 'q ', '? ']) expect(help).toContain(key);
    expect(help).toContain('✓ passed');
    expect(help).toContain('◆ running in the background');
    rendered.press('x');
    await waitForFrame(rendered.frame, (f) => !f.includes('Marks') && f.includes('Read the step'));
  });

  it('a runs the rest automatically, until a failure asks again', async () => {
    rendered = renderApp(k);
    const gate = new UiGate(rendered.view);
    const first = gate.beforeStep(step, asked, values);
    await frameWith(rendered.frame, 'Read the step');
    rendered.press('a');
    expect(await first).toEqual({ action: 'run' });
    expect(await gate.beforeStep(step, asked, values)).toEqual({ action: 'run' });
    const after = gate.afterFailure(step);
    await frameWith(rendered.frame, 'The step failed');
    expect(rendered.view.getSnapshot().auto).toBe(false);
    rendered.press('r');
    expect(await after).toBe('retry');
  });

  it('i and o ask for a shell and the pager; q while a step runs interrupts it after asking', async () => {
    rendered = renderApp(k);
    const gate = new UiGate(rendered.view);
    const decision = gate.beforeStep(step, asked, values);
    await frameWith(rendered.frame, 'Read the step');
    rendered.press('i');
    await waitForFrame(rendered.frame, () => rendered!.actions.shells.length === 1);
    rendered.press(KEYS.enter);
    await decision;
    rendered.view.on({ type: 'step-started', step, attempt: 1, commands: asked });
    rendered.view.on({ type: 'output', step, lines: ['Name: nginx-abc'] });
    await frameWith(rendered.frame, 'Name: nginx-abc');
    rendered.press('o');
    await waitForFrame(rendered.frame, () => rendered!.actions.outputs.length === 1);
    rendered.press('q');
    await frameWith(rendered.frame, 'Quit?');
    rendered.press('y');
    await waitForFrame(rendered.frame, () => rendered!.actions.interrupted === 1);
  });
});

describe('terminals as they are', () => {
  it('60 columns: every line fits', async () => {
    rendered = renderApp(kataOf(firstSteps), { columns: 60, rows: 30 });
    const { view } = rendered;
    feedUntil(firstSteps, view.on, (e) => e.type === 'step-started' && e.step.id === 'fetch');
    const fetch = kataOf(firstSteps).steps.find((s) => s.id === 'fetch')!;
    void view.ask({ kind: 'before-step', step: fetch, commands: [fetch.commands[0]!.text], values: new Map() });
    const frame = await frameWith(rendered.frame, 'Step 4 of 4');
    for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
    expect(frame.split('\n').length).toBeLessThanOrEqual(30);
  });

  it('NO_COLOR: no colour codes at all', async () => {
    rendered = renderApp(kataOf(failing), { color: false });
    feedUntil(failing, rendered.view.on);
    const frame = await frameWith(rendered.frame, 'Kata failed');
    expect(frame).not.toMatch(/\x1b\[(3\d|4\d|9\d)(;\d+)*m/);
  });

  it('a flood keeps only the last lines, and says how many there were', async () => {
    rendered = renderApp(kataOf(failing));
    const { view } = rendered;
    const first = kataOf(failing).steps[0]!;
    view.on(failing[0] as EngineEvent);
    view.on({ type: 'step-started', step: first, attempt: 1, commands: ['yes'] });
    // Chunks of 700 lines (more than the screen keeps) and then single lines, as a pipe delivers them.
    const numbered = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);
    for (let i = 1; i <= 49_000; i += 700) view.on({ type: 'output', step: first, lines: numbered(i, Math.min(i + 699, 49_000)) });
    for (let i = 49_001; i <= 50_000; i++) view.on({ type: 'output', step: first, lines: [`line ${i}`] });
    const frame = await frameWith(rendered.frame, 'line 50000', 'earlier lines (o: all of it)');
    expect(frame).not.toContain('line 100\n');
    expect(view.getSnapshot().steps[0]!.tail.length).toBeLessThanOrEqual(200);
  });
});
