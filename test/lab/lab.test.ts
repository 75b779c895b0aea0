/**
 * With the lab up: the things katas do work on it (deployments, services, exec, DNS, ephemeral
 * containers with tcpdump), and pods cannot send anything outside the pod and service ranges.
 */
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, eventually, inLabNetns, isRoot, kubectl, kubectlBin, kubectlStatus, labUp, needsLab } from '../helpers/lab.js';

const ns = `kata-lab-test-${process.pid}`;
const k = (...args: string[]): string => kubectl(['-n', ns, ...args]);

describe.skipIf(!labUp)(`the lab runs katas${needsLab}`, () => {
  beforeAll(() => {
    kubectl(['create', 'namespace', ns]);
    // The namespace's default service account appears a moment later; pods need it.
    return eventually('the default service account', 30_000, () => (k('get', 'serviceaccount', 'default') ? true : undefined));
  });
  afterAll(() => {
    kubectlStatus(['delete', 'namespace', ns, '--wait=false']);
  });

  it('kubectl create deploy nginx --image nginx becomes Ready', () => {
    k('create', 'deploy', 'nginx', '--image', 'nginx');
    expect(k('rollout', 'status', 'deploy/nginx', '--timeout=180s')).toContain('successfully rolled out');
  });

  it('kubectl expose gives the deployment a service with a cluster IP', () => {
    k('expose', 'deploy', 'nginx', '--port', '80');
    expect(k('get', 'svc', 'nginx', '-o', 'jsonpath={.spec.clusterIP}')).toMatch(/^10\.(9[6-9]|1[01][0-9])\./);
  });

  it('curl nginx from a praqma/network-multitool pod (kubectl exec, DNS, service) returns the welcome page', async () => {
    k('create', 'deploy', 'multitool', '--image', 'praqma/network-multitool');
    k('rollout', 'status', 'deploy/multitool', '--timeout=180s');
    const page = await eventually('curl nginx to answer', 60_000, () => {
      const out = k('exec', 'deploy/multitool', '--', 'curl', '-s', '-m', '5', 'nginx');
      return out.includes('Welcome to nginx!') ? out : undefined;
    });
    expect(page).toContain('<title>Welcome to nginx!</title>');
    // the tools the katas use are in the image
    expect(k('exec', 'deploy/multitool', '--', 'bash', '-c', 'for t in curl tcpdump ip jq ps dig ping nc; do command -v $t >/dev/null || echo missing $t; done; echo checked')).toBe('checked\n');
  });

  it('a service deleted and re-created under the same name resolves to its new IP at once', () => {
    const ip = (): string => k('get', 'svc', 'again', '-o', 'jsonpath={.spec.clusterIP}');
    const resolve = (): string => k('exec', 'deploy/multitool', '--', 'dig', '+short', `again.${ns}.svc.cluster.local`).trim();
    k('create', 'service', 'clusterip', 'again', '--tcp', '80');
    expect(resolve()).toBe(ip());
    k('delete', 'service', 'again');
    k('create', 'service', 'clusterip', 'again', '--tcp', '80');
    // CoreDNS's default `cache 30` would still answer with the deleted service's IP here
    expect(resolve()).toBe(ip());
  });

  it('kubectl debug -i attaches an ephemeral container in which tcpdump -i eth0 sees the curl', async () => {
    const pod = k('get', 'pod', '-l', 'app=nginx', '-o', 'jsonpath={.items[0].metadata.name}');
    // -i without a TTY, stdin kept open (closing it would end the attach before the output came)
    const debug = spawn(kubectlBin, ['-n', ns, 'debug', '-i', pod, '--image', 'praqma/network-multitool', '--', 'tcpdump', '-l', '-n', '-A', '-i', 'eth0', '-c', '40', 'tcp port 80'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    debug.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    debug.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => debug.on('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    try {
      await eventually('tcpdump in the ephemeral container to print the page', 120_000, () => {
        if (!output.includes('Welcome to nginx!') && !done) {
          kubectlStatus(['-n', ns, 'exec', 'deploy/multitool', '--', 'curl', '-s', '-m', '3', '-o', '/dev/null', 'nginx'], 10_000);
          return undefined;
        }
        return true;
      });
    } finally {
      debug.stdin.end();
      debug.kill('SIGTERM');
    }
    expect(output).toContain('Welcome to nginx!');
    expect(output).toMatch(/IP 10\.244\.\d+\.\d+\.\d+ > 10\.244\.\d+\.\d+\.80: Flags/);
    const containers = k('get', 'pod', pod, '-o', 'jsonpath={.spec.ephemeralContainers[*].image}');
    expect(containers).toBe('praqma/network-multitool');
  });

  it.skipIf(!isRoot)(`drops pod traffic to anything outside the pod and service ranges${isRoot ? '' : ' (skipped: needs root)'}`, () => {
    const forward = inLabNetns(['iptables', '-w', '5', '-S', 'FORWARD']).split('\n');
    expect(forward[1]).toBe('-A FORWARD -s 10.244.0.0/16 -j KATA-LAB-EGRESS');
    const chain = inLabNetns(['iptables', '-w', '5', '-S', 'KATA-LAB-EGRESS']);
    expect(chain).toContain('-A KATA-LAB-EGRESS -d 10.244.0.0/16 -j RETURN');
    expect(chain).toContain('-A KATA-LAB-EGRESS -d 10.96.0.0/12 -j RETURN');
    expect(chain).toMatch(/-A KATA-LAB-EGRESS -m comment --comment "[^"]*" -j DROP/);
    expect(inLabNetns(['iptables', '-w', '5', '-t', 'nat', '-S'])).not.toMatch(/MASQUERADE.*10\.244|-s 10\.244\.0\.0\/\d+ .*MASQUERADE/);

    // 192.0.2.1 is TEST-NET-1: never routed anywhere; the packet must die in the lab's FORWARD chain.
    const dropped = (): number => {
      const line = inLabNetns(['iptables', '-w', '5', '-L', 'KATA-LAB-EGRESS', '-v', '-x', '-n']).split('\n').find((l) => /\bDROP\b/.test(l));
      return Number(line?.trim().split(/\s+/)[0] ?? Number.NaN);
    };
    const before = dropped();
    const attempt = kubectlStatus(['-n', ns, 'exec', 'deploy/multitool', '--', 'curl', '-s', '-m', '3', 'http://192.0.2.1/'], 30_000);
    expect(attempt.status).not.toBe(0);
    expect(dropped()).toBeGreaterThan(before);
    // a pod still reaches pods and services
    expect(k('exec', 'deploy/multitool', '--', 'curl', '-s', '-m', '5', 'nginx')).toContain('Welcome to nginx!');
  });

  it.skipIf(!isRoot)(`leaves the root network namespace's iptables alone${isRoot ? '' : ' (skipped: needs root)'}`, () => {
    const rules = execFileSync('iptables', ['-w', '5', '-S'], { encoding: 'utf8' });
    expect(rules).not.toMatch(/KATA-LAB|KUBE-/);
  });
});
