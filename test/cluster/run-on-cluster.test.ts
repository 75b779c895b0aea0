/**
 * Katas run headless against a real cluster. KATA_TEST_KUBECONFIG names its kubeconfig;
 * KATA_TEST_TOOLS_IMAGE an image with a shell and `ip` (praqma/network-multitool on the lab).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kataCli } from '../helpers/cli.js';
import { dedent } from '../helpers/kata.js';

const kubeconfig = process.env.KATA_TEST_KUBECONFIG;
if (kubeconfig === undefined) throw new Error('the cluster suite needs KATA_TEST_KUBECONFIG (the lab: `kata lab up`, then its kubeconfig)');
const tools = process.env.KATA_TEST_TOOLS_IMAGE ?? 'praqma/network-multitool';
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', KUBECONFIG: kubeconfig };
const dir = mkdtempSync(join(tmpdir(), 'kata-cluster-'));
const fence = '```';

function writeKata(name: string, markdown: string): string {
  const file = join(dir, name);
  writeFileSync(file, dedent(markdown));
  return file;
}

function kubectl(...args: string[]): string {
  return execFileSync('kubectl', args, { env, encoding: 'utf8' });
}

const namespace = (suffix: string): string => `kata-test-${suffix}-${process.pid}`;

describe.skipIf(process.env.KATA_CLUSTER_SUITE === 'mesh')('kata run against a cluster', () => {
  it('keeps state in a pod shell, attaches an ephemeral container, checks it through the API, and cleans up', async () => {
    const ns = namespace('shells');
    const file = writeKata(
      'shells.md',
      `
      # Shells in pods
      ${fence}console
      kubectl create deploy web --image nginx
      kubectl expose deploy web --port 80
      ${fence}
      <!-- kata: as web -->
      ${fence}console
      kubectl exec -it <web POD> -- sh
      ${fence}
      <!-- kata: id state-1 -->
      ${fence}console
      cd /tmp && export KEPT=yes
      ${fence}
      <!-- kata: id debug; as dbg -->
      ${fence}console
      kubectl debug -it <web POD> --image ${tools} -- sh
      ${fence}
      <!-- kata: id inspect; in host; expect ephemeral-container pod="<web POD>" image="${tools}" -->
      ${fence}console
      kubectl get po <web POD> -o jsonpath='{.spec.ephemeralContainers[*].image}'
      ${fence}
      <!-- kata: id links; in dbg; expect matches "\\d+: lo:"; expect matches "\\d+: eth0" -->
      ${fence}console
      ip link
      ${fence}
      <!-- kata: id state-2; in web; expect contains "yes /tmp" -->
      ${fence}console
      echo "$KEPT $(pwd)"
      ${fence}
      # Cleanup
      ${fence}console
      kubectl delete svc web
      kubectl delete deploy web
      ${fence}
    `,
    );
    const json = join(dir, 'shells.json');
    const result = await kataCli(['run', file, '--yes', '--namespace', ns, '--report', `json=${json}`], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain(`namespace ${ns}`);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { steps: { id: string; status: string }[]; leftovers: string[] };
    expect(report.steps.filter((s) => s.status !== 'passed')).toEqual([]);
    expect(report.leftovers).toEqual([]);
    // The run created the namespace, so it deletes it.
    const phase = kubectl('get', 'ns', ns, '-o', 'jsonpath={.status.phase}', '--ignore-not-found');
    expect(['', 'Terminating']).toContain(phase);
  });

  it('reports what the cleanup left behind by name, and fails', async () => {
    const ns = namespace('leftover');
    const file = writeKata(
      'leftover.md',
      `
      # Forgets the service
      ${fence}console
      kubectl create deploy lonely --image nginx
      kubectl expose deploy lonely --port 80
      ${fence}
      # Cleanup
      ${fence}console
      kubectl delete deploy lonely
      ${fence}
    `,
    );
    const result = await kataCli(['run', file, '--yes', '--namespace', ns], { env });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toContain('FAIL left behind after cleanup: service/lonely');
  });

  it('keeps a namespace the run created with --keep, and names it among what was left in place', async () => {
    const ns = namespace('keep');
    const file = writeKata(
      'keep.md',
      `
      # Something to keep
      ${fence}console
      kubectl create configmap kept --from-literal=a=b
      ${fence}
      # Cleanup
      ${fence}console
      kubectl delete configmap kept
      ${fence}
    `,
    );
    try {
      const result = await kataCli(['run', file, '--yes', '--keep', '--namespace', ns], { env });
      expect(result.exitCode, result.all).toBe(0);
      expect(result.stdout).toContain(`== left in place (--keep): configmap/kept, namespace/${ns}`);
      expect(kubectl('get', 'configmap', 'kept', '-n', ns, '-o', 'name').trim()).toBe('configmap/kept');
    } finally {
      kubectl('delete', 'namespace', ns, '--ignore-not-found', '--wait=false');
    }
  });

  it('skips `needs mesh` steps when the pod has no sidecar, with the reason', async () => {
    const ns = namespace('mesh');
    const file = writeKata(
      'mesh.md',
      `
      # Needs a mesh
      ${fence}console
      kubectl create deploy meshless --image nginx
      ${fence}
      <!-- kata: id sniff; needs mesh -->
      ${fence}console
      kubectl get po <meshless POD>
      ${fence}
      # Cleanup
      ${fence}console
      kubectl delete deploy meshless
      ${fence}
    `,
    );
    const result = await kataCli(['run', file, '--yes', '--namespace', ns], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/SKIP sniff: needs a service mesh: pod meshless-[a-z0-9-]+ has no istio-proxy sidecar/);
  });

  it('waits (by watching) for what a step created before the next step, as the upstream kata needs', async () => {
    const ns = namespace('settle');
    const file = writeKata(
      'settle.md',
      `
      # Ready before use
      ${fence}console
      kubectl create deploy ready-web --image nginx
      kubectl expose deploy ready-web --port 80
      ${fence}
      <!-- kata: id available; expect contains "1 ready" -->
      ${fence}console
      echo "$(kubectl get deploy ready-web -o jsonpath='{.status.availableReplicas}') ready"
      kubectl get endpointslices -l kubernetes.io/service-name=ready-web -o jsonpath='{.items[*].endpoints[*].conditions.ready}'
      ${fence}
      # Cleanup
      ${fence}console
      kubectl delete svc ready-web
      kubectl delete deploy ready-web
      ${fence}
    `,
    );
    const result = await kataCli(['run', file, '--yes', '--namespace', ns], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/\| true/);
  });

  it('fails a placeholder at once, naming the image, when its pods cannot pull their image', async () => {
    const ns = namespace('badimage');
    kubectl('create', 'namespace', ns);
    try {
      kubectl('-n', ns, 'run', 'broken', '--image', 'no-such-image-kata-test', '--labels', 'app=broken');
      const file = writeKata(
        'bad-image.md',
        `
        # A pod that never starts
        ${fence}console
        kubectl get pod <broken POD>
        ${fence}
      `,
      );
      const result = await kataCli(['run', file, '--yes', '--namespace', ns], { env });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(
        /<broken POD>: pod broken cannot start: (ErrImagePull|ImagePullBackOff) for container broken \(image no-such-image-kata-test\)/,
      );
    } finally {
      kubectl('delete', 'namespace', ns, '--wait=false');
    }
  });

  it("says why a pod shell could not be opened, in kubectl's words", async () => {
    const ns = namespace('noshell');
    const file = writeKata(
      'no-shell.md',
      `
      # A shell in a pod that is not there
      ${fence}console
      kubectl exec -it no-such-pod-kata -- bash
      ${fence}
    `,
    );
    const result = await kataCli(['run', file, '--yes', '--namespace', ns], { env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/could not open the shell "no-such-pod-kata": .*pods "no-such-pod-kata" not found/);
  });

  it('refuses a namespace that is being deleted, naming what holds it (exit 3)', async () => {
    const ns = namespace('terminating');
    const manifest = join(dir, 'held.yaml');
    writeFileSync(manifest, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  finalizers: ["kata-runner.test/hold"]\n`);
    kubectl('apply', '-f', manifest);
    kubectl('delete', 'namespace', ns, '--wait=false');
    try {
      const file = writeKata('terminating.md', `\n      # Anything\n      ${fence}console\n      kubectl get pods\n      ${fence}\n    `);
      const result = await kataCli(['run', file, '--yes', '--namespace', ns], { env });
      expect(result.exitCode).toBe(3);
      expect(result.stderr).toMatch(
        new RegExp(
          `^kata: namespace ${ns} is being deleted \\(Terminating, held by the finalizers (kubernetes, )?kata-runner\\.test/hold\\)`,
        ),
      );
    } finally {
      kubectl('patch', 'namespace', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    }
  });
});
