/** Markdown -> Kata: the whole of what `src/kata/` offers the rest of the program. */
import { basename } from 'node:path';
import { outline } from './blocks.js';
import { inferSteps } from './infer/index.js';
import type { Kata } from './model.js';
import { readKataFile } from './read.js';

/** Parses kata Markdown. `file` is used in messages and as the title of a kata without headings. */
export function parseKata(text: string, file: string): Kata {
  const { title, sections, blocks } = outline(text, file, basename(file).replace(/\.md$/i, ''));
  const { steps, contexts, diagnostics } = inferSteps(blocks, file);
  return { file, title, sections, steps, contexts, diagnostics };
}

/** Reads and parses a kata file; every problem is a KataError naming file:line. */
export function loadKata(file: string): Kata {
  return parseKata(readKataFile(file), file);
}
