/**
 * Second pass: turns code blocks into steps the way a careful reader would. Each concern has its
 * module: which blocks run (shown-or-run.ts), where each command runs (contexts.ts), step ids
 * (ids.ts), how long background jobs run (bounds.ts), and which sentences promise something
 * checkable (checks.ts). Annotations override every inference.
 */
import type { Block } from '../blocks.js';
import type { Check, Diagnostic, Step } from '../model.js';
import { placeholdersIn } from '../placeholders.js';
import { splitCommands } from '../shell-lines.js';
import { assignBounds } from './bounds.js';
import { addCaptureChecks, addInferredChecks } from './checks.js';
import { addOutputChecks } from './output-blocks.js';
import { inferRetries } from './retries.js';
import { insertReruns, type Rerun } from './reruns.js';
import { assignContexts } from './contexts.js';
import { assignIds } from './ids.js';
import { firstLine } from './prose.js';
import { shownReason } from './shown-or-run.js';
import { blockStep, shownStep, type MutableContext, type MutableStep } from './step-shape.js';

export { DEFAULT_BACKGROUND_MS } from './bounds.js';

/** What inference produces from the blocks of a kata. */
export interface Inferred {
  readonly steps: Step[];
  readonly contexts: MutableContext[];
  readonly diagnostics: Diagnostic[];
}

/** Infers the steps of a kata from its blocks; annotations override every inference. */
export function inferSteps(blocks: readonly Block[], file: string): Inferred {
  const contexts: MutableContext[] = [];
  const open: string[] = [];
  const steps: MutableStep[] = [];
  const stepBlock: number[] = []; // index of the block each step came from
  const diagnostics: Diagnostic[] = [];

  blocks.forEach((block, blockIndex) => {
    const a = block.annotation;
    const shown = shownReason(block, blockIndex > 0 ? blocks[blockIndex - 1] : undefined);
    if (shown !== undefined && !(a?.run ?? false)) {
      steps.push(shownStep(block, shown));
      stepBlock.push(blockIndex);
      return;
    }
    const { commands } = splitCommands(block.code, block.codeLine);
    for (const c of commands) {
      if (c.unfinished)
        diagnostics.push({
          severity: 'warning',
          line: c.line,
          message: `the command \`${firstLine(c.text)}\` is not finished when the block ends (unclosed quote, missing \`done\`/\`fi\`?)`,
        });
    }
    const skip = a?.skip ?? false;
    const segments = assignContexts(block, a, commands, { contexts, open, diagnostics, skip, file });
    if (segments.length === 0) {
      steps.push(shownStep(block, 'no commands'));
      stepBlock.push(blockIndex);
      return;
    }
    segments.forEach((segment, k) => {
      const last = k === segments.length - 1;
      const longRunning = segment.commands.some((c) => c.longRunning);
      const background =
        longRunning || (a?.background !== undefined && last && !segments.some((s) => s.commands.some((c) => c.longRunning)));
      const checks: Check[] = last ? [...(a?.checks ?? [])] : [];
      const step = blockStep(block, {
        line: segment.commands[0]?.line ?? block.line,
        run: !skip,
        context: segment.context,
        contextReason: segment.reason,
        commands: segment.commands,
        background,
        needs: a === undefined ? [] : [...a.needs],
        placeholders: placeholdersIn(
          segment.commands.map((c) => c.text).join('\n') +
            '\n' +
            checks.map((c) => (c.kind === 'ephemeral-container' ? c.pod : '')).join('\n'),
        ),
        checks,
      });
      if (skip) step.shownReason = 'skip annotation';
      if (segment.opens !== undefined) step.opens = segment.opens;
      if (a?.timeoutMs !== undefined) step.timeoutMs = a.timeoutMs;
      if (a?.retryMs !== undefined) step.retryMs = a.retryMs;
      steps.push(step);
      stepBlock.push(blockIndex);
    });
  });

  assignIds(steps, stepBlock, blocks, file);
  for (const context of contexts) context.openedBy = steps.find((s) => s.opens === context.name)?.id ?? '';
  assignBounds(steps, stepBlock, blocks, file);
  const reruns: Rerun[] = [];
  addInferredChecks(steps, stepBlock, blocks, { diagnostics, reruns });
  addCaptureChecks(steps, stepBlock, blocks);
  addOutputChecks(steps, stepBlock, blocks, diagnostics);
  insertReruns(steps, stepBlock, reruns);
  inferRetries(steps);
  return { steps, contexts, diagnostics };
}
