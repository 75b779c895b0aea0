#!/usr/bin/env node
/**
 * The `kata` command: parses arguments, calls into the library, and maps every error kind to
 * one paragraph on stderr and a documented exit code. Modules are loaded per command so that
 * `kata --version` costs no more than starting Node.
 */
import { parseArgs } from 'node:util';
import { ClusterError, ExitCode, KataError, UsageError } from './errors.js';
import { packageVersion } from './package-root.js';
import type { Kata } from './kata/model.js';

const HELP = `kata: run hands-on Kubernetes katas written in Markdown

Usage:
  kata run FILE [options]     run a kata: every step, every check, then the cleanup
  kata plan FILE [--json]     show the steps, shells, checks and cleanup of a kata
  kata lint FILE...           report what a kata author should fix (exit 1 on errors)
  kata lab up [--mesh] | down [--purge] | status | env | mesh up|down|status
                              a local single-node Kubernetes for katas, with a real Istio on
                              --mesh (root; see lab/README.md); \`env\` prints the shell lines
                              that point kubectl at it; its state is in $KATA_LAB_DIR
                              (default /var/lib/kata-runner/lab)
  kata doctor [--context NAME] [--namespace NS]
                              can katas run on this cluster? (exit 1 when not)
  kata --version | --help

Options of run:
  --yes                       run every step without asking (headless, plain output; also
                              when stdout is not a terminal or CI is set)
  --resume                    continue at the first unfinished step of the last interactive run
  --set "NAME=VALUE"          value of a placeholder, e.g. --set "nginx POD=nginx-7d8b4-x2m4q"
  --report junit=PATH         write a JUnit XML report (also json=PATH); repeatable
  --keep-going                go on after a failed step (cleanup runs in any case)
  --keep                      skip the cleanup phase on purpose
  --timeout DURATION          timeout of a step without its own (default 2m)
  --namespace NS, --context NAME   where the kata runs on the cluster
  --lab                       run on the local lab (brought up first when it is not running;
                              with its Istio mesh when the kata needs one)

Exit codes: 0 ok, 1 failed (a step, check or cleanup; lint errors), 2 usage or kata error,
3 cluster unreachable or unauthorized, 4 internal error, 130 interrupted.
See README.md for the annotation language and the plan JSON.
`;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    if (error instanceof KataError || error instanceof UsageError) {
      process.stderr.write(`kata: ${error.format()}\n`);
      return ExitCode.usage;
    }
    if (error instanceof ClusterError) {
      process.stderr.write(`kata: ${error.format()}\n`);
      return ExitCode.cluster;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`kata: internal error: ${message}. This is a bug in kata-runner; please report it with the command you ran${process.env.KATA_DEBUG ? '' : ' (set KATA_DEBUG=1 to see the stack trace)'}.\n`);
    if (process.env.KATA_DEBUG && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    return ExitCode.internal;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return command === undefined ? ExitCode.usage : ExitCode.ok;
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`${packageVersion()}\n`);
      return ExitCode.ok;
    case 'plan': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, 'plan');
      if (positionals.length !== 1) throw new UsageError('`kata plan` takes exactly one kata file', 'Run e.g. `kata plan katas/first-steps.md`.');
      const { loadKata } = await import('./kata/parse.js');
      const kata = loadKata(positionals[0] as string);
      if (values.json === true) {
        const { planJson } = await import('./report/plan-json.js');
        process.stdout.write(`${JSON.stringify(planJson(kata), null, 2)}\n`);
      } else {
        const { planText } = await import('./report/plan-text.js');
        process.stdout.write(planText(kata));
      }
      return ExitCode.ok;
    }
    case 'run': {
      const { values, positionals } = parse(
        rest,
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
      if (values.lab === true && values.context !== undefined) throw new UsageError('--lab and --context cannot be used together', 'The lab has its own kubeconfig and context.');
      if (positionals.length !== 1) throw new UsageError('`kata run` takes exactly one kata file', 'Run e.g. `kata run katas/first-steps.md --yes`.');
      const { parseDuration } = await import('./kata/annotations.js');
      const timeout = values.timeout === undefined ? undefined : parseDuration(values.timeout);
      if (values.timeout !== undefined && timeout === undefined) throw new UsageError(`--timeout "${values.timeout}" is not a duration from 1ms to 24h`, 'Write e.g. --timeout 90s or --timeout 5m.');
      if (values.lab === true) {
        // The lab's kubeconfig and its kubectl are used by the run and by every command of the kata;
        // a kata with `needs mesh` steps gets the lab's Istio too.
        const [{ ensureLab }, { loadKata }] = await Promise.all([import('./lab/index.js'), import('./kata/parse.js')]);
        const mesh = needsMesh(loadKata(positionals[0] as string));
        const lab = await ensureLab((line) => process.stderr.write(`${line}\n`), undefined, { mesh });
        process.env.KUBECONFIG = lab.kubeconfig;
        process.env.PATH = `${lab.binDir}:${process.env.PATH ?? ''}`;
      }
      const common = {
        file: positionals[0] as string,
        set: values.set ?? [],
        reports: values.report ?? [],
        keep: values.keep === true,
        keepGoing: values['keep-going'] === true,
        ...(timeout === undefined ? {} : { stepTimeoutMs: timeout }),
        connect: async (kata: Kata) => {
          const { connectCluster } = await import('./k8s/cluster.js');
          return connectCluster({
            meshWanted: needsMesh(kata),
            ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
            ...(values.context === undefined ? {} : { context: values.context }),
          });
        },
      };
      // Interactivity is decided once: a terminal on every stream, no CI, no --yes.
      const ci = process.env.CI !== undefined && process.env.CI !== '';
      if (values.yes !== true && !ci && process.stdout.isTTY && process.stdin.isTTY && process.stderr.isTTY) {
        const { runInteractive } = await import('./ui/run-interactive.js');
        return runInteractive({ ...common, resume: values.resume === true });
      }
      if (values.resume === true) process.stderr.write('kata: --resume needs the terminal UI (no --yes, no CI, a terminal); running from the start\n');
      const [{ runKata }, { batchedWriter }] = await Promise.all([import('./run/run-kata.js'), import('./report/batched.js')]);
      const write = batchedWriter((text) => process.stdout.write(text));
      // Whatever ends the process (a second Ctrl-C included), what was printed gets out first.
      process.once('exit', write.flush);
      try {
        return await runKata({ ...common, write });
      } finally {
        write.flush();
      }
    }
    case 'lab': {
      const { labCommand } = await import('./lab/index.js');
      // `status` and `env` are results (stdout); the progress of up/down is not (stderr).
      const out = rest[0] === 'status' || rest[0] === 'env' ? process.stdout : process.stderr;
      return labCommand(rest, (line) => out.write(`${line}\n`));
    }
    case 'doctor': {
      const { values, positionals } = parse(rest, { context: { type: 'string' }, namespace: { type: 'string', short: 'n' } }, 'doctor');
      if (positionals.length > 0) throw new UsageError('`kata doctor` takes no files', 'Run `kata doctor` or `kata doctor --context NAME`.');
      const { diagnose, formatFindings } = await import('./k8s/doctor.js');
      const findings = await diagnose({
        ...(values.context === undefined ? {} : { context: values.context }),
        ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
      });
      const { text, failed } = formatFindings(findings);
      process.stdout.write(text);
      return failed ? ExitCode.failed : ExitCode.ok;
    }
    case 'lint': {
      const { positionals } = parse(rest, {}, 'lint');
      if (positionals.length === 0) throw new UsageError('`kata lint` needs at least one kata file', 'Run e.g. `kata lint katas/*.md`.');
      const { lintFiles } = await import('./kata/lint.js');
      const { text, errors } = lintFiles(positionals);
      process.stdout.write(text);
      return errors > 0 ? ExitCode.failed : ExitCode.ok;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** True when a step of the kata needs a service mesh (annotated, or inferred from its text). */
function needsMesh(kata: Kata): boolean {
  return kata.steps.some((s) => s.run && s.needs.includes('mesh'));
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse<T extends Options>(args: readonly string[], options: T, command: string): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), `Run \`kata --help\` for the options of \`kata ${command}\`.`);
  }
}

// A reader that goes away (`kata run ... | head -2`) or a terminal that closes makes writes fail
// (EPIPE, EIO): the output is lost from then on, but the run goes on to its cleanup and its verdict.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Done means done: a socket to an API server that never answered must not keep the process
// alive (the timer itself does not; output to pipes and files is written synchronously here).
setTimeout(() => process.exit(code), 2000).unref();
