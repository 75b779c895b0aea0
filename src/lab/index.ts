/**
 * The local lab: a single-node Kubernetes built from source and run in its own network namespace
 * (see lab/README.md). `kata lab up | down | status` and `ensureLab` for commands that need a
 * cluster. The work is done by lab/*.sh (spawned through src/exec/lab-scripts.ts); this module
 * decides, reports and maps failures to errors the user can act on.
 */
import { join } from 'node:path';
import { ClusterError, ExternalError } from '../errors.js';
import { runLabScript, type LabScriptResult } from '../exec/lab-scripts.js';
import { labPaths, LAB_NETNS, LAB_NODE, openLabPaths, type LabPaths } from './paths.js';
import { readLabState, type MeshState } from './status.js';

export { readLabState } from './status.js';

export { labEnvLines, labPaths, openLabPaths, type LabPaths } from './paths.js';

/** Where to find the lab once it is up. */
export interface LabInfo {
  /** Admin kubeconfig, server https://127.0.0.1:6443. */
  readonly kubeconfig: string;
  /** Holds kubectl (and the other lab binaries). */
  readonly binDir: string;
}

/** One line of progress or report, without its newline. */
export type Write = (line: string) => void;

/** What to bring up besides Kubernetes. */
export interface LabUpOptions {
  /** Also install the Istio mesh (`lab/mesh.sh up`). */
  readonly mesh?: boolean;
}

/** Brings the lab up (builds what is missing the first time: ~13 minutes on 2 cores, the mesh ~8 more), or throws. */
export async function labUp(write: Write, paths: LabPaths = labPaths(), options: LabUpOptions = {}): Promise<LabInfo> {
  requireRoot(options.mesh === true ? 'up --mesh' : 'up');
  await runScript('up', 'up.sh', [], write, paths);
  if (options.mesh === true) await meshUp(write, paths);
  const info = { kubeconfig: paths.kubeconfig, binDir: paths.binDir };
  for (const line of howToUse(info)) write(line);
  return info;
}

/** Installs the Istio mesh on the running lab (builds and fetches what is missing), or throws. */
export async function meshUp(write: Write, paths: LabPaths = labPaths()): Promise<void> {
  requireRoot('mesh up');
  await runScript('mesh up', 'mesh.sh', ['up'], write, paths);
}

/** Uninstalls the mesh from the lab's cluster (binaries and images stay cached). */
export async function meshDown(write: Write, paths: LabPaths = labPaths()): Promise<void> {
  requireRoot('mesh down');
  await runScript('mesh down', 'mesh.sh', ['down'], write, paths);
}

/** Stops every lab process and removes its pods' namespaces, mounts and iptables rules. */
export async function labDown(write: Write, options: { readonly purge?: boolean } = {}, paths: LabPaths = labPaths()): Promise<void> {
  requireRoot('down');
  await runScript('down', 'down.sh', options.purge === true ? ['--purge'] : [], write, paths);
}

/** Says what runs and whether the node and DNS are Ready. */
export async function labStatus(write: Write, paths: LabPaths = labPaths()): Promise<{ running: boolean; nodeReady: boolean; dnsReady: boolean }> {
  const state = await readLabState(paths);
  const up = state.processes.filter((p) => p.running).length;
  if (up === 0) {
    write('kata lab: not running (start it with `kata lab up`)');
  } else {
    write(`kata lab: ${state.running ? 'running' : 'partly running'} (${up} of ${state.processes.length} processes)`);
    for (const p of state.processes) write(`  ${p.name.padEnd(24)} ${p.running ? `running, pid ${p.pid}` : p.pid === undefined ? 'not started' : `stopped (pid ${p.pid} is gone)`}`);
    write(`  node ${LAB_NODE}: ${state.nodeReady ? 'Ready' : 'not Ready'}`);
    write(`  DNS (CoreDNS in kube-system): ${state.dnsReady ? 'Ready' : 'not Ready'}`);
    if (state.apiError !== undefined) write(`  API server: ${state.apiError}`);
    if (state.mesh !== undefined) write(`  mesh: ${describeMesh(state.mesh)}`);
    if (state.running) for (const line of howToUse({ kubeconfig: paths.kubeconfig, binDir: paths.binDir })) write(line);
    if (!state.running) write(`  logs: ${paths.logsDir}; \`kata lab up\` starts what is missing`);
  }
  return { running: state.running, nodeReady: state.nodeReady, dnsReady: state.dnsReady };
}

/** "Istio 1.31.0-lab, istiod Ready; injection on in: default" and the like. */
export function describeMesh(mesh: MeshState): string {
  if (!mesh.installed) return 'not installed (`kata lab up --mesh` installs Istio)';
  const injected = mesh.injected.length === 0 ? 'no namespace has injection on' : `injection on in: ${mesh.injected.join(', ')}`;
  return `Istio ${mesh.version ?? '(version unknown)'}, ${mesh.ready ? 'istiod Ready' : 'istiod not Ready'}; ${injected}`;
}

/**
 * The lab, brought up if it is not fully running (with the mesh, when asked and missing);
 * returns at once when all of it runs.
 */
export async function ensureLab(write: Write, paths: LabPaths = openLabPaths(), options: LabUpOptions = {}): Promise<LabInfo> {
  const state = await readLabState(paths);
  const info = { kubeconfig: paths.kubeconfig, binDir: paths.binDir };
  const labReady = state.running && state.nodeReady && state.dnsReady;
  const meshReady = state.mesh?.ready === true && state.mesh.injected.includes('default');
  if (labReady && (options.mesh !== true || meshReady)) return info;
  if (!labReady) {
    write(`kata lab: not (fully) running, bringing it up${options.mesh === true ? ' with the mesh (the kata needs one)' : ''}`);
    return labUp(write, paths, options);
  }
  write('kata lab: the kata needs a service mesh and the lab has none running: installing Istio');
  await meshUp(write, paths);
  return info;
}

/** The scripts use the state folder these paths name (lab/lib.sh reads KATA_LAB_DIR). */
function scriptEnv(paths: LabPaths): Record<string, string> {
  return { KATA_LAB_DIR: paths.stateDir };
}

function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new ClusterError(
      `\`kata lab ${what}\` needs root: the lab creates a network namespace, mounts file systems and runs containerd`,
      `Run it as root, e.g. \`sudo kata lab ${what}\`.`,
      { command: 'lab' },
    );
  }
}

/**
 * A LAB-ERROR the script named (root, packages, a port, pip, a checksum, istiod: the user can fix
 * it) is a ClusterError; any other failure of a stage is an ExternalError with its last line.
 */
function failure(what: string, script: string, args: readonly string[], result: LabScriptResult, paths: LabPaths): ClusterError | ExternalError {
  if (result.error !== undefined) return new ClusterError(result.error, result.hint ?? `Fix it, then run \`kata lab ${what}\` again.`, { command: 'lab' });
  const last = [...result.tail].reverse().find((l) => l.trim() !== '') ?? `exit status ${result.exitCode}`;
  return new ExternalError(
    `\`kata lab ${what}\` failed (exit status ${result.exitCode}): ${last.trim()}`,
    { command: 'bash', args: [script, ...args], exitCode: result.exitCode, tail: result.tail },
    `The components' logs are in ${paths.logsDir}. \`kata lab down\` then \`kata lab up\` retries; cached builds and images are kept.`,
    { command: 'lab' },
  );
}

/** Runs one of lab/*.sh and throws what its failure means. */
async function runScript(what: string, name: string, args: readonly string[], write: Write, paths: LabPaths): Promise<void> {
  const script = join(paths.scriptsDir, name);
  const result = await runLabScript(script, args, write, scriptEnv(paths));
  if (result.exitCode !== 0) throw failure(what, script, args, result, paths);
}

function howToUse(info: LabInfo): string[] {
  return [
    `kata lab: Kubernetes is up in network namespace ${LAB_NETNS} (API on https://127.0.0.1:6443). Use it with:`,
    `  export KUBECONFIG=${info.kubeconfig} PATH=${info.binDir}:$PATH`,
    '  kubectl get nodes',
  ];
}
