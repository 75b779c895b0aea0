/**
 * Raw access to the Kubernetes API with the kubeconfig's credentials: GET a path as JSON, and
 * find the API path of a resource named the way kubectl prints it (`deployment.apps`).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseDuration } from '../kata/annotations.js';
import { formatDuration } from '../kata/describe.js';

/** An HTTP answer from the API server that is not 2xx. */
export class ApiStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** How long one API call may take: 15 s, or KATA_API_TIMEOUT (e.g. `60s` for a slow cluster). */
export function apiTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return (env.KATA_API_TIMEOUT === undefined ? undefined : parseDuration(env.KATA_API_TIMEOUT)) ?? 15_000;
}

/** An API call that did not answer in time. */
export class ApiTimeoutError extends Error {}

/**
 * `call` or, when the API server does not answer within the deadline, an ApiTimeoutError: a
 * server that accepts connections and then says nothing must not hang the run.
 */
export async function withDeadline<T>(what: string, call: Promise<T>, ms: number = apiTimeoutMs()): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiTimeoutError(`the API server did not answer ${what} within ${formatDuration(ms)}`)), ms);
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** GETs `path` from the API server of the current context and parses the JSON answer. */
export async function getJson(kc: KubeConfig, path: string, timeoutMs = 10_000): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const options: https.RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, timeout: timeoutMs };
  await kc.applyToHTTPSOptions(options);
  const client = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = client.request(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          let message = body.slice(0, 300);
          try {
            message = (JSON.parse(body) as { message?: string }).message ?? message;
          } catch {
            // not JSON
          }
          reject(new ApiStatusError(status, message));
          return;
        }
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url.origin} within ${timeoutMs / 1000}s`)));
    request.on('error', reject);
    request.end();
  });
}

interface ApiResource {
  readonly name: string;
  readonly singularName?: string;
  readonly namespaced: boolean;
  readonly kind: string;
}

/** Where objects of a resource live in the API. */
export interface ResourcePath {
  /** `/api/v1` or `/apis/apps/v1` */
  readonly base: string;
  /** `deployments` */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Finds the API path of `deployment.apps`, `service`, `virtualservice.networking.istio.io`, ... by discovery. */
export async function resolveResource(kc: KubeConfig, resource: string, cache: Map<string, ResourcePath>): Promise<ResourcePath> {
  const known = cache.get(resource);
  if (known !== undefined) return known;
  const dot = resource.indexOf('.');
  const singular = dot === -1 ? resource : resource.slice(0, dot);
  const group = dot === -1 ? '' : resource.slice(dot + 1);
  let base: string;
  if (group === '') base = '/api/v1';
  else {
    const info = (await getJson(kc, `/apis/${group}`)) as { preferredVersion?: { groupVersion?: string } };
    const groupVersion = info.preferredVersion?.groupVersion;
    if (groupVersion === undefined) throw new Error(`the API has no group ${group}`);
    base = `/apis/${groupVersion}`;
  }
  const list = (await getJson(kc, base)) as { resources?: ApiResource[] };
  const match = (list.resources ?? []).find(
    (r) =>
      !r.name.includes('/') &&
      (r.singularName === singular || r.name === singular || r.kind.toLowerCase() === singular || r.name === `${singular}s`),
  );
  if (match === undefined) throw new Error(`the API has no resource ${resource}`);
  const path = { base, plural: match.name, namespaced: match.namespaced };
  cache.set(resource, path);
  return path;
}
