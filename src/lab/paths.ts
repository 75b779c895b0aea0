/**
 * Where the lab lives: its scripts are the package's lab/ (read-only to the lab), and its state
 * (binaries, images, certificates, config, cluster state) is one folder outside any package,
 * $KATA_LAB_DIR or /var/lib/kata-runner/lab, so that every checkout, global install and upgrade
 * of kata-runner shares one lab and one build cache. lab/lib.sh reads the same variable.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isAlive } from '../exec/procs.js';
import { packageRoot } from '../package-root.js';

/** The lab's folders and files. */
export interface LabPaths {
  /** The package's lab/: the scripts, Go modules and config templates. */
  readonly scriptsDir: string;
  /** $KATA_LAB_DIR (default /var/lib/kata-runner/lab): everything the lab builds, writes and runs from. */
  readonly stateDir: string;
  /** Built binaries, kubectl among them. */
  readonly binDir: string;
  /** The admin kubeconfig (server https://127.0.0.1:6443). */
  readonly kubeconfig: string;
  /** One `NAME.pid` file per process the lab started. */
  readonly pidsDir: string;
  /** One `NAME.log` file per process the lab started. */
  readonly logsDir: string;
}

/** The node's name and the namespaces the lab's own components live in. */
export const LAB_NODE = 'kata-lab';
export const LAB_NETNS = 'kata-lab';

/** The lab's state folder when KATA_LAB_DIR is not set (the lab needs root, so root's place). */
export const DEFAULT_LAB_DIR = '/var/lib/kata-runner/lab';

/**
 * The lab's paths, computed only (nothing is read or moved): the state folder is $KATA_LAB_DIR,
 * or $KATA_LAB_CACHE (its deprecated name), or DEFAULT_LAB_DIR; the scripts are `scriptsDir`
 * (the package's lab/; tests pass fixture scripts).
 */
export function labPaths(env: NodeJS.ProcessEnv = process.env, scriptsDir: string = join(packageRoot(), 'lab')): LabPaths {
  return pathsFor(resolve(nonEmpty(env.KATA_LAB_DIR) ?? nonEmpty(env.KATA_LAB_CACHE) ?? DEFAULT_LAB_DIR), scriptsDir);
}

/**
 * The lab's paths for a command to use: labPaths, after taking over the state a kata-runner
 * before KATA_LAB_DIR kept in the package's lab/.cache. That folder is moved to the state folder
 * when the state folder does not exist yet and nothing runs from it; while its lab runs (or the
 * move is not possible) it is used where it is. Every such decision is said in one line on `say`.
 */
export function openLabPaths(say: (line: string) => void = (line) => process.stderr.write(`${line}\n`), env: NodeJS.ProcessEnv = process.env, scriptsDir?: string): LabPaths {
  const paths = labPaths(env, scriptsDir);
  if (nonEmpty(env.KATA_LAB_DIR) === undefined && nonEmpty(env.KATA_LAB_CACHE) !== undefined) {
    say('kata lab: KATA_LAB_CACHE is deprecated: set KATA_LAB_DIR instead (it names the lab\'s state folder now)');
  }
  if (existsSync(join(paths.stateDir, 'lib.sh')) && existsSync(join(paths.stateDir, 'up.sh'))) {
    throw new UsageError(
      `KATA_LAB_DIR (${paths.stateDir}) is a folder of lab scripts, and it names the lab's state folder now`,
      `Unset it (the scripts are always the package's lab/) or point it at an empty or state folder, e.g. \`export KATA_LAB_DIR=${DEFAULT_LAB_DIR}\`.`,
    );
  }
  return adoptOldState(paths, say);
}

/** Where kata-runner kept the lab's state before KATA_LAB_DIR: lab/.cache in the package. */
export function oldStateDir(paths: LabPaths): string {
  return join(paths.scriptsDir, '.cache');
}

/** See openLabPaths: moves or reuses lab/.cache, or leaves it alone, and says which. */
export function adoptOldState(paths: LabPaths, say: (line: string) => void): LabPaths {
  const old = oldStateDir(paths);
  if (old === paths.stateDir || !existsSync(old)) return paths;
  if (existsSync(paths.stateDir)) {
    say(`kata lab: ${old} is an old copy of the lab's state and is not used (the lab's state is ${paths.stateDir}); delete it to free its space`);
    return paths;
  }
  const busy = inUse(old);
  if (busy !== undefined) {
    say(`kata lab: the lab runs from its old state folder ${old} (${busy}): using it there; after \`kata lab down\`, the next \`kata lab\` command moves it to ${paths.stateDir}`);
    return pathsFor(old, paths.scriptsDir);
  }
  try {
    mkdirSync(dirname(paths.stateDir), { recursive: true });
    renameSync(old, paths.stateDir);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? String(error);
    say(`kata lab: could not move the lab's state from ${old} to ${paths.stateDir} (${why}): using it where it is; move it yourself with \`mv ${old} ${paths.stateDir}\``);
    return pathsFor(old, paths.scriptsDir);
  }
  say(`kata lab: moved the lab's state from ${old} to ${paths.stateDir} (KATA_LAB_DIR; shared by every install of kata-runner)`);
  return paths;
}

/** Shell lines that point kubectl at the lab: `eval "$(kata lab env)"`. */
export function labEnvLines(paths: LabPaths): string[] {
  return [`export KATA_LAB_DIR=${shellQuote(paths.stateDir)}`, `export KUBECONFIG=${shellQuote(paths.kubeconfig)}`, `export PATH=${shellQuote(paths.binDir)}:"$PATH"`];
}

function pathsFor(stateDir: string, scriptsDir: string): LabPaths {
  return {
    scriptsDir,
    stateDir,
    binDir: join(stateDir, 'bin'),
    kubeconfig: join(stateDir, 'kubeconfig'),
    pidsDir: join(stateDir, 'run', 'pids'),
    logsDir: join(stateDir, 'run', 'logs'),
  };
}

/**
 * Why `dir` must not be moved now: a recorded lab process is alive, or something is mounted below
 * it (pods' volumes and root file systems, until `down` unmounts them). Undefined when idle.
 */
function inUse(dir: string): string | undefined {
  const pids = join(dir, 'run', 'pids');
  const files = existsSync(pids) ? readdirSync(pids).filter((f) => f.endsWith('.pid')) : [];
  const alive = files.filter((f) => {
    const pid = Number(readFileSync(join(pids, f), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid);
  });
  if (alive.length > 0) return `processes recorded in it still run: ${alive.map((f) => f.slice(0, -'.pid'.length)).join(', ')}`;
  const mounts = mountPoints().filter((m) => m.startsWith(`${dir}/`));
  return mounts.length > 0 ? `${mounts.length} mounts below it` : undefined;
}

/** Mount points of this mount namespace (/proc/self/mounts escapes spaces and the like in octal). */
function mountPoints(): string[] {
  try {
    return readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => (line.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
      .filter((m) => m !== '');
  } catch {
    return [];
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
