/**
 * The engine at the edges of a run (issue 11, items 17 and 25): interrupts while the cleanup
 * runs, background jobs cut short, a timeout that takes its shell along, a skipped cleanup's
 * report, and cleanup steps that run in a pod shell.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostShell } from '../../src/exec/shell-session.js';
import { Engine } from '../../src/run/engine.js';
import type { EngineEvent } from '../../src/run/events.js';
import type { ClusterPort, Shell } from '../../src/run/ports.js';
import type { Kata } from '../../src/kata/model.js';
import { kata } from '../helpers/kata.js';

const fence = '```';

async function run(
  k: Kata,
  options: { keep?: boolean; cluster?: ClusterPort; env?: Record<string, string>; onEvent?: (e: EngineEvent, engine: Engine) => void } = {},
) {
  const events: EngineEvent[] = [];
  const engine: Engine = new Engine({
    kata: k,
    values: new Map(),
    keep: options.keep ?? false,
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    cwd: tmpdir(),
    listener: (e) => {
      events.push(e);
      options.onEvent?.(e, engine);
    },
  });
  const outcome = await engine.run();
  const ended = (id: string) =>
    events.find((e): e is Extract<EngineEvent, { type: 'step-ended' }> => e.type === 'step-ended' && e.step.id === id);
  return { outcome, events, ended, statuses: () => events.flatMap((e) => (e.type === 'step-ended' ? [`${e.step.id}:${e.status}`] : [])) };
}

/** A cluster whose pod shells are host shells: enough to see which shell a cleanup step runs in. */
function fakeCluster(opened: Shell[]): ClusterPort {
  const no = (): never => {
    throw new Error('not in this test');
  };
  return {
    target: { cluster: 'https://fake', context: 'fake', namespace: 'fake' },
    env: {},
    resolvePod: no,
    openShell: async () => {
      const shell = new HostShell({ env: { PATH: process.env.PATH, POD_SHELL: 'yes' } });
      opened.push(shell);
      return shell;
    },
    ephemeralContainer: no,
    meshSidecar: no,
    settle: async () => [],
    remaining: async () => [],
    close: async () => {},
  };
}

describe('Engine at the edges of a run', () => {
  it('gives each cleanup command that runs kubectl a short timeout while the API server does not answer, and tries them all', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'kata-fake-kubectl-'));
    writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\necho "waiting for an API server that does not answer"\nexec sleep 600\n');
    chmodSync(join(bin, 'kubectl'), 0o755);
    const k = kata(`
      ${fence}console
      echo main
      ${fence}

      # Cleanup

      <!-- kata: id tidy; timeout 10m -->
      ${fence}console
      kubectl delete configmap one
      ${fence}

      <!-- kata: id local -->
      ${fence}console
      echo not-kubectl
      ${fence}
    `);
    const asked: number[] = [];
    const cluster: ClusterPort = { ...fakeCluster([]), answers: async (ms) => (asked.push(ms), false) };
    const r = await run(k, { cluster, env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    rmSync(bin, { recursive: true, force: true });
    expect(asked).toEqual([5000]); // asked before the kubectl step only
    const progress = r.events.flatMap((e) => (e.type === 'progress' && e.step.id === 'tidy' ? [e.message] : []));
    expect(progress).toEqual(['the API server did not answer within 5s: each command of this cleanup step gets 15s']);
    expect(r.ended('tidy')?.status).toBe('failed');
    expect(r.ended('tidy')?.reason).toContain('did not finish within 15s');
    expect(r.statuses()).toContain('local:passed');
  }, 60_000);

  it('lets the cleanup go on at a first interrupt during it, and keeps the verdict of a run that lost nothing', async () => {
    const k = kata(`
      <!-- kata: id main -->
      ${fence}console
      echo main
      ${fence}

      # Cleanup

      <!-- kata: id tidy; expect contains "cleanup-finished" -->
      ${fence}console
      echo cleanup-ran; sleep 1; echo cleanup-finished
      ${fence}
    `);
    const effects: string[] = [];
    const r = await run(k, {
      onEvent: (e, engine) => {
        if (e.type === 'output' && e.lines.includes('cleanup-ran')) effects.push(engine.interrupt());
      },
    });
    expect(effects).toEqual(['in-cleanup']);
    expect(r.statuses()).toEqual(['main:passed', 'tidy:passed']);
    expect(r.outcome).toBe('ok');
  });

  it('skips the rest of the cleanup at the second interrupt during it, exits as interrupted and reports what is left in place', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'kata-fake-kubectl-'));
    writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\necho "configmap/settings created"\n');
    chmodSync(join(bin, 'kubectl'), 0o755);
    const k = kata(`
      <!-- kata: id make -->
      ${fence}console
      kubectl create configmap settings --from-literal=a=b
      ${fence}

      # Cleanup

      <!-- kata: id tidy -->
      ${fence}console
      echo cleanup-ran; sleep 5; echo cleanup-finished
      ${fence}
    `);
    const effects: string[] = [];
    const r = await run(k, {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      onEvent: (e, engine) => {
        if (e.type === 'output' && e.lines.includes('cleanup-ran')) effects.push(engine.interrupt(), engine.interrupt());
      },
    });
    expect(effects).toEqual(['in-cleanup', 'skip-cleanup']);
    expect(r.outcome).toBe('interrupted');
    expect(r.events.find((e) => e.type === 'left-in-place')).toEqual({
      type: 'left-in-place',
      names: ['configmap/settings'],
      why: 'interrupted',
    });

    const kept = await run(k, { keep: true, env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    rmSync(bin, { recursive: true, force: true });
    expect(kept.outcome).toBe('ok');
    expect(kept.events.find((e) => e.type === 'left-in-place')).toEqual({
      type: 'left-in-place',
      names: ['configmap/settings'],
      why: '--keep',
    });
  });

  it('reports a background job stopped by an interrupt as interrupted, not passed', async () => {
    const k = kata(`
      <!-- kata: id watcher; background for 60s; expect contains "watching" -->
      ${fence}console
      echo watching; sleep 60
      ${fence}

      <!-- kata: id wait; timeout 5m -->
      ${fence}console
      echo waiting; sleep 60
      ${fence}
    `);
    const r = await run(k, { onEvent: (e, engine) => e.type === 'output' && e.lines.includes('waiting') && engine.interrupt() });
    expect(r.ended('watcher')).toMatchObject({ status: 'interrupted' });
    expect(r.ended('watcher')?.reason).toContain('stopped before its end (for 1m): the run was interrupted');
    expect(r.outcome).toBe('interrupted');
  });

  it('judges a background job the kata was done with when the main phase ends before its bound', async () => {
    const k = kata(`
      <!-- kata: id watcher; background for 60s; expect contains "watching" -->
      ${fence}console
      echo watching; sleep 60
      ${fence}

      ${fence}console
      echo next
      ${fence}
    `);
    const started = Date.now();
    const r = await run(k);
    expect(r.ended('watcher')).toMatchObject({ status: 'passed' });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('fails a step that overran its timeout for the timeout, also when its shell had to be killed with it', async () => {
    // A builtin loop has no process of its own to stop (and this one, reading a FIFO that no one
    // writes to, does not burn a CPU meanwhile).
    const k = kata(`
      <!-- kata: id spin; timeout 1s -->
      ${fence}console
      until read -t 0.2 _ <>"$FIFO"; do :; done
      ${fence}
    `);
    const dir = mkdtempSync(join(tmpdir(), 'kata-fifo-'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const r = await run(k, { env: { FIFO: join(dir, 'fifo') } }).finally(() => rmSync(dir, { recursive: true, force: true }));
    const spin = r.ended('spin');
    expect(spin?.failures?.[0]).toMatchObject({ kind: 'timeout', shellLost: 'host' });
    expect(spin?.reason).toContain('did not finish within 1s and was stopped, and the shell "host" had to be killed with it');
  }, 30_000);

  it('runs a cleanup step inferred into a pod shell in that shell, and closes the shell after it', async () => {
    const opened: Shell[] = [];
    const k = kata(`
      ${fence}console
      kubectl exec -it mypod -- sh
      ${fence}

      ${fence}console
      echo "in the pod: $POD_SHELL"
      ${fence}

      ## Cleanup

      <!-- kata: id tidy; expect contains "cleaned in the pod: yes" -->
      ${fence}console
      echo "cleaned in the pod: $POD_SHELL"
      ${fence}

      <!-- kata: id after -->
      ${fence}console
      echo "host again"
      ${fence}
    `);
    expect(k.steps.find((s) => s.id === 'tidy')?.context).toBe('mypod');
    const r = await run(k, { cluster: fakeCluster(opened) });
    expect(r.ended('tidy')).toMatchObject({ status: 'passed' });
    expect(opened.every((s) => !s.alive)).toBe(true);
  });
});
