/**
 * Expected-output blocks: a block shown as output after "you should see something like:" makes
 * an `output-like` check on the command it belongs to, the step right before it. A block whose
 * command is only in the prose ("Execute `kubectl get pods` and observe ...") or whose step
 * cannot print it (a table after `kubectl apply`) is a warning instead.
 */
import type { Block } from '../blocks.js';
import { commandNames, kubectlSubcommand, simpleCommands } from '../commands.js';
import { tableHeader } from '../expected-output.js';
import type { Diagnostic } from '../model.js';
import { lastParagraph } from './prose.js';
import { clipSentence } from './checks.js';
import type { MutableStep } from './step-shape.js';

const OUTPUT_PROMISE =
  /\b(?:you|we)(?:'ll| will| should| would| can| may)?(?: now| then| also| eventually| only)? (?:see|get|notice|observe)\b|\b(?:should|will|would) (?:now )?(?:look|be) (?:something |roughly |similar )?like\b|\blooks? (?:something |roughly )?like\b|\bsomething like\b|\bsimilar to\b|\b(?:the )?(?:output|result|response) (?:is|will be|should be|looks|shows)\b|\b(?:should|will|would) (?:now |also )?(?:show|print|return|output|display|list)\b|\b(?:returns|prints|shows|outputs|displays) something\b|\bexpect(?:ed)? (?:output|to see)\b|\b(?:observe|notice|verify|confirm) that\b/i;

/** Labels of blocks that hold output when shown. */
const OUTPUT_REASONS = new Set(['output', 'text block', 'output block', 'plaintext block', 'terminal-output block']);

/** Adds `output-like` checks for expected-output blocks the text promises. */
export function addOutputChecks(
  steps: MutableStep[],
  stepBlock: readonly number[],
  blocks: readonly Block[],
  diagnostics: Diagnostic[],
): void {
  steps.forEach((shown, i) => {
    if (shown.run || !OUTPUT_REASONS.has(shown.shownReason ?? '')) return;
    if (i > 0 && stepBlock[i - 1] === stepBlock[i]) return;
    const block = blocks[stepBlock[i] as number] as Block;
    const previousBlock = blocks[(stepBlock[i] as number) - 1];
    // An output block right after the command block: the promise is in the command's prose.
    const prose = block.prose.trim() === '' && previousBlock !== undefined ? previousBlock.prose : block.prose;
    const paragraph = lastParagraph(prose.trimEnd());
    const cue = OUTPUT_PROMISE.exec(paragraph.replace(/,/g, '').replace(/\s+/g, ' '));
    if (cue === null) return;
    const line = (block.prose.trim() === '' ? (previousBlock?.proseLine ?? block.proseLine) : block.proseLine) + lineOf(prose, paragraph);
    let j = i - 1;
    while (j >= 0 && !(steps[j] as MutableStep).run && stepBlock[j] !== stepBlock[i]) j--;
    const target = j >= 0 && (steps[j] as MutableStep).run ? (steps[j] as MutableStep) : undefined;
    const table = block.code.split('\n').some((l) => tableHeader(l) !== undefined);
    const problem = whyNot(target, paragraph, table);
    if (problem !== undefined || target === undefined) {
      diagnostics.push({
        severity: 'warning',
        line: shown.line,
        message: `the text promises output like this block, but ${problem ?? 'no command comes before it'}, so nothing checks it; put the command that prints it in a code block right before the output, or add an \`expect\` annotation to that command`,
      });
      return;
    }
    if (target.checks.some((c) => !c.inferred || c.kind === 'output-like')) return;
    target.checks = [
      ...target.checks,
      {
        kind: 'output-like',
        expected: block.code,
        blockLine: block.line,
        inferred: true,
        line,
        because: clipSentence(sentenceAround(paragraph, cue.index)),
      },
    ];
  });
}

/** Why `target` cannot be the command whose output the block shows, or undefined when it can. */
function whyNot(target: MutableStep | undefined, paragraph: string, table: boolean): string | undefined {
  if (target === undefined) return undefined;
  const names = target.commands.flatMap((c) => commandNames(c.text));
  for (const span of paragraph.matchAll(/`([^`]+)`/g)) {
    const words = (span[1] as string).trim().split(/\s+/);
    const head = words[0] as string;
    if (
      words.length > 1 &&
      /^(?:kubectl|curl|istioctl|helm|docker|wget)$/.test(head) &&
      !target.commands.some((c) => c.text.includes(span[1] as string))
    )
      return `the command it names (\`${span[1] as string}\`) is only in the prose`;
  }
  if (table && target.commands.every((c) => printsNoTable(c.text)))
    return `the step before it (\`${target.commands[0]?.text.split('\n')[0] ?? ''}\`) does not list anything as a table`;
  if (names.length === 0) return 'the step before it runs nothing';
  return undefined;
}

/**
 * Commands known to print no table: kubectl's other subcommands (`apply`, `scale`, `create`, ...
 * print a line per object) and `kubectl get` as JSON, YAML, a template or names.
 */
function printsNoTable(text: string): boolean {
  return simpleCommands(text).every((words) => {
    const name = (words[0] as string).split('/').pop();
    const args = words.slice(1);
    if (name !== 'kubectl' && name !== 'oc') return false;
    const sub = kubectlSubcommand(args);
    if (sub === 'top' || sub === 'events' || sub === 'exec' || sub === 'logs' || sub === 'run') return false;
    if (sub !== 'get') return true;
    const output = args.find(
      (a, k) =>
        a.startsWith('-o=') || a.startsWith('--output=') || ((args[k - 1] === '-o' || args[k - 1] === '--output') && !a.startsWith('-')),
    );
    const value = output?.replace(/^(?:-o=|--output=)/, '') ?? 'table';
    return !(value === 'table' || value === 'wide' || value.startsWith('custom-columns'));
  });
}

function lineOf(prose: string, paragraph: string): number {
  const at = prose.lastIndexOf(paragraph);
  return at === -1 ? 0 : prose.slice(0, at).split('\n').length - 1;
}

/** The sentence of `paragraph` the cue at `index` (of its flattened text) is in. */
function sentenceAround(paragraph: string, index: number): string {
  const flat = paragraph.replace(/,/g, '').replace(/\s+/g, ' ');
  const start = Math.max(flat.lastIndexOf('. ', index) + 1, 0);
  const end = flat.indexOf('. ', index);
  return flat.slice(start, end === -1 ? undefined : end + 1).trim();
}
