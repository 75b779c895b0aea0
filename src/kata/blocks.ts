/**
 * First pass over a kata: markdown-it tokens -> headings and code blocks, each block with the
 * prose that introduces it and the annotation right before it. No inference here.
 */
import { createRequire } from 'node:module';
import type MarkdownIt from 'markdown-it';
import type { Options as MarkdownItOptions } from 'markdown-it';
import { KataError } from '../errors.js';
import { ANNOTATION, parseAnnotation, type Annotation } from './annotations.js';
import type { Phase, Section } from './model.js';

/** A code block as found in the Markdown. */
export interface Block {
  /** 1-based line of the opening fence (or first line of an indented block). */
  readonly line: number;
  /** 1-based line of the first line of code. */
  readonly codeLine: number;
  readonly lang: string;
  readonly code: string;
  /** Markdown between the previous block and this one, annotations removed. */
  readonly prose: string;
  /** 1-based line where `prose` starts. */
  readonly proseLine: number;
  readonly section: string;
  readonly phase: Phase;
  readonly annotation?: Annotation;
}

export interface Outline {
  readonly title: string;
  readonly sections: readonly Section[];
  readonly blocks: readonly Block[];
}

const CLEANUP_HEADING = /^\s*clean[\s-]?up\b/i;
/** Tokens that only wrap other blocks: an annotation may sit outside them and still apply to the block inside. */
const CONTAINERS = /^(bullet_list|ordered_list|list_item|blockquote)_(open|close)$/;
/**
 * How deep lists and quotes may nest. markdown-it stops reading at its nesting limit and drops
 * everything after (blocks and cleanup included) without a word: at this depth we refuse the kata.
 */
const MAX_NESTING = 100;
/** `[//]: # (comment)`: the Markdown comment idiom upstream katas use for metadata. */
const LINK_COMMENT = /^\s*\[\/\/\]:\s*#/;

let parser: MarkdownIt | undefined;

/**
 * markdown-it's CommonJS build is one file; its ES module build is some sixty. Loading the one
 * file saves about 60 ms of every `kata plan` and `kata lint`.
 */
function newParser(): MarkdownIt {
  const MarkdownItClass = createRequire(import.meta.url)('markdown-it') as typeof MarkdownIt;
  // maxNesting is a markdown-it option its type declarations leave out: set, so our limit is its limit.
  const options: MarkdownItOptions & { maxNesting: number } = { html: true, maxNesting: MAX_NESTING };
  const md = new MarkdownItClass(options);
  // Only the block structure is read here (headings, fences, HTML comments; prose is taken from
  // the lines themselves): inline parsing, and the rules that work on its result, are skipped.
  md.core.ruler.disable(['inline', 'linkify', 'replacements', 'smartquotes', 'text_join'], true);
  return md;
}

/** Splits Markdown into headings and code blocks. Throws KataError for unclosed fences and misplaced annotations. */
export function outline(text: string, file: string, fallbackTitle: string): Outline {
  parser ??= newParser();
  const tokens = parser.parse(text, {});
  // Split as markdown-it does (it reads a lone CR as a line break too), so its line numbers are ours.
  const lines = text.split(/\r\n?|\n/);
  const sections: Section[] = [];
  const blocks: Block[] = [];
  const hidden = new Set<number>(); // 0-based lines of annotations, left out of prose
  let pending: Annotation | undefined;
  let proseStart = 0;
  let cleanupLevel: number | undefined;
  let section = '';

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as (typeof tokens)[number];
    const map = token.map;
    if (token.nesting === 1 && token.level >= MAX_NESTING - 1 && CONTAINERS.test(token.type)) {
      throw new KataError(
        `lists and quotes are nested too deep here (${MAX_NESTING / 2} lists or ${MAX_NESTING} quotes inside each other): the Markdown parser stops reading at that depth`,
        {
          file,
          line: (map ?? [0])[0] + 1,
          hint: 'Nest lists and quotes less deeply: nothing after this line (code blocks, the cleanup) would be read.',
        },
      );
    }
    if (CONTAINERS.test(token.type) || token.type === 'inline' || token.type.endsWith('_close')) continue;

    // `<!-- kata id x -->` (no colon) is an annotation with a typo: say so rather than ignore it.
    if (
      token.type === 'html_block' &&
      map !== null &&
      /^\s*<!--\s*kata\s+(?:skip|run|id|in|as|timeout|retry|background|needs|expect)\b/i.test(token.content)
    ) {
      throw new KataError('this looks like a kata annotation but lacks the colon after "kata"', {
        file,
        line: map[0] + 1,
        hint: 'Write it as `<!-- kata: ... -->`.',
      });
    }
    if (token.type === 'html_block' && map !== null && /^\s*<!--\s*kata:/.test(token.content)) {
      const match = ANNOTATION.exec(token.content);
      if (match === null) {
        throw token.content.includes('-->')
          ? new KataError('this kata annotation shares its lines with other Markdown or HTML', {
              file,
              line: map[0] + 1,
              hint: 'Put `<!-- kata: ... -->` on lines of its own, right before the code block.',
            })
          : new KataError('this kata annotation is never closed', {
              file,
              line: map[0] + 1,
              hint: 'End it with `-->` on the same or a later line.',
            });
      }
      const parsed = parseAnnotation(match[1] as string, map[0] + 1, file);
      pending = pending === undefined ? parsed : mergeAnnotations(pending, parsed);
      for (let l = map[0]; l < map[1]; l++) hidden.add(l);
      continue;
    }

    if (token.type === 'fence' || token.type === 'code_block') {
      if (map === null) continue;
      if (token.type === 'fence') assertClosed(token.markup, lines, map, file);
      const proseLines = lines
        .slice(proseStart, map[0])
        .map((line, k) => (hidden.has(proseStart + k) || LINK_COMMENT.test(line) ? '' : line));
      const leading = proseLines.findIndex((line) => line.trim() !== '');
      const prose = proseLines.join('\n').trim();
      const block: { -readonly [K in keyof Block]: Block[K] } = {
        line: map[0] + 1,
        codeLine: token.type === 'fence' ? map[0] + 2 : map[0] + 1,
        lang: token.type === 'fence' ? (token.info.trim().split(/\s+/)[0] ?? '').toLowerCase() : '',
        code: token.content,
        prose,
        proseLine: proseStart + Math.max(leading, 0) + 1,
        section,
        phase: cleanupLevel === undefined ? 'main' : 'cleanup',
      };
      // Set afterwards, not spread in: spreads made building every block slower.
      if (pending !== undefined) block.annotation = pending;
      blocks.push(block);
      pending = undefined;
      proseStart = map[1];
      continue;
    }

    if (pending !== undefined) {
      throw new KataError('this kata annotation is not followed by a code block', {
        file,
        line: pending.line,
        hint: 'Put `<!-- kata: ... -->` on the line right before the ``` fence it applies to.',
      });
    }

    if (token.type === 'heading_open' && map !== null) {
      const level = Number(token.tag.slice(1));
      const title = (tokens[i + 1]?.content ?? '').trim();
      // The kata's title (an H1 before any other heading and any code block) is never its cleanup
      // phase, even when it reads "Clean up old images"; a `# Cleanup` after the first block is one.
      const isTitle = level === 1 && sections.length === 0 && blocks.length === 0;
      const cleanup = !isTitle && CLEANUP_HEADING.test(title);
      if (cleanupLevel !== undefined && level <= cleanupLevel && !cleanup) cleanupLevel = undefined;
      if (cleanup && cleanupLevel === undefined) cleanupLevel = level;
      sections.push({ title, level, line: map[0] + 1, cleanup });
      section = title;
    }
  }
  if (pending !== undefined) {
    throw new KataError('this kata annotation is not followed by a code block', {
      file,
      line: pending.line,
      hint: 'Put `<!-- kata: ... -->` on the line right before the ``` fence it applies to.',
    });
  }
  const title = (sections.find((s) => s.level === 1 && !s.cleanup) ?? sections[0])?.title ?? fallbackTitle;
  return { title, sections, blocks };
}

/** markdown-it runs an unclosed fence to the end of its container; a kata with one is almost surely broken. */
function assertClosed(markup: string, lines: readonly string[], map: [number, number], file: string): void {
  const last = map[1] - 1;
  const closing = last > map[0] ? (lines[last] ?? '').replace(/^[\s>]*/, '').trimEnd() : '';
  const ok = closing.length >= markup.length && closing === (markup[0] as string).repeat(closing.length);
  if (!ok) {
    throw new KataError(`this code block (opened with ${markup}) is never closed`, {
      file,
      line: map[0] + 1,
      hint: `Add a line with ${markup} where the block ends.`,
    });
  }
}

function mergeAnnotations(a: Annotation, b: Annotation): Annotation {
  const merged: Annotation = {
    ...a,
    ...b,
    line: a.line,
    skip: a.skip || b.skip,
    run: a.run || b.run,
    needs: [...new Set([...a.needs, ...b.needs])],
    checks: [...a.checks, ...b.checks],
  };
  return merged;
}
