/**
 * Contexts: where each command runs (the learner's host, or a shell the kata opened in a pod),
 * from kubectl, cues in the prose ("in the multitool pod", "in a new terminal") and which
 * shells are open; grouping a block's commands into steps at every change of shell.
 */
import { KataError } from '../../errors.js';
import type { Annotation } from '../annotations.js';
import type { Block } from '../blocks.js';
import { isLongRunning, parseShellOpener, runsKubectl } from '../commands.js';
import { HOST, type Command, type ContextInfo, type ContextReason, type Diagnostic, type ShellOpener } from '../model.js';
import { podOfApp, wholePlaceholder } from '../placeholders.js';
import type { splitCommands } from '../shell-lines.js';
import { firstLine, lastParagraph, plainProse } from './prose.js';
import type { MutableContext } from './step-shape.js';

const HOST_CUE =
  /\b(?:another|a new|a second|a separate|new|other|second|separate)\s+(?:terminal|shell|window|tab)\b|\bon (?:your|the) (?:host|machine|laptop|workstation|computer)\b|\boutside (?:of )?the (?:pod|container)\b|\blocal (?:terminal|shell)\b/i;
const NAMED_CUE =
  /\b(?:from|in|inside|within|into)\s+(?:the\s+|our\s+|this\s+|that\s+|your\s+)?([\w-]+)\s+(?:container|pod|shell|terminal)s?\b/gi;
const OPENER_ALIAS = /\b(?:into|in|inside|to|on)\s+(?:the\s+|a\s+|our\s+|this\s+)?([\w-]+)\s+(?:pod|container)\b/gi;
/** Words before "pod" or "container" that name no shell ("the same pod", "a new container"). */
const NOT_ALIASES = new Set('same running other new another first second a the this that existing each every one'.split(' '));

/** A run of a block's commands in one shell: one step. */
export interface Segment {
  context: string;
  reason: ContextReason;
  commands: Command[];
  opens?: string;
}

export interface ContextState {
  readonly contexts: MutableContext[];
  readonly open: string[];
  readonly diagnostics: Diagnostic[];
  readonly skip: boolean;
  readonly file: string;
}

/** Decides the context of each command of a block and groups them into steps. */
export function assignContexts(
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
      // A long-running command is alone in its step (so the first command says): no scan of
      // the step's commands, which made a block of many commands quadratic.
      current.commands[0]?.longRunning === true
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
