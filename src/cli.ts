#!/usr/bin/env node
/**
 * The `kata` command: dispatches to a command module (src/commands/) and is the one place that
 * turns how a command ended, or what it threw, into one paragraph on stderr and an exit code.
 * Command modules are loaded on demand, so that `kata --version` costs no more than starting Node.
 */
import { runToExitCode, UsageError, type Outcome } from './errors.js';
import { packageVersion } from './package-root.js';
import { startUp } from './startup.js';

startUp();

/** The commands, each loaded only when it runs. */
const COMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<Outcome>>> = {
  run: async (args) => (await import('./commands/run/index.js')).runCommand(args),
  test: async (args) => (await import('./commands/test/index.js')).testCommand(args),
  plan: async (args) => (await import('./commands/plan.js')).planCommand(args),
  lint: async (args) => (await import('./commands/lint.js')).lintCommand(args),
  lab: async (args) => (await import('./commands/lab.js')).labCommand(args),
  doctor: async (args) => (await import('./commands/doctor.js')).doctorCommand(args),
  cleanup: async (args) => (await import('./commands/cleanup.js')).cleanupCommand(args),
};

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = process.env.KATA_DEBUG !== undefined && process.env.KATA_DEBUG !== '';
  return runToExitCode(
    () => dispatch(argv),
    (text) => process.stderr.write(`${text}\n`),
    debug,
  );
}

async function dispatch(argv: readonly string[]): Promise<Outcome> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write((await import('./commands/help.js')).HELP);
      if (command === undefined) throw new UsageError('no command given', 'Run `kata run FILE`, or see the commands above.');
      return 'ok';
    case '--version':
    case '-V':
    case 'version':
      process.stdout.write(`${packageVersion()}\n`);
      return 'ok';
    default: {
      const run = COMMANDS[command];
      if (run === undefined) throw new UsageError(`unknown command "${command}"`);
      return run(rest);
    }
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
