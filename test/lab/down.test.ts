/**
 * `kata lab down` leaves nothing: no lab process, mount, network namespace, cgroup or iptables
 * rule. It takes the lab down, so it runs only when asked (KATA_LAB_SUITE=down, last in CI).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labCommand } from '../helpers/lab-command.js';
import { join } from 'node:path';
import { processStates, readLabState } from '../../src/lab/status.js';
import { isRoot, labUp, paths } from '../helpers/lab.js';

const asked = process.env.KATA_LAB_SUITE === 'down';
const why = !asked ? ' (skipped: takes the lab down; run with KATA_LAB_SUITE=down)' : !isRoot ? ' (skipped: needs root)' : !labUp ? ' (skipped: the lab is not up; run `sudo kata lab up` first)' : '';

/** Processes whose command line or executable lies in the lab's cache, or that containerd started for it. */
function labProcesses(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(paths.stateDir) || /containerd-shim|kata-lab|pilot-agent|pilot-discovery|\/usr\/local\/bin\/envoy/.test(cmdline)) found.push(`${entry}: ${cmdline.slice(0, 120)}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

describe.skipIf(why !== '')(`kata lab down${why}`, () => {
  it('first removes the mesh from the cluster: its namespace, webhooks, CRDs and injection labels', async () => {
    const before = await readLabState(paths);
    if (before.mesh?.installed !== true) return; // a lab without the mesh: nothing to remove
    const lines: string[] = [];
    expect(await labCommand(['mesh', 'down'], (l) => lines.push(l), paths)).toBe(0);
    expect(lines.at(-1)).toMatch(/^kata lab: mesh removed in \d+s$/);
    const k = (...args: string[]) => execFileSync(join(paths.binDir, 'kubectl'), args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: paths.kubeconfig } });
    expect(k('get', 'namespace', 'istio-system', '--ignore-not-found', '-o', 'name').trim()).toBe('');
    expect(k('get', 'namespaces', '-l', 'istio-injection', '-o', 'name').trim()).toBe('');
    expect(k('get', 'mutatingwebhookconfigurations,validatingwebhookconfigurations', '-o', 'name')).not.toMatch(/istio/);
    expect(k('get', 'crds', '-o', 'name')).not.toMatch(/istio\.io/);
    expect(k('get', 'configmaps', '-A', '--field-selector', 'metadata.name=istio-ca-root-cert', '-o', 'name').trim()).toBe('');
    const status: string[] = [];
    expect(await labCommand(['mesh', 'status'], (l) => status.push(l), paths)).toBe(3);
    expect(status[0]).toMatch(/^kata lab: mesh: not installed/);
  });

  it('stops every process and removes the namespaces, mounts, cgroups and rules it added', async () => {
    const lines: string[] = [];
    expect(await labCommand(['down'], (l) => lines.push(l), paths)).toBe(0);
    expect(lines.at(-1)).toMatch(/^kata lab: down in \d+s$/);

    expect(processStates(paths).filter((p) => p.running)).toEqual([]);
    expect(labProcesses()).toEqual([]);
    const mounts = execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' }).split('\n');
    expect(mounts.filter((m) => m.startsWith(paths.stateDir) || m.startsWith('/run/netns') || m.startsWith('/run/containerd'))).toEqual([]);
    expect(existsSync('/run/netns/kata-lab')).toBe(false);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain('kata-lab');
    const cgroups = existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup').filter((h) => existsSync(`/sys/fs/cgroup/${h}/kubepods`)) : [];
    expect(cgroups).toEqual([]);
    expect(execFileSync('iptables', ['-w', '5', '-S'], { encoding: 'utf8' })).not.toMatch(/KATA-LAB|KUBE-/);
    expect(execFileSync('ss', ['-Hltn'], { encoding: 'utf8' })).not.toMatch(/127\.0\.0\.1:(6443|5000)\b/);

    const status: string[] = [];
    expect(await labCommand(['status'], (l) => status.push(l), paths)).toBe(3);
  });
});
