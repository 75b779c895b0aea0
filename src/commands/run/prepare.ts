/**
 * What every `kata run` does before its first step, whoever shows it (plain lines or the UI):
 * read the options and the kata, prove the reports writable, connect to the cluster when the kata
 * needs one. Every problem is a UsageError, KataError or ClusterError before anything runs.
 */
import { basename, dirname, resolve } from 'node:path';
import { ClusterError, UsageError } from '../../errors.js';
import { onPath, which } from '../../exec/which.js';
import { runsKubectl } from '../../kata/commands.js';
import type { Kata } from '../../kata/model.js';
import { loadKata } from '../../kata/parse.js';
import { parseSetValues } from '../../kata/placeholders.js';
import { omitUndefined } from '../../omit-undefined.js';
import { checkReportPaths, parseReport, type Report } from '../../report/write.js';
import { removeDeadRuns } from '../../run/dead-runs.js';
import type { EngineOptions } from '../../run/engine.js';
import { RunLedger } from '../../run/ledger.js';
import { describeDeadRun } from '../cleanup.js';
import type { ClusterPort } from '../../run/ports.js';

/** What `kata run` was asked, whoever shows the run. */
export interface RunSettings {
  readonly file: string;
  /** `--set "NAME=VALUE"` */
  readonly set: readonly string[];
  /** `--report KIND=PATH` */
  readonly reports: readonly string[];
  readonly keep: boolean;
  readonly keepGoing: boolean;
  readonly stepTimeoutMs?: number | undefined;
  /** Connects to the cluster (namespace and context are its business); injected so that the Kubernetes client is only loaded when needed. */
  readonly connect?: (kata: Kata) => Promise<ClusterPort>;
}

/** What every run needs before its first step. */
export interface PreparedRun {
  readonly reports: readonly Report[];
  readonly values: Map<string, string>;
  readonly kata: Kata;
  readonly cluster?: ClusterPort;
  /** The run's record on disk; whoever does not hand it to an engine must `remove()` it. */
  readonly ledger: RunLedger;
}

/** True when a kata talks to a cluster (kubectl, pod shells, API checks, pod placeholders). */
export function needsCluster(kata: Kata): boolean {
  return kata.steps.some(
    (s) =>
      s.run &&
      (s.commands.some((c) => runsKubectl(c.text)) ||
        s.opens !== undefined ||
        s.placeholders.some((p) => p.podOfApp !== undefined) ||
        s.checks.some((c) => c.kind === 'ephemeral-container') ||
        s.needs.includes('mesh')),
  );
}

/** True when a step of the kata needs a service mesh (annotated, or inferred from its text). */
export function needsMesh(kata: Kata): boolean {
  return kata.steps.some((s) => s.run && s.needs.includes('mesh'));
}

/**
 * Reads the options and the kata, removes what runs that were killed left behind (any kata's:
 * a stale server of one holds the port of another), starts the run's record, and, when the kata
 * needs one, connects to the cluster. `say` gets the lines about dead runs.
 */
export async function prepareRun(
  settings: Pick<RunSettings, 'reports' | 'set' | 'file' | 'connect'>,
  say: (line: string) => void,
): Promise<PreparedRun> {
  const reports = settings.reports.map(parseReport);
  checkReportPaths(reports);
  const values = parseSetValues(settings.set);
  if (typeof values === 'string') throw new UsageError(values);
  const kata = loadKata(settings.file);
  await removeDeadRuns({}, (cleanup) => {
    for (const line of describeDeadRun(cleanup)) say(line);
  });
  const ledger = new RunLedger(kata.file);
  if (ledger.problem !== undefined) say(`kata: warning: ${ledger.problem}`);
  try {
    const cluster = await connect(settings, kata);
    if (cluster !== undefined) recordCluster(ledger, cluster);
    return { reports, values, kata, ledger, ...omitUndefined({ cluster }) };
  } catch (error) {
    ledger.remove();
    throw error;
  }
}

/** What a later run needs to remove what this one creates in the cluster, should this one be killed. */
function recordCluster(ledger: RunLedger, cluster: ClusterPort): void {
  const { target } = cluster;
  const kubeconfig = process.env.KUBECONFIG;
  ledger.setCluster({
    server: target.cluster,
    context: target.context,
    namespace: target.namespace,
    createdNamespace: cluster.createdNamespace === true,
    kubectl: which('kubectl') ?? 'kubectl',
    // A list of files stays a list (kubectl merges them), each made absolute.
    ...omitUndefined({
      kubeconfig:
        kubeconfig === undefined || kubeconfig === ''
          ? undefined
          : kubeconfig
              .split(':')
              .filter(Boolean)
              .map((f) => resolve(f))
              .join(':'),
    }),
  });
  // The run's private kubeconfig (a copy of the credentials) lives in a folder of its own.
  const own = cluster.env.KUBECONFIG;
  if (own !== undefined && basename(dirname(own)).startsWith('kata-kube-')) ledger.addTempDir(dirname(own));
}

async function connect(settings: Pick<RunSettings, 'connect'>, kata: Kata): Promise<ClusterPort | undefined> {
  if (!needsCluster(kata)) return undefined;
  if (settings.connect === undefined)
    throw new ClusterError(
      'this kata needs a Kubernetes cluster',
      'Run it with a kubeconfig, or start a local cluster with `kata lab up`.',
    );
  if (!onPath('kubectl'))
    throw new ClusterError(
      'this kata runs kubectl, which is not installed here',
      'Install kubectl, or start the local lab (`kata lab up`), which provides one.',
    );
  return settings.connect(kata);
}

/** The engine options every run shares, headless or interactive; the caller adds its listener (and gate). */
export function engineSettings(prepared: PreparedRun, settings: RunSettings): Omit<EngineOptions, 'listener'> {
  return omitUndefined({
    kata: prepared.kata,
    values: prepared.values,
    cluster: prepared.cluster,
    ledger: prepared.ledger,
    keep: settings.keep,
    keepGoing: settings.keepGoing,
    stepTimeoutMs: settings.stepTimeoutMs,
    env: { ...process.env },
    // The kata's folder, so that its relative paths (manifests, scripts) work.
    cwd: dirname(resolve(settings.file)),
  });
}
