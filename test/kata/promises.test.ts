import { describe, expect, it } from 'vitest';
import { describeCheck } from '../../src/kata/describe.js';
import { findExpectations } from '../../src/kata/expectations.js';
import { lintKata } from '../../src/kata/lint.js';
import { promisedPhrases } from '../../src/kata/promised-phrases.js';
import { planText } from '../../src/report/plan-text.js';
import { kata, stepWith } from '../helpers/kata.js';

const fence = '```';
const checks = (k: ReturnType<typeof kata>, command: string) => stepWith(k, command).checks.map((c) => describeCheck(c));
const allInferred = (k: ReturnType<typeof kata>) => k.steps.flatMap((s) => s.checks.filter((c) => c.inferred).map((c) => describeCheck(c)));

/** A kata with one command block and the sentence after it. */
function after(command: string, sentence: string) {
  return kata(`
    # T

    ${fence}console
    ${command}
    ${fence}

    ${sentence}

    ${fence}console
    echo next
    ${fence}
  `);
}

describe('what is not a promise', () => {
  it.each([
    ['an instruction naming a command', 'You should now run `kubectl get pods` to see them.'],
    ['a namespace', 'You will see that it lives in the `default` namespace.'],
    ['a file to create', 'You should create a file called `web.yaml` and you will see why.'],
    ['a column', 'You should see the `READY` column change.'],
    ['a flag', 'You will see more with `--verbose`.'],
    ['a path', 'You should see the manifest in `deploy/web.yaml`.'],
    ['a tool', 'You will see that `curl` is installed.'],
    ['a place', 'You should see responses only from the pod on `node-1`.'],
    ['stress in bold', 'You should see **two** containers per pod.'],
    ['stress in italics', 'You will see that the pod is *tainted* now.'],
    ['scare quotes', "You will see an 'ordinary' reply."],
    ['no phrase at all', 'You should see the pods starting.'],
    ['a web UI', 'In the Kiali graph you should see `TCP connection` on the edge.'],
    ['an explanation in italics', 'You will see both pods answer, *i.e. requests are spread over both zones*.'],
    ['alternatives', 'You should see `v1` or `v2`.'],
    ['a condition', 'If the pod prints `CrashLoopBackOff`, look at its logs.'],
    ['a maybe', 'You may see `Pending` for a while.'],
    ['a sentence that promises nothing', 'The service is called `web` and it is new.'],
  ])('%s: %s', (_what, sentence) => {
    const k = after('kubectl get pods', sentence);
    expect(allInferred(k)).toEqual([]);
  });

  it('does not check a promise on a command that prints nothing, and says so', () => {
    const k = after('touch /tmp/ready', 'You should see `2/2` for this pod.');
    expect(allInferred(k)).toEqual([]);
    expect(k.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', line: 7, message: expect.stringContaining('promises output showing "2/2"') }),
    ]);
  });

  it('leaves a paragraph between two others unattached, with a warning', () => {
    const k = kata(`
      ${fence}console
      kubectl get pods
      ${fence}

      Wait a little.

      You should see \`Running\` for every pod.

      Then go on.

      ${fence}console
      echo next
      ${fence}
    `);
    expect(allInferred(k)).toEqual([]);
    expect(lintKata(k, () => true).map((d) => d.message)).toContainEqual(expect.stringContaining('"Running"'));
  });
});

describe('phrases a sentence promises', () => {
  it('reads code spans, quotes, italics and bold', () => {
    const phrases = (s: string) => promisedPhrases(s).map((p) => (p.kind === 'text' ? p.text : p.code));
    expect(phrases('you should see `deployment.apps/web created`')).toEqual(['deployment.apps/web created']);
    expect(phrases("it should print 'Hello, learner!'")).toEqual(['Hello, learner!']);
    expect(phrases('you will see "all good here" printed')).toEqual(['all good here']);
    expect(phrases('you will get **Access Granted**')).toEqual(['Access Granted']);
    expect(phrases('you should see *It works!*')).toEqual(['It works!']);
    expect(phrases('you should get RBAC: access denied.')).toEqual(['RBAC: access denied']);
    expect(phrases('the reply should end in (v2).')).toEqual(['(v2)']);
  });

  it('reads status codes in their usual wordings', () => {
    const codes = (s: string) => promisedPhrases(s).map((p) => (p.kind === 'status' ? p.code : `text:${p.text}`));
    expect(codes('you should get a 502')).toEqual([502]);
    expect(codes('it will return a response of 403')).toEqual([403]);
    expect(codes('you should see HTTP 404')).toEqual([404]);
    expect(codes('you should get `503`')).toEqual([503]);
    expect(codes('you should see `403 Forbidden`')).toEqual([403]);
    expect(codes('the status code should be 503 now')).toEqual([503]);
    expect(codes('the request should fail with `403 Forbidden`')).toEqual([403]);
    expect(codes('you should see about 200 requests')).toEqual([]);
    expect(codes('it should take a 100 ms or so')).toEqual([]);
  });

  it('knows negative promises, and which way a sentence points', () => {
    const found = (prose: string) => findExpectations(prose).map((e) => `${e.kind}:${e.text}:${e.direction}`);
    expect(found('You will not see `Hello` any more.')).toEqual(['not-contains:Hello:back']);
    expect(found('The line `error: boom` is no longer shown.')).toEqual(['not-contains:error: boom:back']);
    expect(found('Run the following and you should see `ok`:')).toEqual(['contains:ok:forward']);
    expect(found('The command above should print `done`.')).toEqual(['contains:done:back']);
    expect(found('The curl command should print `done`.')).toEqual(['contains:done:either']);
    expect(found("You'll see `Running` next to it.")).toEqual(['contains:Running:back']);
    expect(found('The output should be `<title>Simple Shop</title>`.')).toEqual(['contains:<title>Simple Shop</title>:back']);
    expect(found('Expected output: `ok`.')).toEqual(['contains:ok:back']);
    expect(found('The status code should be 503 now.')).toEqual(['status:503:back']);
    expect(found('When the rollout is over, you should see `successfully rolled out`.')).toEqual(['contains:successfully rolled out:back']);
  });
});

describe('checks inferred from phrases', () => {
  it('checks a sentence after a block on that block, with the sentence as the reason', () => {
    const k = after('kubectl create deploy web --image nginx', 'You should see `deployment.apps/web created` in the reply.');
    expect(stepWith(k, 'create deploy').checks).toEqual([
      {
        kind: 'contains',
        text: 'deployment.apps/web created',
        inferred: true,
        line: 7,
        because: 'You should see `deployment.apps/web created` in the reply.',
      },
    ]);
    expect(stepWith(k, 'echo next').checks).toEqual([]);
  });

  it('checks a sentence that introduces a block on the block it introduces', () => {
    const k = kata(`
      ${fence}console
      echo first
      ${fence}

      Ask the server for its page; you should get *It works!* back:

      ${fence}console
      curl -s localhost:8080
      ${fence}
    `);
    expect(checks(k, 'curl')).toEqual(['output contains "It works!"']);
    expect(checks(k, 'echo first')).toEqual([]);
  });

  it('turns a negative promise into not-contains', () => {
    const k = after('curl -s web/', 'You will no longer see `Hello from v1` in the replies.');
    expect(checks(k, 'curl')).toEqual(['output does not contain "Hello from v1"']);
  });

  it('checks a status where the command prints it, and warns where it does not', () => {
    const w = after(`curl -s -o /dev/null -w '%{http_code}\\n' web/admin`, 'You should get a 403 this time.');
    expect(stepWith(w, 'curl').checks).toEqual([expect.objectContaining({ kind: 'status', code: 403, format: '%{http_code}\\n' })]);
    const i = after('curl -si web/admin', 'You should get a 403 this time.');
    expect(stepWith(i, 'curl').checks).toEqual([expect.objectContaining({ kind: 'status', code: 403 })]);
    const silent = after('curl -s web/admin', 'You should get a 403 this time.');
    expect(stepWith(silent, 'curl').checks).toEqual([]);
    expect(silent.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('does not print the status')]);
    const notHttp = after('kubectl apply -f x.yaml', 'The dashboard should show 404 errors.');
    expect(allInferred(notHttp)).toEqual([]);
    expect(notHttp.diagnostics).toEqual([]);
  });

  it('leaves steps with annotated checks alone', () => {
    const k = kata(`
      <!-- kata: expect contains "ok" -->
      ${fence}console
      echo ok
      ${fence}

      You should see \`ok\` printed.
    `);
    expect(stepWith(k, 'echo ok').checks.map((c) => c.inferred)).toEqual([false]);
  });

  it('retries a read-only step that carries an inferred check, not one that changes things', () => {
    const read = after('kubectl get pods', 'You should see `Running` next to every pod.');
    expect(stepWith(read, 'get pods')).toMatchObject({ retryMs: 60_000, retryInferred: expect.stringContaining('line 7') });
    const write = after('kubectl apply -f web.yaml', 'You should see `deployment.apps/web configured`.');
    expect(stepWith(write, 'apply').retryMs).toBeUndefined();
    expect(checks(write, 'apply')).toEqual(['output contains "deployment.apps/web configured"']);
  });
});

describe('implied re-runs', () => {
  const base = `
    ${fence}console
    kubectl exec -it <sleep POD> -- sh
    ${fence}

    ${fence}console
    curl -s http://web/
    ${fence}

    Now apply the policy:

    ${fence}console
    kubectl apply -f deny.yaml
    ${fence}
  `;

  it('repeats the earlier step in its shell, carrying the check', () => {
    const k = kata(`${base}
    Retry the \`curl\` command from before and you should now get RBAC: access denied.

    ${fence}console
    kubectl delete -f deny.yaml
    ${fence}
    `);
    const curl = stepWith(k, 'curl');
    const rerun = k.steps.find((s) => s.rerunOf === curl.id);
    expect(rerun).toMatchObject({
      id: `${curl.id}-again`,
      run: true,
      context: curl.context,
      commands: curl.commands,
      line: 15,
      checks: [expect.objectContaining({ kind: 'contains', text: 'RBAC: access denied', inferred: true, line: 15 })],
    });
    expect(curl.checks).toEqual([]);
    const ids = k.steps.map((s) => s.id);
    expect(ids.indexOf(rerun?.id ?? '')).toBe(ids.indexOf(stepWith(k, 'kubectl delete').id) - 1);
    expect(stepWith(k, 'kubectl delete').id).toBe('s4'); // the other steps keep their ids
    expect(planText(k)).toMatch(
      /s2-again +L15 +sleep +\$ curl -s http:\/\/web\/\n +re-run of s2 \(inferred from line 15\)\n +retried until .*\n +check: output contains "RBAC: access denied" \(inferred from line 15: "Retry the `curl` command/,
    );
  });

  it('repeats the most recent command for "run the same command again"', () => {
    const k = kata(`${base}
    Run the same command again; it should print \`configured\` this time.

    ${fence}console
    kubectl delete -f deny.yaml
    ${fence}
    `);
    expect(k.steps.find((s) => s.rerunOf !== undefined)).toMatchObject({
      rerunOf: stepWith(k, 'kubectl apply').id,
      checks: [expect.objectContaining({ text: 'configured' })],
    });
  });

  it('adds no re-run when the block after the sentence is the re-run, or the sentence checks nothing', () => {
    const inline = kata(`${base}
    Re-run the \`curl\` command below and you should see \`denied\`:

    ${fence}console
    curl -s http://web/
    ${fence}
    `);
    expect(inline.steps.filter((s) => s.rerunOf !== undefined)).toEqual([]);
    expect(inline.steps.filter((s) => s.commands.some((c) => c.text.startsWith('curl'))).map((s) => s.checks.length)).toEqual([0, 1]);
    const nothing = kata(`${base}
    Re-run the \`curl\` command and you will see the difference.
    `);
    expect(nothing.steps.filter((s) => s.rerunOf !== undefined)).toEqual([]);
  });
});
