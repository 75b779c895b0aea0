/**
 * The prose around a block, read the way inference needs it: its last paragraph, without emphasis.
 */

/** The paragraph right before the block: the one that says where and how it runs. */
export function lastParagraph(prose: string): string {
  const paragraphs = prose.split(/\n\s*\n/);
  return paragraphs[paragraphs.length - 1] ?? '';
}

/** Prose with emphasis marks removed, so "a **new** terminal" reads as "a new terminal". */
export function plainProse(prose: string): string {
  const plain = prose.includes('*') || prose.includes('_') ? prose.replace(/[*_]{1,3}([^*_\n]+)[*_]{1,3}/g, '$1') : prose;
  return /\s\s|[\t\n\r\f\v]/.test(plain) ? plain.replace(/\s+/g, ' ') : plain;
}

/** A command's first line, cut for a message. */
export function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
