/**
 * `kata run FILE [options]`: arguments to settings, the lab when asked (`--lab`), and the one
 * decision between the terminal UI and plain headless output.
 */
import { UsageError, type Outcome } from '../../errors.js';
import { parseDuration } from '../../kata/annotations.js';
import type { Kata } from '../../kata/model.js';
import { loadKata } from '../../kata/parse.js';
import { omitUndefined } from '../../omit-undefined.js';
import { parseCommandArgs } from '../args.js';
import { needsMesh, type RunSettings } from './prepare.js';

export async function runCommand(args: readonly string[]): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      yes: { type: 'boolean', short: 'y' },
      set: { type: 'string', multiple: true },
      report: { type: 'string', multiple: true },
      keep: { type: 'boolean' },
      'keep-going': { type: 'boolean' },
      timeout: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      context: { type: 'string' },
      lab: { type: 'boolean' },
      resume: { type: 'boolean' },
    },
    'run',
  );
  if (values.lab === true && values.context !== undefined)
    throw new UsageError('--lab and --context cannot be used together', 'The lab has its own kubeconfig and context.');
  if (positionals.length !== 1)
    throw new UsageError('`kata run` takes exactly one kata file', 'Run e.g. `kata run katas/first-steps.md --yes`.');
  const file = positionals[0] as string;
  const timeout = values.timeout === undefined ? undefined : parseDuration(values.timeout);
  if (values.timeout !== undefined && timeout === undefined)
    throw new UsageError(`--timeout "${values.timeout}" is not a duration from 1ms to 24h`, 'Write e.g. --timeout 90s or --timeout 5m.');
  if (values.lab === true) {
    // The lab's kubeconfig and its kubectl are used by the run and by every command of the kata;
    // a kata with `needs mesh` steps gets the lab's Istio too.
    const { ensureLab } = await import('../../lab/index.js');
    const lab = await ensureLab((line) => process.stderr.write(`${line}\n`), undefined, { mesh: needsMesh(loadKata(file)) });
    process.env.KUBECONFIG = lab.kubeconfig;
    process.env.PATH = `${lab.binDir}:${process.env.PATH ?? ''}`;
  }
  const settings: RunSettings = {
    file,
    set: values.set ?? [],
    reports: values.report ?? [],
    keep: values.keep === true,
    keepGoing: values['keep-going'] === true,
    stepTimeoutMs: timeout,
    connect: async (kata: Kata) => {
      const { connectCluster } = await import('../../k8s/cluster.js');
      return connectCluster({ meshWanted: needsMesh(kata), ...omitUndefined({ namespace: values.namespace, context: values.context }) });
    },
  };
  if (interactive(values.yes === true)) {
    const { runInteractive } = await import('./interactive.js');
    return runInteractive({ ...settings, resume: values.resume === true });
  }
  if (values.resume === true)
    process.stderr.write('kata: --resume needs the terminal UI (no --yes, no CI, a terminal); running from the start\n');
  const { runHeadless } = await import('./headless.js');
  return runHeadless(settings);
}

/**
 * Interactivity is decided here and only here: a terminal on every stream (keys come from stdin,
 * the screen goes to stderr, the final summary to stdout), no CI, no --yes.
 */
function interactive(yes: boolean): boolean {
  const ci = process.env.CI !== undefined && process.env.CI !== '';
  return !yes && !ci && process.stdout.isTTY === true && process.stdin.isTTY === true && process.stderr.isTTY === true;
}
