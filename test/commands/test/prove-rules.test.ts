/**
 * The rules of `kata test --prove` (src/commands/test/prove.ts) on a kata with a pod shell and a
 * pod placeholder, the probe being the edge this test is about (the engine's, which runs
 * commands and reads the API, is exercised by the CLI tests and the course on the lab).
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/checks/output-checks.js';
import { describeCheck } from '../../../src/kata/describe.js';
import type { Step } from '../../../src/kata/model.js';
import { changesSomething, Prover, rerunnable } from '../../../src/commands/test/prove.js';
import type { ProbeResult } from '../../../src/run/probe.js';
import { kata } from '../../helpers/kata.js';
import { step } from '../../helpers/run.js';

const k = kata(`
  # Rules

  <!-- kata: id make -->
  \`\`\`console
  kubectl create deploy web --image nginx
  \`\`\`

  <!-- kata: id shell -->
  \`\`\`console
  kubectl exec -it <web POD> -- sh
  \`\`\`

  <!-- kata: id touch; in web -->
  \`\`\`console
  touch /tmp/x
  \`\`\`

  <!-- kata: id look; in web; expect contains "x" -->
  \`\`\`console
  ls /tmp
  \`\`\`

  <!-- kata: id phase; in host; expect contains "Running" -->
  \`\`\`console
  kubectl get po <web POD>
  \`\`\`
`);

const passing = (s: Step): CheckResult[] =>
  s.checks.map((check) => ({ check, passed: true, expected: describeCheck(check), detail: 'found' }));

/** Runs the kata's main phase through the prover: `probe` answers for (later step, point). */
async function prove(probe: (later: Step, before: Step) => ProbeResult, output: Record<string, string[]>) {
  const prover = new Prover(k);
  for (const s of k.steps.filter((x) => x.run)) {
    await prover.beforeStep(s, (later) => Promise.resolve(probe(later, s)));
    prover.on({ type: 'step-started', step: s, attempt: 1, commands: [] });
    prover.on({ type: 'output', step: s, lines: output[s.id] ?? [] });
    prover.on({
      type: 'step-ended',
      step: s,
      status: 'passed',
      durationMs: 0,
      attempts: 1,
      exitCode: 0,
      excerpt: { head: [], tail: [], omitted: 0 },
    });
  }
  return new Map(prover.proofs().map((p) => [p.step, p]));
}

describe('kata test --prove: where a check is evaluated again, and what its holding means', () => {
  it('evaluates checks again before the steps that change something, and runs only read-only steps again', () => {
    expect(k.steps.filter(changesSomething).map((s) => s.id)).toEqual(['make', 'shell', 'touch']);
    expect(k.steps.filter(rerunnable).map((s) => s.id)).toEqual(['look', 'phase']);
  });

  it('a host check that held from the first point its pod existed proves nothing; one in a pod shell is judged on its broken output', async () => {
    const proofs = await prove(
      (later, before) => {
        if (before.id === 'make') return { ran: false, why: 'no Ready pod of app web yet', waitingFor: 'pod' };
        if (later.id === 'look' && before.id === 'shell')
          return { ran: false, why: 'its shell "web" is not open yet', waitingFor: 'shell' };
        return { ran: true, results: passing(later), commandsRun: true };
      },
      { look: ['x'], phase: ['web-1   1/1   Running   0   5s'] },
    );
    expect(proofs.get('phase')).toMatchObject({
      verdict: 'proves-nothing',
      how: 'it held when evaluated before step shell (line 10), before step touch (line 15), from the first point at which it could be evaluated: it holds whatever the kata did before it',
    });
    // Its shell opened after the deployment it may depend on: holding before `touch` decides nothing.
    expect(proofs.get('look')).toMatchObject({
      verdict: 'proven',
      how: expect.stringMatching(/^failed on its output with "x" removed \(it held when evaluated before step touch/),
    });
  });

  it('is proven where it fails, and a pod shell check that holds on its broken output too proves nothing', async () => {
    const failing = (later: Step): ProbeResult => ({
      ran: true,
      commandsRun: true,
      results: later.checks.map((check) => ({ check, passed: false, expected: describeCheck(check), detail: 'not found in the output' })),
    });
    const proofs = await prove(
      (later, before) => (before.id === 'touch' ? failing(later) : { ran: false, why: 'not yet', waitingFor: 'shell' }),
      {
        look: ['x'],
      },
    );
    expect(proofs.get('look')).toMatchObject({
      verdict: 'proven',
      how: 'failed when evaluated before step touch (line 15): not found in the output',
    });
    expect(proofs.get('phase')?.verdict).toBe('proven');
  });

  it('a check in a pod shell that no probe could reach proves nothing when it holds on its broken copy too (a pattern matching nothing)', async () => {
    const empty = kata(`
      # Empty

      <!-- kata: id make -->
      \`\`\`console
      kubectl create deploy web --image nginx
      \`\`\`

      <!-- kata: id shell -->
      \`\`\`console
      kubectl exec -it <web POD> -- sh
      \`\`\`

      <!-- kata: id look; in web; expect matches "a?" -->
      \`\`\`console
      ls /tmp
      \`\`\`
    `);
    const prover = new Prover(empty);
    for (const s of empty.steps.filter((x) => x.run)) {
      await prover.beforeStep(s, () => Promise.resolve({ ran: false, why: 'its shell "web" is not open yet', waitingFor: 'shell' }));
      prover.on({ type: 'step-started', step: s, attempt: 1, commands: [] });
      prover.on({ type: 'output', step: s, lines: ['bin', 'etc'] });
      prover.on({
        type: 'step-ended',
        step: s,
        status: 'passed',
        durationMs: 0,
        attempts: 1,
        exitCode: 0,
        excerpt: { head: [], tail: [], omitted: 0 },
      });
    }
    expect(prover.proofs()).toMatchObject([
      {
        step: step(empty, 'look').id,
        verdict: 'proves-nothing',
        how: 'it still held on its output with what /a?/ matched removed',
      },
    ]);
  });
});
