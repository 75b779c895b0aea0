/** `kata lint FILE...`: what a kata author should fix; fails when any file has an error. */
import { UsageError, type Outcome } from '../errors.js';
import { lintFiles } from '../kata/lint.js';
import { parseCommandArgs } from './args.js';

export function lintCommand(args: readonly string[]): Outcome {
  const { positionals } = parseCommandArgs(args, {}, 'lint');
  if (positionals.length === 0) throw new UsageError('`kata lint` needs at least one kata file', 'Run e.g. `kata lint katas/*.md`.');
  const { text, errors } = lintFiles(positionals);
  process.stdout.write(text);
  return errors > 0 ? 'failed' : 'ok';
}
