/**
 * Background bounds: how long a background step (a server, a capture, a loop) runs before it is
 * stopped, as annotated or as the prose and the next steps suggest.
 */
import { KataError } from '../../errors.js';
import type { Block } from '../blocks.js';
import { commandNames } from '../commands.js';
import type { BackgroundBound } from '../model.js';
import { plainProse } from './prose.js';
import type { MutableStep } from './step-shape.js';

/** How long an inferred background step runs when nothing else bounds it. */
export const DEFAULT_BACKGROUND_MS = 10_000;

const RERUN = /\bre-?run(?:ning)?\s+(?:the\s+)?`?([\w./-]+)`?(?:\s+[\w-]+){0,2}?\s+(?:command|query|request|loop|for-loop)/i;

/** Background bounds: as annotated; else "while re-running the X command"; else while the next step runs; else a fixed time. */
export function assignBounds(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[], file: string): void {
  steps.forEach((step, i) => {
    if (!step.background) return;
    const blockIndex = stepBlock[i] as number;
    const explicit = blocks[blockIndex]?.annotation?.background;
    if (explicit?.kind === 'for') {
      step.bound = { kind: 'for', ms: explicit.ms, inferred: false };
      return;
    }
    if (explicit?.kind === 'while') {
      const target = steps.findIndex((s) => s.id === explicit.step);
      const next = nextRunStep(steps, i);
      if (target === -1)
        throw new KataError(`\`background while ${explicit.step}\` names no step`, {
          file,
          line: explicit.line,
          hint: `Known step ids: ${steps
            .filter((s) => s.run)
            .map((s) => s.id)
            .join(', ')}.`,
        });
      // A later step is fine when only other background steps stand between (start a server, a capture, then the request).
      const between = target > i ? steps.slice(i + 1, target).filter((s) => s.run) : [];
      if (target === i || (target > i && target !== next && !between.every((s) => s.background))) {
        throw new KataError(
          `\`background while ${explicit.step}\` must name an earlier step (it is run again) or the next step that is not itself in the background`,
          { file, line: explicit.line, hint: 'Point it at the step whose traffic this background job should see.' },
        );
      }
      if (target > i && steps[target]?.phase !== step.phase) {
        throw new KataError(`\`background while ${explicit.step}\` names a step of the other phase`, {
          file,
          line: explicit.line,
          hint: 'A background step and the step it waits for must both be in the main phase or both in the cleanup.',
        });
      }
      if (!steps[target]?.run)
        throw new KataError(`\`background while ${explicit.step}\` names a step that is not run`, {
          file,
          line: explicit.line,
          hint: 'Point it at a step that runs.',
        });
      step.bound = { kind: 'while', step: explicit.step, inferred: false };
      return;
    }
    step.bound = inferBound(steps, stepBlock, blocks, i);
  });
}

function inferBound(
  steps: readonly MutableStep[],
  stepBlock: readonly number[],
  blocks: readonly Block[],
  i: number,
): BackgroundBound & { inferred: boolean } {
  const blockIndex = stepBlock[i] as number;
  const texts = [blocks[blockIndex]?.prose ?? '', blocks[blockIndex + 1]?.prose ?? ''];
  for (const text of texts) {
    const match = RERUN.exec(plainProse(text));
    if (match === null) continue;
    const name = (match[1] as string).toLowerCase();
    for (let j = i - 1; j >= 0; j--) {
      const candidate = steps[j] as MutableStep;
      if (candidate.run && !candidate.background && candidate.commands.some((c) => commandNames(c.text).includes(name))) {
        return { kind: 'while', step: candidate.id, inferred: true };
      }
    }
  }
  const next = nextRunStep(steps, i);
  if (next !== -1 && !steps[next]?.background) return { kind: 'while', step: (steps[next] as MutableStep).id, inferred: true };
  return { kind: 'for', ms: DEFAULT_BACKGROUND_MS, inferred: true };
}

/** Index of the next step that runs in the same phase, or -1. */
function nextRunStep(steps: readonly MutableStep[], i: number): number {
  const phase = steps[i]?.phase;
  for (let j = i + 1; j < steps.length; j++) {
    const s = steps[j] as MutableStep;
    if (s.phase !== phase) return -1;
    if (s.run) return j;
  }
  return -1;
}
