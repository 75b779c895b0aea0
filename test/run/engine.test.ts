import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKata } from '../../src/kata/parse.js';
import { Engine } from '../../src/run/engine.js';
import type { EngineEvent } from '../../src/run/events.js';
import { ROOT } from '../helpers/cli.js';
import { kata } from '../helpers/kata.js';
import type { Kata } from '../../src/kata/model.js';
import type { StepGate } from '../../src/run/ports.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'katas');

async function runKata(
  k: Kata,
  options: {
    keepGoing?: boolean;
    keep?: boolean;
    values?: Map<string, string>;
    gate?: StepGate;
    onEvent?: (e: EngineEvent, engine: Engine) => void;
  } = {},
) {
  const events: EngineEvent[] = [];
  const engine: Engine = new Engine({
    kata: k,
    values: options.values ?? new Map(),
    keepGoing: options.keepGoing ?? false,
    keep: options.keep ?? false,
    ...(options.gate === undefined ? {} : { gate: options.gate }),
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    cwd: FIXTURES,
    listener: (e) => {
      events.push(e);
      options.onEvent?.(e, engine);
    },
  });
  const result = await engine.run();
  // What reports and the CLI see: the run-ended event, which must agree with run()'s answer.
  const last = events.at(-1);
  if (last?.type !== 'run-ended') throw new Error('the last event is not run-ended');
  expect(result).toBe(last.status === 'passed' ? 'ok' : last.status);
  const outcome = { status: last.status, exitCode: last.exitCode };
  const ended = (id: string) =>
    events.filter((e): e is Extract<EngineEvent, { type: 'step-ended' }> => e.type === 'step-ended' && e.step.id === id);
  return { outcome, events, ended, statuses: () => events.flatMap((e) => (e.type === 'step-ended' ? [`${e.step.id}:${e.status}`] : [])) };
}

describe('Engine on host-only katas', () => {
  it('closes a host shell that died (its job folder goes too) when it starts a new one', async () => {
    const fence = '```';
    const tmp = mkdtempSync(join(tmpdir(), 'kata-engine-tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const r = await runKata(
        kata(`
          # The shell goes away
          ${fence}console
          exit 3
          ${fence}

          ${fence}console
          echo after
          ${fence}
        `),
        { keepGoing: true },
      );
      expect(r.statuses()).toEqual(['s1:failed', 's2:passed']);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(readdirSync(tmp).filter((d) => d.startsWith('kata-jobs-'))).toEqual([]);
  });

  it('does not count deleting what is already gone as a failure of the cleanup, but does count other errors', async () => {
    const fence = '```';
    const r = await runKata(
      kata(`
        # A stand-in kubectl answers like the real one
        ${fence}console
        kubectl() { if [ "$3" = gone ]; then echo "Error from server (NotFound): deployments.apps \\"gone\\" not found" >&2; else echo "Error from server (Forbidden): no" >&2; fi; return 1; }
        ${fence}

        # Cleanup
        <!-- kata: id tidy -->
        ${fence}console
        kubectl delete deploy gone
        kubectl delete deploy denied
        ${fence}
      `),
    );
    const tidy = r.ended('tidy')[0];
    expect(tidy?.reason).toBe('`kubectl delete deploy denied` exited with status 1');
    const output = r.events.flatMap((e) => (e.type === 'output' && e.step.id === 'tidy' ? e.lines : []));
    expect(output).toContain('(already gone: not counted as a failure of the cleanup)');
  });

  it('runs every command of a cleanup block although one fails, and reports each failure', async () => {
    const fence = '```';
    const r = await runKata(
      kata(`
        # Three deletes
        ${fence}console
        echo made
        ${fence}

        # Cleanup
        <!-- kata: id tidy -->
        ${fence}console
        rm /nonexistent/kata-already-gone
        echo second-ran
        sh -c 'exit 3'
        echo third-ran
        ${fence}
      `),
    );
    const tidy = r.ended('tidy')[0];
    expect(tidy?.status).toBe('failed');
    expect(tidy?.reason).toBe("`rm /nonexistent/kata-already-gone` exited with status 1; `sh -c 'exit 3'` exited with status 3");
    const output = r.events.flatMap((e) => (e.type === 'output' && e.step.id === 'tidy' ? e.lines : []));
    expect(output).toEqual(expect.arrayContaining(['second-ran', 'third-ran']));
    expect(r.outcome.exitCode).toBe(1);
  });

  it("keeps its own plumbing out of reach of the learner's set -e and set -x", async () => {
    const fence = '```';
    const r = await runKata(
      kata(`
        # Strict shell options
        ${fence}console
        set -e -u -x
        ${fence}

        <!-- kata: id job; background for 1s -->
        ${fence}console
        sleep 30
        ${fence}

        <!-- kata: id traced -->
        ${fence}console
        echo innocent
        ${fence}
      `),
    );
    expect(r.statuses().sort()).toEqual(['job:passed', 's1:passed', 'traced:passed']);
    expect(r.outcome.exitCode).toBe(0);
    const output = r.events.flatMap((e) => (e.type === 'output' && e.step.id === 'traced' ? e.lines : []));
    expect(output).toContain('innocent');
    expect(output.join('\n')).not.toMatch(/__kata|\x1e|printf/);
  });

  it("keeps the runner's input out of reach: a step that reads bash's saved input finds no marker to forge", async () => {
    const fence = '```';
    // While a command's stdin is redirected, bash keeps its own input (the runner's pipe) on fd 10.
    // A step that reads ahead there and prints what it read as if it were a marker must not end
    // as a pass, and must not stall the session.
    const r = await runKata(
      kata(`
        # Reading ahead
        <!-- kata: id forger; timeout 20s -->
        ${fence}console
        for fd in 10 11 255; do read -t 1 -u $fd line 2>/dev/null && printf '%s\\n' "$line" | sed -n 's/.*printf .\\(.*\\):%s.*/\\1:0/p' | tr -d "'" | sed 's/^\\\\036/\\x1e/; s/\\\\036$/\\x1e/'; done; false
        ${fence}

        <!-- kata: id after -->
        ${fence}console
        echo still-here
        ${fence}
      `),
      { keepGoing: true },
    );
    expect(r.ended('forger')[0]?.status).toBe('failed');
    expect(r.ended('forger')[0]?.reason).toMatch(/exited with status 1/);
    const output = r.events.flatMap((e) => (e.type === 'output' && e.step.id === 'forger' ? e.lines : []));
    expect(output.join('\n')).not.toMatch(/KATA|__kata/);
    expect(r.statuses()).toContain('after:passed');
  });

  it('fails a background step whose job ends on its own with a non-zero status, unless the kata expects that status', async () => {
    const fence = '```';
    const r = await runKata(
      kata(`
        # Jobs that end by themselves
        <!-- kata: id missing; background for 5s -->
        ${fence}console
        no-such-binary-kata-test
        ${fence}

        <!-- kata: id seven; background for 5s; expect exit 7 -->
        ${fence}console
        sh -c 'exit 7'
        ${fence}

        <!-- kata: id fine; background for 5s -->
        ${fence}console
        sh -c 'echo done'
        ${fence}

        ${fence}console
        sleep 1
        ${fence}
      `),
      { keepGoing: true },
    );
    expect(r.ended('missing')[0]?.status).toBe('failed');
    expect(r.ended('missing')[0]?.reason).toBe('it ended on its own with exit status 127 before it was to be stopped');
    expect(r.ended('seven')[0]?.status).toBe('passed');
    expect(r.ended('fine')[0]?.status).toBe('passed');
    expect(r.outcome.exitCode).toBe(1);
  });

  it('carries shell state from step to step and into the cleanup', async () => {
    const r = await runKata(loadKata(join(FIXTURES, 'state.md')));
    expect(r.outcome).toEqual({ status: 'passed', exitCode: 0 });
    expect(r.statuses()).toEqual(['go:passed', 'show:passed', 'tidy:passed']);
  });

  it('stops at a failed check, runs the cleanup, and reports expected vs seen with the line', async () => {
    const r = await runKata(loadKata(join(FIXTURES, 'failing.md')));
    expect(r.outcome).toEqual({ status: 'failed', exitCode: 1 });
    expect(r.statuses()).toEqual(['first:passed', 'wrong:failed', 'tidy:passed']);
    const failed = r.ended('wrong')[0];
    expect(failed?.reason).toBe('expected output contains "two": not found in the output');
    expect(failed?.excerpt.head).toEqual(['three']);
    expect(failed?.step.line).toBe(10);
    expect(r.events.find((e) => e.type === 'cleanup-started')).toEqual({ type: 'cleanup-started', reason: 'failure' });
  });

  it('goes on after a failure with keepGoing, and skips cleanup with keep', async () => {
    const going = await runKata(loadKata(join(FIXTURES, 'failing.md')), { keepGoing: true });
    expect(going.statuses()).toEqual(['first:passed', 'wrong:failed', 'never:passed', 'tidy:passed']);
    const kept = await runKata(loadKata(join(FIXTURES, 'state.md')), { keep: true });
    expect(kept.statuses()).toEqual(['go:passed', 'show:passed']);
    expect(kept.events.some((e) => e.type === 'cleanup-skipped' && e.reason.includes('--keep'))).toBe(true);
  });

  it('stops a step at its timeout without losing the shell', async () => {
    const r = await runKata(loadKata(join(FIXTURES, 'timeout.md')));
    expect(r.statuses()).toEqual(['set:passed', 'hang:failed', 'tidy:passed']);
    expect(r.ended('hang')[0]?.reason).toContain('did not finish within 1s and was stopped');
  });

  it('retries a step until its checks pass', async () => {
    const k = kata(`
      <!-- kata: id count -->
      \`\`\`console
      export N=0
      \`\`\`
      <!-- kata: id until-three; retry 30s; expect contains "n=3" -->
      \`\`\`console
      N=$((N+1)); echo "n=$N"
      \`\`\`
    `);
    const r = await runKata(k);
    expect(r.outcome.exitCode).toBe(0);
    expect(r.ended('until-three')[0]).toMatchObject({ status: 'passed', attempts: 3 });
  });

  it('runs a background step while the step it names runs again, and stops it with SIGINT', async () => {
    const k = kata(`
      <!-- kata: id poke -->
      \`\`\`console
      echo poke > /dev/null
      \`\`\`
      <!-- kata: id watcher; background while poke; expect contains "flushed" -->
      \`\`\`console
      trap 'echo flushed; exit 0' INT; echo watching; while :; do sleep 0.05; done
      \`\`\`
    `);
    const r = await runKata(k);
    expect(r.outcome.exitCode).toBe(0);
    expect(r.statuses()).toEqual(['poke:passed', 'poke:passed', 'watcher:passed']);
    expect(r.events.find((e) => e.type === 'step-started' && e.rerunFor === 'watcher')).toBeDefined();
  });

  it('fails a step whose placeholder has no value, and uses values given with --set', async () => {
    const k = kata(`
      <!-- kata: id greet; expect contains "hello web-1" -->
      \`\`\`console
      echo hello <web POD>
      \`\`\`
    `);
    const missing = await runKata(k);
    expect(missing.ended('greet')[0]?.reason).toBe('<web POD> has no value; give it with --set "web POD=VALUE"');
    const given = await runKata(k, { values: new Map([['web POD', 'web-1']]) });
    expect(given.outcome.exitCode).toBe(0);
  });

  it('skips a `needs mesh` step when there is no cluster, and never counts it as passed', async () => {
    const k = kata(`
      <!-- kata: id sniff; needs mesh -->
      \`\`\`console
      echo would-capture
      \`\`\`
    `);
    const r = await runKata(k);
    expect(r.ended('sniff')[0]).toMatchObject({ status: 'skipped', reason: 'needs a service mesh, and this run has no cluster' });
    expect(r.outcome.exitCode).toBe(0);
  });

  it('fails a step that opens a pod shell when there is no cluster', async () => {
    const k = kata(`
      \`\`\`console
      kubectl exec -it web -- sh
      \`\`\`
      \`\`\`console
      hostname
      \`\`\`
    `);
    const r = await runKata(k);
    expect(r.statuses()).toEqual(['s1:failed']);
    expect(r.ended('s1')[0]?.reason).toContain('opens a shell in a pod, which needs a cluster');
  });

  it('runs the cleanup when interrupted, and skips it on a second interrupt', async () => {
    const k = loadKata(join(FIXTURES, 'interrupt.md'));
    const once = await runKata(k, {
      onEvent: (e, engine) => e.type === 'output' && e.lines.includes('started-long') && engine.interrupt(),
    });
    expect(once.outcome).toEqual({ status: 'interrupted', exitCode: 130 });
    expect(once.statuses()).toEqual(['long:interrupted', 'tidy:passed']);
    const twice = await runKata(k, {
      onEvent: (e, engine) => {
        if (e.type === 'output' && e.lines.includes('started-long')) engine.interrupt();
        if (e.type === 'output' && e.lines.includes('cleanup-ran')) engine.interrupt();
      },
    });
    expect(twice.statuses()).toEqual(['long:interrupted', 'tidy:interrupted']);
    expect(twice.events.some((e) => e.type === 'cleanup-skipped' && e.reason.includes('interrupted a second time'))).toBe(true);
  });

  it('lets a front end skip a step, edit a command, retry a failure and quit', async () => {
    const k = kata(`
      <!-- kata: id a; expect contains "edited" -->
      \`\`\`console
      echo original
      \`\`\`
      <!-- kata: id b -->
      \`\`\`console
      echo skipped-step
      \`\`\`
      <!-- kata: id c; expect contains "second" -->
      \`\`\`console
      f=/tmp/kata-gate-$$; if [ -e $f ]; then echo second; rm $f; else touch $f; echo first; fi
      \`\`\`
      <!-- kata: id d -->
      \`\`\`console
      echo never-reached
      \`\`\`
      # Cleanup
      \`\`\`console
      echo cleanup
      \`\`\`
    `);
    const asked: string[] = [];
    const gate: StepGate = {
      beforeStep: async (step, commands) => {
        asked.push(`${step.id}:${commands.join(';')}`);
        if (step.id === 'a') return { action: 'run', commands: ['echo edited'] };
        if (step.id === 'b') return { action: 'skip' };
        if (step.id === 'd') return { action: 'quit' };
        return { action: 'run' };
      },
      afterFailure: async () => 'retry',
    };
    const r = await runKata(k, { gate });
    expect(asked).toEqual(['a:echo original', 'b:echo skipped-step', expect.stringMatching(/^c:f=/), 'd:echo never-reached']);
    expect(r.statuses()).toEqual(['a:passed', 'b:skipped', 'c:failed', 'c:passed', 'd:interrupted', 's5:passed']);
    expect(r.outcome).toEqual({ status: 'interrupted', exitCode: 130 });
  });

  it('retries the command as the learner edited it, and tells the directory and exports of a shell', async () => {
    const k = kata(`
      <!-- kata: id move -->
      \`\`\`console
      cd /tmp && export KATA_STATE_TEST=here
      \`\`\`
      <!-- kata: id flaky; expect contains "edited-2" -->
      \`\`\`console
      echo original
      \`\`\`
    `);
    let tries = 0;
    let state: Awaited<ReturnType<Engine['contextState']>>;
    const gate: StepGate = {
      beforeStep: async (step) =>
        step.id === 'flaky' ? { action: 'run', commands: ['n=$((${n:-0}+1)); echo edited-$n'] } : { action: 'run' },
      afterFailure: async () => (++tries < 3 ? 'retry' : 'quit'),
    };
    const r = await runKata(k, {
      gate,
      onEvent: (e, engine) => {
        if (e.type === 'step-started' && e.step.id === 'flaky' && state === undefined)
          void engine.contextState('host').then((s) => (state = s));
      },
    });
    expect(r.statuses()).toEqual(['move:passed', 'flaky:failed', 'flaky:passed']);
    expect(state?.cwd).toBe('/tmp');
    expect(state?.exports).toContain('KATA_STATE_TEST');
  });
});
