/**
 * kubectl run by kata-runner itself, outside any kata shell: removing what a run that was killed
 * left in the cluster, through the kubeconfig and context that run used.
 */
import { execa } from 'execa';

/** How a kubectl call ended: its exit status (undefined when it was killed) and its output. */
export interface KubectlResult {
  readonly exitCode: number | undefined;
  readonly output: string;
}

/** Where kubectl runs: the program, and the kubeconfig (undefined: kubectl's default, ~/.kube/config). */
export interface KubectlPlace {
  readonly kubectl: string;
  readonly kubeconfig?: string;
  readonly context: string;
}

/** Runs `kubectl --context C ARGS` with a hard time limit; never throws. */
export async function runKubectl(place: KubectlPlace, args: readonly string[], timeoutMs: number): Promise<KubectlResult> {
  const env: Record<string, string | undefined> = { ...process.env, KUBECONFIG: place.kubeconfig };
  if (place.kubeconfig === undefined) delete env.KUBECONFIG;
  const result = await execa(place.kubectl, ['--context', place.context, ...args], {
    env,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    timeout: timeoutMs,
    forceKillAfterDelay: 2000,
  });
  const output = (result.all ?? '').trim() || (result.failed && result.exitCode === undefined ? String(result.message) : '');
  return { exitCode: result.timedOut ? undefined : result.exitCode, output };
}
