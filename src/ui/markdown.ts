/**
 * A step's prose, from Markdown to lines of styled spans a terminal can show: headings,
 * emphasis, inline code, links (text and address), lists, block quotes; an image becomes its alt
 * text and path. HTML (the kata's own annotations) is dropped.
 */
import MarkdownIt, { type Token } from 'markdown-it';

/** A run of text with one style. */
export interface Span {
  readonly text: string;
  readonly bold?: boolean;
  readonly italic?: boolean;
  readonly code?: boolean;
  readonly link?: boolean;
  readonly dim?: boolean;
}

/** One block of prose: a paragraph, heading, list item or quoted paragraph. */
export interface ProseBlock {
  readonly kind: 'heading' | 'paragraph';
  /** Put before the first line (`• `, `1. `); later lines are indented by as much. */
  readonly prefix: string;
  /** Nesting of block quotes: each level is drawn as a bar. */
  readonly quote: number;
  /** Indentation of nested lists, in columns. */
  readonly indent: number;
  readonly spans: readonly Span[];
}

let parser: MarkdownIt | undefined;

const HTML_TAG = /^<\/?(a|abbr|b|br|code|del|details|div|em|i|img|ins|kbd|mark|p|s|small|span|strong|sub|summary|sup|u)(\s[^>]*)?\/?>$/i;

/** Parses prose into blocks. */
export function proseBlocks(markdown: string): ProseBlock[] {
  parser ??= new MarkdownIt({ html: true, linkify: false });
  const tokens = parser.parse(markdown, {});
  const blocks: ProseBlock[] = [];
  const lists: { ordered: boolean; next: number }[] = [];
  let quote = 0;
  let pendingPrefix = '';
  let heading = false;
  for (const token of tokens) {
    switch (token.type) {
      case 'bullet_list_open':
        lists.push({ ordered: false, next: 1 });
        break;
      case 'ordered_list_open':
        lists.push({ ordered: true, next: Number(token.attrGet('start') ?? 1) });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
      case 'list_item_open': {
        const list = lists[lists.length - 1];
        if (list !== undefined) pendingPrefix = list.ordered ? `${list.next++}. ` : '• ';
        break;
      }
      case 'blockquote_open':
        quote++;
        break;
      case 'blockquote_close':
        quote--;
        break;
      case 'heading_open':
        heading = true;
        break;
      case 'heading_close':
        heading = false;
        break;
      case 'inline': {
        const spans = inlineSpans(token.children ?? []);
        if (spans.length === 0) break;
        blocks.push({
          kind: heading ? 'heading' : 'paragraph',
          prefix: pendingPrefix,
          quote,
          indent: Math.max(0, lists.length - 1) * 2,
          spans: heading ? spans.map((s) => ({ ...s, bold: true })) : spans,
        });
        pendingPrefix = '';
        break;
      }
      case 'code_block':
      case 'fence':
        blocks.push({ kind: 'paragraph', prefix: '', quote, indent: 2, spans: [{ text: token.content.replace(/\n$/, ''), code: true }] });
        break;
      default:
        break;
    }
  }
  return blocks;
}

function inlineSpans(children: readonly Token[]): Span[] {
  const spans: Span[] = [];
  let bold = 0;
  let italic = 0;
  let href: string | undefined;
  const push = (text: string, extra: Partial<Span> = {}): void => {
    if (text === '') return;
    spans.push({
      text,
      ...(bold > 0 ? { bold: true } : {}),
      ...(italic > 0 ? { italic: true } : {}),
      ...(href !== undefined ? { link: true } : {}),
      ...extra,
    });
  };
  for (const child of children) {
    switch (child.type) {
      case 'text':
        push(child.content);
        break;
      case 'code_inline':
        push(child.content, { code: true });
        break;
      case 'softbreak':
        push(' ');
        break;
      case 'hardbreak':
        push('\n');
        break;
      case 'strong_open':
        bold++;
        break;
      case 'strong_close':
        bold--;
        break;
      case 'em_open':
        italic++;
        break;
      case 'em_close':
        italic--;
        break;
      case 'link_open':
        href = child.attrGet('href') ?? '';
        break;
      case 'link_close': {
        const target = href;
        href = undefined;
        const shown = spans.map((s) => s.text).join('');
        if (target !== undefined && target !== '' && !shown.endsWith(target)) push(` (${target})`, { dim: true });
        break;
      }
      case 'image': {
        const alt = child.children?.map((c) => c.content).join('') ?? child.content;
        push(`[image: ${alt === '' ? 'no description' : alt}]`, { italic: true });
        push(` (${child.attrGet('src') ?? ''})`, { dim: true });
        break;
      }
      case 'html_inline':
        // `<nginx POD>` reads as HTML to Markdown but is a placeholder to the learner: keep it.
        // Comments (annotations) and real tags (<br>, <b>) are not shown.
        if (!child.content.startsWith('<!--') && !HTML_TAG.test(child.content)) push(child.content);
        break;
      default:
        break;
    }
  }
  // Drop leading/trailing blanks left by removed HTML.
  return spans.filter((s, i) => !(s.text.trim() === '' && (i === 0 || i === spans.length - 1)));
}

/** The plain text of blocks (for tests and the final summary). */
export function proseText(blocks: readonly ProseBlock[]): string {
  return blocks
    .map(
      (b) => `${'│ '.repeat(b.quote)}${' '.repeat(b.indent)}${b.prefix}${b.spans.map((s) => (s.code ? `\`${s.text}\`` : s.text)).join('')}`,
    )
    .join('\n');
}
