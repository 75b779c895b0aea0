/**
 * The step runner through fake ports: a scripted shell and a scripted cluster, so that every way
 * a step can fail is reached on purpose and its StepFailure (kind, fields, words) is what the
 * event stream carries. The real shells and cluster are exercised by engine.test.ts and the
 * cluster suite.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandResult, RunOptions } from '../../src/exec/shell-session.js';
import type { Step } from '../../src/kata/model.js';
import type { EngineEvent } from '../../src/run/events.js';
import { describeFailure, FAILURE_KINDS, type StepFailure } from '../../src/run/failure.js';
import { Journal } from '../../src/run/journal.js';
import type { BackgroundJob } from '../../src/exec/shell-session.js';
import type { ClusterPort, MeshSidecar, Shell } from '../../src/run/ports.js';
import { StepRunner } from '../../src/run/step-runner.js';
import { kata } from '../helpers/kata.js';

const fence = '```';

/** What the fake shell answers to a command: its lines and how it ended. */
type Answer = { lines?: string[]; result?: Partial<CommandResult> };

class FakeShell implements Shell {
  alive = true;
  readonly ran: string[] = [];
  constructor(
    private readonly answer: (command: string) => Answer = () => ({}),
    private readonly background?: (command: string) => Promise<BackgroundJob>,
  ) {}
  async run(command: string, options: RunOptions): Promise<CommandResult> {
    this.ran.push(command);
    const { lines = [], result = {} } = this.answer(command);
    if (lines.length > 0) options.onLines(lines);
    if (result.sessionLost === true) this.alive = false;
    return { exitCode: 0, timedOut: false, interrupted: false, sessionLost: false, ...result };
  }
  startBackground(command: string): Promise<BackgroundJob> {
    if (this.background === undefined) throw new Error('no background here');
    return this.background(command);
  }
  async state() {
    return { cwd: '/', exports: '' };
  }
  async close() {
    this.alive = false;
    return [];
  }
}

/** A cluster whose every answer the test chooses; what it is not given, it refuses. */
function fakeCluster(parts: Partial<ClusterPort>): ClusterPort {
  const refuse = () => Promise.reject(new Error('not in this test'));
  return {
    target: { cluster: 'fake', context: 'fake', namespace: 'default' },
    env: {},
    resolvePod: refuse,
    openShell: refuse,
    ephemeralContainer: refuse,
    meshSidecar: refuse,
    settle: async () => [],
    remaining: async () => [],
    close: async () => undefined,
    ...parts,
  };
}

function runner(options: { shell?: FakeShell; cluster?: ClusterPort; values?: Map<string, string>; shells?: Map<string, Shell> } = {}) {
  const events: EngineEvent[] = [];
  const k = currentKata;
  const host = options.shell ?? new FakeShell();
  const r = new StepRunner({
    cluster: options.cluster,
    values: options.values ?? new Map(),
    shells: options.shells ?? new Map(),
    contexts: k.contexts,
    journal: new Journal(),
    stepTimeoutMs: 5000,
    podTimeoutMs: 1000,
    settleTimeoutMs: 1000,
    hostShell: () => host,
    emit: (e) => events.push(e),
  });
  const ended = () => {
    const last = events.filter((e): e is Extract<EngineEvent, { type: 'step-ended' }> => e.type === 'step-ended').at(-1);
    if (last === undefined) throw new Error('no step ended');
    return last;
  };
  return { runner: r, events, ended, host };
}

let currentKata = kata('# empty\n');
function step(markdown: string, index = 0): Step {
  currentKata = kata(markdown);
  const s = currentKata.steps.filter((x) => x.run)[index];
  if (s === undefined) throw new Error('no such step');
  return s;
}

const never = new AbortController().signal;

/** The one failure of the last step, checked to be worded as describeFailure words it. */
function onlyFailure(e: Extract<EngineEvent, { type: 'step-ended' }>): StepFailure {
  expect(e.status).toBe('failed');
  expect(e.failures).toHaveLength(1);
  const failure = e.failures?.[0] as StepFailure;
  expect(e.reason).toBe(describeFailure(failure));
  return failure;
}

describe('StepRunner failures', () => {
  it('a command that exits non-zero: exit-status with the command and its status', async () => {
    const s = step(`# k\n${fence}console\nfalse-ish\n${fence}\n`);
    const { runner: r, ended } = runner({ shell: new FakeShell(() => ({ result: { exitCode: 3 } })) });
    expect(await r.runStep(s, never)).toBe('failed');
    expect(onlyFailure(ended())).toEqual({ kind: 'exit-status', command: 'false-ish', exitCode: 3 });
    expect(ended().exitCode).toBe(3);
  });

  it("a command that overruns: timeout with the step's own timeout", async () => {
    const s = step(`# k\n<!-- kata: timeout 2s -->\n${fence}console\nsleep 100\n${fence}\n`);
    const { runner: r, ended } = runner({ shell: new FakeShell(() => ({ result: { exitCode: 130, timedOut: true } })) });
    await r.runStep(s, never);
    expect(onlyFailure(ended())).toEqual({ kind: 'timeout', command: 'sleep 100', timeoutMs: 2000 });
    expect(ended().reason).toContain('did not finish within 2s');
  });

  it('checks that do not hold: one checks failure listing each, with expected and seen', async () => {
    const s = step(`# k\n<!-- kata: expect contains "hello"; expect contains "world" -->\n${fence}console\necho hi\n${fence}\n`);
    const { runner: r, ended } = runner({ shell: new FakeShell(() => ({ lines: ['hi'] })) });
    await r.runStep(s, never);
    const failure = onlyFailure(ended());
    expect(failure.kind).toBe('checks');
    expect(failure.kind === 'checks' ? failure.failed.map((c) => c.expected) : []).toEqual([
      'output contains "hello"',
      'output contains "world"',
    ]);
  });

  it('a shell that dies while a command runs: shell-lost, not retried', async () => {
    const s = step(`# k\n<!-- kata: retry 10s -->\n${fence}console\nexit-ish\n${fence}\n`);
    const shell = new FakeShell(() => ({ result: { exitCode: undefined, sessionLost: true } }));
    const { runner: r, ended } = runner({ shell });
    await r.runStep(s, never);
    expect(onlyFailure(ended())).toEqual({ kind: 'shell-lost', shell: 'host', command: 'exit-ish' });
    expect(shell.ran).toHaveLength(1);
  });

  it('a free-form placeholder without a value: placeholder-unresolved, nothing runs', async () => {
    const s = step(`# k\n${fence}console\necho <greeting word>\n${fence}\n`);
    const { runner: r, ended, host } = runner();
    await r.runStep(s, never);
    expect(onlyFailure(ended())).toEqual({ kind: 'placeholder-unresolved', placeholder: 'greeting word' });
    expect(ended().reason).toBe('<greeting word> has no value; give it with --set "greeting word=VALUE"');
    expect(host.ran).toEqual([]);
  });

  it("a pod placeholder the cluster cannot resolve: pod-not-found with the cluster's words", async () => {
    const s = step(`# k\n${fence}console\nkubectl logs <nginx POD>\n${fence}\n`);
    const cluster = fakeCluster({ resolvePod: () => Promise.reject(new Error('no Ready pod with label app=nginx after 1s')) });
    const { runner: r, ended } = runner({ cluster });
    await r.runStep(s, never);
    expect(onlyFailure(ended())).toEqual({
      kind: 'pod-not-found',
      placeholder: 'nginx POD',
      detail: 'no Ready pod with label app=nginx after 1s',
    });
  });

  it('a pod name that is not a Kubernetes name never reaches a shell: placeholder-invalid', async () => {
    const s = step(`# k\n${fence}console\nkubectl logs <nginx POD>\n${fence}\n`);
    const cluster = fakeCluster({ resolvePod: async () => 'x; rm -rf /' });
    const { runner: r, ended, host } = runner({ cluster });
    await r.runStep(s, never);
    expect(onlyFailure(ended()).kind).toBe('placeholder-invalid');
    expect(host.ran).toEqual([]);
  });

  it('a shell opener without a cluster: no-cluster; a later step in that shell: no-shell', async () => {
    const markdown = `# k\n${fence}console\nkubectl exec -it <tools POD> -- bash\n${fence}\n\n${fence}console\ncurl nginx\n${fence}\n`;
    const opener = step(markdown, 0);
    const inside = currentKata.steps.filter((x) => x.run)[1] as Step;
    expect(inside.context).not.toBe('host');
    const { runner: r, ended } = runner({ values: new Map([['tools POD', 'tools-1']]) });
    await r.runStep(opener, never);
    expect(onlyFailure(ended())).toEqual({ kind: 'no-cluster', command: 'kubectl exec -it tools-1 -- bash' });
    await r.runStep(inside, never);
    expect(onlyFailure(ended())).toEqual({ kind: 'no-shell', shell: inside.context });
  });

  it('a shell the cluster cannot open: shell-open with the reason', async () => {
    const s = step(`# k\n${fence}console\nkubectl exec -it <tools POD> -- bash\n${fence}\n\n${fence}console\ncurl nginx\n${fence}\n`);
    const cluster = fakeCluster({ openShell: () => Promise.reject(new Error('pods "tools-1" not found')) });
    const { runner: r, ended } = runner({ cluster, values: new Map([['tools POD', 'tools-1']]) });
    await r.runStep(s, never);
    const failure = onlyFailure(ended());
    expect(failure).toEqual({ kind: 'shell-open', shell: s.opens, detail: 'pods "tools-1" not found' });
  });

  it('a mesh step whose sidecar never gets Ready: mesh; without a sidecar it is skipped, not failed', async () => {
    const markdown = `# k\n<!-- kata: needs mesh -->\n${fence}console\nkubectl exec <web POD> -- curl -s localhost\n${fence}\n`;
    const s = step(markdown);
    const notReady: MeshSidecar = { present: true, ready: false, detail: 'istio-proxy is not Ready after 1s' };
    const values = new Map([['web POD', 'web-1']]);
    const failing = runner({ cluster: fakeCluster({ meshSidecar: async () => notReady }), values });
    await failing.runner.runStep(s, never);
    expect(onlyFailure(failing.ended())).toEqual({
      kind: 'mesh',
      why: 'needs a service mesh',
      detail: 'istio-proxy is not Ready after 1s',
    });
    const skipping = runner({ cluster: fakeCluster({ meshSidecar: async () => ({ present: false }) }), values: new Map(values) });
    expect(await skipping.runner.runStep(s, never)).toBe('skipped');
    expect(skipping.ended().failures).toBeUndefined();
    expect(skipping.ended().reason).toBe('needs a service mesh: pod web-1 has no istio-proxy sidecar');
  });

  it('a cleanup runs every command and reports each failure; an already-deleted object is not one', async () => {
    const s = step(
      `# k\n## Cleanup\n${fence}console\nkubectl delete deploy gone\nkubectl delete svc broken\nkubectl delete pod slow\n${fence}\n`,
    );
    const shell = new FakeShell((command) =>
      command.includes('gone')
        ? { lines: ['Error from server (NotFound): deployments.apps "gone" not found'], result: { exitCode: 1 } }
        : command.includes('broken')
          ? { lines: ['error: the server doesn\'t have a resource type "svc"'], result: { exitCode: 1 } }
          : { result: { exitCode: 124, timedOut: true } },
    );
    expect(s.phase).toBe('cleanup');
    const { runner: r, ended } = runner({ shell });
    await r.runStep(s, never);
    expect(shell.ran).toHaveLength(3);
    expect(ended().failures).toEqual([
      { kind: 'exit-status', command: 'kubectl delete svc broken', exitCode: 1 },
      { kind: 'timeout', command: 'kubectl delete pod slow', timeoutMs: 5000 },
    ]);
    expect(ended().reason).toBe(ended().failures?.map(describeFailure).join('; '));
  });

  it('a background job that cannot start, and one that ends on its own with a failing status', async () => {
    const s = step(`# k\n<!-- kata: background for 1s -->\n${fence}console\ntcpdump -i eth0\n${fence}\n`);
    const refusing = runner({ shell: new FakeShell(undefined, () => Promise.reject(new Error('the shell is busy'))) });
    expect(await refusing.runner.startBackground(s, never)).toBeUndefined();
    expect(onlyFailure(refusing.ended())).toEqual({ kind: 'background-start', detail: 'the shell is busy' });

    const job: BackgroundJob = { pid: 1234, exited: true, stop: async () => 2 } as unknown as BackgroundJob;
    const ending = runner({ shell: new FakeShell(undefined, async () => job) });
    const handle = await ending.runner.startBackground(s, never);
    expect(handle).toBeDefined();
    await ending.runner.finishBackground(handle as NonNullable<typeof handle>);
    expect(onlyFailure(ending.ended())).toEqual({ kind: 'background-ended', exitCode: 2 });
  });

  it('a retried step says how often it was tried, and keeps its failures as data', async () => {
    const s = step(`# k\n<!-- kata: retry 2500ms; expect contains "ready" -->\n${fence}console\ncat status\n${fence}\n`);
    const { runner: r, ended, host } = runner({ shell: new FakeShell(() => ({ lines: ['starting'] })) });
    await r.runStep(s, never);
    expect(host.ran.length).toBeGreaterThan(1);
    expect(ended().failures?.[0]?.kind).toBe('checks');
    expect(ended().reason).toMatch(/^expected output contains "ready": .* \(after \d+ attempts in \d/);
  });

  it('words every kind of failure', () => {
    const samples: Record<StepFailure['kind'], StepFailure> = {
      'exit-status': { kind: 'exit-status', command: 'c', exitCode: 1 },
      timeout: { kind: 'timeout', command: 'c', timeoutMs: 1000, shellLost: 'host' },
      checks: { kind: 'checks', failed: [{ expected: 'e', detail: 'd' }] },
      'shell-lost': { kind: 'shell-lost', shell: 's', command: 'c' },
      'no-shell': { kind: 'no-shell', shell: 's' },
      'shell-open': { kind: 'shell-open', shell: 's', detail: 'd' },
      'no-cluster': { kind: 'no-cluster', command: 'c' },
      'placeholder-unresolved': { kind: 'placeholder-unresolved', placeholder: 'p' },
      'pod-not-found': { kind: 'pod-not-found', placeholder: 'p', detail: 'd' },
      'placeholder-invalid': { kind: 'placeholder-invalid', placeholder: 'p', problem: 'x' },
      mesh: { kind: 'mesh', why: 'w', detail: 'd' },
      'background-start': { kind: 'background-start', detail: 'd' },
      'background-ended': { kind: 'background-ended', exitCode: 2 },
    };
    const words = FAILURE_KINDS.map((kind) => describeFailure(samples[kind]));
    expect(new Set(words).size).toBe(FAILURE_KINDS.length);
    for (const w of words) expect(w.trim()).not.toBe('');

    // The README's table of kinds names each kind with exactly its fields.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([a-z-]+)` \| (.*?) \| [^|]+ \|$/gm)].filter((m) =>
      (FAILURE_KINDS as readonly string[]).includes(m[1] as string),
    );
    const documented = Object.fromEntries(
      rows.map((m) => [
        m[1],
        [...(m[2] as string).replace(/\([^)]*\)/g, '').matchAll(/`([^`]+)`/g)].map((f) => (f[1] as string).replace('[]', '')),
      ]),
    );
    const actual = Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, Object.keys(samples[kind]).filter((k) => k !== 'kind')]));
    expect(documented).toEqual(actual);
  });
});
