/**
 * One attempt at one kata of a suite: headless, in a namespace of its own that the run creates
 * and removes, its plain lines kept (printed when it ends, so that parallel katas stay readable),
 * and evidence collected from the cluster when a step fails, before anything else runs.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { KataRunnerError } from '../../errors.js';
import type { Kata } from '../../kata/model.js';
import { omitUndefined } from '../../omit-undefined.js';
import { PlainReporter } from '../../report/plain.js';
import { RunRecorder } from '../../report/run-record.js';
import { proofLine, type AttemptRecord } from '../../report/suite.js';
import { Prover } from './prove.js';
import { Engine } from '../../run/engine.js';
import type { Evidence } from '../../k8s/evidence.js';
import { engineSettings, needsMesh, prepareRun, type RunSettings } from '../run/prepare.js';

/** Where the suite's katas run. */
export interface SuiteTarget {
  readonly context?: string | undefined;
  readonly set: readonly string[];
  readonly stepTimeoutMs?: number | undefined;
  /** --prove: show that every check can fail (prove.ts). */
  readonly prove?: boolean;
}

/** What a running attempt offers the suite: stop it (Ctrl-C). */
export interface Running {
  interrupt(): void;
}

/** `kata-test-<slug>-<random>`: a DNS label (at most 63 characters) that names the kata. */
export function namespaceFor(file: string, random = randomBytes(3).toString('hex')): string {
  const slug =
    basename(file)
      .replace(/\.md$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'kata';
  return `kata-test-${slug}-${random}`;
}

/**
 * Runs the kata once; `register` is told of the running engine (for Ctrl-C), `lines` gets its
 * plain output when it ends. Never throws for what the kata or the cluster did: that is the record.
 */
export async function runAttempt(
  file: string,
  target: SuiteTarget,
  register: (running: Running | undefined) => void,
): Promise<{ readonly attempt: AttemptRecord; readonly output: string }> {
  const started = Date.now();
  const namespace = namespaceFor(file);
  const chunks: string[] = [];
  const write = (text: string): void => void chunks.push(text);
  const evidence = new Map<string, Evidence>();
  const settings: RunSettings = {
    file,
    set: target.set,
    reports: [],
    keep: false,
    keepGoing: false,
    stepTimeoutMs: target.stepTimeoutMs,
    connect: async (kata: Kata) => {
      const { connectCluster } = await import('../../k8s/cluster.js');
      return connectCluster({ namespace, meshWanted: needsMesh(kata), ...omitUndefined({ context: target.context }) });
    },
  };
  let prepared;
  try {
    prepared = await prepareRun(settings, (line) => write(`${line}\n`));
  } catch (error) {
    const message = error instanceof KataRunnerError ? error.format() : (error as Error).message;
    write(`kata: ${file}: could not start: ${message}\n`);
    return {
      attempt: { namespace, error: message, evidence, status: 'failed', durationMs: Date.now() - started },
      output: chunks.join(''),
    };
  }
  const recorder = new RunRecorder();
  const plain = new PlainReporter(write);
  const cluster = prepared.cluster;
  const prover = target.prove === true ? new Prover(prepared.kata) : undefined;
  const engine = new Engine({
    ...engineSettings(prepared, settings),
    listener: (event) => {
      recorder.on(event);
      plain.on(event);
      prover?.on(event);
    },
    ...(prover === undefined ? {} : { beforeStep: prover.beforeStep }),
    ...(cluster === undefined
      ? {}
      : {
          afterStepFailed: async (step, scope) => {
            const { collectEvidence, evidenceLines } = await import('../../k8s/evidence.js');
            const found = await collectEvidence(cluster.target.namespace, omitUndefined({ context: target.context }), {
              objects: scope.created,
              pods: scope.pods,
              background: scope.background,
            });
            evidence.set(step.id, found);
            for (const line of evidenceLines(found)) write(`  ! ${line}\n`);
          },
        }),
  });
  register({ interrupt: () => void engine.interrupt() });
  let outcome;
  try {
    outcome = await engine.run();
  } finally {
    register(undefined);
  }
  plain.summary(recorder.record, []);
  const proofs = prover?.proofs();
  for (const proof of proofs ?? []) write(`prove: ${proofLine(file, proof)}\n`);
  return {
    attempt: {
      namespace: prepared.cluster?.target.namespace ?? namespace,
      record: recorder.record,
      evidence,
      status: outcome === 'ok' ? 'passed' : outcome === 'interrupted' ? 'interrupted' : 'failed',
      durationMs: Date.now() - started,
      ...omitUndefined({ proofs }),
    },
    output: chunks.join(''),
  };
}
