/**
 * Inferred retries: what a kata promises about the cluster is true once the cluster has caught
 * up (pods Ready, routes pushed to the proxies), not the moment the command before returns. A
 * step that only reads (`kubectl get`, `curl`) and carries an inferred check on its output is
 * retried until the check holds, for up to a minute, as a person would look again.
 */
import { kubectlSubcommand, simpleCommands } from '../commands.js';
import type { MutableStep } from './step-shape.js';

export const INFERRED_RETRY_MS = 60_000;

const OUTPUT_KINDS = new Set(['contains', 'not-contains', 'status', 'output-like']);

const READERS = new Set([
  'curl',
  'wget',
  'http',
  'https',
  'cat',
  'echo',
  'printf',
  'ls',
  'grep',
  'egrep',
  'jq',
  'yq',
  'head',
  'sort',
  'uniq',
  'wc',
  'cut',
  'awk',
  'tr',
  'nslookup',
  'dig',
  'host',
  'env',
  'printenv',
  'date',
  'hostname',
  'ip',
  'ss',
  'netstat',
  'ps',
  'for',
  'test',
  '[',
  'true',
  'openssl',
]);
const KUBECTL_READERS = new Set([
  'get',
  'describe',
  'logs',
  'top',
  'explain',
  'version',
  'api-resources',
  'auth',
  'events',
  'cluster-info',
]);

/** Gives read-only steps with inferred output checks an inferred retry, unless the kata set one. */
export function inferRetries(steps: MutableStep[]): void {
  for (const step of steps) {
    if (!step.run || step.background || step.retryMs !== undefined || step.opens !== undefined) continue;
    const check = step.checks.find((c) => c.inferred && OUTPUT_KINDS.has(c.kind));
    if (check === undefined || step.checks.some((c) => !c.inferred)) continue;
    if (!step.commands.every((c) => readsOnly(c.text))) continue;
    step.retryMs = INFERRED_RETRY_MS;
    step.retryInferred = `what the text promises (line ${check.line}) can take a moment to come true`;
  }
}

function readsOnly(text: string): boolean {
  return simpleCommands(text).every((words) => {
    const name = (words[0] as string).split('/').pop() as string;
    const args = words.slice(1);
    if (name === 'kubectl' || name === 'oc') {
      const sub = kubectlSubcommand(args);
      if (sub === 'logs') return !args.some((a) => /^-[a-zA-Z]*f/.test(a) || a.startsWith('--follow'));
      if (sub === 'config') return args.includes('view') || args.includes('current-context') || args.includes('get-contexts');
      return sub !== undefined && KUBECTL_READERS.has(sub) && !args.some((a) => a === '-w' || a.startsWith('--watch'));
    }
    if (name === 'istioctl') return ['proxy-status', 'ps', 'proxy-config', 'pc', 'analyze', 'version', 'x'].includes(args[0] ?? '');
    if (name === 'sed') return !args.some((a) => a.startsWith('-i'));
    if (name === 'tail') return !args.some((a) => /^-\w*[fF]/.test(a) || a.startsWith('--follow'));
    return READERS.has(name);
  });
}
