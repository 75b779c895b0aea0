/**
 * Why a step failed, as data: the engine's events and the JSON report carry these (`kind` is
 * machine-readable), and `describeFailure` is the one place that words them for people.
 */
import { formatDuration } from '../kata/describe.js';

/** One reason a step failed. */
export type StepFailure =
  /** A command ended with a non-zero status (and the step expects none in particular). */
  | { readonly kind: 'exit-status'; readonly command: string; readonly exitCode: number }
  /**
   * A command overran the step's timeout and was stopped; `shellLost` names the shell that had
   * to be killed with it (a shell builtin loop has no process of its own to stop).
   */
  | { readonly kind: 'timeout'; readonly command: string; readonly timeoutMs: number; readonly shellLost?: string }
  /** Checks (expect ...) did not hold. */
  | { readonly kind: 'checks'; readonly failed: readonly { readonly expected: string; readonly detail: string }[] }
  /** The shell the step ran in died while a command ran: its directory and variables are gone. */
  | { readonly kind: 'shell-lost'; readonly shell: string; readonly command: string }
  /** The step runs in a shell that is not open (the step that opens it did not run or failed). */
  | { readonly kind: 'no-shell'; readonly shell: string }
  /** A shell could not be opened in the pod. */
  | { readonly kind: 'shell-open'; readonly shell: string; readonly detail: string }
  /** The step opens a shell in a pod, and the run has no cluster. */
  | { readonly kind: 'no-cluster'; readonly command: string }
  /** A placeholder has no value, and none can be looked up. */
  | { readonly kind: 'placeholder-unresolved'; readonly placeholder: string }
  /** The pod of a `<app POD>` placeholder was not found (or not Ready in time). */
  | { readonly kind: 'pod-not-found'; readonly placeholder: string; readonly detail: string }
  /** The value found or given for a placeholder is not a Kubernetes name. */
  | { readonly kind: 'placeholder-invalid'; readonly placeholder: string; readonly problem: string }
  /** The step needs a mesh: its sidecar is there but not Ready, or could not be looked for. */
  | { readonly kind: 'mesh'; readonly why: string; readonly detail: string }
  /** A background step could not be started. */
  | { readonly kind: 'background-start'; readonly detail: string }
  /** A background step ended on its own, with a failing status, before it was to be stopped. */
  | { readonly kind: 'background-ended'; readonly exitCode: number | undefined };

/** Every kind, for documentation and for tests that each is worded. */
export const FAILURE_KINDS = [
  'exit-status',
  'timeout',
  'checks',
  'shell-lost',
  'no-shell',
  'shell-open',
  'no-cluster',
  'placeholder-unresolved',
  'pod-not-found',
  'placeholder-invalid',
  'mesh',
  'background-start',
  'background-ended',
] as const satisfies readonly StepFailure['kind'][];

/** One failure in words, as the plain output, the UI and the reports show it. */
export function describeFailure(failure: StepFailure): string {
  switch (failure.kind) {
    case 'exit-status':
      return `\`${failure.command}\` exited with status ${failure.exitCode}`;
    case 'timeout':
      return `\`${failure.command}\` did not finish within ${formatDuration(failure.timeoutMs)} and was stopped${failure.shellLost === undefined ? '' : `, and the shell "${failure.shellLost}" had to be killed with it (its state, directory and variables, is lost)`} (give the step more time with <!-- kata: timeout 5m -->)`;
    case 'checks':
      return failure.failed.map((c) => `expected ${c.expected}: ${c.detail}`).join('; ');
    case 'shell-lost':
      return `the shell "${failure.shell}" ended while \`${failure.command}\` ran; its state (directory, variables) is lost`;
    case 'no-shell':
      return `the shell "${failure.shell}" is not open (the step that opens it did not run or failed)`;
    case 'shell-open':
      return `could not open the shell "${failure.shell}": ${failure.detail}`;
    case 'no-cluster':
      return `\`${failure.command}\` opens a shell in a pod, which needs a cluster (run with a kubeconfig, or \`--lab\`)`;
    case 'placeholder-unresolved':
      return `<${failure.placeholder}> has no value; give it with --set "${failure.placeholder}=VALUE"`;
    case 'pod-not-found':
      return `<${failure.placeholder}>: ${failure.detail}; or give it with --set "${failure.placeholder}=POD"`;
    case 'placeholder-invalid':
      return `the pod found for <${failure.placeholder}> cannot be used because ${failure.problem}`;
    case 'mesh':
      return `${failure.why}: ${failure.detail}`;
    case 'background-start':
      return `could not start in the background: ${failure.detail}`;
    case 'background-ended':
      return `it ended on its own with exit status ${failure.exitCode ?? 'unknown'} before it was to be stopped`;
  }
}

/** All of a step's failures in words; `attempts` > 1 says how long it was retried. */
export function describeFailures(
  failures: readonly StepFailure[],
  retried?: { readonly attempts: number; readonly durationMs: number },
): string {
  const text = failures.map(describeFailure).join('; ');
  return retried !== undefined && retried.attempts > 1
    ? `${text} (after ${retried.attempts} attempts in ${formatDuration(retried.durationMs)})`
    : text;
}
