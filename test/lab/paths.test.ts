/**
 * Where the lab's state lives ($KATA_LAB_DIR, default /var/lib/kata-runner/lab), how a package's
 * old lab/.cache is taken over, and that lab/lib.sh reads the same variable as the TypeScript.
 * Everything happens in temporary folders; the real lab is never touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { DEFAULT_LAB_DIR, labEnvLines, labPaths, openLabPaths } from '../../src/lab/paths.js';

const realScripts = labPaths().scriptsDir;

/** A package root of its own: lab/ with an old lab/.cache holding a "built" kubectl, or without one. */
function packageWithOldState(options: { old?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'kata-paths-'));
  const scriptsDir = join(root, 'pkg', 'lab');
  mkdirSync(scriptsDir, { recursive: true });
  const old = join(scriptsDir, '.cache');
  if (options.old !== false) {
    mkdirSync(join(old, 'bin'), { recursive: true });
    writeFileSync(join(old, 'bin', 'kubectl'), 'built once');
  }
  return { root, scriptsDir, old, state: join(root, 'var', 'lib', 'kata-runner', 'lab') };
}

function said(): { lines: string[]; say: (line: string) => void } {
  const lines: string[] = [];
  return { lines, say: (line) => lines.push(line) };
}

describe('the lab state folder', () => {
  it('is /var/lib/kata-runner/lab unless KATA_LAB_DIR names another; the scripts are the package\'s lab/', () => {
    const paths = labPaths({});
    expect(paths.stateDir).toBe(DEFAULT_LAB_DIR);
    expect(DEFAULT_LAB_DIR).toBe('/var/lib/kata-runner/lab');
    expect(paths.kubeconfig).toBe('/var/lib/kata-runner/lab/kubeconfig');
    expect(paths.binDir).toBe('/var/lib/kata-runner/lab/bin');
    expect(paths.logsDir).toBe('/var/lib/kata-runner/lab/run/logs');
    expect(existsSync(join(paths.scriptsDir, 'up.sh'))).toBe(true);
    expect(labPaths({ KATA_LAB_DIR: '/srv/lab' }).pidsDir).toBe('/srv/lab/run/pids');
    expect(labPaths({ KATA_LAB_DIR: 'rel/lab' }).stateDir).toBe(join(process.cwd(), 'rel/lab'));
  });

  it('takes KATA_LAB_CACHE, its old name, when KATA_LAB_DIR is not set, and says it is deprecated', () => {
    const { state, scriptsDir } = packageWithOldState({ old: false });
    const out = said();
    expect(openLabPaths(out.say, { KATA_LAB_CACHE: state }, scriptsDir).stateDir).toBe(state);
    expect(out.lines).toEqual(["kata lab: KATA_LAB_CACHE is deprecated: set KATA_LAB_DIR instead (it names the lab's state folder now)"]);
    expect(labPaths({ KATA_LAB_DIR: '/a', KATA_LAB_CACHE: '/b' }).stateDir).toBe('/a');
  });

  it('moves an old lab/.cache to the state folder when that does not exist yet, and says so once', () => {
    const { scriptsDir, old, state } = packageWithOldState();
    const out = said();
    const paths = openLabPaths(out.say, { KATA_LAB_DIR: state }, scriptsDir);
    expect(paths.stateDir).toBe(state);
    expect(readFileSync(join(paths.binDir, 'kubectl'), 'utf8')).toBe('built once');
    expect(existsSync(old)).toBe(false);
    expect(out.lines).toEqual([`kata lab: moved the lab's state from ${old} to ${state} (KATA_LAB_DIR; shared by every install of kata-runner)`]);
    // the next command finds it moved and says nothing
    const again = said();
    expect(openLabPaths(again.say, { KATA_LAB_DIR: state }, scriptsDir).stateDir).toBe(state);
    expect(again.lines).toEqual([]);
  });

  it('leaves an old lab/.cache alone when the state folder exists already, and says it is not used', () => {
    const { scriptsDir, old, state } = packageWithOldState();
    mkdirSync(join(state, 'bin'), { recursive: true });
    const out = said();
    expect(openLabPaths(out.say, { KATA_LAB_DIR: state }, scriptsDir).stateDir).toBe(state);
    expect(existsSync(join(old, 'bin', 'kubectl'))).toBe(true);
    expect(out.lines).toEqual([`kata lab: ${old} is an old copy of the lab's state and is not used (the lab's state is ${state}); delete it to free its space`]);
  });

  it('uses an old lab/.cache where it is while a lab process recorded in it runs', () => {
    const { scriptsDir, old, state } = packageWithOldState();
    mkdirSync(join(old, 'run', 'pids'), { recursive: true });
    writeFileSync(join(old, 'run', 'pids', 'etcd.pid'), `${process.pid}\n`);
    writeFileSync(join(old, 'run', 'pids', 'kubelet.pid'), '999999999\n');
    const out = said();
    const paths = openLabPaths(out.say, { KATA_LAB_DIR: state }, scriptsDir);
    expect(paths.stateDir).toBe(old);
    expect(paths.kubeconfig).toBe(join(old, 'kubeconfig'));
    expect(existsSync(state)).toBe(false);
    expect(out.lines).toEqual([`kata lab: the lab runs from its old state folder ${old} (processes recorded in it still run: etcd): using it there; after \`kata lab down\`, the next \`kata lab\` command moves it to ${state}`]);
  });

  it('uses an old lab/.cache where it is when it cannot be moved, and says how to move it', () => {
    const { root, scriptsDir, old } = packageWithOldState();
    writeFileSync(join(root, 'a-file'), '');
    const state = join(root, 'a-file', 'lab');
    const out = said();
    expect(openLabPaths(out.say, { KATA_LAB_DIR: state }, scriptsDir).stateDir).toBe(old);
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(new RegExp(`^kata lab: could not move the lab's state from ${old} to ${state} \\(E[A-Z]+\\): using it where it is; move it yourself with \`mv ${old} ${state}\`$`));
  });

  it('says nothing when there is no old state', () => {
    const { scriptsDir, state } = packageWithOldState({ old: false });
    const out = said();
    expect(openLabPaths(out.say, { KATA_LAB_DIR: state }, scriptsDir).stateDir).toBe(state);
    expect(out.lines).toEqual([]);
  });

  it('refuses a KATA_LAB_DIR that names a folder of lab scripts (its meaning before)', () => {
    expect(() => openLabPaths(() => undefined, { KATA_LAB_DIR: realScripts })).toThrow(UsageError);
  });

  it('prints shell lines that point kubectl at the lab, quoted', () => {
    expect(labEnvLines(labPaths({ KATA_LAB_DIR: '/var/lib/kata-runner/lab' }))).toEqual([
      'export KATA_LAB_DIR=/var/lib/kata-runner/lab',
      'export KUBECONFIG=/var/lib/kata-runner/lab/kubeconfig',
      'export PATH=/var/lib/kata-runner/lab/bin:"$PATH"',
    ]);
    const odd = labPaths({ KATA_LAB_DIR: "/tmp/it's a lab" });
    const lines = labEnvLines(odd).join('\n');
    const seen = execFileSync('bash', ['-c', `${lines}\nprintf '%s\\n' "$KATA_LAB_DIR" "$KUBECONFIG" "\${PATH%%:*}"`], { encoding: 'utf8' });
    expect(seen).toBe(`${odd.stateDir}\n${odd.kubeconfig}\n${odd.binDir}\n`);
  });
});

describe('lab/lib.sh', () => {
  /** What lib.sh makes of the environment: its state folder, binaries and kubeconfig. */
  function libSays(env: Record<string, string>, scriptsDir = realScripts) {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'KATA_LAB_DIR' && k !== 'KATA_LAB_CACHE'));
    return spawnSync('bash', ['-c', `. "${scriptsDir}/lib.sh" && printf '%s\\n' "$STATE" "$BIN" "$KUBECONFIG_FILE" "$PIDS" "$LOG"`], { encoding: 'utf8', env: { ...clean, ...env } });
  }

  it('finds the state where labPaths does: KATA_LAB_DIR, KATA_LAB_CACHE, or the default', () => {
    for (const env of [{ KATA_LAB_DIR: '/srv/lab' }, { KATA_LAB_CACHE: '/srv/old-name' }, {}]) {
      const paths = labPaths(env);
      const r = libSays(env);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${paths.stateDir}\n${paths.binDir}\n${paths.kubeconfig}\n${paths.pidsDir}\n${paths.logsDir}\n`);
    }
  });

  it('run by hand, stops with a hint when the state is still in lab/.cache and the state folder does not exist', () => {
    const { scriptsDir, old, state } = packageWithOldState();
    copyFileSync(join(realScripts, 'lib.sh'), join(scriptsDir, 'lib.sh'));
    const r = libSays({ KATA_LAB_DIR: state }, scriptsDir);
    expect(r.status).toBe(14);
    expect(r.stderr).toContain(`LAB-ERROR: the lab's state is still in its old place, ${old}, and ${state} does not exist`);
    expect(r.stderr).toContain('LAB-HINT: Run `kata lab up` once (it moves it)');
    expect(existsSync(join(old, 'bin', 'kubectl'))).toBe(true);
  });
});
