/**
 * Inferred checks: promises in the prose ("you should see *Welcome to nginx!*", "an encrypted
 * response") become checks on the step they talk about.
 */
import type { Block } from '../blocks.js';
import { commandNames, dumpsPackets } from '../commands.js';
import { findEncryptionPromises, findExpectations, meshMention } from '../expectations.js';
import type { MutableStep } from './step-shape.js';

/** "You should see the *Welcome to nginx!* output" -> an inferred `output contains` check on the step it talks about. */
export function addInferredChecks(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[]): void {
  const firstStep = new Map<number, number>();
  stepBlock.forEach((blockIndex, stepIndex) => {
    if (!firstStep.has(blockIndex)) firstStep.set(blockIndex, stepIndex);
  });
  blocks.forEach((block, blockIndex) => {
    const first = firstStep.get(blockIndex);
    if (first === undefined) return;
    for (const expectation of findExpectations(block.prose)) {
      const target = targetStep(steps, first, expectation.command, expectation.backwards);
      if (target === undefined) continue;
      if (target.checks.some((c) => !c.inferred)) continue; // the author said exactly what to check
      if (target.checks.some((c) => c.kind === 'contains' && c.text === expectation.text)) continue;
      target.checks = [
        ...target.checks,
        { kind: 'contains', text: expectation.text, inferred: true, line: block.proseLine + expectation.lineOffset },
      ];
    }
  });
}

/**
 * "With the command above you will see an encrypted response": a check on what the nearest packet
 * capture (tcpdump -X/-XX) shows. Encryption is the mesh's doing when the kata says it is about
 * one ("With Istio, all traffic is encrypted"), so such a capture also needs the mesh: without
 * it the step is skipped with that reason, never passed or failed on a cluster that has none.
 */
export function addCaptureChecks(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[]): void {
  let mesh: string | undefined;
  for (const block of blocks) {
    const mention = meshMention(block.prose);
    if (mention !== undefined) {
      mesh = `the text assumes ${/^istio/i.test(mention.word) ? 'Istio' : mention.word} (line ${block.proseLine + mention.lineOffset})`;
      break;
    }
  }
  const captures = (s: MutableStep): boolean => s.run && s.commands.some((c) => dumpsPackets(c.text));
  stepBlock.forEach((blockIndex, stepIndex) => {
    if (stepIndex > 0 && stepBlock[stepIndex - 1] === blockIndex) return; // one look at each block's prose
    const block = blocks[blockIndex] as Block;
    for (const promise of findEncryptionPromises(block.prose)) {
      const target = nearest(steps, stepIndex, captures, promise.backwards);
      if (target === undefined || target.checks.some((c) => !c.inferred || c.kind === promise.kind)) continue;
      target.checks = [...target.checks, { kind: promise.kind, inferred: true, line: block.proseLine + promise.lineOffset }];
      if (mesh !== undefined && !target.needs.includes('mesh')) {
        target.needs = [...target.needs, 'mesh'];
        target.needsInferred = mesh;
      }
    }
  });
}

/** The step nearest to `first` that `matches`: only before it when the sentence points back, else after it first. */
function nearest(
  steps: readonly MutableStep[],
  first: number,
  matches: (s: MutableStep) => boolean,
  backwards: boolean,
): MutableStep | undefined {
  for (let i = first - 1; backwards && i >= Math.max(0, first - EXPECTATION_REACH); i--)
    if (matches(steps[i] as MutableStep)) return steps[i];
  if (backwards) return undefined;
  for (let i = first; i < Math.min(steps.length, first + EXPECTATION_REACH); i++) if (matches(steps[i] as MutableStep)) return steps[i];
  for (let i = first - 1; i >= Math.max(0, first - EXPECTATION_REACH); i--) if (matches(steps[i] as MutableStep)) return steps[i];
  return undefined;
}

/** A sentence talks about a step close to it: look this many steps away at most. */
const EXPECTATION_REACH = 8;

function targetStep(
  steps: readonly MutableStep[],
  first: number,
  command: string | undefined,
  backwards: boolean,
): MutableStep | undefined {
  const matches = (s: MutableStep): boolean =>
    s.run && !s.background && (command === undefined || s.commands.some((c) => commandNames(c.text).includes(command)));
  const after = (): MutableStep | undefined => {
    for (let i = first; i < Math.min(steps.length, first + EXPECTATION_REACH); i++) if (matches(steps[i] as MutableStep)) return steps[i];
    return undefined;
  };
  const before = (): MutableStep | undefined => {
    for (let i = first - 1; i >= Math.max(0, first - EXPECTATION_REACH); i--) if (matches(steps[i] as MutableStep)) return steps[i];
    return undefined;
  };
  if (backwards) return before();
  const introduced = steps[first];
  if (command === undefined && introduced !== undefined && !introduced.run) return before();
  return after() ?? before();
}
