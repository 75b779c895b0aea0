/**
 * What the promises rule yields on the upstream katas in ../shared/upstream, judged by hand
 * against each text (see the README, "How a kata is read"): which sentences and blocks become
 * checks, which are warnings, and that each expected-output check can pass on output like the
 * block it came from. Run by `npm run test:corpus`, not by `npm test`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputChecks } from '../../src/checks/output-checks.js';
import { describeCheck } from '../../src/kata/describe.js';
import { lintKata } from '../../src/kata/lint.js';
import { loadKata } from '../../src/kata/parse.js';
import { ROOT } from '../helpers/cli.js';

const UPSTREAM = join(ROOT, '..', 'shared', 'upstream');
if (!existsSync(UPSTREAM))
  throw new Error(`the corpus suite needs the upstream katas in ${UPSTREAM}; run it from a checkout that has ../shared beside it`);

const FILES = [
  'debugging-with-ephemeral-containers.md',
  'eficode-00-setup-introduction.md',
  'locality-aware-load-balancing.md',
  'mutual-tls.md',
  'when-not-to-use-tls.md',
];

/** Each inferred check as `step line: description <- sentence line`, and inferred retries and re-runs. */
function promises(file: string) {
  const kata = loadKata(join(UPSTREAM, file));
  return {
    checks: kata.steps.flatMap((s) => s.checks.filter((c) => c.inferred).map((c) => `${s.line}: ${describeCheck(c)} <- ${c.line}`)),
    retried: kata.steps.filter((s) => s.retryInferred !== undefined).map((s) => s.line),
    reruns: kata.steps.filter((s) => s.rerunOf !== undefined).map((s) => `${s.line}:${s.rerunOf ?? ''}`),
    warnings: lintKata(kata)
      .filter((d) => d.message.startsWith('the text promises'))
      .map((d) => d.line),
  };
}

const expected: Record<string, ReturnType<typeof promises>> = {
  'debugging-with-ephemeral-containers.md': {
    checks: [
      '45: output contains "Welcome to nginx!" <- 41',
      '101: captured packet payload is encrypted (TLS records, no plaintext) <- 104',
      '112: captured packet payload holds plaintext (HTTP or readable text) <- 115',
    ],
    retried: [45],
    reruns: [],
    warnings: [],
  },
  // Every "you should see" table and the loop's sample lines; the Kiali sentences and the
  // `age` service "no longer being shown" (in Kiali) are not checks.
  'eficode-00-setup-introduction.md': {
    checks: [
      '135: output looks like the block at line 140 <- 138',
      '161: output looks like the block at line 166 <- 164',
      '226: output looks like the block at line 231 <- 229',
      '246: output looks like the block at line 251 <- 249',
      '338: output looks like the block at line 344 <- 341',
      '374: output looks like the block at line 380 <- 377',
    ],
    retried: [135, 226, 246, 338, 374],
    reruns: [],
    warnings: [],
  },
  // The pod list after `kubectl apply`/`scale` and "`2/2` in the `READY` column" have no command
  // that prints them; "the POD on `node-1`" is a place, "*i.e. requests are load balanced*" an aside.
  'locality-aware-load-balancing.md': { checks: [], retried: [], reruns: [], warnings: [71, 93] },
  // `kubectl get pods` is only in the prose; everything else is seen in Kiali.
  'mutual-tls.md': { checks: [], retried: [], reruns: [], warnings: [24] },
  // "404 errors", "`TCP connection`": Kiali's view, not a command's output.
  'when-not-to-use-tls.md': { checks: [], retried: [], reruns: [], warnings: [] },
};

describe('promises in the upstream katas', () => {
  it.each(FILES)('%s yields the promises a reader finds there', (file) => {
    expect(promises(file)).toEqual(expected[file]);
  });

  it('gives every expected-output check a block it passes on, so a correct run can pass it', () => {
    const kata = loadKata(join(UPSTREAM, 'eficode-00-setup-introduction.md'));
    const likes = kata.steps.flatMap((s) => s.checks.filter((c) => c.kind === 'output-like'));
    expect(likes.length).toBe(6);
    for (const check of likes) {
      const checks = new OutputChecks([check]);
      checks.feedLines(check.expected.split('\n'));
      expect(checks.finish(0)[0], check.expected).toMatchObject({ passed: true });
    }
  });

  it('passes the first pod list on a run where the pods carry their version (age-v1-…), as the later lists show', () => {
    const kata = loadKata(join(UPSTREAM, 'eficode-00-setup-introduction.md'));
    const first = kata.steps.find((s) => s.line === 135)?.checks[0];
    const later = kata.steps.find((s) => s.line === 226)?.checks[0];
    if (first?.kind !== 'output-like' || later?.kind !== 'output-like') throw new Error('the pod lists are not checked');
    const checks = new OutputChecks([first]);
    checks.feedLines(later.expected.replace(/2\/2/g, '1/1').split('\n'));
    expect(checks.finish(0)[0]).toMatchObject({ passed: true });
    const sidecars = new OutputChecks([first]);
    sidecars.feedLines(later.expected.split('\n'));
    expect(sidecars.finish(0)[0]?.detail).toMatch(/^expected line not seen: "pod\/age-7976688957-mbvzz .*READY 1\/1, STATUS Running\)/);
  });
});
