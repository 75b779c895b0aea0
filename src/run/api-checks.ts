/** Checks that read the cluster instead of a step's output (the `ephemeral-container` check). */
import type { CheckResult } from '../checks/output-checks.js';
import { describeCheck } from '../kata/describe.js';
import type { Step } from '../kata/model.js';
import { fillPlaceholders } from '../kata/placeholders.js';
import type { ClusterPort } from './ports.js';

/** The verdicts of the step's API checks, its placeholders filled from `values`. */
export async function apiChecks(step: Step, cluster: ClusterPort | undefined, values: ReadonlyMap<string, string>): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of step.checks) {
    if (check.kind !== 'ephemeral-container') continue;
    const pod = fillPlaceholders(check.pod, values);
    if (cluster === undefined) {
      results.push({ check, passed: false, expected: describeCheck(check), detail: 'no cluster to read the pod from' });
      continue;
    }
    try {
      const found = await cluster.ephemeralContainer(pod, check.image);
      results.push({ check, passed: found.found, expected: describeCheck(check), detail: found.detail });
    } catch (error) {
      results.push({
        check,
        passed: false,
        expected: describeCheck(check),
        detail: `could not read pod ${pod}: ${(error as Error).message}`,
      });
    }
  }
  return results;
}
