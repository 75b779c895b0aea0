/** `kata plan FILE [--json]`: the steps, shells, checks and cleanup of a kata, as text or JSON. */
import { UsageError, type Outcome } from '../errors.js';
import { loadKata } from '../kata/parse.js';
import { parseCommandArgs } from './args.js';

export async function planCommand(args: readonly string[]): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, 'plan');
  if (positionals.length !== 1)
    throw new UsageError('`kata plan` takes exactly one kata file', 'Run e.g. `kata plan katas/first-steps.md`.');
  const kata = loadKata(positionals[0] as string);
  if (values.json === true) {
    const { planJson } = await import('../report/plan-json.js');
    process.stdout.write(`${JSON.stringify(planJson(kata), null, 2)}\n`);
  } else {
    const { planText } = await import('../report/plan-text.js');
    process.stdout.write(planText(kata));
  }
  return 'ok';
}
