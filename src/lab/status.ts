/**
 * What of the lab runs: its processes (from the pid files lab/up.sh wrote) and, asked through
 * src/k8s/lab-status.ts, whether the node, CoreDNS and the mesh are Ready. Read-only; starts nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, startTime } from '../exec/procs.js';
import { readLabCluster, type MeshState } from '../k8s/lab-status.js';
import { LAB_NODE, type LabPaths } from './paths.js';

/** Every process `kata lab up` starts, in start order. */
export const LAB_PROCESSES = [
  'registry',
  'bridge-api-in',
  'bridge-api-out',
  'bridge-reg-out',
  'bridge-reg-in',
  'containerd',
  'etcd',
  'kube-apiserver',
  'kubelet',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
] as const;

export type LabProcess = (typeof LAB_PROCESSES)[number];

/** One lab process: its recorded pid, and whether that pid still runs. */
export interface ProcessState {
  readonly name: LabProcess;
  readonly pid: number | undefined;
  readonly running: boolean;
}

/** The lab's state as `kata lab status` reports it. */
export interface LabState {
  readonly processes: readonly ProcessState[];
  /** Every process runs. */
  readonly running: boolean;
  /** The node reports Ready (false when the API cannot be asked). */
  readonly nodeReady: boolean;
  /** The coredns Deployment in kube-system has a ready replica. */
  readonly dnsReady: boolean;
  /** Why the API could not be asked, when it could not. */
  readonly apiError?: string;
  /** The Istio mesh (`kata lab up --mesh`); absent when the API could not be asked. */
  readonly mesh?: MeshState;
}

export type { MeshState } from '../k8s/lab-status.js';

/** Reads the pid files and checks each pid against /proc. */
export function processStates(paths: LabPaths): ProcessState[] {
  return LAB_PROCESSES.map((name) => {
    const file = join(paths.pidsDir, `${name}.pid`);
    if (!existsSync(file)) return { name, pid: undefined, running: false };
    const pid = Number(readFileSync(file, 'utf8').trim());
    const startFile = join(paths.pidsDir, `${name}.start`);
    const sameProcess = !existsSync(startFile) || readFileSync(startFile, 'utf8').trim() === startTime(pid);
    return { name, pid, running: Number.isInteger(pid) && pid > 0 && isAlive(pid) && sameProcess };
  });
}


/** The processes, then (when the API server runs) the node's, CoreDNS's and the mesh's readiness. */
export async function readLabState(paths: LabPaths): Promise<LabState> {
  const processes = processStates(paths);
  const running = processes.every((p) => p.running);
  const apiUp = processes.find((p) => p.name === 'kube-apiserver')?.running === true && existsSync(paths.kubeconfig);
  if (!apiUp) return { processes, running, nodeReady: false, dnsReady: false };
  return { processes, running, ...(await readLabCluster(paths.kubeconfig, LAB_NODE)) };
}
