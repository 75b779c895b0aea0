import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_LOG_CAP_BYTES } from '../../src/exec/shell-session.js';
import { CLI, kataCli, ROOT } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'kata-run-'));
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

/** PIDs of processes whose command line contains `token`. */
function processesWith(token: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(token);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** True when `command args` runs here. */
const runs = (command: string, ...args: string[]): boolean => {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const haveTcpdump = runs('tcpdump', '--version');
const haveOpenssl = runs('openssl', 'version');
const isRoot = process.getuid?.() === 0;

describe('kata run (built CLI, headless)', () => {
  it('runs the first-steps kata on a fresh clone and writes JUnit and JSON reports', async () => {
    const junit = join(out, 'first.xml');
    const json = join(out, 'first.json');
    const result = await kataCli(['run', 'katas/first-steps.md', '--yes', '--report', `junit=${junit}`, '--report', `json=${json}`], {
      env,
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('target: this machine only');
    expect(result.stdout).toContain('== passed: 5 passed, 0 failed, 0 skipped');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuite name="First steps with kata-runner" tests="4" failures="0"');
    expect(xml).toContain('<testsuite name="First steps with kata-runner (cleanup)" tests="1"');
    expect(xml).toMatch(/name="fetch: curl -sS [^"]*" file="katas\/first-steps.md" line="45"/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      status: string;
      exitCode: number;
      steps: { id: string; status: string; checks: { passed: boolean }[] }[];
    };
    expect(report).toMatchObject({ status: 'passed', exitCode: 0 });
    expect(report.steps.map((s) => `${s.id}:${s.status}`)).toEqual([
      'workspace:passed',
      'page:passed',
      'server:passed',
      'fetch:passed',
      'remove-workdir:passed',
    ]);
  });

  it('exits 1 on a failed check and puts file:line, expected and seen into the JUnit failure', async () => {
    const junit = join(out, 'failing.xml');
    const result = await kataCli(['run', 'test/fixtures/katas/failing.md', '--yes', '--report', `junit=${junit}`], { env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('FAIL wrong (');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain(
      '<failure message="test/fixtures/katas/failing.md:10: expected output contains &quot;two&quot;: not found in the output">three</failure>',
    );
    expect(xml).toContain('tests="1" failures="0"'); // the cleanup suite passed
  });

  it('rejects bad --set values and reports before touching anything', async () => {
    const result = await kataCli(['run', 'katas/first-steps.md', '--yes', '--set', 'web POD=$(rm -rf ~)'], { env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('is not a Kubernetes name');
    expect((await kataCli(['run', 'katas/first-steps.md', '--report', 'xml=x'], { env })).exitCode).toBe(2);
    expect((await kataCli(['run', 'katas/first-steps.md', '--timeout', 'soon'], { env })).exitCode).toBe(2);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('on %s runs the cleanup, exits 130 and leaves no process behind', async (signal) => {
    const child = execa('node', [CLI, 'run', 'test/fixtures/katas/interrupt.md', '--yes'], { cwd: ROOT, env, reject: false, all: true });
    let seen = '';
    let sent = false;
    child.all?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (!sent && seen.includes('| started-long')) {
        sent = true;
        child.kill(signal);
      }
    });
    const result = await child;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).toContain(`== ${signal}: stopping the current step and running the cleanup`);
    expect(result.all).toContain('| cleanup-finished');
    expect(processesWith('KATA_INTERRUPT_TOKEN')).toEqual([]);
  });

  it('skips the rest of the cleanup on a second Ctrl-C, and says so', async () => {
    const child = execa('node', [CLI, 'run', 'test/fixtures/katas/interrupt.md', '--yes'], { cwd: ROOT, env, reject: false, all: true });
    let seen = '';
    let sent = 0;
    child.all?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (sent === 0 && seen.includes('| started-long')) {
        sent = 1;
        child.kill('SIGINT');
      }
      if (sent === 1 && seen.includes('| cleanup-ran')) {
        sent = 2;
        child.kill('SIGINT');
      }
    });
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.all).toContain('== SIGINT again: skipping the rest of the cleanup');
    expect(result.all).toContain('== cleanup skipped: interrupted a second time');
    expect(result.all).not.toContain('| cleanup-finished');
    expect(processesWith('KATA_INTERRUPT_TOKEN')).toEqual([]);
  });

  it('keeps its memory bounded while a step prints 100 MB', async () => {
    const child = execa('node', [CLI, 'run', 'test/fixtures/katas/flood.md', '--yes'], { cwd: ROOT, env, reject: false, all: true });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        // exited
      }
    }, 50);
    const result = await child;
    clearInterval(poll);
    expect(result.exitCode, result.all.slice(-2000)).toBe(0);
    expect(result.all).toContain('ok   output contains "last-line"');
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(150);
  });

  it('says clearly when the cluster a kata needs cannot be used (exit 3), and doctor reports it (exit 1)', async () => {
    // A kubectl on PATH, so that the run gets as far as connecting.
    const bin = mkdtempSync(join(tmpdir(), 'kata-bin-'));
    writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const kubeconfig = join(bin, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "https://127.0.0.1:1"}\n  name: nowhere\ncontexts:\n- context: {cluster: nowhere, user: u}\n  name: nowhere\ncurrent-context: nowhere\nusers:\n- name: u\n  user: {token: secret-token-value}\n',
    );
    const withConfig = { ...env, PATH: `${bin}:${env.PATH}`, KUBECONFIG: kubeconfig };
    const unreachable = await kataCli(['run', 'katas/ephemeral-containers.md', '--yes'], { env: withConfig });
    expect(unreachable.exitCode).toBe(3);
    expect(unreachable.stderr).toMatch(
      /^kata: cannot reach the cluster at https:\/\/127\.0\.0\.1:1 \(context nowhere\): .*Check that the cluster is running/,
    );
    expect(unreachable.all).not.toContain('secret-token-value');
    const unknown = await kataCli(['run', 'katas/ephemeral-containers.md', '--yes', '--context', 'elsewhere'], { env: withConfig });
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toContain('the kubeconfig has no context "elsewhere". Known contexts: nowhere.');
    const none = await kataCli(['run', 'katas/ephemeral-containers.md', '--yes'], {
      env: { ...withConfig, KUBECONFIG: join(bin, 'missing') },
    });
    expect(none.exitCode).toBe(3);
    expect(none.stderr).toContain('cannot read the kubeconfig');
    const noKubectl = await kataCli(['run', 'katas/ephemeral-containers.md', '--yes'], { env: { ...withConfig, PATH: '/nonexistent' } });
    expect(noKubectl.exitCode).toBe(3);
    expect(noKubectl.stderr).toContain('this kata runs kubectl, which is not installed here');
    const doctor = await kataCli(['doctor'], { env: withConfig });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toMatch(/^FAIL {2}cannot reach the cluster at https:\/\/127\.0\.0\.1:1/);
  });

  it.skipIf(!haveTcpdump || !isRoot)(
    'captures HTTP on lo with tcpdump and checks the decoded payload (needs root and tcpdump: apt-get install -y tcpdump)',
    async () => {
      const json = join(out, 'capture.json');
      const result = await kataCli(['run', 'test/fixtures/katas/capture.md', '--yes', '--report', `json=${json}`], { env });
      expect(result.exitCode, result.all).toBe(0);
      const report = JSON.parse(readFileSync(json, 'utf8')) as {
        steps: { id: string; checks: { description: string; passed: boolean; detail: string }[] }[];
      };
      const capture = report.steps.find((s) => s.id === 'capture');
      expect(capture?.checks.map((c) => [c.description, c.passed])).toEqual([
        ['captured packet payload contains "Captured in plain text"', true],
        ['captured packet payload does not contain "Not in the page"', true],
      ]);
    },
  );

  it.skipIf(!haveTcpdump || !isRoot || !haveOpenssl)(
    'tells an HTTPS capture from an HTTP one by the packets, with checks inferred from the prose (needs root, tcpdump and openssl: apt-get install -y tcpdump openssl)',
    async () => {
      const json = join(out, 'capture-tls.json');
      const result = await kataCli(['run', 'test/fixtures/katas/capture-tls.md', '--yes', '--report', `json=${json}`], { env });
      expect(result.exitCode, result.all).toBe(0);
      const report = JSON.parse(readFileSync(json, 'utf8')) as {
        steps: { id: string; checks: { kind: string; inferred: boolean; passed: boolean; detail: string }[] }[];
      };
      const checks = (id: string) => report.steps.find((s) => s.id === id)?.checks ?? [];
      expect(checks('capture-https').map((c) => [c.kind, c.inferred, c.passed])).toEqual([['payload-encrypted', true, true]]);
      expect(checks('capture-https')[0]?.detail).toMatch(
        /^TLS records \(handshake, .*application data.*\) in \d+ of \d+ packets with data$/,
      );
      expect(checks('capture-http').map((c) => [c.kind, c.inferred, c.passed])).toEqual([['payload-plaintext', true, true]]);
      expect(checks('capture-http')[0]?.detail).toContain('The same page twice');
    },
  );

  it('goes on to the cleanup and its verdict when the reader of its output goes away (| head)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kata-epipe-'));
    const file = join(dir, 'chatty.md');
    const mark = join(dir, 'cleaned');
    const fence = '```';
    writeFileSync(
      file,
      `# Chatty\n\n${fence}console\nseq 1 2000\n${fence}\n\n${fence}console\nsleep 0.5; seq 1 2000\n${fence}\n\n# Cleanup\n\n${fence}console\ntouch ${mark}\n${fence}\n`,
    );
    const run = await execa('bash', ['-c', `node ${CLI} run ${file} --yes | head -2; echo "kata exit \${PIPESTATUS[0]}" >&2`], {
      cwd: ROOT,
      env,
      reject: false,
    });
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(run.stderr).toBe('kata exit 0');
    expect(existsSync(mark)).toBe(true);
    const plan = await execa(
      'bash',
      ['-c', `node ${CLI} plan --json katas/ephemeral-containers.md | head -c 10; echo; echo "kata exit \${PIPESTATUS[0]}" >&2`],
      { cwd: ROOT, env, reject: false },
    );
    expect(plan.stderr).toBe('kata exit 0');
  });

  it('refuses report paths that cannot be written before the first step, and keeps the verdict when one fails at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kata-reports-'));
    writeFileSync(join(dir, 'a-file'), '');
    for (const [spec, why] of [
      [`junit=${dir}`, 'it is a folder'],
      [`json=${join(dir, 'a-file', 'r.json')}`, 'is a file, not a folder'],
      ['json=/proc/kata-no-such/r.json', 'no file can be created in /proc'],
    ] as const) {
      const result = await kataCli(['run', 'katas/first-steps.md', '--yes', '--report', spec], { env });
      expect(result.exitCode, result.all).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^kata: --report ${spec.replace(/[/.]/g, '\\$&')} cannot be written: .*${why}`));
      expect(result.stdout).toBe('');
    }
    const fence = '```';
    const file = join(dir, 'moves.md');
    writeFileSync(file, `# The report folder goes away\n\n${fence}console\nrm -rf ${dir}/out && touch ${dir}/out\n${fence}\n`);
    const result = await kataCli(['run', file, '--yes', '--report', `json=${dir}/out/r.json`, '--report', `junit=${dir}/kept.xml`], {
      env,
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/json .*\/out\/r\.json NOT WRITTEN \(ENOTDIR|EEXIST/);
    expect(existsSync(join(dir, 'kept.xml'))).toBe(true);
  });

  it('keeps up with a background job that writes faster than it can be read: its bound holds, the log stays bounded, the drop is said', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kata-flood-'));
    const fence = '```';
    const file = join(dir, 'yes.md');
    writeFileSync(
      file,
      `# A fast writer\n\n<!-- kata: id flood; background for 2s -->\n${fence}console\nyes\n${fence}\n\n${fence}console\nsleep 3\n${fence}\n`,
    );
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    let largest = 0;
    const sizes = setInterval(() => {
      for (const jobs of readdirSync(tmp).filter((d) => d.startsWith('kata-jobs-'))) {
        for (const log of readdirSync(join(tmp, jobs))) {
          try {
            largest = Math.max(largest, statSync(join(tmp, jobs, log)).size);
          } catch {
            // removed while we looked
          }
        }
      }
    }, 50);
    const result = await kataCli(['run', file, '--yes'], { env: { ...env, TMPDIR: tmp } }).finally(() => clearInterval(sizes));
    expect(result.exitCode, result.all?.slice(-2000)).toBe(0);
    expect(result.stdout).toMatch(
      /\[kata-runner: at least \d+ bytes of this job's output dropped: it wrote faster than they could be read\]/,
    );
    expect(result.stdout).toContain('PASS flood');
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(JOB_LOG_CAP_BYTES + 512 * 1024 * 1024);
  }, 60_000);

  it('stops what a step started and left running, however it detached, names it in the report, and ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kata-strays-'));
    const fence = '```';
    const file = join(dir, 'strays.md');
    const json = join(dir, 'strays.json');
    writeFileSync(
      file,
      [
        '# Left running',
        '',
        `${fence}console`,
        "bash -c 'sleep 300; : KATA_STRAY_TOKEN_A' &",
        "nohup bash -c 'sleep 300; : KATA_STRAY_TOKEN_B' >/dev/null 2>&1 &",
        "setsid bash -c 'sleep 300; : KATA_STRAY_TOKEN_C' &",
        'echo started',
        fence,
        '',
      ].join('\n'),
    );
    const result = await kataCli(['run', file, '--yes', '--report', `json=${json}`], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/== stopped what the kata left running on this machine: .*KATA_STRAY_TOKEN_A/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { strays: string[] };
    for (const token of ['A', 'B', 'C']) expect(report.strays.some((p) => p.includes(`KATA_STRAY_TOKEN_${token}`))).toBe(true);
    expect(processesWith('KATA_STRAY_TOKEN')).toEqual([]);
  }, 30_000);

  it('gives up on an API server that accepts connections and never answers, and exits (run: 3, doctor: 1)', async () => {
    const silent = createServer(() => undefined); // accepts, then says nothing, not even TLS
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const bin = mkdtempSync(join(tmpdir(), 'kata-silent-'));
      writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const kubeconfig = join(bin, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}\n  name: silent\ncontexts:\n- context: {cluster: silent, user: u}\n  name: silent\ncurrent-context: silent\nusers:\n- name: u\n  user: {token: t}\n`,
      );
      const withConfig = { ...env, PATH: `${bin}:${env.PATH}`, KUBECONFIG: kubeconfig, KATA_API_TIMEOUT: '1s' };
      const run = await kataCli(['run', 'katas/ephemeral-containers.md', '--yes'], { env: withConfig });
      expect(run.exitCode).toBe(3);
      expect(run.stderr).toContain(
        `kata: cannot reach the cluster at https://127.0.0.1:${port} (context silent): the API server did not answer its version within 1s`,
      );
      const doctor = await kataCli(['doctor'], { env: withConfig });
      expect(doctor.exitCode).toBe(1);
      expect(doctor.stdout).toMatch(/^FAIL {2}cannot reach the cluster .*did not answer its version within 1s/);
    } finally {
      silent.close();
    }
  }, 30_000);

  it('writes well-formed JUnit XML whatever a command prints (U+FFFE, U+FFFF, control characters; xmllint checks it where installed: apt-get install -y libxml2-utils)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kata-xml-'));
    const fence = '```';
    const file = join(dir, 'odd.md');
    writeFileSync(
      file,
      `# Odd output\n\n<!-- kata: expect contains "never printed" -->\n${fence}console\nprintf 'a\\357\\277\\276b\\357\\277\\277c\\001d<&>\\n'\n${fence}\n`,
    );
    const junit = join(dir, 'odd.xml');
    const result = await kataCli(['run', file, '--yes', '--report', `junit=${junit}`], { env });
    expect(result.exitCode).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('abcd&lt;&amp;&gt;');
    expect(xml).not.toMatch(/[\ufffe\uffff\u0001]/);
    if (runs('xmllint', '--version')) execFileSync('xmllint', ['--noout', junit]);
  });
});
