/**
 * Step ids: as annotated (`id NAME`), else `s<N>` by position; a duplicate is an error.
 */
import { KataError } from '../../errors.js';
import type { Block } from '../blocks.js';
import type { MutableStep } from './step-shape.js';

/** Ids: `id NAME` from the annotation, else `s<N>` by position; duplicates are an error. */
export function assignIds(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[], file: string): void {
  const seen = new Map<string, number>();
  const perBlock = new Map<number, number>();
  steps.forEach((step, i) => {
    const blockIndex = stepBlock[i] as number;
    const annotation = blocks[blockIndex]?.annotation;
    const k = (perBlock.get(blockIndex) ?? 0) + 1;
    perBlock.set(blockIndex, k);
    const id = annotation?.id === undefined ? `s${i + 1}` : k === 1 ? annotation.id : `${annotation.id}-${k}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new KataError(`step id "${id}" is already used by the step at line ${earlier}`, {
        file,
        line: annotation?.line ?? step.line,
        hint: 'Give each `id` a different name.',
      });
    }
    seen.set(id, step.line);
    step.id = id;
  });
}
