/** `kata doctor [--context NAME] [--namespace NS]`: can katas run on this cluster? Fails when not. */
import { UsageError, type Outcome } from '../errors.js';
import { diagnose, formatFindings } from '../k8s/doctor.js';
import { omitUndefined } from '../omit-undefined.js';
import { parseCommandArgs } from './args.js';

export async function doctorCommand(args: readonly string[]): Promise<Outcome> {
  const { values, positionals } = parseCommandArgs(
    args,
    { context: { type: 'string' }, namespace: { type: 'string', short: 'n' } },
    'doctor',
  );
  if (positionals.length > 0) throw new UsageError('`kata doctor` takes no files', 'Run `kata doctor` or `kata doctor --context NAME`.');
  const findings = await diagnose(omitUndefined({ context: values.context, namespace: values.namespace }));
  const { text, failed } = formatFindings(findings);
  process.stdout.write(text);
  return failed ? 'failed' : 'ok';
}
