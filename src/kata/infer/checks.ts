/**
 * Inferred checks: promises in the prose ("you should see *Welcome to nginx!*", "a 403", "is no
 * longer shown", "an encrypted response") become checks on the step they talk about. A promise
 * that cannot be tied to a command that prints it becomes a warning, never a check on some other
 * step: a check that fails a correct run is worse than none.
 */
import type { Block } from '../blocks.js';
import { commandNames, dumpsPackets, simpleCommands } from '../commands.js';
import { findEncryptionPromises, findExpectations, meshMention, type Expectation } from '../expectations.js';
import type { Check, Diagnostic } from '../model.js';
import { firstLine } from './prose.js';
import type { Rerun } from './reruns.js';
import type { MutableStep } from './step-shape.js';

/** Where the checks inferred from prose go, and what inference tells the author. */
export interface CheckSinks {
  readonly diagnostics: Diagnostic[];
  /** Re-runs the text asks for, to be inserted once every pass has looked at the steps. */
  readonly reruns: Rerun[];
}

/** "You should see the *Welcome to nginx!* output" -> an inferred check on the step it talks about. */
export function addInferredChecks(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[], sinks: CheckSinks): void {
  const firstStep = firstStepOfBlock(stepBlock);
  blocks.forEach((block, blockIndex) => {
    const first = firstStep.get(blockIndex);
    if (first === undefined) return;
    const reruns = new Map<number, Rerun>(); // one re-run per sentence
    for (const e of findExpectations(block.prose)) {
      const line = block.proseLine + e.lineOffset;
      const rerunOf = e.rerun ? rerunTarget(steps, stepBlock, first, e) : undefined;
      if (rerunOf !== undefined) {
        const existing = reruns.get(e.lineOffset);
        const rerun = existing ?? { before: first, of: rerunOf, line, checks: [], sentence: e.sentence };
        if (existing === undefined) {
          reruns.set(e.lineOffset, rerun);
          sinks.reruns.push(rerun);
        }
        const check = checkFor(e, rerunOf, line, sinks);
        if (check !== undefined && !rerun.checks.some((c) => same(c, check))) rerun.checks.push(check);
        continue;
      }
      const target = targetStep(steps, stepBlock, first, e);
      if (target === undefined) {
        if (e.kind !== 'status')
          sinks.diagnostics.push({
            severity: 'warning',
            line,
            message: `the text promises ${e.kind === 'not-contains' ? 'the output no longer shows' : 'output showing'} "${e.text}", but no command next to the sentence prints it, so nothing checks it; put the command that shows it in a code block right before or after the sentence, or add an \`expect\` annotation`,
          });
        continue;
      }
      if (target.checks.some((c) => !c.inferred)) continue; // the author said exactly what to check
      const check = checkFor(e, target, line, sinks);
      if (check !== undefined && !target.checks.some((c) => same(c, check))) target.checks = [...target.checks, check];
    }
  });
}

/** The check an expectation makes on `target`, or undefined (a status the command does not print: a warning). */
function checkFor(e: Expectation, target: MutableStep, line: number, sinks: CheckSinks): Check | undefined {
  const because = clipSentence(e.sentence);
  if (e.kind !== 'status') return { kind: e.kind, text: e.text, inferred: true, line, because };
  const printer = statusPrinter(target);
  if (printer === 'none') return undefined;
  if (printer === 'silent') {
    sinks.diagnostics.push({
      severity: 'warning',
      line,
      message: `the text promises HTTP status ${e.text}, but \`${firstLine(target.commands.find((c) => /\b(?:curl|wget)\b/.test(c.text))?.text ?? '')}\` does not print the status, so nothing checks it; add \`-i\` or \`-w '%{http_code}\\n'\` to the command, or an \`expect\` annotation`,
    });
    return undefined;
  }
  return {
    kind: 'status',
    code: Number(e.text),
    ...(printer.format === undefined ? {} : { format: printer.format }),
    inferred: true,
    line,
    because,
  };
}

function same(a: Check, b: Check): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'contains' || a.kind === 'not-contains') && (b.kind === 'contains' || b.kind === 'not-contains'))
    return a.text === b.text;
  if (a.kind === 'status' && b.kind === 'status') return a.code === b.code;
  return true;
}

/** The sentence as `kata plan` quotes it. */
export function clipSentence(sentence: string): string {
  const flat = sentence.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

function firstStepOfBlock(stepBlock: readonly number[]): Map<number, number> {
  const firstStep = new Map<number, number>();
  stepBlock.forEach((blockIndex, stepIndex) => {
    if (!firstStep.has(blockIndex)) firstStep.set(blockIndex, stepIndex);
  });
  return firstStep;
}

/** A sentence talks about a step close to it: look this many steps away at most, when it names the command. */
const EXPECTATION_REACH = 8;

/** Commands that print nothing a promise could be about. */
const SILENT = new Set([
  'touch',
  'rm',
  'cd',
  'export',
  'mkdir',
  'sleep',
  'cp',
  'mv',
  'chmod',
  'chown',
  'ln',
  'kill',
  'true',
  ':',
  'source',
  '.',
  'unset',
  'set',
]);

function printsOutput(step: MutableStep): boolean {
  return step.commands.some((c) => commandNames(c.text).some((name) => !SILENT.has(name)));
}

/** The step an expectation is about: the one it introduces, the one before it, or the one it names. */
function targetStep(steps: readonly MutableStep[], stepBlock: readonly number[], first: number, e: Expectation): MutableStep | undefined {
  const runs = (s: MutableStep | undefined): s is MutableStep =>
    s !== undefined && s.run && (e.command === undefined || s.commands.some((c) => commandNames(c.text).includes(e.command as string)));
  const forward = (): MutableStep | undefined => {
    for (let i = first; i < steps.length && stepBlock[i] === stepBlock[first]; i++) if (runs(steps[i])) return steps[i];
    return undefined;
  };
  const back = (): MutableStep | undefined => {
    const reach = e.command === undefined ? 1 : EXPECTATION_REACH;
    let seen = 0;
    for (let i = first - 1; i >= 0 && seen < reach; i--) {
      const s = steps[i] as MutableStep;
      if (!s.run) continue;
      if (runs(s)) return s;
      seen++;
    }
    return undefined;
  };
  const introducesOutput = steps[first] !== undefined && !(steps[first] as MutableStep).run;
  let target: MutableStep | undefined;
  if (e.direction === 'back') target = back();
  else if (e.direction === 'forward') target = introducesOutput ? back() : forward();
  else if (e.direction === 'either') target = forward() ?? back();
  if (target === undefined || !printsOutput(target) || target.opens !== undefined) return undefined;
  return target;
}

/** The earlier step a "re-run the `curl` command" sentence repeats; undefined when the block it introduces is the re-run itself. */
function rerunTarget(steps: readonly MutableStep[], stepBlock: readonly number[], first: number, e: Expectation): MutableStep | undefined {
  const script = /\bscript\b/i.test(e.sentence);
  const matches = (s: MutableStep): boolean =>
    e.command !== undefined
      ? s.commands.some((c) => commandNames(c.text).includes(e.command as string))
      : !script || s.commands.some((c) => commandNames(c.text).some((n) => /\.sh$/.test(n)));
  const before = steps
    .slice(0, first)
    .reverse()
    .find((s) => s.run);
  // "re-running the `curl` command" while a capture runs: the capture's bound already re-runs it.
  if (before?.background === true && before.bound?.kind === 'while') return undefined;
  let earlier: MutableStep | undefined;
  for (let i = first - 1; i >= 0 && earlier === undefined; i--) {
    const s = steps[i] as MutableStep;
    if (s.run && !s.background && s.opens === undefined && s.rerunOf === undefined && matches(s) && printsOutput(s)) earlier = s;
  }
  if (earlier === undefined) return undefined;
  // "Re-run the query below:", or a block that repeats the command: the block itself is the re-run.
  const introduces = /:\s*$|\b(?:following|below)\b/i.test(e.sentence);
  const again = earlier.commands.map((c) => c.text).join('\n');
  for (let i = first; i < steps.length && stepBlock[i] === stepBlock[first]; i++) {
    const s = steps[i] as MutableStep;
    if (s.run && ((introduces && matches(s)) || s.commands.map((c) => c.text).join('\n') === again)) return undefined;
  }
  return earlier;
}

/** Does the step print an HTTP status: `curl -i/-I/-v/-w '%{http_code}'`, `wget -S`, httpie? */
function statusPrinter(step: MutableStep): { readonly format?: string } | 'silent' | 'none' {
  let client = false;
  for (const command of step.commands) {
    for (const words of simpleCommands(command.text)) {
      const name = (words[0] as string).split('/').pop();
      const args = words.slice(1);
      if (name === 'http' || name === 'https') return {};
      if (name === 'wget') {
        client = true;
        if (args.some((a) => a === '-S' || a === '--server-response')) return {};
      }
      if (name !== 'curl') continue;
      client = true;
      const w = args.findIndex((a) => a === '-w' || a === '--write-out');
      const format = w === -1 ? args.find((a) => a.startsWith('--write-out='))?.slice(12) : args[w + 1];
      if (format !== undefined && /%\{(?:http_code|response_code)\}/.test(format)) return { format };
      if (args.some((a) => ['--include', '--head', '--verbose'].includes(a) || /^-[a-zA-Z]*[iIv][a-zA-Z]*$/.test(a))) return {};
    }
  }
  return client ? 'silent' : 'none';
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
      target.checks = [
        ...target.checks,
        { kind: promise.kind, inferred: true, line: block.proseLine + promise.lineOffset, because: promise.words },
      ];
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
