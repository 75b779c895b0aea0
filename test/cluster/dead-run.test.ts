/**
 * A run killed with SIGKILL while what it created is in the cluster (issue 11, item 4): its record
 * names the objects, its namespace (the run created it) and the kubeconfig and context it used;
 * `kata cleanup FILE` deletes them, and when the cluster cannot be reached it says so, keeps the
 * record and exits 1, so that a later cleanup can finish the job.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, kataCli } from '../helpers/cli.js';
import { dedent } from '../helpers/kata.js';

const kubeconfig = process.env.KATA_TEST_KUBECONFIG;
if (kubeconfig === undefined) throw new Error('the cluster suite needs KATA_TEST_KUBECONFIG (the lab: `kata lab up`, then its kubeconfig)');
const fence = '```';

function kubectl(env: Record<string, string>, ...args: string[]): string {
  try {
    return execFileSync('kubectl', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
}

/** Runs the kata in `ns` until its wait step prints `ready`, then kills the run with SIGKILL. */
async function killWhenReady(file: string, ns: string, env: Record<string, string>, timeoutMs: number): Promise<void> {
  const child = execa(process.execPath, [CLI, 'run', file, '--yes', '--namespace', ns], {
    env,
    extendEnv: false,
    all: true,
    reject: false,
    buffer: false,
  });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the run did not get to its wait step:\n${seen}`)), timeoutMs);
    child.all?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('| ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGKILL');
  await child;
}

describe.skipIf(process.env.KATA_CLUSTER_SUITE === 'mesh')('a run killed with SIGKILL on a cluster', () => {
  it('leaves a record from which `kata cleanup FILE` deletes its objects and its namespace, after the cluster could not be reached once', async () => {
    const base = mkdtempSync(join(tmpdir(), 'kata-dead-run-'));
    const tmp = join(base, 'tmp');
    mkdirSync(tmp);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      KUBECONFIG: kubeconfig,
      XDG_STATE_HOME: join(base, 'state'),
      TMPDIR: tmp,
    };
    const ns = `kata-test-dead-${process.pid}`;
    const file = join(base, 'dead.md');
    writeFileSync(
      file,
      dedent(`
        # Killed with a ConfigMap in the cluster
        ${fence}console
        kubectl create configmap crash-settings --from-literal=a=b
        ${fence}
        <!-- kata: id wait; timeout 10m -->
        ${fence}console
        echo ready; sleep 600
        ${fence}
        ## Cleanup
        ${fence}console
        kubectl delete configmap crash-settings
        ${fence}
      `),
    );
    await killWhenReady(file, ns, env, 60_000);
    expect(kubectl(env, 'get', 'configmap', 'crash-settings', '-n', ns, '-o', 'name')).toContain('configmap/crash-settings');
    expect(readdirSync(tmp).filter((n) => n.startsWith('kata-kube-'))).toHaveLength(1);

    // The cluster cannot be reached: nothing of it is removed, the record stays, exit 1.
    const runs = join(base, 'state', 'kata-runner', 'runs');
    const [name] = readdirSync(runs);
    const recordPath = join(runs, name!);
    const record = JSON.parse(readFileSync(recordPath, 'utf8')) as { cluster: { kubeconfig: string } };
    const broken = join(base, 'broken-kubeconfig');
    writeFileSync(broken, readFileSync(kubeconfig, 'utf8').replace(/server: https:\/\/[^\s]+/, 'server: https://127.0.0.1:1'));
    writeFileSync(recordPath, JSON.stringify({ ...record, cluster: { ...record.cluster, kubeconfig: broken } }));
    const unreachable = await kataCli(['cleanup', file], { env });
    expect(unreachable.exitCode, unreachable.all).toBe(1);
    expect(unreachable.stdout).toContain(
      `COULD NOT REMOVE configmap/crash-settings -n ${ns} (the cluster could not be used through context`,
    );
    expect(unreachable.stdout).toContain(`COULD NOT REMOVE namespace/${ns}`);
    expect(unreachable.stdout).toContain('its record is kept');
    expect(unreachable.stdout).toMatch(/removed folder .*kata-kube-/);
    expect(kubectl(env, 'get', 'namespace', ns, '-o', 'name')).toContain(`namespace/${ns}`);

    // Reachable again: everything goes, and so does the record.
    writeFileSync(recordPath, readFileSync(recordPath, 'utf8').replace(JSON.stringify(broken), JSON.stringify(kubeconfig)));
    const cleanup = await kataCli(['cleanup', file], { env });
    expect(cleanup.exitCode, cleanup.all).toBe(0);
    expect(cleanup.stdout).toContain(`removed configmap/crash-settings -n ${ns} (context `);
    expect(cleanup.stdout).toContain(`removed namespace/${ns} (context `);
    expect(kubectl(env, 'get', 'namespace', ns, '-o', 'name')).toMatch(/NotFound/);
    expect(readdirSync(runs)).toEqual([]);
  }, 240_000);

  it("finds the kubectl behind a killed run's pod shell by the run's mark, and `kata cleanup FILE` stops it", async () => {
    const base = mkdtempSync(join(tmpdir(), 'kata-dead-shell-'));
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      KUBECONFIG: kubeconfig,
      XDG_STATE_HOME: join(base, 'state'),
    };
    const ns = `kata-test-dead-shell-${process.pid}`;
    const file = join(base, 'shell.md');
    writeFileSync(
      file,
      dedent(`
        # Killed inside a pod shell
        ${fence}console
        kubectl create deploy web --image nginx
        ${fence}
        <!-- kata: as web -->
        ${fence}console
        kubectl exec -it <web POD> -- sh
        ${fence}
        <!-- kata: id wait; in web; timeout 10m -->
        ${fence}console
        echo ready; sleep 600
        ${fence}
      `),
    );
    await killWhenReady(file, ns, env, 120_000);
    const runs = join(base, 'state', 'kata-runner', 'runs');
    const record = JSON.parse(readFileSync(join(runs, readdirSync(runs)[0]!), 'utf8')) as { mark: { name: string; value: string } };
    const tagged = (): number[] =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`${record.mark.name}=${record.mark.value}`);
          } catch {
            return false;
          }
        })
        .map(Number);
    const kubectls = tagged().filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('exec'));
    expect(kubectls.length, 'the pod shell kubectl carries the mark').toBeGreaterThan(0);

    const cleanup = await kataCli(['cleanup', file], { env });
    expect(cleanup.exitCode, cleanup.all).toBe(0);
    expect(cleanup.stdout).toContain(`removed namespace/${ns}`);
    expect(tagged()).toEqual([]);
  }, 300_000);
});
