/** Where the lab lives: its scripts (lab/) and everything it builds and runs (lab/.cache). */
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** The lab's folders and files. */
export interface LabPaths {
  /** lab/: the scripts, Go modules and config templates. */
  readonly labDir: string;
  /** lab/.cache (or $KATA_LAB_CACHE): binaries, images, certificates, cluster state. */
  readonly cacheDir: string;
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

/**
 * The lab's paths: lab/ of the package kata-runner is installed in;
 * KATA_LAB_DIR and KATA_LAB_CACHE override them (tests, or a lab kept elsewhere).
 */
export function labPaths(env: NodeJS.ProcessEnv = process.env): LabPaths {
  const labDir = env.KATA_LAB_DIR ?? join(packageRoot(), 'lab');
  const cacheDir = env.KATA_LAB_CACHE ?? join(labDir, '.cache');
  return {
    labDir,
    cacheDir,
    binDir: join(cacheDir, 'bin'),
    kubeconfig: join(cacheDir, 'kubeconfig'),
    pidsDir: join(cacheDir, 'run', 'pids'),
    logsDir: join(cacheDir, 'run', 'logs'),
  };
}
