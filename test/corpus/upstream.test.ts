/**
 * The corpus suite: the upstream katas in ../shared/upstream, unchanged, must plan, and what each
 * yields is pinned here. Run by `.ci/run` (npm run test:corpus), not by `npm test`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKata } from '../../src/kata/parse.js';
import type { Kata } from '../../src/kata/model.js';
import { planJson } from '../../src/report/plan-json.js';
import { kataCli, ROOT } from '../helpers/cli.js';

const UPSTREAM = join(ROOT, '..', 'shared', 'upstream');
if (!existsSync(UPSTREAM))
  throw new Error(`the corpus suite needs the upstream katas in ${UPSTREAM}; run it from a checkout that has ../shared beside it`);

const summary = (k: Kata) => ({
  steps: k.steps.length,
  run: k.steps.filter((s) => s.run).length,
  background: k.steps.filter((s) => s.background).map((s) => s.line),
  contexts: k.contexts.map((c) => `${c.name}<-${c.openedBy}`),
  inContexts: k.steps.filter((s) => s.context !== 'host').map((s) => `${s.line}@${s.context}`),
  cleanup: k.steps.filter((s) => s.phase === 'cleanup').flatMap((s) => s.commands.map((c) => c.text)),
  placeholders: [...new Set(k.steps.flatMap((s) => s.placeholders.map((p) => p.name)))],
  inferredChecks: k.steps.flatMap((s) =>
    s.checks.filter((c) => c.inferred).map((c) => `${s.line}:${c.kind === 'contains' ? c.text : c.kind}`),
  ),
  needsMesh: k.steps.filter((s) => s.needs.includes('mesh')).map((s) => `${s.line}:${s.needsInferred ?? 'annotated'}`),
});

const expected: Record<string, ReturnType<typeof summary>> = {
  'debugging-with-ephemeral-containers.md': {
    steps: 11,
    run: 10,
    background: [101, 112],
    contexts: ['multitool<-s3', 'nginx-debug<-s5'],
    inContexts: ['45@multitool', '93@nginx-debug', '101@nginx-debug', '112@nginx-debug'],
    cleanup: ['kubectl delete svc nginx', 'kubectl delete deploy nginx', 'kubectl delete deploy multitool'],
    placeholders: ['multitool POD', 'nginx POD'],
    inferredChecks: ['45:Welcome to nginx!', '101:payload-encrypted', '112:payload-plaintext'],
    needsMesh: ['101:the text assumes Istio (line 7)', '112:the text assumes Istio (line 7)'],
  },
  'eficode-00-setup-introduction.md': {
    steps: 24,
    run: 16,
    background: [161, 264],
    contexts: [],
    inContexts: [],
    cleanup: ['kubectl delete -f 00-setup-introduction/'],
    placeholders: [],
    inferredChecks: ['135:output-like', '161:output-like', '226:output-like', '246:output-like', '338:output-like', '374:output-like'],
    needsMesh: [],
  },
  'locality-aware-load-balancing.md': {
    steps: 19,
    run: 14,
    background: [],
    contexts: ['pod-on-node-1<-s6'],
    inContexts: ['90@pod-on-node-1', '100@pod-on-node-1', '155@pod-on-node-1', '220@pod-on-node-1'],
    cleanup: ['kubectl delete -f deploy/multitool-readiness-probe.yaml', 'kubectl delete -f deploy/multitool-dest-rule-distribute.yaml'],
    placeholders: ['POD on node-1', 'POD on node-2', 'Other POD on node-1', 'First POD on node-1'],
    inferredChecks: [],
    needsMesh: [],
  },
  'mutual-tls.md': {
    steps: 17,
    run: 16,
    background: [33, 185],
    contexts: [],
    inContexts: [],
    cleanup: [
      'kubectl -n $SENTENCES_INGRESSGATEWAY_NS delete -f deploy/mtls/igw/gateway.yaml',
      'cat deploy/mtls/igw/virtual-service.yaml | envsubst | kubectl delete -f -',
      'kubectl delete -f deploy/mtls/peer-auth/permissive.yaml',
      'kubectl delete -f deploy/mtls/dest-rule/name.yaml',
      'kubectl delete -f deploy/mtls/',
      'kubectl -n $SENTENCES_INGRESSGATEWAY_NS delete secret sentences-tls-secret',
    ],
    placeholders: [],
    inferredChecks: [],
    needsMesh: [],
  },
  'when-not-to-use-tls.md': {
    steps: 7,
    run: 5,
    background: [21],
    contexts: [],
    inContexts: [],
    cleanup: ['kubectl delete -f deploy/no-tls/service-entry-dest-rule.yaml', 'kubectl delete -f deploy/no-tls/sentences.yaml'],
    placeholders: [],
    inferredChecks: [],
    needsMesh: [],
  },
};

describe('upstream katas', () => {
  const files = readdirSync(UPSTREAM).filter((f) => f.endsWith('.md'));

  it('are all pinned here (a new upstream kata needs its expectations)', () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(files)('%s plans to what is pinned', (file) => {
    expect(summary(loadKata(join(UPSTREAM, file)))).toEqual(expected[file]);
  });

  it('the ephemeral-containers kata plans as the brief requires', async () => {
    const result = await kataCli(['plan', join(UPSTREAM, 'debugging-with-ephemeral-containers.md'), '--json']);
    expect(result.exitCode).toBe(0);
    type Plan = {
      steps: {
        line: number;
        run: boolean;
        phase: string;
        context: string;
        opens?: string;
        commands: string[];
        background: boolean;
        placeholders: string[];
        checks: { kind: string; description: string; inferred: boolean }[];
      }[];
    };
    const plan = JSON.parse(result.stdout) as Plan;
    const step = (command: string) => plan.steps.find((s) => s.commands.some((c) => c.startsWith(command)));
    const execShell = step('kubectl exec -it <multitool POD> -- bash')?.opens;
    const debugShell = step('kubectl debug -it <nginx POD>')?.opens;
    expect(execShell).toBeDefined();
    expect(debugShell).toBeDefined();
    expect(step('curl nginx')?.context).toBe(execShell);
    expect(step('ip link list')?.context).toBe(debugShell);
    for (const dump of ["tcpdump -i eth0 -vv -XX 'tcp port 80'", "tcpdump -i lo -vv -XX 'tcp port 80'"]) {
      expect(step(dump)).toMatchObject({ context: debugShell, background: true });
    }
    const get = step('kubectl get po <nginx POD> -o jsonpath=');
    expect(get?.context).toBe('host');
    const yaml = plan.steps[plan.steps.indexOf(get as Plan['steps'][number]) + 1];
    expect(yaml).toMatchObject({ run: false, commands: [] });
    expect([...new Set(plan.steps.flatMap((s) => s.placeholders))].sort()).toEqual(['multitool POD', 'nginx POD']);
    expect(plan.steps.filter((s) => s.phase === 'cleanup').flatMap((s) => s.commands)).toEqual([
      'kubectl delete svc nginx',
      'kubectl delete deploy nginx',
      'kubectl delete deploy multitool',
    ]);
    expect(step('curl nginx')?.checks).toEqual([
      {
        kind: 'contains',
        description: 'output contains "Welcome to nginx!"',
        inferred: true,
        line: 41,
        because: 'You should expect to see the *Welcome to nginx!* HTML output from the curl command.',
      },
    ]);
  });

  it.each(files)('%s has a plan JSON with the documented fields', (file) => {
    const plan = planJson(loadKata(join(UPSTREAM, file))) as { title: string; steps: Record<string, unknown>[] };
    expect(typeof plan.title).toBe('string');
    for (const step of plan.steps) {
      for (const key of ['line', 'run', 'phase', 'context', 'commands', 'background', 'placeholders', 'checks'])
        expect(step).toHaveProperty(key);
    }
  });

  it('lint finds what upstream katas leave implicit (missing manifests, unbounded loops, ambiguous shells)', async () => {
    const result = await kataCli(['lint', ...files.map((f) => join(UPSTREAM, f))]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('debugging-with-ephemeral-containers.md: 0 errors');
    expect(result.stdout).toMatch(
      /debugging-with-ephemeral-containers\.md:101: warning: `tcpdump -i eth0 .*` runs in "nginx-debug", the most recently opened/,
    );
    expect(result.stdout).toMatch(/mutual-tls\.md:21: warning: `kubectl get pods` is only mentioned in the prose/);
    expect(result.stdout).toMatch(/when-not-to-use-tls\.md:15: error: `deploy\/no-tls\/sentences\.yaml` does not exist next to the kata/);
    expect(result.stdout).toMatch(/locality-aware-load-balancing\.md:82: warning: the runner cannot look up <POD on node-1>/);
  });
});
