import { describe, expect, it } from 'vitest';
import { lintKata } from '../../src/kata/lint.js';
import { planJson } from '../../src/report/plan-json.js';
import { planText } from '../../src/report/plan-text.js';
import { kata, stepWith } from '../helpers/kata.js';

const fence = '```';
const TABLE = `NAME                   READY   STATUS    RESTARTS   AGE
shop-6b7f9c8d5d-q2w4z   2/2     Running   0          40s`;

describe('expected-output blocks', () => {
  it('check the command before a block the text says you should see', () => {
    const k = kata(`
      # Shop

      List the pods:

      ${fence}console
      kubectl get pods
      ${fence}

      After a few seconds you should see something like this:

      ${fence}
      ${TABLE.split('\n').join('\n      ')}
      ${fence}
    `);
    expect(stepWith(k, 'get pods').checks).toEqual([
      {
        kind: 'output-like',
        expected: `${TABLE}\n`,
        blockLine: 11,
        inferred: true,
        line: 9,
        because: 'After a few seconds you should see something like this:',
      },
    ]);
    expect(stepWith(k, 'get pods').retryMs).toBe(60_000);
    const text = planText(k);
    expect(text).toContain(
      'check: output looks like the block at line 11 (inferred from line 9: "After a few seconds you should see something like this:")',
    );
    expect(text).toContain(
      'retried until its checks pass, for up to 1m (inferred: what the text promises (line 9) can take a moment to come true)',
    );
    const json = planJson(k) as { steps: { checks: unknown[]; retryInferred?: string }[] };
    expect(json.steps[0]?.checks).toEqual([
      {
        kind: 'output-like',
        description: 'output looks like the block at line 11',
        inferred: true,
        line: 9,
        because: 'After a few seconds you should see something like this:',
      },
    ]);
    expect(json.steps[0]?.retryInferred).toContain('line 9');
  });

  it('read the cue from the command block when the output block follows it directly', () => {
    const k = kata(`
      Run this; the output should look like the block below.

      ${fence}console
      kubectl get pods
      ${fence}
      ${fence}
      ${TABLE.split('\n').join('\n      ')}
      ${fence}
    `);
    expect(stepWith(k, 'get pods').checks.map((c) => c.kind)).toEqual(['output-like']);
  });

  it('are only shown when the text promises nothing about them', () => {
    const k = kata(`
      ${fence}console
      kubectl get pods
      ${fence}

      ${fence}
      ${TABLE.split('\n').join('\n      ')}
      ${fence}

      Here is an example of a table from another cluster:

      ${fence}
      ${TABLE.split('\n').join('\n      ')}
      ${fence}
    `);
    expect(k.steps.flatMap((s) => s.checks)).toEqual([]);
  });

  it('leave YAML the text asks you to write alone', () => {
    const k = kata(`
      ${fence}console
      kubectl get pods
      ${fence}

      Create a file called \`web.yaml\`; it should look like this:

      ${fence}yaml
      apiVersion: v1
      kind: Pod
      ${fence}
    `);
    expect(k.steps.flatMap((s) => s.checks)).toEqual([]);
    expect(k.diagnostics).toEqual([]);
  });

  it('warn, and check nothing, when no command before the block prints it', () => {
    const named = kata(`
      ${fence}console
      kubectl apply -f shop.yaml
      ${fence}

      Run \`kubectl get pods\` and you should see:

      ${fence}
      ${TABLE.split('\n').join('\n      ')}
      ${fence}
    `);
    expect(named.steps.flatMap((s) => s.checks)).toEqual([]);
    const messages = lintKata(named, () => true).map((d) => `${d.line}: ${d.message}`);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^8: the text promises output like this block, but the command it names \(`kubectl get pods`\) is only in the prose/,
      ),
    );
    const notATable = kata(`
      ${fence}console
      kubectl scale --replicas 2 deploy shop
      ${fence}

      You should now see:

      ${fence}
      ${TABLE.split('\n').join('\n      ')}
      ${fence}
    `);
    expect(notATable.steps.flatMap((s) => s.checks)).toEqual([]);
    expect(notATable.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('does not list anything as a table')]);
  });

  it('check a background step too (a traffic generator whose lines the text shows)', () => {
    const k = kata(`
      ${fence}console
      while true; do curl -s shop/; sleep 1; done
      ${fence}

      You should see lines like these:

      ${fence}
      Order 17 shipped
      Order 18 shipped
      ${fence}
    `);
    expect(stepWith(k, 'while true')).toMatchObject({ background: true, checks: [expect.objectContaining({ kind: 'output-like' })] });
    expect(stepWith(k, 'while true').retryMs).toBeUndefined();
  });
});
