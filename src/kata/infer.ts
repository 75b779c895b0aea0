/**
 * Second pass: turns code blocks into steps the way a careful reader would. Decides which blocks
 * run, where each command runs (host or a shell the kata opened), which commands are background
 * jobs and for how long, and which sentences promise something checkable.
 */
import { KataError } from '../errors.js';
import type { Annotation } from './annotations.js';
import type { Block } from './blocks.js';
import {
  commandNames,
  dumpsPackets,
  isKnownCommand,
  isLongRunning,
  looksLikeCommand,
  looksLikeOutput,
  parseShellOpener,
  runsKubectl,
} from './commands.js';
import { placeholdersIn, podOfApp, wholePlaceholder } from './placeholders.js';
import { findEncryptionPromises, findExpectations, meshMention } from './expectations.js';
import {
  HOST,
  type BackgroundBound,
  type Check,
  type Command,
  type ContextInfo,
  type ContextReason,
  type Diagnostic,
  type ShellOpener,
  type Step,
} from './model.js';
import { splitCommands } from './shell-lines.js';

/** How long an inferred background step runs when nothing else bounds it. */
export const DEFAULT_BACKGROUND_MS = 10_000;

const SHELL_LANGS = new Set(['', 'console', 'bash', 'sh', 'shell', 'zsh', 'shell-session', 'shellsession', 'terminal', 'session']);

const HOST_CUE =
  /\b(?:another|a new|a second|a separate|new|other|second|separate)\s+(?:terminal|shell|window|tab)\b|\bon (?:your|the) (?:host|machine|laptop|workstation|computer)\b|\boutside (?:of )?the (?:pod|container)\b|\blocal (?:terminal|shell)\b/i;
const NAMED_CUE =
  /\b(?:from|in|inside|within|into)\s+(?:the\s+|our\s+|this\s+|that\s+|your\s+)?([\w-]+)\s+(?:container|pod|shell|terminal)s?\b/gi;
const OPENER_ALIAS = /\b(?:into|in|inside|to|on)\s+(?:the\s+|a\s+|our\s+|this\s+)?([\w-]+)\s+(?:pod|container)\b/gi;
const NOT_ALIASES = new Set([
  'same',
  'running',
  'other',
  'new',
  'another',
  'first',
  'second',
  'a',
  'the',
  'this',
  'that',
  'existing',
  'each',
  'every',
  'one',
]);
const RERUN = /\bre-?run(?:ning)?\s+(?:the\s+)?`?([\w./-]+)`?(?:\s+[\w-]+){0,2}?\s+(?:command|query|request|loop|for-loop)/i;
const OUTPUT_CUE =
  /(?:\byou(?:'ll| will| should| would| can| may)?(?: now| then| eventually| also)? (?:see|get|notice)\b[^.]*:\s*$|\blooks? (?:something )?like(?: this| the following)?[.:]?\s*$|\bsomething like[.:]?\s*$|\b(?:output|result) (?:is|will be|should be|looks)\b[^.]*[:.]\s*$|\bsimilar to (?:this|the following)[.:]?\s*$)/i;

/** What inference produces from the blocks of a kata. */
export interface Inferred {
  readonly steps: Step[];
  readonly contexts: MutableContext[];
  readonly diagnostics: Diagnostic[];
}

interface Segment {
  context: string;
  reason: ContextReason;
  commands: Command[];
  opens?: string;
}

type MutableContext = { -readonly [K in keyof ContextInfo]: ContextInfo[K] };
type MutableStep = { -readonly [K in keyof Step]: Step[K] };

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
  addInferredChecks(steps, stepBlock, blocks);
  addCaptureChecks(steps, stepBlock, blocks);
  return { steps, contexts, diagnostics };
}

/** Why a block is shown rather than run, or undefined when it runs. */
function shownReason(block: Block, previous: Block | undefined): string | undefined {
  if (!SHELL_LANGS.has(block.lang)) return `${block.lang} block`;
  const code = block.code;
  if (code.trim() === '') return 'empty block';
  const prompted = /^\s*\$ /m.test(code);
  if (!prompted && looksLikeOutput(code)) return 'output';
  const lastSentence =
    block.prose
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? '';
  const first = code.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  const command = prompted || isKnownCommand(first);
  if (!prompted && OUTPUT_CUE.test(lastSentence) && !command) return 'output';
  // An unlabelled block right after another block with no prose between is the output of the one before.
  if (block.lang === '' && block.prose === '' && previous !== undefined && !command) return 'output';
  if (block.lang === '' && !prompted) {
    const lines = code.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    const joined = splitCommands(code, 1).commands;
    if (!lines.every(looksLikeCommand) && !joined.every((c) => looksLikeCommand(c.text))) return 'not commands';
  }
  return undefined;
}

interface ContextState {
  readonly contexts: MutableContext[];
  readonly open: string[];
  readonly diagnostics: Diagnostic[];
  readonly skip: boolean;
  readonly file: string;
}

/** Decides the context of each command of a block and groups them into steps. */
function assignContexts(
  block: Block,
  a: Annotation | undefined,
  commands: ReturnType<typeof splitCommands>['commands'],
  state: ContextState,
): Segment[] {
  // Only the paragraph right before the block says where it runs; earlier prose talks about earlier
  // blocks. Read only when a command needs it (kubectl commands run on the host whatever it says).
  let plain: { prose: string; hostCue: boolean } | undefined;
  const cues = (): { prose: string; hostCue: boolean } => {
    if (plain === undefined) {
      const prose = plainProse(lastParagraph(block.prose));
      plain = { prose, hostCue: HOST_CUE.test(prose) };
    }
    return plain;
  };
  const segments: Segment[] = [];
  let current: Segment | undefined;
  let warned = false;
  let asUsed = false;

  for (const source of commands) {
    const command: Command = { text: source.text, line: source.line, longRunning: isLongRunning(source.text) };
    let context: string;
    let reason: ContextReason;
    if (a?.in !== undefined) {
      context = a.in.name;
      reason = 'annotation';
      if (context !== HOST && !state.contexts.some((c) => c.name === context)) {
        const known = [HOST, ...state.contexts.map((c) => c.name)].join(', ');
        throw new KataError(`no context named "${context}" is opened before this block`, {
          file: state.file,
          line: a.in.line,
          hint: `Contexts opened so far: ${known}. Name a context with \`as NAME\` on the block that opens it.`,
        });
      }
    } else if (runsKubectl(source.text)) {
      context = HOST;
      reason = 'kubectl-on-host';
    } else if (cues().hostCue) {
      context = HOST;
      reason = 'host-cue';
    } else {
      const named = namedContext(cues().prose, state);
      if (named !== undefined) {
        context = named;
        reason = 'named-cue';
      } else if (state.open.length > 0) {
        context = state.open[state.open.length - 1] as string;
        reason = 'most-recent';
        if (state.open.length > 1 && !warned) {
          warned = true;
          state.diagnostics.push({
            severity: 'warning',
            line: source.line,
            message: `\`${firstLine(source.text)}\` runs in "${context}", the most recently opened of the shells ${state.open.map((n) => `"${n}"`).join(', ')}, but the text does not say which; add \`<!-- kata: in ${context} -->\` before the block to make it explicit`,
          });
        }
      } else {
        context = HOST;
        reason = 'no-context-open';
      }
    }

    if (
      current === undefined ||
      current.context !== context ||
      current.opens !== undefined ||
      command.longRunning ||
      current.commands.some((c) => c.longRunning)
    ) {
      current = { context, reason, commands: [] };
      segments.push(current);
    }
    current.commands.push(command);

    const opener = parseShellOpener(source.text);
    if (opener !== undefined && !state.skip) {
      const name = !asUsed && a?.as !== undefined ? a.as : contextName(opener, state.contexts);
      if (name === HOST)
        throw new KataError('"host" is the learner\'s own shell and cannot name a context', {
          file: state.file,
          line: a?.line ?? source.line,
          hint: 'Pick another name for `as`.',
        });
      asUsed = asUsed || a?.as !== undefined;
      if (!state.contexts.some((c) => c.name === name)) {
        state.contexts.push({ name, openedBy: '', opener, aliases: aliasesFor(name, opener, cues().prose) });
      }
      const at = state.open.indexOf(name);
      if (at !== -1) state.open.splice(at, 1);
      state.open.push(name);
      current.opens = name;
    } else if (/^(exit|logout)(\s+\d+)?$/.test(source.text) && context !== HOST && !state.skip) {
      const at = state.open.indexOf(context);
      if (at !== -1) state.open.splice(at, 1);
    }
  }
  return segments;
}

function namedContext(prose: string, state: ContextState): string | undefined {
  let found: string | undefined;
  let foundRank = -1;
  for (const match of prose.matchAll(NAMED_CUE)) {
    const word = (match[1] as string).toLowerCase();
    for (const name of state.open) {
      const info = state.contexts.find((c) => c.name === name);
      const rank = state.open.indexOf(name);
      if (info !== undefined && info.aliases.includes(word) && rank > foundRank) {
        found = name;
        foundRank = rank;
      }
    }
  }
  return found;
}

/** A readable, unique name for a shell: `multitool` for `<multitool POD>`, `nginx-debug` for a debug container. */
function contextName(opener: ShellOpener, contexts: readonly ContextInfo[]): string {
  const target = opener.target;
  const placeholder = wholePlaceholder(target);
  let base = slug(placeholder === undefined ? (target.split('/').pop() ?? target) : (podOfApp(placeholder) ?? placeholder));
  if (opener.kind === 'debug') base = `${base}-debug`;
  const same = contexts.find((c) => c.name === base);
  if (same === undefined || sameShell(same.opener, opener)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    const existing = contexts.find((c) => c.name === candidate);
    if (existing === undefined || sameShell(existing.opener, opener)) return candidate;
  }
}

function sameShell(a: ShellOpener, b: ShellOpener): boolean {
  return a.kind === b.kind && a.target === b.target && a.image === b.image && a.container === b.container;
}

function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'shell' : s;
}

function aliasesFor(name: string, opener: ShellOpener, prose: string): string[] {
  const aliases = new Set<string>([name]);
  const app = podOfApp(wholePlaceholder(opener.target) ?? '');
  if (app !== undefined) aliases.add(app.toLowerCase());
  aliases.add(slug(opener.target.split('/').pop() ?? opener.target));
  if (opener.kind === 'debug') {
    for (const word of ['debug', 'debugging', 'debugger', 'ephemeral']) aliases.add(word);
  } else {
    for (const match of prose.matchAll(OPENER_ALIAS)) {
      const word = (match[1] as string).toLowerCase();
      if (!NOT_ALIASES.has(word)) aliases.add(word);
    }
  }
  return [...aliases];
}

/** Ids: `id NAME` from the annotation, else `s<N>` by position; duplicates are an error. */
function assignIds(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[], file: string): void {
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

/** Background bounds: as annotated; else "while re-running the X command"; else while the next step runs; else a fixed time. */
function assignBounds(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[], file: string): void {
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

/** "You should see the *Welcome to nginx!* output" -> an inferred `output contains` check on the step it talks about. */
function addInferredChecks(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[]): void {
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
function addCaptureChecks(steps: MutableStep[], stepBlock: readonly number[], blocks: readonly Block[]): void {
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

type StepParts = Pick<
  MutableStep,
  'line' | 'run' | 'context' | 'contextReason' | 'commands' | 'background' | 'needs' | 'placeholders' | 'checks'
>;

/**
 * A step of `block`. Every step is built here, property by property in one order: object spreads
 * of this size were the slowest part of parsing, and one shape keeps property access fast.
 */
function blockStep(block: Block, parts: StepParts): MutableStep {
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
function shownStep(block: Block, reason: string): MutableStep {
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

function lastParagraph(prose: string): string {
  const paragraphs = prose.split(/\n\s*\n/);
  return paragraphs[paragraphs.length - 1] ?? '';
}

/** Prose with emphasis marks removed, so "a **new** terminal" reads as "a new terminal". */
function plainProse(prose: string): string {
  const plain = prose.includes('*') || prose.includes('_') ? prose.replace(/[*_]{1,3}([^*_\n]+)[*_]{1,3}/g, '$1') : prose;
  return /\s\s|[\t\n\r\f\v]/.test(plain) ? plain.replace(/\s+/g, ' ') : plain;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
