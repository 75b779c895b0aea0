/**
 * `kata doctor`: can katas run on this cluster? Reachability and version, ephemeral containers,
 * the permissions katas need (SelfSubjectAccessReview), and whether a mesh is installed.
 */
import {
  AppsV1Api,
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { apiErrorMessage, getJson, withDeadline } from './api.js';
import { hasSidecar, istiodOf } from './mesh.js';
import { watchUntil } from './settle.js';
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
  {
    verb: 'patch',
    group: '',
    resource: 'pods',
    subresource: 'ephemeralcontainers',
    what: 'attach ephemeral containers (pods/ephemeralcontainers)',
  },
  { verb: 'delete', group: 'apps', resource: 'deployments', what: 'delete deployments (cleanup)' },
] as const;

export async function diagnose(options: ConnectOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  let loaded;
  try {
    loaded = loadKubeConfig(options);
    const version = await serverVersion(loaded);
    findings.push({
      level: 'ok',
      message: `cluster ${loaded.target.cluster} (context ${loaded.target.context}) answers: Kubernetes ${version}`,
    });
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    findings.push({ level: 'fail', message: error.message, fix: error.hint ?? 'Check the kubeconfig and the cluster.' });
    return findings;
  }
  const { kc, target } = loaded;
  const who = await whoAmI(kc);
  if (who !== undefined) findings.push(who);
  if (who?.level === 'fail') return findings;

  try {
    const core = (await getJson(kc, '/api/v1')) as { resources?: { name: string }[] };
    const supported = (core.resources ?? []).some((r) => r.name === 'pods/ephemeralcontainers');
    findings.push(
      supported
        ? { level: 'ok', message: 'ephemeral containers are supported (pods/ephemeralcontainers)' }
        : {
            level: 'fail',
            message: 'ephemeral containers are not supported by this API server',
            fix: 'Use Kubernetes 1.25 or later, or enable the EphemeralContainers feature gate.',
          },
    );
  } catch (error) {
    findings.push({ level: 'fail', message: `cannot read the API's resources: ${apiErrorMessage(error)}` });
  }

  const auth = kc.makeApiClient(AuthorizationV1Api);
  findings.push(await namespaceFinding(kc, target.namespace));
  for (const need of NEEDED) {
    try {
      const review = await withDeadline(
        `whether we may ${need.what}`,
        auth.createSelfSubjectAccessReview({
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
        }),
      );
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
      findings.push({ level: 'fail', message: `cannot ask whether we may ${need.what}: ${apiErrorMessage(error)}` });
    }
  }

  findings.push(...(await meshFindings(kc, target.namespace)));
  return findings;
}

/**
 * Who the cluster takes us for: the version answers anyone, so "answers" proves nothing about
 * the credentials. An anonymous user (a context without credentials, or ones the server ignores)
 * can do nothing a kata needs. Undefined when the server cannot say (before Kubernetes 1.28).
 */
async function whoAmI(kc: KubeConfig): Promise<Finding | undefined> {
  try {
    const review = (await withDeadline('who we are', kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} }))) as {
      status?: { userInfo?: { username?: string } };
    };
    const user = review.status?.userInfo?.username ?? '';
    if (user === 'system:anonymous' || user === '')
      return {
        level: 'fail',
        message: 'the cluster takes these credentials for an anonymous user (system:anonymous): no kata can run as that',
        fix: 'Give the context a user with a token or client certificate (`kubectl config view --minify`), or pick another with --context NAME.',
      };
    return { level: 'ok', message: `the cluster knows these credentials as ${user}` };
  } catch (error) {
    if (statusOf(error) === 401)
      return {
        level: 'fail',
        message: 'the cluster refuses these credentials (HTTP 401)',
        fix: 'Check the user of this context (an expired token or certificate?), or pick another with --context NAME.',
      };
    return undefined;
  }
}

/** The run must get its namespace, or create it when it is not there. */
async function namespaceFinding(kc: KubeConfig, namespace: string): Promise<Finding> {
  const auth = kc.makeApiClient(AuthorizationV1Api);
  const may = async (verb: string, name?: string): Promise<boolean> =>
    (
      await withDeadline(
        `whether we may ${verb} namespaces`,
        auth.createSelfSubjectAccessReview({
          body: { spec: { resourceAttributes: { verb, resource: 'namespaces', ...(name === undefined ? {} : { name }) } } },
        }),
      )
    ).status?.allowed === true;
  try {
    if (await may('get', namespace)) {
      const exists = await withDeadline(
        `namespace ${namespace}`,
        kc
          .makeApiClient(CoreV1Api)
          .readNamespace({ name: namespace })
          .then(
            () => true,
            (error: unknown) => {
              if (statusOf(error) === 404) return false;
              throw error;
            },
          ),
      );
      if (exists) return { level: 'ok', message: `may get namespace ${namespace}, which exists` };
      return (await may('create'))
        ? { level: 'ok', message: `namespace ${namespace} does not exist; a run may create it (and deletes it at its end)` }
        : {
            level: 'fail',
            message: `namespace ${namespace} does not exist, and these credentials may not create namespaces`,
            fix: 'Ask a cluster admin to create it for you, or run with --namespace NAME of one you may use.',
          };
    }
    return {
      level: 'warn',
      message: `may not get namespace ${namespace} (a namespace-scoped user): a run takes it for one that exists and leaves it in place at its end`,
      fix: `If it does not exist, ask a cluster admin to create it, or use --namespace NAME of one you may use.`,
    };
  } catch (error) {
    return { level: 'fail', message: `cannot check namespace ${namespace}: ${apiErrorMessage(error)}` };
  }
}

/**
 * The mesh: Istio installed (its version), istiod Ready, injection on for the namespace, and
 * `kubectl debug` into an injected pod working (a pod is started and removed again to prove it).
 */
async function meshFindings(kc: KubeConfig, namespace: string): Promise<Finding[]> {
  const core = kc.makeApiClient(CoreV1Api);
  let istiod;
  try {
    istiod = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'istiod', namespace: 'istio-system' });
  } catch (error) {
    if (statusOf(error) === 404) {
      return [
        {
          level: 'warn',
          message: 'no Istio found (no istiod in namespace istio-system): steps that need a mesh will be skipped',
          fix: 'Install Istio (on the local lab: `kata lab up --mesh`) if you want those steps to run.',
        },
      ];
    }
    if (statusOf(error) === 403) {
      return [
        {
          level: 'warn',
          message: 'cannot tell whether Istio is installed: these credentials may not read istiod in namespace istio-system (HTTP 403)',
          fix: 'Ask the cluster admin whether the cluster has Istio; steps that need a mesh are skipped when the pod has no sidecar.',
        },
      ];
    }
    return [{ level: 'warn', message: `cannot tell whether Istio is installed: ${apiErrorMessage(error)}` }];
  }
  const findings: Finding[] = [];
  const { version = 'version unknown', ready } = istiodOf(istiod);
  findings.push(
    ready
      ? { level: 'ok', message: `Istio ${version} is installed and istiod is Ready` }
      : {
          level: 'fail',
          message: `Istio ${version} is installed but istiod is not Ready`,
          fix: 'Look at `kubectl -n istio-system describe pods -l app=istiod` and its logs; on the lab, `kata lab mesh down` then `kata lab up --mesh`.',
        },
  );
  let labels: Record<string, string>;
  try {
    labels = (await core.readNamespace({ name: namespace })).metadata?.labels ?? {};
  } catch (error) {
    if (statusOf(error) !== 404)
      return [...findings, { level: 'warn', message: `cannot read namespace ${namespace}: ${apiErrorMessage(error)}` }];
    return [
      ...findings,
      { level: 'ok', message: `namespace ${namespace} does not exist yet: a run that needs the mesh creates it with injection on` },
    ];
  }
  const injected = labels['istio-injection'] === 'enabled' || (labels['istio.io/rev'] ?? '') !== '';
  if (!injected) {
    return [
      ...findings,
      {
        level: 'warn',
        message: `namespace ${namespace} is not in the mesh (no label istio-injection=enabled): its pods get no sidecar, steps that need a mesh are skipped`,
        fix: `Run \`kubectl label namespace ${namespace} istio-injection=enabled\`, or use a new --namespace (a run that needs the mesh labels the namespace it creates).`,
      },
    ];
  }
  findings.push({ level: 'ok', message: `namespace ${namespace} is in the mesh (sidecar injection on)` });
  if (ready) findings.push(await debugInjectedPod(kc, namespace));
  return findings;
}

const DOCTOR_POD_TIMEOUT_MS = 120_000;

/** Starts an injected pod, attaches an ephemeral container that lists the pod's interfaces, and removes the pod. */
async function debugInjectedPod(kc: KubeConfig, namespace: string): Promise<Finding> {
  const core = kc.makeApiClient(CoreV1Api);
  const name = `kata-doctor-${Math.random().toString(36).slice(2, 8)}`;
  const what = '`kubectl debug` into an injected pod';
  try {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'kata-runner', 'kata-runner/doctor': 'mesh' } },
        spec: { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '300'] }], terminationGracePeriodSeconds: 0 },
      },
    });
    const deadline = Date.now() + DOCTOR_POD_TIMEOUT_MS;
    const pod = await watchPod(
      kc,
      core,
      name,
      namespace,
      deadline,
      (p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    );
    if (pod === undefined)
      return {
        level: 'fail',
        message: `${what}: the test pod ${name} was not Ready in ${DOCTOR_POD_TIMEOUT_MS / 1000}s`,
        fix: `Look at \`kubectl -n ${namespace} describe pod\` of a new pod: image pulls, the sidecar's log.`,
      };
    if (!hasSidecar(pod))
      return {
        level: 'fail',
        message: `${what}: the test pod got no istio-proxy sidecar although namespace ${namespace} has injection on`,
        fix: "Check the webhook `istio-sidecar-injector` and istiod's log.",
      };
    await core.patchNamespacedPodEphemeralcontainers(
      {
        name,
        namespace,
        body: {
          spec: {
            ephemeralContainers: [{ name: 'debugger', image: 'busybox', command: ['cat', '/proc/net/dev'], targetContainerName: 'app' }],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const done = await watchPod(
      kc,
      core,
      name,
      namespace,
      deadline,
      (p) => p.status?.ephemeralContainerStatuses?.some((s) => s.name === 'debugger' && s.state?.terminated !== undefined) === true,
    );
    if (done === undefined)
      return { level: 'fail', message: `${what}: the ephemeral container did not run to its end in ${DOCTOR_POD_TIMEOUT_MS / 1000}s` };
    const log = await core.readNamespacedPodLog({ name, namespace, container: 'debugger' });
    const sees = ['lo', 'eth0'].filter((i) => new RegExp(`^\\s*${i}:`, 'm').test(log));
    return sees.length === 2
      ? { level: 'ok', message: `${what} works: an ephemeral container beside istio-proxy sees the pod's lo and eth0` }
      : {
          level: 'fail',
          message: `${what}: the ephemeral container saw ${sees.length === 0 ? 'no interfaces' : `only ${sees.join(', ')}`} of the pod`,
        };
  } catch (error) {
    return {
      level: 'fail',
      message: `${what}: ${apiErrorMessage(error)}`,
      fix: 'It needs create/delete on pods and patch on pods/ephemeralcontainers in the namespace.',
    };
  } finally {
    // Gone, not just terminating, before the doctor reports: it leaves nothing behind.
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
    await watchUntil(
      kc,
      `/api/v1/namespaces/${namespace}/pods`,
      { fieldSelector: `metadata.name=${name}` },
      30_000,
      new AbortController().signal,
      {
        done: (type) => type === 'DELETED',
        begun: async () =>
          core.readNamespacedPod({ name, namespace }).then(
            () => false,
            (error: unknown) => statusOf(error) === 404,
          ),
      },
    );
  }
}

/** Watches the pod until `done` holds (or the deadline passes); returns it as it then was. */
async function watchPod(
  kc: KubeConfig,
  core: CoreV1Api,
  name: string,
  namespace: string,
  deadline: number,
  done: (pod: V1Pod) => boolean,
): Promise<V1Pod | undefined> {
  let last: V1Pod | undefined;
  const ok = await watchUntil(
    kc,
    `/api/v1/namespaces/${namespace}/pods`,
    { fieldSelector: `metadata.name=${name}` },
    Math.max(0, deadline - Date.now()),
    new AbortController().signal,
    {
      done: (type, object) => {
        if (type === 'DELETED' || !done(object as V1Pod)) return false;
        last = object as V1Pod;
        return true;
      },
      begun: async () => {
        const pod = await core.readNamespacedPod({ name, namespace });
        if (!done(pod)) return false;
        last = pod;
        return true;
      },
    },
  );
  return ok ? last : undefined;
}

/** The doctor's report as text, and whether anything failed. */
export function formatFindings(findings: readonly Finding[]): { text: string; failed: boolean } {
  const text = findings
    .map(
      (f) =>
        `${f.level === 'ok' ? 'ok  ' : f.level === 'warn' ? 'warn' : 'FAIL'}  ${f.message}${f.fix === undefined ? '' : `\n      fix: ${f.fix}`}\n`,
    )
    .join('');
  return { text, failed: findings.some((f) => f.level === 'fail') };
}
