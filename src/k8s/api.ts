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

/** An API call given up because the run was interrupted (Ctrl-C, SIGTERM). */
export class ApiAbortedError extends Error {
  constructor(what: string) {
    super(`interrupted while waiting for the API server to answer ${what}`);
  }
}

/**
 * `call` or, when the API server does not answer within the deadline, an ApiTimeoutError: a
 * server that accepts connections and then says nothing must not hang the run. With `signal`,
 * an abort (Ctrl-C) gives up at once with an ApiAbortedError instead of waiting out the deadline;
 * the request itself is left to die with its socket (releaseAgents, or the CLI's exit).
 */
export async function withDeadline<T>(what: string, call: Promise<T>, ms: number = apiTimeoutMs(), signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiTimeoutError(`the API server did not answer ${what} within ${formatDuration(ms)}`)), ms);
    if (signal === undefined) return;
    onAbort = () => reject(new ApiAbortedError(what));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // A call that fails after we gave up on it must not become an unhandled rejection.
  call.catch(() => undefined);
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

/** What the API server said in an error's body (a Status object's message), whichever client made it. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() === '' ? undefined : body.trim().slice(0, 300);
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

/** The HTTP status of an API error (client-node's ApiException, a watch's error, ours), if it has one. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown } | null;
  if (error instanceof ApiStatusError) return error.status;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

/**
 * One line for an API error, never client-node's dump (`HTTP-Code: 403 Message: Unknown API
 * Status Code! Body: ... Headers: ...`): the server's own message (for a 403, the RBAC rule that
 * denied it, naming the user, verb and resource), with the status.
 */
export function apiErrorMessage(error: unknown): string {
  const status = httpStatusOf(error);
  if (status !== undefined) {
    const said = statusMessage((error as { body?: unknown }).body) ?? (error instanceof ApiStatusError ? error.message : undefined);
    const plain = said ?? (status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'NotFound' : 'error');
    return `${plain} (HTTP ${status})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** True for an answer that no retry will change (denied, not found, invalid): a watch stops at once. */
export function isPermanent(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 410 && status !== 429;
}

/** Where a request goes and how, with the kubeconfig's credentials and the run's shared agents. */
async function requestOptions(kc: KubeConfig, path: string, timeoutMs: number, signal?: AbortSignal) {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const options: https.RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, timeout: timeoutMs };
  if (signal !== undefined) options.signal = signal;
  await kc.applyToHTTPSOptions(options);
  return { url, options, client: url.protocol === 'http:' ? http : https };
}

/** Rejects with an ApiStatusError carrying the server's message when the answer is not 2xx; true when it was. */
function statusOk(response: http.IncomingMessage, reject: (error: Error) => void): boolean {
  const status = response.statusCode ?? 0;
  if (status >= 200 && status < 300) return true;
  const chunks: Buffer[] = [];
  response.on('data', (c: Buffer) => chunks.push(c));
  response.on('error', reject);
  response.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let message = body.slice(0, 300);
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? message;
    } catch {
      // not JSON
    }
    reject(new ApiStatusError(status, message));
  });
  return false;
}

/** GETs `path` from the API server of the current context and parses the JSON answer; `signal` gives up at once. */
export async function getJson(kc: KubeConfig, path: string, timeoutMs = 10_000, signal?: AbortSignal): Promise<unknown> {
  const { url, options, client } = await requestOptions(kc, path, timeoutMs, signal);
  return new Promise((resolve, reject) => {
    const request = client.request(url, options, (response) => {
      if (!statusOk(response, reject)) return;
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('error', reject);
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new ApiTimeoutError(`no answer from ${url.origin} within ${formatDuration(timeoutMs)}`)));
    request.on('error', reject);
    request.end();
  });
}

/**
 * Watches `path` (`?watch=true` with `query`) and calls `onEvent` for each event, until the
 * server ends the stream (resolves), or it fails (rejects: an ApiStatusError with the server's
 * message, an ApiTimeoutError when the server does not even answer within the API deadline).
 * Unlike client-node's Watch, whose request cannot be aborted before the server answers, an abort
 * of `signal` ends it at once, answer or not (it resolves then). `onOpen` is called when the
 * watch has begun (the server answered 200).
 */
export async function watchJson(
  kc: KubeConfig,
  path: string,
  query: Readonly<Record<string, string | undefined>>,
  onEvent: (type: string, object: unknown) => void,
  signal: AbortSignal,
  headerTimeoutMs: number = apiTimeoutMs(),
  onOpen?: () => void,
): Promise<void> {
  const params = new URLSearchParams({ watch: 'true' });
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, value);
  if (signal.aborted) return;
  const { url, options, client } = await requestOptions(kc, `${path}?${params.toString()}`, headerTimeoutMs, signal);
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => (signal.aborted ? resolve() : reject(error));
    const request = client.request(url, options, (response) => {
      if (!statusOk(response, fail)) return;
      // The stream may be quiet for as long as nothing changes: no idle timeout from here on.
      request.setTimeout(0);
      onOpen?.();
      let rest = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') continue;
          let event: { type?: string; object?: { code?: number; message?: string } };
          try {
            event = JSON.parse(line) as typeof event;
          } catch {
            continue;
          }
          if (event.type === 'ERROR') {
            request.destroy();
            fail(new ApiStatusError(event.object?.code ?? 500, event.object?.message ?? 'the watch failed'));
            return;
          }
          onEvent(event.type ?? '', event.object);
        }
      });
      response.on('end', () => resolve());
      response.on('error', fail);
      response.on('close', () => resolve());
    });
    request.on('timeout', () =>
      request.destroy(new ApiTimeoutError(`the API server did not answer a watch on ${path} within ${formatDuration(headerTimeoutMs)}`)),
    );
    request.on('error', fail);
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
