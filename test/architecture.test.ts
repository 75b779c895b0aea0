/**
 * The layout of src/ as README "Development" describes it, checked on the source itself: no
 * import cycle (static, type-only or dynamic), and exit codes known only to the error module and
 * the top-level handler. Which module may import what is ESLint's (eslint.config.js).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const SRC = join(ROOT, 'src');

function sources(dir: string = SRC): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(entry) ? [path] : [];
  });
}

/** Each module's relative imports (`import`, `import type`, `export ... from`, `import('...')`), as files. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/gm)].map(
      (m) => (m[1] ?? m[2]) as string,
    );
    graph.set(
      file,
      specs.flatMap((spec) => {
        const base = resolve(dirname(file), spec).replace(/\.js$/, '');
        return ['.ts', '.tsx'].map((ext) => base + ext).filter((candidate) => known.has(candidate));
      }),
    );
  }
  return graph;
}

/** Every cycle found by a depth-first walk, as `a.ts -> b.ts -> a.ts`. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const found: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next].map((f) => relative(SRC, f)).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('the layout of src/', () => {
  it('has no import cycle', () => {
    expect(cycles(importGraph(sources()))).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself can fail)', () => {
    const a = join(SRC, 'a.ts');
    const b = join(SRC, 'b.ts');
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual(['a.ts -> b.ts -> a.ts']);
  });

  it('knows exit codes only in the error module and the top-level handler', () => {
    const users = sources()
      .filter((file) => /\bExitCode\./.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file))
      .sort();
    expect(users).toEqual(['errors.ts']);
  });
});
