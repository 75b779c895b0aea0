/**
 * `kata lab` without a lab: usage, status of a lab that was never started, and how script
 * outcomes become exit codes and errors. The scripts are tiny fixtures in a temporary lab dir.
 */
import { chmodSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../src/errors.js';
import { runLabScript } from '../../src/exec/lab-scripts.js';
import { labStatus, labUp } from '../../src/lab/index.js';
import { labCommand } from '../helpers/lab-command.js';
import { labPaths } from '../../src/lab/paths.js';

const isRoot = process.getuid?.() === 0;

/** A lab whose up.sh / down.sh are the given bash bodies, with an empty state folder of its own. */
function fakeLab(scripts: { up?: string; down?: string }) {
  const root = mkdtempSync(join(tmpdir(), 'kata-lab-'));
  const scriptsDir = join(root, 'lab');
  mkdirSync(scriptsDir);
  mkdirSync(join(root, 'state'));
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(scriptsDir, `${name}.sh`), `#!/bin/bash\n${body}\n`);
    chmodSync(join(scriptsDir, `${name}.sh`), 0o755);
  }
  return labPaths({ KATA_LAB_DIR: join(root, 'state') }, scriptsDir);
}

function collect(): { lines: string[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line) };
}

describe('kata lab', () => {
  it('answers a missing or unknown subcommand with the usage and exit 2', async () => {
    const out = collect();
    expect(await labCommand([], out.write, fakeLab({}))).toBe(2);
    expect(await labCommand(['start'], out.write, fakeLab({}))).toBe(2);
    expect(await labCommand(['down', '--force'], out.write, fakeLab({}))).toBe(2);
    expect(out.lines.join('\n')).toContain('Usage: kata lab up [--mesh] | down [--purge] | status | env | mesh up|down|status');
  });

  it('status of a lab that never ran says so and exits 3', async () => {
    const out = collect();
    const paths = fakeLab({});
    expect(await labCommand(['status'], out.write, paths)).toBe(3);
    expect(out.lines[0]).toBe('kata lab: not running (start it with `kata lab up`)');
    expect(await labStatus(() => undefined, paths)).toEqual({ running: false, nodeReady: false, dnsReady: false });
  });

  it('env prints the shell lines that point kubectl at the lab\'s state folder, and exits 0', async () => {
    const out = collect();
    const paths = fakeLab({});
    expect(await labCommand(['env'], out.write, paths)).toBe(0);
    expect(out.lines).toEqual([`export KATA_LAB_DIR=${paths.stateDir}`, `export KUBECONFIG=${paths.stateDir}/kubeconfig`, `export PATH=${paths.stateDir}/bin:"$PATH"`]);
    expect(await labCommand(['env', '--json'], collect().write, paths)).toBe(2);
  });

  it.skipIf(!isRoot)('turns a LAB-ERROR from the script into a ClusterError with its hint', async () => {
    const paths = fakeLab({ up: 'echo "checking"; echo "LAB-ERROR: missing Debian packages: socat" >&2; echo "LAB-HINT: Install them with \\`apt-get install -y socat\\`." >&2; exit 11' });
    const out = collect();
    const error = await labUp(out.write, paths).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).format()).toBe('missing Debian packages: socat. Install them with `apt-get install -y socat`.');
    expect(out.lines).toEqual(['checking']);
  });

  it.skipIf(!isRoot)('reports a failed stage with its last line and exits 1', async () => {
    const paths = fakeLab({ up: 'echo "  etcd (1s)"; echo "timed out after 90s waiting for kube-apiserver" >&2; exit 1' });
    const out = collect();
    expect(await labCommand(['up'], out.write, paths)).toBe(1);
    expect(out.lines.at(-1)).toMatch(/^kata lab: `kata lab up` failed \(exit status 1\): timed out after 90s waiting for kube-apiserver\. The components' logs are in /);
  });

  it('streams a script\'s lines as they come, stdout and stderr together', async () => {
    const paths = fakeLab({ up: 'echo one; echo two >&2; sleep 0.2; echo three' });
    const out = collect();
    const result = await runLabScript(join(paths.scriptsDir, 'up.sh'), [], out.write);
    expect(result.exitCode).toBe(0);
    expect(out.lines).toEqual(['one', 'two', 'three']);
  });
});
