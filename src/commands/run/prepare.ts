/**
 * What every `kata run` does before its first step, whoever shows it (plain lines or the UI):
 * read the options and the kata, prove the reports writable, connect to the cluster when the kata
 * needs one. Every problem is a UsageError, KataError or ClusterError before anything runs.
 */
import { dirname, resolve } from 'node:path';
import { ClusterError, UsageError } from '../../errors.js';
import { onPath } from '../../exec/which.js';
import { runsKubectl } from '../../kata/commands.js';
import type { Kata } from '../../kata/model.js';
import { loadKata } from '../../kata/parse.js';
import { parseSetValues } from '../../kata/placeholders.js';
import { omitUndefined } from '../../omit-undefined.js';
import { checkReportPaths, parseReport, type Report } from '../../report/write.js';
import type { EngineOptions } from '../../run/engine.js';
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

/** Reads the options and the kata and, when the kata needs one, connects to the cluster. */
export async function prepareRun(settings: Pick<RunSettings, 'reports' | 'set' | 'file' | 'connect'>): Promise<PreparedRun> {
  const reports = settings.reports.map(parseReport);
  checkReportPaths(reports);
  const values = parseSetValues(settings.set);
  if (typeof values === 'string') throw new UsageError(values);
  const kata = loadKata(settings.file);
  if (!needsCluster(kata)) return { reports, values, kata };
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
  return { reports, values, kata, cluster: await settings.connect(kata) };
}

/** The engine options every run shares, headless or interactive; the caller adds its listener (and gate). */
export function engineSettings(prepared: PreparedRun, settings: RunSettings): Omit<EngineOptions, 'listener'> {
  return omitUndefined({
    kata: prepared.kata,
    values: prepared.values,
    cluster: prepared.cluster,
    keep: settings.keep,
    keepGoing: settings.keepGoing,
    stepTimeoutMs: settings.stepTimeoutMs,
    env: { ...process.env },
    // The kata's folder, so that its relative paths (manifests, scripts) work.
    cwd: dirname(resolve(settings.file)),
  });
}
