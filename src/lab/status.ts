/**
 * What of the lab runs: its processes (from the pid files lab/up.sh wrote) and, through the
 * Kubernetes API, whether the node and CoreDNS are Ready. Read-only; starts nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { isAlive } from '../exec/procs.js';
import { istiodOf } from '../k8s/mesh.js';
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

/** The lab's mesh as the API shows it. */
export interface MeshState {
  /** istiod's Deployment exists in istio-system. */
  readonly installed: boolean;
  /** istiod has a ready replica and the injection webhook carries its CA bundle. */
  readonly ready: boolean;
  /** The Istio version (istiod's image tag), when installed. */
  readonly version?: string;
  /** Namespaces labelled istio-injection=enabled. */
  readonly injected: readonly string[];
}

const API_TIMEOUT_MS = 5_000;

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

/** Field 22 of /proc/PID/stat: with the pid, it names one process (pids are reused after a reboot). */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The processes, then (when the API server runs) the node's and CoreDNS's readiness. */
export async function readLabState(paths: LabPaths): Promise<LabState> {
  const processes = processStates(paths);
  const running = processes.every((p) => p.running);
  const apiUp = processes.find((p) => p.name === 'kube-apiserver')?.running === true && existsSync(paths.kubeconfig);
  if (!apiUp) return { processes, running, nodeReady: false, dnsReady: false };
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(paths.kubeconfig);
    const [node, dns] = await withTimeout(
      Promise.all([
        kc.makeApiClient(CoreV1Api).readNode({ name: LAB_NODE }),
        kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'coredns', namespace: 'kube-system' }),
      ]),
      API_TIMEOUT_MS,
    );
    const nodeReady = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    const dnsReady = (dns.status?.readyReplicas ?? 0) >= 1;
    return { processes, running, nodeReady, dnsReady, mesh: await withTimeout(readMesh(kc), API_TIMEOUT_MS) };
  } catch (error) {
    return { processes, running, nodeReady: false, dnsReady: false, apiError: describe(error) };
  }
}

/** istiod's Deployment, the injection webhook's CA bundle and the injected namespaces. */
export async function readMesh(kc: KubeConfig): Promise<MeshState> {
  const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace({ labelSelector: 'istio-injection=enabled' });
  const injected = namespaces.items.filter((n) => n.status?.phase !== 'Terminating').map((n) => n.metadata?.name ?? '');
  let istiod;
  try {
    istiod = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'istiod', namespace: 'istio-system' });
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return { installed: false, ready: false, injected };
    throw error;
  }
  const { version, ready: replicaReady } = istiodOf(istiod);
  let caBundle = false;
  try {
    const webhook = await kc.makeApiClient(AdmissionregistrationV1Api).readMutatingWebhookConfiguration({ name: 'istio-sidecar-injector' });
    caBundle = webhook.webhooks?.every((w) => (w.clientConfig.caBundle ?? '') !== '') === true;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 404) throw error;
  }
  const ready = replicaReady && caBundle;
  return { installed: true, ready, injected, ...(version === undefined ? {} : { version }) };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'number' ? `HTTP ${code}: ${error.message.split('\n')[0] ?? ''}` : (error.message.split('\n')[0] ?? String(error));
  }
  return String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the API server did not answer within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
