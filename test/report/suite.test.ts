import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/k8s/evidence.js';
import { suiteJunit } from '../../src/report/suite-junit.js';
import { kataStatus, suiteJson, suiteOutcome, summaryTable, totals, type SuiteRecord } from '../../src/report/suite.js';
import { kata } from '../helpers/kata.js';
import { recordOf, step, stepEvents } from '../helpers/run.js';
import { xmllintErrors, xmllintMissing, xpath } from '../helpers/xml.js';

const XSD = fileURLToPath(new URL('../fixtures/junit/junit.xsd', import.meta.url));
const k = kata(
  `
  # Broken rollout

  <!-- kata: id create -->
  \`\`\`console
  kubectl create deploy web --image nginx:nope
  \`\`\`

  <!-- kata: id wait; expect contains "successfully rolled out" -->
  \`\`\`console
  kubectl rollout status deploy/web
  \`\`\`
  `,
  'katas/broken.md',
);

const passedRecord = recordOf(k, [
  ...stepEvents(step(k, 'create')),
  ...stepEvents(step(k, 'wait'), { output: ['deployment "web" successfully rolled out'] }),
]);
const failedRecord = recordOf(k, [
  ...stepEvents(step(k, 'create')),
  ...stepEvents(step(k, 'wait'), { output: ['Waiting for deployment "web" rollout to finish', 'token: abcdefghijklmnop'] }),
]);

const evidence: Evidence = {
  namespace: 'kata-test-broken-1a2b3c',
  events: ['Warning Failed pod/web-1: Failed to pull image "nginx:nope": not found', 'Warning Failed pod/web-1: Error: ErrImagePull'],
  objects: [
    {
      name: 'deployment.apps/web',
      state: [
        'replicas 1: 0 ready, 0 available, 1 updated',
        'condition Available=False (MinimumReplicasUnavailable: Deployment does not have minimum availability.)',
      ],
    },
  ],
  pods: [
    {
      name: 'web-1',
      placeholder: 'web POD',
      phase: 'Pending',
      conditions: ['Ready=False (ContainersNotReady: containers with unready status: [nginx])'],
      containers: [
        {
          name: 'nginx',
          image: 'nginx:nope',
          ready: false,
          restartCount: 0,
          state: 'waiting: ImagePullBackOff: Back-off pulling image "nginx:nope"',
          logs: [],
        },
      ],
    },
  ],
  background: [{ step: 'watch', line: 12, lines: ['web-1   0/1   ErrImagePull   0   5s'] }],
  problems: [],
  truncated: false,
};

const versions = { runner: '0.1.0', cluster: 'v1.34.1', mesh: 'istio 1.31.0' };

const suite: SuiteRecord = {
  versions,
  durationMs: 61_000,
  exitCode: 1,
  katas: [
    {
      file: 'katas/broken.md',
      title: 'Broken rollout',
      status: 'failed',
      attempts: [
        {
          namespace: 'kata-test-broken-1a2b3c',
          record: failedRecord,
          evidence: new Map([['wait', evidence]]),
          status: 'failed',
          durationMs: 40_000,
        },
      ],
    },
    {
      file: 'katas/flaky.md',
      title: 'Flaky <one>',
      status: 'flaky',
      attempts: [
        { namespace: 'kata-test-flaky-000001', record: failedRecord, evidence: new Map(), status: 'failed', durationMs: 10_000 },
        { namespace: 'kata-test-flaky-000002', record: passedRecord, evidence: new Map(), status: 'passed', durationMs: 9_000 },
      ],
    },
    {
      file: 'upstream/mtls.md',
      title: 'mTLS',
      status: 'skipped',
      reason: 'applies deploy/mtls/ (line 16), which is not next to the kata',
      attempts: [],
    },
    {
      file: 'katas/unreadable.md',
      title: 'katas/unreadable.md',
      status: 'failed',
      attempts: [
        {
          namespace: 'kata-test-unreadable-0',
          error: 'namespace could not be created',
          evidence: new Map(),
          status: 'failed',
          durationMs: 5,
        },
      ],
    },
  ],
};

describe('a suite status', () => {
  it('is flaky when a kata passed on a retry, and failed or interrupted from its last attempt', () => {
    expect(kataStatus([{ status: 'passed' }])).toBe('passed');
    expect(kataStatus([{ status: 'failed' }, { status: 'passed' }])).toBe('flaky');
    expect(kataStatus([{ status: 'failed' }, { status: 'failed' }])).toBe('failed');
    expect(kataStatus([{ status: 'interrupted' }])).toBe('interrupted');
  });

  it('fails only for a failed kata; flaky and skipped katas do not fail it, an interruption wins', () => {
    expect(suiteOutcome([{ status: 'passed' }, { status: 'flaky' }, { status: 'skipped' }], false)).toBe('ok');
    expect(suiteOutcome([{ status: 'passed' }, { status: 'failed' }], false)).toBe('failed');
    expect(suiteOutcome([{ status: 'failed' }], true)).toBe('interrupted');
    expect(totals(suite.katas)).toEqual({ katas: 4, passed: 0, failed: 2, flaky: 1, skipped: 1, errored: 0, interrupted: 0 });
  });
});

describe('the summary table', () => {
  it('has one row per kata with status, attempts and why, then the totals and versions', () => {
    const lines = summaryTable(suite).split('\n');
    expect(lines[0]).toMatch(/^KATA\s+STATUS\s+ATTEMPTS\s+TIME\s+NOTE$/);
    expect(lines[1]).toMatch(/^katas\/broken\.md\s+failed\s+1\s+40s\s+step wait at katas\/broken\.md:\d+: expected output contains/);
    expect(lines[2]).toMatch(/^katas\/flaky\.md\s+flaky\s+2\s+19s\s+passed on attempt 2; attempt 1: step wait/);
    expect(lines[3]).toMatch(/^upstream\/mtls\.md\s+skipped\s+0\s+.*applies deploy\/mtls\/ \(line 16\)/);
    expect(lines[4]).toMatch(/namespace could not be created$/);
    expect(lines[5]).toBe('== 0 passed, 2 failed, 1 flaky, 1 skipped of 4 katas in 1m1s; exit 1');
    expect(lines[6]).toBe('versions: runner 0.1.0, cluster v1.34.1, mesh istio 1.31.0');
  });
});

describe('the suite JSON report', () => {
  const json = suiteJson(suite) as {
    versions: unknown;
    totals: unknown;
    exitCode: number;
    status: string;
    katas: {
      status: string;
      reason?: string;
      attempts: { namespace: string; versions: unknown; steps?: { id: string; evidence?: Evidence; output: { tail: string[] } }[] }[];
    }[];
  };

  it('has the versions, the totals and, per kata, its status and each attempt as kata run reports it', () => {
    expect(json.versions).toEqual(versions);
    expect(json.totals).toEqual({ katas: 4, passed: 0, failed: 2, flaky: 1, skipped: 1, errored: 0, interrupted: 0 });
    expect([json.status, json.exitCode]).toEqual(['failed', 1]);
    expect(json.katas.map((k) => k.status)).toEqual(['failed', 'flaky', 'skipped', 'failed']);
    expect(json.katas[1]?.attempts.map((a) => a.namespace)).toEqual(['kata-test-flaky-000001', 'kata-test-flaky-000002']);
    expect(json.katas[2]).toMatchObject({ reason: expect.stringContaining('not next to the kata'), attempts: [] });
    expect(json.katas[0]?.attempts[0]?.versions).toEqual(versions);
  });

  it('puts the evidence on the failed step, and masks what looks like a token', () => {
    const steps = json.katas[0]?.attempts[0]?.steps ?? [];
    expect(steps.find((s) => s.id === 'wait')?.evidence?.pods[0]?.containers[0]).toMatchObject({
      image: 'nginx:nope',
      state: expect.stringContaining('ImagePullBackOff'),
    });
    expect(steps.find((s) => s.id === 'create')?.evidence).toBeUndefined();
    expect(JSON.stringify(json)).not.toContain('abcdefghijklmnop');
  });
});

describe.skipIf(xmllintMissing !== undefined)(
  `the suite JUnit report${xmllintMissing === undefined ? '' : ` (skipped: ${xmllintMissing})`}`,
  () => {
    const xml = suiteJunit(suite);

    it('validates against the JUnit XSD', () => {
      expect(xmllintErrors(xml, XSD)).toBe('');
    });

    it('has one testsuite per kata, with status, flaky, attempts and versions as properties', () => {
      expect(xpath(xml, 'count(/testsuites/testsuite)')).toBe('4');
      expect(xpath(xml, 'string(/testsuites/testsuite[2]/@name)')).toBe('Flaky <one>');
      expect(xpath(xml, 'string(/testsuites/testsuite[2]/properties/property[@name="flaky"]/@value)')).toBe('true');
      expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="flaky"]/@value)')).toBe('false');
      expect(xpath(xml, 'string(/testsuites/testsuite[2]/properties/property[@name="attempts"]/@value)')).toBe('2');
      expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="mesh.version"]/@value)')).toBe('istio 1.31.0');
      expect(xpath(xml, 'string(/testsuites/testsuite[1]/properties/property[@name="cluster.version"]/@value)')).toBe('v1.34.1');
      expect(xpath(xml, 'string(/testsuites/testsuite[2]/system-out)')).toMatch(
        /^attempt 1 \(namespace kata-test-flaky-000001\) failed: step wait/,
      );
    });

    it('puts the evidence in the failed testcase’s system-out, naming the cause and the image', () => {
      const out = xpath(xml, 'string(/testsuites/testsuite[1]/testcase[failure]/system-out)');
      expect(out).toContain('evidence from namespace kata-test-broken-1a2b3c');
      expect(out).toContain('Error: ErrImagePull');
      expect(out).toContain('container nginx (image nginx:nope): waiting: ImagePullBackOff');
      expect(out).toContain('created deployment.apps/web:\n  replicas 1: 0 ready, 0 available, 1 updated\n  condition Available=False');
      expect(out).toContain('pod web-1 (<web POD>): Pending');
      expect(out).toContain('background job watch (line 12): last 1 lines\n  | web-1   0/1   ErrImagePull');
      expect(xpath(xml, 'count(/testsuites/testsuite[1]/testcase[not(failure)]/system-out)')).toBe('0');
      expect(xml).not.toContain('abcdefghijklmnop');
    });

    it('has a skipped kata as one skipped testcase with the reason, one that could not start as a failure', () => {
      expect(xpath(xml, 'string(/testsuites/testsuite[3]/testcase/skipped/@message)')).toContain('not next to the kata');
      expect(xpath(xml, 'string(/testsuites/testsuite[4]/testcase/failure/@message)')).toBe('namespace could not be created');
      expect(xpath(xml, 'string(/testsuites/@failures)')).toBe('2');
    });
  },
);
