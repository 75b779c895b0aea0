/**
 * Shown or run: which blocks are commands to run and which are output, files or other languages
 * to show (an annotation `run` or `skip` overrides the answer).
 */
import type { Block } from '../blocks.js';
import { isKnownCommand, looksLikeCommand, looksLikeOutput } from '../commands.js';
import { hasPrompts, splitCommands } from '../shell-lines.js';

const SHELL_LANGS = new Set(['', 'console', 'bash', 'sh', 'shell', 'zsh', 'shell-session', 'shellsession', 'terminal', 'session']);

const OUTPUT_CUE =
  /(?:\byou(?:'ll| will| should| would| can| may)?(?: now| then| eventually| also)? (?:see|get|notice)\b[^.]*:\s*$|\blooks? (?:something )?like(?: this| the following)?[.:]?\s*$|\bsomething like[.:]?\s*$|\b(?:output|result) (?:is|will be|should be|looks)\b[^.]*[:.]\s*$|\bsimilar to (?:this|the following)[.:]?\s*$)/i;

/** Why a block is shown rather than run, or undefined when it runs. */
export function shownReason(block: Block, previous: Block | undefined): string | undefined {
  if (!SHELL_LANGS.has(block.lang)) return `${block.lang} block`;
  const code = block.code;
  if (code.trim() === '') return 'empty block';
  const prompted = hasPrompts(code);
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
