/**
 * The folder kata-runner is installed in (the one holding its package.json, `lab/` and
 * `katas/`), found by walking up from this module: the same answer from src/ (tests), from
 * dist/ (tsc) and from the bundle's chunks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'kata-runner') return (root = dir);
    if (dirname(dir) === dir) throw new Error(`kata-runner's package.json was not found above ${fileURLToPath(import.meta.url)}`);
  }
}

/** kata-runner's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
