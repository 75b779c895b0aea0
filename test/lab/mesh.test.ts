/**
 * With the lab's mesh up (`kata lab up --mesh`): a warm `up --mesh` rebuilds and refetches
 * nothing, `status` and `mesh status` report Istio, and the `default` namespace is in the mesh.
 */
import { describe, expect, it } from 'vitest';
import { labCommand } from '../helpers/lab-command.js';
import { readLabState } from '../../src/lab/status.js';
import { isRoot, labUp, needsLab, paths } from '../helpers/lab.js';

const mesh = labUp ? (await readLabState(paths)).mesh : undefined;
const why = !labUp ? needsLab : mesh?.ready !== true ? ' (skipped: the lab has no mesh; run `sudo kata lab up --mesh` first)' : !isRoot ? ' (skipped: needs root)' : '';

describe.skipIf(why !== '')(`the lab's mesh${why}`, () => {
  it('comes up warm without building, fetching or pushing anything', async () => {
    const lines: string[] = [];
    expect(await labCommand(['up', '--mesh'], (l) => lines.push(l), paths)).toBe(0);
    const text = lines.join('\n');
    expect(text).not.toMatch(/^(building|fetching|images? .*mmdebstrap|images built)/m);
    expect(text).toMatch(/^ {2}smoke test: an injected pod \(\d+s\)$/m);
    expect(text).toMatch(/^kata lab: mesh up in \d+s$/m);
  });

  it('is reported by status and mesh status', async () => {
    const status: string[] = [];
    expect(await labCommand(['status'], (l) => status.push(l), paths)).toBe(0);
    expect(status).toContainEqual(expect.stringMatching(/^ {2}mesh: Istio 1\.31\.0-lab, istiod Ready; injection on in: .*\bdefault\b/));
    const meshStatus: string[] = [];
    expect(await labCommand(['mesh', 'status'], (l) => meshStatus.push(l), paths)).toBe(0);
    expect(meshStatus).toEqual([expect.stringMatching(/^kata lab: mesh: Istio 1\.31\.0-lab, istiod Ready; injection on in: .*\bdefault\b/)]);
  });
});
