/**
 * The folder kata-runner is installed in (the one holding its package.json, `lab/` and
 * `katas/`), found by walking up from this module: the same answer from src/ (tests), from
 * dist/ (tsc) and from the bundle's chunks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Found {
  readonly dir: string;
  readonly version: string;
}
let found: Found | undefined;

function find(): Found {
  if (found !== undefined) return found;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'kata-runner') return (found = { dir, version: manifest.version ?? 'unknown' });
    }
    if (dirname(dir) === dir) throw new Error(`kata-runner's package.json was not found above ${fileURLToPath(import.meta.url)}`);
  }
}

export function packageRoot(): string {
  return find().dir;
}

/** kata-runner's version, from its package.json. */
export function packageVersion(): string {
  return find().version;
}
