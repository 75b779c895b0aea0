/**
 * A `kubectl describe`-like state of one object a kata created, read through the API by its
 * resource as kubectl reported it (`deployment.apps/nginx`): its replicas, its conditions, a
 * service's type, ports and ready endpoints, whether it is being deleted or not there at all.
 * Any kind works (the API's discovery finds its path); the fields read are the common ones.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiStatusError, getJson, resolveResource, type ResourcePath } from './api.js';

/** An object the kata created, as evidence. */
export interface ObjectEvidence {
  /** `deployment.apps/nginx` */
  readonly name: string;
  /** `replicas 1: 0 ready, 0 available, 1 updated`, `condition Available=False (MinimumReplicasUnavailable: ...)`, ... */
  readonly state: readonly string[];
}

interface Json {
  metadata?: { deletionTimestamp?: string };
  spec?: {
    replicas?: number;
    type?: string;
    clusterIP?: string;
    ports?: { port?: number; targetPort?: number | string; protocol?: string }[];
    selector?: Record<string, unknown>;
  };
  status?: {
    phase?: string;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    numberReady?: number;
    desiredNumberScheduled?: number;
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
  subsets?: { addresses?: unknown[]; notReadyAddresses?: unknown[] }[];
}

/** Reads the object in `namespace` and says what state it is in; never throws (a problem is its state). */
export async function describeObject(
  kc: KubeConfig,
  resource: string,
  name: string,
  namespace: string,
  paths: Map<string, ResourcePath>,
): Promise<ObjectEvidence> {
  const label = `${resource}/${name}`;
  let found: Json;
  try {
    const path = await resolveResource(kc, resource, paths);
    const url = path.namespaced ? `${path.base}/namespaces/${namespace}/${path.plural}/${name}` : `${path.base}/${path.plural}/${name}`;
    found = (await getJson(kc, url)) as Json;
  } catch (error) {
    if (error instanceof ApiStatusError && error.status === 404) return { name: label, state: ['not found (deleted, or never created)'] };
    return { name: label, state: [`could not be read: ${(error as Error).message}`] };
  }
  const state = describeJson(found);
  if (resource === 'service' || resource === 'svc') state.push(await endpointsOf(kc, name, namespace));
  return { name: label, state };
}

/** The lines that say what state an object is in, from the fields most kinds share. */
export function describeJson(object: Json): string[] {
  const lines: string[] = [];
  if (object.metadata?.deletionTimestamp !== undefined) lines.push(`being deleted since ${object.metadata.deletionTimestamp}`);
  const { spec, status } = object;
  if (spec?.replicas !== undefined) {
    const parts = [
      status?.readyReplicas === undefined ? '0 ready' : `${status.readyReplicas} ready`,
      status?.availableReplicas === undefined ? undefined : `${status.availableReplicas} available`,
      status?.updatedReplicas === undefined ? undefined : `${status.updatedReplicas} updated`,
    ].filter((p) => p !== undefined);
    lines.push(`replicas ${spec.replicas}: ${parts.join(', ')}`);
  }
  if (status?.desiredNumberScheduled !== undefined)
    lines.push(`scheduled on ${status.desiredNumberScheduled} nodes, ${status.numberReady ?? 0} ready`);
  if (status?.active !== undefined || status?.succeeded !== undefined || status?.failed !== undefined)
    lines.push(`pods: ${status.active ?? 0} active, ${status.succeeded ?? 0} succeeded, ${status.failed ?? 0} failed`);
  if (spec?.type !== undefined) {
    const ports = (spec.ports ?? []).map((p) => `${p.port ?? '?'}->${p.targetPort ?? p.port ?? '?'}/${p.protocol ?? 'TCP'}`).join(', ');
    const selector = Object.entries(spec.selector ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
    lines.push(`type ${spec.type}, cluster IP ${spec.clusterIP ?? 'none'}, ports ${ports || 'none'}, selector ${selector || 'none'}`);
  }
  if (status?.phase !== undefined) lines.push(`phase ${status.phase}`);
  for (const c of status?.conditions ?? [])
    lines.push(
      `condition ${c.type ?? '?'}=${c.status ?? '?'}${c.reason === undefined ? '' : ` (${c.reason}${c.message === undefined ? '' : `: ${c.message}`})`}`,
    );
  if (lines.length === 0) lines.push('exists');
  return lines;
}

/** `endpoints: 1 ready, 0 not ready` for a service (none ready is why a `curl` to it fails). */
async function endpointsOf(kc: KubeConfig, name: string, namespace: string): Promise<string> {
  try {
    const endpoints = (await getJson(kc, `/api/v1/namespaces/${namespace}/endpoints/${name}`)) as Json;
    const ready = (endpoints.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
    const notReady = (endpoints.subsets ?? []).reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
    return `endpoints: ${ready} ready, ${notReady} not ready`;
  } catch (error) {
    return error instanceof ApiStatusError && error.status === 404
      ? 'endpoints: none'
      : `endpoints: not read (${(error as Error).message})`;
  }
}
