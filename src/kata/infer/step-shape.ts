/**
 * The one shape every inferred step is built in, mutable while inference decides.
 */
import type { Block } from '../blocks.js';
import { HOST, type ContextInfo, type Step } from '../model.js';

export type MutableContext = { -readonly [K in keyof ContextInfo]: ContextInfo[K] };
export type MutableStep = { -readonly [K in keyof Step]: Step[K] };

type StepParts = Pick<
  MutableStep,
  'line' | 'run' | 'context' | 'contextReason' | 'commands' | 'background' | 'needs' | 'placeholders' | 'checks'
>;

/**
 * A step of `block`. Every step is built here, property by property in one order: object spreads
 * of this size were the slowest part of parsing, and one shape keeps property access fast.
 */
export function blockStep(block: Block, parts: StepParts): MutableStep {
  return {
    blockLine: block.line,
    section: block.section,
    phase: block.phase,
    prose: block.prose,
    proseLine: block.proseLine,
    lang: block.lang,
    code: block.code,
    id: '',
    line: parts.line,
    run: parts.run,
    context: parts.context,
    contextReason: parts.contextReason,
    commands: parts.commands,
    background: parts.background,
    needs: parts.needs,
    placeholders: parts.placeholders,
    checks: parts.checks,
  };
}

/** A block shown, not run. */
export function shownStep(block: Block, reason: string): MutableStep {
  const step = blockStep(block, {
    line: block.codeLine,
    run: false,
    context: HOST,
    contextReason: 'no-context-open',
    commands: [],
    background: false,
    needs: [],
    placeholders: [],
    checks: [],
  });
  step.shownReason = reason;
  return step;
}
