/**
 * The lesson of the ephemeral-containers kata on a real Istio mesh (the lab after `kata lab up
 * --mesh`; KATA_CLUSTER_SUITE=mesh): the capture on eth0 holds TLS, the one on lo plain HTTP.
 * Also that the checks catch a broken lesson: with mTLS turned off for nginx the eth0 step fails
 * and shows the plaintext it saw; with nginx kept out of the mesh the mesh steps are skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kataCli, ROOT } from '../helpers/cli.js';

const suite = process.env.KATA_CLUSTER_SUITE === 'mesh';
const kubeconfig = process.env.KATA_TEST_KUBECONFIG;
if (suite && kubeconfig === undefined)
  throw new Error('the mesh suite needs KATA_TEST_KUBECONFIG (the lab: `kata lab up --mesh`, then its kubeconfig)');
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: kubeconfig ?? '' };
const out = mkdtempSync(join(tmpdir(), 'kata-mesh-'));
const UPSTREAM = join(ROOT, '..', 'shared', 'upstream', 'debugging-with-ephemeral-containers.md');
const OURS = join(ROOT, 'katas', 'ephemeral-containers.md');

interface Report {
  status: string;
  steps: {
    id: string;
    status: string;
    reason?: string;
    rerunFor?: string;
    checks: { kind: string; passed: boolean; inferred: boolean; detail: string }[];
  }[];
  leftovers: string[];
}

const kubectl = (...args: string[]): string => execFileSync('kubectl', args, { env, encoding: 'utf8' });
const made: string[] = [];
/** A namespace in the mesh that the test (not the run) owns. */
function meshNamespace(name: string): string {
  const ns = `${name}-${process.pid}`;
  kubectl('create', 'namespace', ns);
  kubectl('label', 'namespace', ns, 'istio-injection=enabled');
  made.push(ns);
  return ns;
}
afterAll(() => {
  for (const ns of made) kubectl('delete', 'namespace', ns, '--ignore-not-found', '--wait=false');
});

async function run(
  file: string,
  ns: string,
  name: string,
): Promise<{ exitCode: number | undefined; all: string; report: Report; junit: string }> {
  const json = join(out, `${name}.json`);
  const junit = join(out, `${name}.xml`);
  const result = await kataCli(['run', file, '--yes', '--namespace', ns, '--report', `json=${json}`, '--report', `junit=${junit}`], {
    env,
  });
  return {
    exitCode: result.exitCode,
    all: result.all ?? '',
    report: JSON.parse(readFileSync(json, 'utf8')) as Report,
    junit: readFileSync(junit, 'utf8'),
  };
}
const step = (report: Report, id: string) => {
  const found = report.steps.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no step ${id} in the report`);
  return found;
};
const verdicts = (report: Report, id: string) => step(report, id).checks.map((c) => `${c.kind}:${c.passed}`);

describe.skipIf(!suite)('the ephemeral-containers lesson on the mesh', () => {
  it('passes our kata with nothing skipped: TLS on eth0, the page in plain text on lo', async () => {
    const { exitCode, all, report, junit } = await run(OURS, `kata-mesh-ours-${process.pid}`, 'ours');
    expect(exitCode, all).toBe(0);
    expect(report.steps.filter((s) => s.status === 'skipped')).toEqual([]);
    expect(verdicts(report, 'capture-eth0')).toEqual(['matches:true', 'payload-encrypted:true', 'payload-not-contains:true']);
    expect(verdicts(report, 'capture-lo')).toEqual(['payload-plaintext:true', 'payload-contains:true']);
    expect(step(report, 'capture-eth0').checks[1]?.detail).toMatch(
      /^TLS records \(.*application data.*\) in \d+ of \d+ packets with data$/,
    );
    expect(report.leftovers).toEqual([]);
    expect(junit).not.toMatch(/<failure|<skipped/);
  });

  it('passes the unchanged upstream text with its two encryption promises as inferred, passed checks', async () => {
    const { exitCode, all, report } = await run(UPSTREAM, `kata-mesh-upstream-${process.pid}`, 'upstream');
    expect(exitCode, all).toBe(0);
    expect(report.steps.filter((s) => s.status === 'skipped')).toEqual([]);
    const inferred = report.steps
      .filter((s) => s.rerunFor === undefined)
      .flatMap((s) => s.checks.filter((c) => c.inferred).map((c) => `${s.id}:${c.kind}:${c.passed}`));
    expect(inferred).toEqual(['s4:contains:true', 's9:payload-encrypted:true', 's10:payload-plaintext:true']);
  });

  it('fails the eth0 step when mTLS is off for nginx, showing the plaintext it saw', async () => {
    const ns = meshNamespace('kata-mesh-notls');
    const policy = join(out, 'no-mtls.yaml');
    writeFileSync(
      policy,
      [
        'apiVersion: security.istio.io/v1',
        'kind: PeerAuthentication',
        'metadata: {name: nginx-plaintext}',
        'spec: {selector: {matchLabels: {app: nginx}}, mtls: {mode: DISABLE}}',
        '---',
        'apiVersion: networking.istio.io/v1',
        'kind: DestinationRule',
        'metadata: {name: nginx-plaintext}',
        `spec: {host: nginx.${ns}.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}`,
      ].join('\n'),
    );
    kubectl('apply', '-n', ns, '-f', policy);
    const { exitCode, report, junit } = await run(OURS, ns, 'no-mtls');
    expect(exitCode).toBe(1);
    const eth0 = step(report, 'capture-eth0');
    expect(eth0.status).toBe('failed');
    const encrypted = eth0.checks.find((c) => c.kind === 'payload-encrypted');
    expect(encrypted?.passed).toBe(false);
    expect(encrypted?.detail).toMatch(/plaintext HTTP in \d+/);
    expect(encrypted?.detail).toMatch(/plaintext seen: ".*(GET \/ HTTP\/1\.1|Welcome to nginx!)/);
    expect(junit).toContain('plaintext seen: ');
    expect(report.leftovers).toEqual([]);
  });

  it('has kata doctor report Istio, istiod, injection and a working debug into an injected pod, leaving no pod behind', async () => {
    const ns = meshNamespace('kata-mesh-doctor');
    const result = await kataCli(['doctor', '--namespace', ns], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/^ok {4}Istio 1\.31\.0-lab is installed and istiod is Ready$/m);
    expect(result.stdout).toContain(`ok    namespace ${ns} is in the mesh (sidecar injection on)`);
    expect(result.stdout).toContain(
      "ok    `kubectl debug` into an injected pod works: an ephemeral container beside istio-proxy sees the pod's lo and eth0",
    );
    expect(kubectl('get', 'pods', '-n', ns, '-o', 'name').trim()).toBe('');
  });

  it('waits (a watch) for a sidecar that is not Ready yet before a step that needs the mesh', async () => {
    const ns = meshNamespace('kata-mesh-wait');
    // The sidecar's readiness probe starts late, so the pod exists but its istio-proxy is not Ready.
    kubectl('-n', ns, 'run', 'web', '--image', 'nginx', '--annotations', 'readiness.status.sidecar.istio.io/initialDelaySeconds=12');
    const file = join(out, 'wait-for-sidecar.md');
    writeFileSync(
      file,
      ['# A step that needs the mesh', '', '<!-- kata: needs mesh -->', '```console', 'kubectl get pod <web POD> -o name', '```', ''].join(
        '\n',
      ),
    );
    const result = await kataCli(['run', file, '--yes', '--namespace', ns, '--set', 'web POD=web'], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('waiting for the istio-proxy sidecar of pod web to be Ready');
    expect(result.stdout).toContain('pod/web');
  });

  it('skips the mesh steps, never passes them, when the nginx pod is kept out of the mesh', async () => {
    const ns = meshNamespace('kata-mesh-noinject');
    const outside = join(out, 'outside-the-mesh.md');
    const text = readFileSync(OURS, 'utf8')
      .replace(
        'kubectl create deploy nginx --image nginx\nkubectl expose deploy nginx --port 80',
        'kubectl run nginx --image nginx --labels app=nginx,sidecar.istio.io/inject=false\nkubectl expose pod nginx --port 80',
      )
      .replace('expect contains "deployment.apps \\"nginx\\" deleted"', 'expect contains "pod \\"nginx\\" deleted"')
      .replace('kubectl delete deploy nginx\n', 'kubectl delete pod nginx\n');
    expect(text).toContain('sidecar.istio.io/inject=false');
    expect(text).toContain('kubectl delete pod nginx');
    writeFileSync(outside, text);
    const { exitCode, all, report } = await run(outside, ns, 'outside');
    expect(exitCode, all).toBe(0);
    expect(report.steps.filter((s) => s.status === 'skipped').map((s) => [s.id, s.reason])).toEqual([
      ['capture-eth0', 'needs a service mesh: pod nginx has no istio-proxy sidecar'],
      ['capture-lo', 'needs a service mesh: pod nginx has no istio-proxy sidecar'],
    ]);
    expect(report.steps.filter((s) => s.status === 'passed').map((s) => s.id)).toContain('curl-nginx');
  });
});
