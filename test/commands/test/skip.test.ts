import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namespaceFor } from '../../../src/commands/test/attempt.js';
import { discoverKatas } from '../../../src/commands/test/discover.js';
import { appliedFiles, skipReason } from '../../../src/commands/test/skip.js';
import { loadKata } from '../../../src/kata/parse.js';
import { dedent } from '../../helpers/kata.js';

const fence = '```';
const MESH = { cluster: 'v1.34.0', mesh: { name: 'istio', version: '1.31.0', ready: true } } as const;
const PLAIN = { cluster: 'v1.34.0' } as const;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kata-test-skip-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), dedent(text));
  }
  return dir;
}

const applies = (file: string): string => `
  # Applies ${file}
  ${fence}console
  kubectl apply -f ${file}
  ${fence}
  `;

describe('appliedFiles', () => {
  it('finds the files given to kubectl apply, create and replace with -f or --filename', () => {
    expect(appliedFiles('kubectl apply -f deploy/a.yaml')).toEqual(['deploy/a.yaml']);
    expect(appliedFiles('kubectl -n web create --filename=b.yaml && kubectl replace -f c.yaml')).toEqual(['b.yaml', 'c.yaml']);
    expect(appliedFiles('kubectl apply -f "deploy/a.yaml"')).toEqual(['deploy/a.yaml']);
  });

  it('ignores stdin, URLs, placeholders, globs and -f of other subcommands (logs -f follows)', () => {
    expect(appliedFiles('cat x.yaml | kubectl apply -f -')).toEqual([]);
    expect(appliedFiles('kubectl apply -f https://example.com/a.yaml')).toEqual([]);
    expect(appliedFiles('kubectl apply -f $DIR/a.yaml')).toEqual([]);
    expect(appliedFiles('kubectl logs -f deploy/web')).toEqual([]);
    expect(appliedFiles('kubectl create deploy web --image nginx')).toEqual([]);
  });
});

describe('skipReason', () => {
  it('skips a kata that applies a file which is not next to it, naming the file and line', () => {
    const dir = folder({ 'a.md': applies('deploy/missing.yaml') });
    expect(skipReason(loadKata(join(dir, 'a.md')), MESH)).toBe('applies deploy/missing.yaml (line 3), which is not next to the kata');
  });

  it('runs a kata whose applied files are next to it (a file or a folder)', () => {
    const dir = folder({ 'a.md': applies('deploy/'), 'b.md': applies('deploy/web.yaml'), 'deploy/web.yaml': 'kind: Pod\n' });
    expect(skipReason(loadKata(join(dir, 'a.md')), PLAIN)).toBeUndefined();
    expect(skipReason(loadKata(join(dir, 'b.md')), PLAIN)).toBeUndefined();
  });

  it('skips a kata that needs a mesh only on a cluster without one', () => {
    const dir = folder({
      'm.md': `
        # Mesh
        <!-- kata: needs mesh -->
        ${fence}console
        kubectl get pods
        ${fence}
        `,
    });
    const kata = loadKata(join(dir, 'm.md'));
    expect(skipReason(kata, PLAIN)).toMatch(/^needs a service mesh \(line 4\), and the cluster has none$/);
    expect(skipReason(kata, MESH)).toBeUndefined();
  });
});

describe('discoverKatas', () => {
  it('takes files as named and, in folders (below them too), Markdown with a step to run, in name order', () => {
    const dir = folder({
      'b.md': applies('x.yaml'),
      'sub/a.md': applies('y.yaml'),
      'notes.md': '# Only prose\n\nNothing to run.\n',
      '.hidden/c.md': applies('z.yaml'),
      'script.sh': 'echo hi\n',
    });
    expect(discoverKatas([dir], loadKata)).toEqual([join(dir, 'b.md'), join(dir, 'sub/a.md')]);
    expect(discoverKatas([join(dir, 'notes.md'), dir, join(dir, 'b.md')], loadKata)).toEqual([
      join(dir, 'notes.md'),
      join(dir, 'b.md'),
      join(dir, 'sub/a.md'),
    ]);
  });

  it('says which path does not exist', () => {
    expect(() => discoverKatas(['/no/such/katas'], loadKata)).toThrow(/\/no\/such\/katas: no such file or folder/);
  });
});

describe('namespaceFor', () => {
  it('names the kata in a DNS label of at most 63 characters', () => {
    expect(namespaceFor('katas/First Steps.md', 'abc123')).toBe('kata-test-first-steps-abc123');
    const long = namespaceFor(`${'x'.repeat(100)}.md`);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(namespaceFor('___.md', 'ff0000')).toBe('kata-test-kata-ff0000');
  });
});
