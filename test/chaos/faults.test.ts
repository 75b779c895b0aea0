/**
 * Cluster faults injected into the lab during real runs (`node dist/cli.js run`): an API server
 * that stops answering (SIGSTOP on kube-apiserver, resumed with SIGCONT), a run killed with
 * SIGKILL, two runs in one namespace, a missing image, a user with little RBAC. After every case
 * nothing of the run is left: its namespace gone, no process with its shell's mark, no private
 * kubeconfig. Needs root and the lab up; the lab is left running and healthy.
 */
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processesTagged } from '../../src/exec/procs.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { dedent } from '../helpers/kata.js';
import { env as labEnv, eventually, kubectl, kubectlStatus, labUp, needsLab, paths } from '../helpers/lab.js';

const fence = '```';
const dir = mkdtempSync(join(tmpdir(), 'kata-chaos-'));
const apiserverPid = (): number => Number(readFileSync(join(paths.pidsDir, 'kube-apiserver.pid'), 'utf8').trim());
const env = { ...labEnv, CI: 'true', KATA_API_TIMEOUT: '3s' } as Record<string, string>;

function writeKata(name: string, markdown: string): string {
  const file = join(dir, name);
  writeFileSync(file, dedent(markdown));
  return file;
}

const kubeDirs = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('kata-kube-'));

/** A run of the built CLI whose output can be waited for while it runs. */
function start(namespace: string, args: readonly string[], extra: Record<string, string> = {}) {
  const child = execa(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...env, KATA_CHAOS_CASE: namespace, ...extra },
    extendEnv: false,
    reject: false,
    all: true,
  });
  let all = '';
  child.all?.on('data', (c: Buffer) => (all += c.toString()));
  return {
    child,
    out: () => all,
    wait: async (text: string, ms = 60_000): Promise<void> => {
      await eventually(`"${text}" in the output`, ms, () => (all.includes(text) ? true : undefined));
    },
  };
}

let stopped = false;
const pause = (): void => {
  process.kill(apiserverPid(), 'SIGSTOP');
  stopped = true;
};
const resume = (): void => {
  if (stopped) process.kill(apiserverPid(), 'SIGCONT');
  stopped = false;
};

/** Nothing of the run is left: namespace gone, no marked processes, no private kubeconfig of it. */
async function nothingLeft(namespace: string, before: readonly string[]): Promise<void> {
  await eventually(`namespace ${namespace} gone`, 90_000, () =>
    kubectl(['get', 'namespace', namespace, '--ignore-not-found', '-o', 'name']).trim() === '' ? true : undefined,
  );
  // Every run of a case carries KATA_CHAOS_CASE=<its namespace>, and so does all it starts.
  await eventually('no process of the run', 10_000, () => (processesTagged('KATA_CHAOS_CASE', namespace).length === 0 ? true : undefined));
  expect(kubeDirs().filter((d) => !before.includes(d))).toEqual([]);
}

afterEach(() => resume());

const ns = (what: string): string => `kata-chaos-${what}-${process.pid}`;

describe.skipIf(!labUp)(`cluster faults during a run${needsLab}`, () => {
  it('Ctrl-C while the API server does not answer the pod list ends the step at once and still cleans up', async () => {
    const namespace = ns('sigint');
    const before = kubeDirs();
    const file = writeKata(
      'hang.md',
      `
      # A pod placeholder against a silent API server
      ${fence}console
      kubectl create deploy web --image nginx
      ${fence}
      <!-- kata: id pause-here -->
      ${fence}console
      echo stop-the-api-now; sleep 3
      ${fence}
      <!-- kata: id placeholder -->
      ${fence}console
      echo <web POD>
      ${fence}
    `,
    );
    const run = start(namespace, ['run', file, '--yes', '--namespace', namespace], { KATA_API_TIMEOUT: '60s' });
    await run.wait('stop-the-api-now', 120_000);
    pause();
    await new Promise((r) => setTimeout(r, 5_000)); // the placeholder step is now waiting on the pod list
    const sent = Date.now();
    run.child.kill('SIGINT');
    await run.wait('placeholder', 10_000);
    await eventually('the step to end after Ctrl-C', 8_000, () => (/cleanup/i.test(run.out().split('SIGINT')[1] ?? '') ? true : undefined));
    expect(Date.now() - sent).toBeLessThan(8_000);
    resume();
    const result = await run.child;
    expect(result.exitCode, run.out()).toBe(130);
    expect(run.out()).not.toMatch(/HTTP-Code|Unknown API Status|at .*\.js:\d+/);
    await nothingLeft(namespace, before);
  });

  it('an API server gone at the end names the namespace left behind; a later run in it removes it', async () => {
    const namespace = ns('left');
    const before = kubeDirs();
    const file = writeKata(
      'left.md',
      `
      # The API goes away before the end
      ${fence}console
      kubectl create configmap kept --from-literal=a=b
      ${fence}
      <!-- kata: id pause-here -->
      ${fence}console
      echo stop-the-api-now; sleep 2
      ${fence}
      # Cleanup
      <!-- kata: id tidy; timeout 10m -->
      ${fence}console
      kubectl delete configmap never-made --ignore-not-found
      ${fence}
    `,
    );
    const run = start(namespace, ['run', file, '--yes', '--namespace', namespace]);
    await run.wait('stop-the-api-now', 120_000);
    pause();
    const result = await run.child;
    resume();
    expect(result.exitCode, run.out()).toBe(1);
    // The cleanup step's kubectl gets a short timeout, not the step's 10 minutes (kubectl's own TLS
    // handshake timeout, 10 s, may end it first).
    expect(run.out()).toContain('the API server did not answer within 5s: each command of this cleanup step gets 15s');
    expect(run.out(), run.out()).toMatch(/FAIL tidy \((?:1[0-5]|\d)s\)/);
    expect(run.out()).toContain(`namespace ${namespace}`);
    expect(run.out()).toMatch(/could not remove the run's namespace: could not delete namespace .*did not answer/);
    expect(kubectl(['get', 'namespace', namespace, '-o', 'jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}'])).toBe(
      'kata-runner',
    );
    // A later run finds it is a dead run's, and removes it at its end although it passed.
    const later = writeKata('later.md', `# Later\n${fence}console\nkubectl get configmap kept\n${fence}\n`);
    const again = start(namespace, ['run', later, '--yes', '--namespace', namespace]);
    const second = await again.child;
    expect(second.exitCode, again.out()).toBe(0);
    await nothingLeft(namespace, before);
  });

  it('a run killed with SIGKILL leaves a namespace that the next run in it removes', async () => {
    const namespace = ns('killed');
    const before = kubeDirs();
    const file = writeKata(
      'killed.md',
      `# Killed\n${fence}console\nkubectl create configmap c --from-literal=a=b\n${fence}\n<!-- kata: id hold -->\n${fence}console\necho holding; sleep 60\n${fence}\n`,
    );
    // The killed run keeps its record where the next run does not look (another user, a lost home
    // folder): then the namespace's owner annotation is what tells the next run it is a dead run's.
    // (The record's own path, `kata cleanup` and the next run, is test/cluster/dead-run.test.ts.)
    const killedState = mkdtempSync(join(tmpdir(), 'kata-chaos-state-'));
    const run = start(namespace, ['run', file, '--yes', '--namespace', namespace], { XDG_STATE_HOME: killedState });
    await run.wait('holding', 120_000);
    run.child.kill('SIGKILL');
    await run.child;
    // What the killed run left on this machine: its shell's sleep, its private kubeconfig.
    for (const pid of processesTagged('KATA_CHAOS_CASE', namespace)) process.kill(pid, 'SIGKILL');
    const later = writeKata('after-kill.md', `# After\n${fence}console\nkubectl get configmap c\n${fence}\n`);
    const again = start(namespace, ['run', later, '--yes', '--namespace', namespace], {
      XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'kata-chaos-state-')),
    });
    expect((await again.child).exitCode, again.out()).toBe(0);
    // SIGKILL leaves its private kubeconfig too: only the namespace is for a later run to remove.
    await nothingLeft(namespace, [...before, ...kubeDirs()]);
    // The rest of what the killed run left (its folders) goes with its record.
    const cleanup = start(namespace, ['cleanup'], { XDG_STATE_HOME: killedState });
    expect((await cleanup.child).exitCode, cleanup.out()).toBe(0);
  });

  it('a second run in the namespace of a running one is refused (exit 3), naming the run that holds it', async () => {
    const namespace = ns('shared');
    const before = kubeDirs();
    const file = writeKata(
      'hold.md',
      `# Holds\n${fence}console\nkubectl get pods\n${fence}\n<!-- kata: id hold -->\n${fence}console\necho holding; sleep 30\n${fence}\n`,
    );
    const first = start(namespace, ['run', file, '--yes', '--namespace', namespace]);
    await first.wait('holding', 120_000);
    const second = start(namespace, ['run', file, '--yes', '--namespace', namespace]);
    const refused = await second.child;
    expect(refused.exitCode, second.out()).toBe(3);
    expect(second.out()).toContain(`namespace ${namespace} is in use by the kata run with pid ${first.child.pid}`);
    expect(second.out()).toContain('or run with another --namespace');
    first.child.kill('SIGINT');
    expect((await first.child).exitCode).toBe(130);
    await nothingLeft(namespace, before);
  });

  it('a missing image ends the wait for the deployment at once, naming the image and reason', async () => {
    const namespace = ns('image');
    const before = kubeDirs();
    const file = writeKata(
      'image.md',
      `# Missing image\n${fence}console\nkubectl create deploy ghost --image 127.0.0.1:5000/kata/no-such-image:0\n${fence}\n<!-- kata: id next -->\n${fence}console\necho next-step\n${fence}\n# Cleanup\n${fence}console\nkubectl delete deploy ghost\n${fence}\n`,
    );
    const startedAt = Date.now();
    const run = start(namespace, ['run', file, '--yes', '--namespace', namespace]);
    const result = await run.child;
    expect(run.out()).toMatch(
      /deployment\.apps\/ghost cannot start: pod ghost-\S+ cannot start: (ErrImagePull|ImagePullBackOff) for container \S+ \(image 127\.0\.0\.1:5000\/kata\/no-such-image:0\)/,
    );
    expect(run.out()).toContain('next-step');
    expect(Date.now() - startedAt).toBeLessThan(75_000);
    expect(result.exitCode, run.out()).toBe(0);
    await nothingLeft(namespace, before);
  });
});

describe.skipIf(!labUp)(`a user with little RBAC${needsLab}`, () => {
  const namespace = ns('rbac');
  const setup = (): string => {
    kubectl(['create', 'namespace', namespace]);
    kubectl(['-n', namespace, 'create', 'serviceaccount', 'learner']);
    kubectl(['-n', namespace, 'create', 'rolebinding', 'learner-edit', '--clusterrole', 'edit', `--serviceaccount=${namespace}:learner`]);
    const token = kubectl(['-n', namespace, 'create', 'token', 'learner', '--duration', '10m']).trim();
    const config = join(dir, 'learner.kubeconfig');
    const ca = kubectl(['config', 'view', '--raw', '--minify', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}']);
    const server = kubectl(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}']);
    writeFileSync(
      config,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster: {server: "${server}", certificate-authority-data: ${ca}}\nusers:\n- name: learner\n  user: {token: ${token}}\n- name: nobody\n  user: {}\ncontexts:\n- name: learner\n  context: {cluster: lab, user: learner, namespace: ${namespace}}\n- name: nobody\n  context: {cluster: lab, user: nobody}\ncurrent-context: learner\n`,
    );
    return config;
  };

  it("is told what it may not do, in the API server's words, never with a raw dump; the anonymous user is named", async () => {
    const config = setup();
    try {
      const doctor = await execa(process.execPath, [CLI, 'doctor'], {
        env: { ...env, KUBECONFIG: config },
        extendEnv: false,
        reject: false,
        all: true,
      });
      expect(doctor.all).not.toMatch(/HTTP-Code|Unknown API Status|Headers:/);
      expect(doctor.all).toContain(`warn  may not get namespace ${namespace} (a namespace-scoped user)`);
      expect(doctor.all).toContain('may create deployments in namespace');
      expect(doctor.all).toContain('the cluster knows these credentials as system:serviceaccount:');
      const other = await execa(process.execPath, [CLI, 'doctor', '--namespace', 'kube-system'], {
        env: { ...env, KUBECONFIG: config },
        extendEnv: false,
        reject: false,
        all: true,
      });
      expect(other.all).toMatch(/may not (get namespace kube-system|create deployments in namespace kube-system)/);
      expect(other.all).not.toMatch(/HTTP-Code|Unknown API Status/);
      const nobody = await execa(process.execPath, [CLI, 'doctor', '--context', 'nobody'], {
        env: { ...env, KUBECONFIG: config },
        extendEnv: false,
        reject: false,
        all: true,
      });
      expect(nobody.exitCode).toBe(1);
      expect(nobody.all).toMatch(/anonymous|refuses these credentials/);
      const file = writeKata('rbac.md', `# RBAC\n${fence}console\nkubectl get pods\n${fence}\n`);
      const own = await execa(process.execPath, [CLI, 'run', file, '--yes'], {
        env: { ...env, KUBECONFIG: config },
        extendEnv: false,
        reject: false,
        all: true,
      });
      expect(own.exitCode, own.all).toBe(0);
      const run = await execa(process.execPath, [CLI, 'run', file, '--yes', '--namespace', `${namespace}-other`], {
        env: { ...env, KUBECONFIG: config },
        extendEnv: false,
        reject: false,
        all: true,
      });
      // It may neither see the namespace nor create Leases: the run goes on, and kubectl says what is denied.
      expect(run.all).toMatch(/pods is forbidden: User "system:serviceaccount:.*:learner" cannot list resource "pods"/);
      expect(run.all).not.toMatch(/refused the credentials|HTTP-Code|Unknown API Status/);
    } finally {
      kubectlStatus(['delete', 'namespace', namespace, '--wait=true', '--timeout=90s']);
    }
  });
});
