/** `kata run --lab`: the run uses the lab's kubeconfig and kubectl, with nothing set up by hand. */
import { describe, expect, it } from 'vitest';
import { kataCli } from '../helpers/cli.js';
import { labUp, needsLab } from '../helpers/lab.js';

describe('kata run --lab', () => {
  it.skipIf(!labUp)(`runs the ephemeral-containers kata on the lab with no kubeconfig or kubectl of its own${needsLab}`, async () => {
    // No KUBECONFIG and a PATH without kubectl: everything comes from the lab.
    const env = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', HOME: '/nonexistent' };
    const result = await kataCli(['run', 'katas/ephemeral-containers.md', '--lab', '--yes', '--namespace', `kata-lab-run-${process.pid}`], { env });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('target: cluster https://127.0.0.1:6443, context kata-lab');
  });

  it('refuses --lab together with --context', async () => {
    const result = await kataCli(['run', 'katas/ephemeral-containers.md', '--lab', '--context', 'x'], { env: { PATH: process.env.PATH ?? '' } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--lab and --context cannot be used together');
  });
});
