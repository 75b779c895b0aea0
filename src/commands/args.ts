/** Command-line arguments to options, for every command: one parser, one wording of its errors. */
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** `node:util`'s parseArgs with positionals; a mistake is a UsageError naming the command's help. */
export function parseCommandArgs<T extends Options>(
  args: readonly string[],
  options: T,
  command: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true }>> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true });
  } catch (error) {
    throw new UsageError(
      (error as Error).message.replace(/\. To specify a positional argument.*$/s, ''),
      `Run \`kata --help\` for the options of \`kata ${command}\`.`,
    );
  }
}
