/**
 * `kata doctor`: can katas run on this cluster? Reachability and version, ephemeral containers,
 * the permissions katas need (SelfSubjectAccessReview), and whether a mesh is installed.
 */
import { AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { getJson } from './api.js';
import { loadKubeConfig, serverVersion, statusOf, type ConnectOptions } from './cluster.js';

/** One finding of the doctor. */
export interface Finding {
  readonly level: 'ok' | 'warn' | 'fail';
  readonly message: string;
  /** What to do about it. */
  readonly fix?: string;
}

/** What katas ask of the API, as SelfSubjectAccessReview attributes. */
const NEEDED = [
  { verb: 'create', group: 'apps', resource: 'deployments', what: 'create deployments' },
  { verb: 'create', group: '', resource: 'services', what: 'create services' },
  { verb: 'create', group: '', resource: 'pods', subresource: 'exec', what: 'exec into pods (pods/exec)' },
  { verb: 'patch', group: '', resource: 'pods', subresource: 'ephemeralcontainers', what: 'attach ephemeral containers (pods/ephemeralcontainers)' },
  { verb: 'delete', group: 'apps', resource: 'deployments', what: 'delete deployments (cleanup)' },
] as const;

export async function diagnose(options: ConnectOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  let loaded;
  try {
    loaded = loadKubeConfig(options);
    const version = await serverVersion(loaded);
    findings.push({ level: 'ok', message: `cluster ${loaded.target.cluster} (context ${loaded.target.context}) answers: Kubernetes ${version}` });
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    findings.push({ level: 'fail', message: error.message, fix: error.hint });
    return findings;
  }
  const { kc, target } = loaded;

  try {
    const core = (await getJson(kc, '/api/v1')) as { resources?: { name: string }[] };
    const supported = (core.resources ?? []).some((r) => r.name === 'pods/ephemeralcontainers');
    findings.push(
      supported
        ? { level: 'ok', message: 'ephemeral containers are supported (pods/ephemeralcontainers)' }
        : { level: 'fail', message: 'ephemeral containers are not supported by this API server', fix: 'Use Kubernetes 1.25 or later, or enable the EphemeralContainers feature gate.' },
    );
  } catch (error) {
    findings.push({ level: 'fail', message: `cannot read the API's resources: ${(error as Error).message}` });
  }

  const auth = kc.makeApiClient(AuthorizationV1Api);
  for (const need of NEEDED) {
    try {
      const review = await auth.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: {
              namespace: target.namespace,
              verb: need.verb,
              group: need.group,
              resource: need.resource,
              ...('subresource' in need ? { subresource: need.subresource } : {}),
            },
          },
        },
      });
      findings.push(
        review.status?.allowed === true
          ? { level: 'ok', message: `may ${need.what} in namespace ${target.namespace}` }
          : {
              level: 'fail',
              message: `may not ${need.what} in namespace ${target.namespace}${review.status?.reason ? ` (${review.status.reason})` : ''}`,
              fix: `Ask a cluster admin for "${need.verb}" on ${need.group === '' ? '' : `${need.group}/`}${need.resource}${'subresource' in need ? `/${need.subresource}` : ''}, or use another --namespace.`,
            },
      );
    } catch (error) {
      findings.push({ level: 'fail', message: `cannot ask whether we may ${need.what}: ${(error as Error).message}` });
    }
  }

  try {
    await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'istio-system' });
    findings.push({ level: 'ok', message: 'a service mesh is installed (namespace istio-system): `needs mesh` steps will run' });
  } catch (error) {
    findings.push(
      statusOf(error) === 404
        ? { level: 'warn', message: 'no service mesh found (no namespace istio-system): steps marked `needs mesh` will be skipped', fix: 'Install Istio if you want those steps to run.' }
        : { level: 'warn', message: `cannot tell whether a mesh is installed: ${(error as Error).message}` },
    );
  }
  return findings;
}

/** The doctor's report as text, and whether anything failed. */
export function formatFindings(findings: readonly Finding[]): { text: string; failed: boolean } {
  const text = findings.map((f) => `${f.level === 'ok' ? 'ok  ' : f.level === 'warn' ? 'warn' : 'FAIL'}  ${f.message}${f.fix === undefined ? '' : `\n      fix: ${f.fix}`}\n`).join('');
  return { text, failed: findings.some((f) => f.level === 'fail') };
}
