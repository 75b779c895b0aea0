/**
 * `kata test` on a real cluster (KATA_TEST_KUBECONFIG): the suite of test/fixtures/katas/suite,
 * two at a time with one retry: one kata passes, one with a wrong image tag fails with evidence
 * naming ErrImagePull/ImagePullBackOff and the image, one is flaky, one is skipped; and nothing
 * is left in the cluster.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kataCli, ROOT } from '../helpers/cli.js';
import { xmllintErrors, xmllintMissing } from '../helpers/xml.js';

const kubeconfig = process.env.KATA_TEST_KUBECONFIG;
if (kubeconfig === undefined) throw new Error('the cluster suite needs KATA_TEST_KUBECONFIG (the lab: `kata lab up`, then its kubeconfig)');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: kubeconfig };

interface Json {
  versions: { runner: string; cluster: string; mesh: string | null };
  totals: Record<string, number>;
  katas: {
    file: string;
    status: string;
    reason?: string;
    attempts: { namespace: string; steps?: { status: string; evidence?: unknown }[] }[];
  }[];
}

describe.skipIf(process.env.KATA_CLUSTER_SUITE === 'mesh')('kata test against a cluster', () => {
  it('runs a suite: passed, failed with evidence, flaky on a retry, skipped; JUnit validates; nothing left behind', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kata-suite-'));
    const markers = mkdtempSync(join(tmpdir(), 'kata-flaky-'));
    const result = await kataCli(
      [
        'test',
        'test/fixtures/katas/suite',
        '--jobs',
        '2',
        '--retries',
        '1',
        '--report',
        `junit=${out}/suite.xml`,
        '--report',
        `json=${out}/suite.json`,
      ],
      { env: { ...env, KATA_FLAKY_DIR: markers } },
    );
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(/== 1 passed, 1 failed, 1 flaky, 1 skipped of 4 katas in .*; exit 1/);

    const json = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as Json;
    expect(json.versions.cluster).toMatch(/^v\d+\.\d+/);
    const byFile = new Map(json.katas.map((k) => [k.file.replace(/^.*\//, ''), k]));
    expect(byFile.get('passes.md')?.status).toBe('passed');
    expect(byFile.get('flaky.md')?.status).toBe('flaky');
    expect(byFile.get('needs-a-file.md')).toMatchObject({ status: 'skipped', reason: expect.stringContaining('deploy/not-shipped.yaml') });
    const broken = byFile.get('broken-image.md');
    expect(broken?.status).toBe('failed');
    expect(broken?.attempts).toHaveLength(2);
    const evidence = JSON.stringify(broken?.attempts[0]?.steps?.find((s) => s.status === 'failed')?.evidence);
    expect(evidence).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(evidence).toContain('nginx:kata-tag-that-does-not-exist');
    // Scoped to the kata: the deployment it created, described, and its background job's last lines.
    const found = broken?.attempts[0]?.steps?.find((s) => s.status === 'failed')?.evidence as
      { objects: { name: string; state: string[] }[]; background: { step: string; lines: string[] }[] } | undefined;
    expect(found?.objects.find((o) => o.name === 'deployment.apps/broken')?.state.join('\n')).toMatch(/replicas 1: 0 ready/);
    expect(found?.background.find((b) => b.step === 'watch-pods')?.lines.join('\n')).toMatch(/broken-\S+\s+0\/1/);

    const junit = readFileSync(join(out, 'suite.xml'), 'utf8');
    expect(junit).toMatch(/<system-out>[^<]*(ErrImagePull|ImagePullBackOff)[^<]*nginx:kata-tag-that-does-not-exist/);
    expect(junit).toMatch(/<property name="flaky" value="true"\/>/);
    if (xmllintMissing === undefined) expect(xmllintErrors(junit, join(ROOT, 'test/fixtures/junit/junit.xsd'))).toBe('');
    else console.warn(`${xmllintMissing}: the JUnit file was not validated`);

    // Each attempt had its own namespace, and none of them is left (a deleted one may still be Terminating).
    const namespaces = json.katas.flatMap((k) => k.attempts.map((a) => a.namespace));
    expect(new Set(namespaces).size).toBe(namespaces.length);
    for (const ns of namespaces) {
      const phase = spawnSync('kubectl', ['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}'], { env, encoding: 'utf8' });
      expect(phase.status === 0 ? phase.stdout : 'gone').toMatch(/^(gone|Terminating)$/);
    }
  });

  it('proves with --prove that a check depends on the kata, and reports one that holds on any cluster', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kata-prove-cluster-'));
    const file = 'test/fixtures/katas/prove-cluster/settings.md';
    const result = await kataCli(['test', '--prove', file, '--report', `json=${out}/suite.json`, '--report', `junit=${out}/suite.xml`], {
      env,
    });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${file}\\s+failed\\s+1\\s+\\S+\\s+a check proves nothing: ${file}:21$`, 'm'));
    const json = JSON.parse(readFileSync(join(out, 'suite.json'), 'utf8')) as {
      katas: { proofs: { step: string; verdict: string; how: string }[] }[];
    };
    const proofs = new Map(json.katas[0]?.proofs.map((p) => [p.step, p]));
    // Read before the config map existed, the value is not there: proven.
    expect(proofs.get('read-value')).toMatchObject({ verdict: 'proven', how: expect.stringContaining('before step store') });
    // Every cluster has namespaces: the header is always printed.
    expect(proofs.get('list')).toMatchObject({ verdict: 'proves-nothing', how: expect.stringContaining('before step store') });
    const junit = readFileSync(join(out, 'suite.xml'), 'utf8');
    if (xmllintMissing === undefined) expect(xmllintErrors(junit, join(ROOT, 'test/fixtures/junit/junit.xsd'))).toBe('');
  });
});
