/**
 * The katas the project exists for, headless against a real cluster without a mesh (the lab in
 * CI, before `kata lab up --mesh`): our annotated kata, and the unchanged upstream text from
 * ../shared/upstream. Their mesh steps must be skipped with the reason, never passed.
 * test/cluster/mesh.test.ts runs them on the mesh (KATA_CLUSTER_SUITE=mesh).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kataCli, ROOT } from '../helpers/cli.js';

const kubeconfig = process.env.KATA_TEST_KUBECONFIG;
if (kubeconfig === undefined) throw new Error('the cluster suite needs KATA_TEST_KUBECONFIG (the lab: `kata lab up`, then its kubeconfig)');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: kubeconfig };
const out = mkdtempSync(join(tmpdir(), 'kata-katas-'));
const UPSTREAM = join(ROOT, '..', 'shared', 'upstream', 'debugging-with-ephemeral-containers.md');

interface Report {
  status: string;
  steps: {
    id: string;
    phase: string;
    status: string;
    reason?: string;
    checks: { kind: string; passed: boolean; inferred: boolean; description: string }[];
  }[];
  leftovers: string[];
}

/** Objects of the kata still in the namespace (the namespace itself may be terminating). */
function leftInNamespace(ns: string): string {
  return execFileSync('kubectl', ['get', 'deploy,svc,pod', '-n', ns, '-o', 'name', '--ignore-not-found'], { env, encoding: 'utf8' }).trim();
}

describe.skipIf(process.env.KATA_CLUSTER_SUITE === 'mesh')('the ephemeral-containers katas on a cluster without a mesh', () => {
  it('runs our annotated kata: every check passes, the mesh steps are skipped with the reason, nothing is left', async () => {
    const ns = `kata-ephemeral-${process.pid}`;
    const junit = join(out, 'ephemeral.xml');
    const json = join(out, 'ephemeral.json');
    const result = await kataCli(
      ['run', 'katas/ephemeral-containers.md', '--yes', '--namespace', ns, '--report', `junit=${junit}`, '--report', `json=${json}`],
      { env },
    );
    expect(result.exitCode, result.all).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const ran = report.steps.filter((s) => s.status !== 'shown');
    expect(ran.filter((s) => s.status === 'skipped').map((s) => [s.id, s.reason])).toEqual([
      ['capture-eth0', expect.stringMatching(/^needs a service mesh: pod nginx-[a-z0-9-]+ has no istio-proxy sidecar$/)],
      ['capture-lo', expect.stringMatching(/^needs a service mesh: pod nginx-[a-z0-9-]+ has no istio-proxy sidecar$/)],
    ]);
    expect(ran.filter((s) => s.status !== 'skipped').every((s) => s.status === 'passed')).toBe(true);
    const checks = ran.flatMap((s) => s.checks.map((c) => `${s.id}:${c.kind}:${c.passed}`));
    expect(checks).toEqual(
      expect.arrayContaining([
        'curl-nginx:contains:true',
        'inspect-pod:ephemeral-container:true',
        'interfaces:matches:true',
        'cleanup:contains:true',
      ]),
    );
    expect(report.leftovers).toEqual([]);
    expect(leftInNamespace(ns)).toBe('');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<skipped message="needs a service mesh: pod nginx-');
    expect(xml).not.toContain('<failure');
  });

  it('runs the unchanged upstream text to the end: its curl promise checked, its two encryption promises skipped because the text assumes Istio', async () => {
    const ns = `kata-upstream-${process.pid}`;
    const json = join(out, 'upstream.json');
    const result = await kataCli(
      ['run', UPSTREAM, '--yes', '--namespace', ns, '--report', `json=${json}`, '--report', `junit=${join(out, 'upstream.xml')}`],
      {
        env,
      },
    );
    expect(result.exitCode, result.all).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const inferred = report.steps.flatMap((s) => s.checks.filter((c) => c.inferred).map((c) => [c.description, c.passed]));
    expect(inferred.length).toBeGreaterThanOrEqual(1);
    expect(inferred.every(([, passed]) => passed === true)).toBe(true);
    expect(inferred[0]).toEqual(['output contains "Welcome to nginx!"', true]);
    const skipped = report.steps.filter((s) => s.status === 'skipped');
    expect(skipped.map((s) => [s.id, s.reason])).toEqual([
      [
        's9',
        expect.stringMatching(
          /^needs a service mesh \(the text assumes Istio \(line \d+\)\): pod nginx-[a-z0-9-]+ has no istio-proxy sidecar$/,
        ),
      ],
      [
        's10',
        expect.stringMatching(
          /^needs a service mesh \(the text assumes Istio \(line \d+\)\): pod nginx-[a-z0-9-]+ has no istio-proxy sidecar$/,
        ),
      ],
    ]);
    expect(report.leftovers).toEqual([]);
    expect(leftInNamespace(ns)).toBe('');
  });
});
