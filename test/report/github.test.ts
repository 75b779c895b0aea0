import { describe, expect, it } from 'vitest';
import { githubAnnotations, githubSummary } from '../../src/report/github.js';
import type { SuiteRecord } from '../../src/report/suite.js';
import { kata } from '../helpers/kata.js';
import { recordOf, step, stepEvents } from '../helpers/run.js';

const k = kata(
  `
  # Broken, really

  <!-- kata: id wait; expect contains "rolled out" -->
  \`\`\`console
  kubectl rollout status deploy/web
  \`\`\`
  `,
  'katas/broken.md',
);
const record = recordOf(k, stepEvents(step(k, 'wait'), { output: ['50%: waiting, token: abcdefghijklmnop'] }));
const suite: SuiteRecord = {
  versions: { runner: '0.1.0', cluster: 'v1.34.1', mesh: null },
  durationMs: 1000,
  exitCode: 1,
  katas: [
    {
      file: 'katas/broken.md',
      title: 'Broken, really',
      status: 'failed',
      attempts: [{ namespace: 'ns', record, evidence: new Map(), status: 'failed', durationMs: 900 }],
    },
    { file: 'katas/a|b.md', title: 'Skipped', status: 'skipped', reason: 'needs a service mesh', attempts: [] },
  ],
};

describe('GitHub Actions output', () => {
  it('annotates each failed step on its line, escaping what workflow commands need escaped', () => {
    expect(githubAnnotations(suite)).toEqual([
      `::error file=katas/broken.md,line=${step(k, 'wait').line},title=Broken%2C really%3A step wait::expected output contains "rolled out": not found in the output`,
    ]);
  });

  it('summarises the suite as a Markdown table with the versions', () => {
    const md = githubSummary(suite);
    expect(md).toContain('### kata test: 0 passed, 1 failed, 0 flaky, 1 skipped of 2');
    expect(md).toContain('| katas/a\\|b.md | skipped | 0 | needs a service mesh |');
    expect(md).toContain('Versions: runner 0.1.0, cluster v1.34.1, mesh none');
  });
});
