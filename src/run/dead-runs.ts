/**
 * What runs that were killed left behind, found through their records (ledger.ts) and removed:
 * their processes (by the mark in their environment: SIGTERM, then SIGKILL), their temporary
 * folders, and the objects they created in the cluster (kubectl delete, through the kubeconfig
 * and context they used). What cannot be removed now (the cluster is unreachable) stays in the
 * record for the next time, and is said.
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { runKubectl, type KubectlPlace } from '../exec/kubectl.js';
import { stopTagged } from '../exec/shell-session.js';
import { objectName } from './journal.js';
import { isDead, listRuns, runsDir, writeRecord, type LiveRun } from './ledger.js';
import type { CreatedObject } from './ports.js';
import { omitUndefined } from '../omit-undefined.js';

/** What was done about one dead run. */
export interface DeadRunCleanup {
  readonly run: LiveRun;
  /** What was there and is gone now, in words ("process 123 node serve.mjs"). */
  readonly removed: readonly string[];
  /** What is still there, with why; these stay in the record. */
  readonly kept: readonly string[];
}

/** How long one kubectl delete may take (it waits until the object is gone). */
const DELETE_TIMEOUT_MS = 90_000;
/** kubectl's words for a cluster it cannot talk to: no point trying the other objects then. */
const UNREACHABLE =
  /Unable to connect to the server|connection refused|no such host|i\/o timeout|Client\.Timeout|context deadline exceeded|the server has asked for the client to provide credentials|Unauthorized|does not exist|no context exists/i;

/**
 * Finds the records of dead runs (only those of the kata `file`, when given) and removes what each
 * left; `onRun` hears about each run when it is done with it.
 */
export async function removeDeadRuns(
  options: { readonly file?: string; readonly dir?: string },
  onRun: (cleanup: DeadRunCleanup) => void,
): Promise<DeadRunCleanup[]> {
  const file = options.file === undefined ? undefined : resolve(options.file);
  const done: DeadRunCleanup[] = [];
  for (const { path, run } of listRuns(options.dir ?? runsDir())) {
    if (!isDead(run) || (file !== undefined && run.file !== file)) continue;
    const cleanup = await removeLeftovers(run);
    if (cleanup.kept.length === 0) rmSync(path, { force: true });
    else writeRecord(path, { ...cleanup.rest, tempDirs: [] });
    done.push(cleanup);
    onRun(cleanup);
  }
  return done;
}

async function removeLeftovers(run: LiveRun): Promise<DeadRunCleanup & { rest: LiveRun }> {
  const removed: string[] = [];
  const kept: string[] = [];
  const stopped = await stopTagged(run.mark.name, run.mark.value);
  removed.push(...stopped.stopped.map((p) => `process ${p}`));
  kept.push(...stopped.alive.map((p) => `process ${p} (still alive after SIGKILL)`));

  let objects: readonly CreatedObject[] = [];
  let namespaceLeft = false;
  if (run.cluster !== undefined && (run.objects.length > 0 || run.cluster.createdNamespace)) {
    const result = await deleteObjects(run);
    removed.push(...result.removed);
    kept.push(...result.kept);
    objects = result.left;
    namespaceLeft = result.namespaceLeft;
  }
  for (const dir of run.tempDirs) {
    if (!existsSync(dir)) continue;
    try {
      rmSync(dir, { recursive: true, force: true });
      removed.push(`folder ${dir}`);
    } catch (error) {
      kept.push(`folder ${dir} (${(error as Error).message})`);
    }
  }
  const cluster = run.cluster === undefined ? undefined : { ...run.cluster, createdNamespace: namespaceLeft };
  return { run, removed, kept, rest: { ...run, objects, ...omitUndefined({ cluster }) } };
}

/** Deletes the run's objects, then its namespace when it created it; stops at the first sign of an unreachable cluster. */
async function deleteObjects(run: LiveRun): Promise<{ removed: string[]; kept: string[]; left: CreatedObject[]; namespaceLeft: boolean }> {
  const cluster = run.cluster as NonNullable<LiveRun['cluster']>;
  const place: KubectlPlace = { kubectl: cluster.kubectl, context: cluster.context, ...omitUndefined({ kubeconfig: cluster.kubeconfig }) };
  const removed: string[] = [];
  const kept: string[] = [];
  const left: CreatedObject[] = [];
  let unreachable: string | undefined;
  const where = `context ${cluster.context} at ${cluster.server}`;
  const attempt = async (label: string, args: readonly string[]): Promise<boolean> => {
    if (unreachable !== undefined) {
      kept.push(`${label} (${unreachable})`);
      return false;
    }
    const result = await runKubectl(
      place,
      [...args, '--ignore-not-found', '--request-timeout=15s', `--timeout=${DELETE_TIMEOUT_MS / 1000}s`],
      DELETE_TIMEOUT_MS + 10_000,
    );
    if (result.exitCode === 0) {
      // --ignore-not-found prints nothing for what was already gone.
      if (result.output !== '') removed.push(`${label} (${where})`);
      return true;
    }
    const why = result.output.split('\n').at(-1) || 'kubectl gave no reason';
    if (result.exitCode === undefined || UNREACHABLE.test(result.output))
      unreachable = `the cluster could not be used through ${where}: ${why}`;
    kept.push(`${label} (${unreachable ?? `kubectl delete failed: ${why}`})`);
    return false;
  };
  for (const object of run.objects) {
    const namespace = object.namespace ?? cluster.namespace;
    const ok = await attempt(objectName({ ...object, namespace }), ['delete', object.resource, object.name, '-n', namespace]);
    if (!ok) left.push(object);
  }
  let namespaceLeft = false;
  if (cluster.createdNamespace) {
    namespaceLeft = !(await attempt(`namespace/${cluster.namespace}`, ['delete', 'namespace', cluster.namespace]));
  }
  return { removed, kept, left, namespaceLeft };
}
