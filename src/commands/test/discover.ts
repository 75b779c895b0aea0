/**
 * Which katas `kata test PATH...` runs: a file named is a kata; a folder is searched (below it
 * too) for Markdown files with at least one step to run, in name order. Hidden folders and
 * node_modules are not searched.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Kata } from '../../kata/model.js';

/**
 * The kata files under `paths`, each once, in the order given (a folder's in name order).
 * `load` returns undefined for a file that cannot be read as a kata: such a file in a folder is
 * found all the same (the suite reports it errored), since a kata with a mistake is still a kata.
 */
export function discoverKatas(paths: readonly string[], load: (file: string) => Kata | undefined): string[] {
  const found: string[] = [];
  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new UsageError(`${path}: no such file or folder`, 'Name kata files or folders that hold them, e.g. `kata test katas/`.');
    }
    if (!isFolder) found.push(path);
    else found.push(...markdownUnder(path).filter((file) => load(file)?.steps.some((s) => s.run) ?? true));
  }
  return [...new Set(found)];
}

function markdownUnder(folder: string): string[] {
  const files: string[] = [];
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...markdownUnder(path));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) files.push(path);
  }
  return files;
}
