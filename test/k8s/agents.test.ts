import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKubeConfig, releaseAgents } from '../../src/k8s/cluster.js';

const kubeconfig = (server: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'kata-kc-')), 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: { server: "${server}", insecure-skip-tls-verify: true }
users:
- name: u
  user: { token: abc }
contexts:
- name: ctx
  context: { cluster: c, user: u, namespace: ns }
current-context: ctx
`,
  );
  return file;
};

let loaded: ReturnType<typeof loadKubeConfig> | undefined;
afterEach(() => loaded && releaseAgents(loaded.kc));

describe('API requests of a run', () => {
  it('share one keep-alive agent per set of TLS options instead of one agent per request', async () => {
    loaded = loadKubeConfig({ kubeconfig: kubeconfig('https://127.0.0.1:6443') });
    const first: { agent?: Agent; timeout?: number } = {};
    const second: { agent?: Agent; timeout?: number } = {};
    const other: { agent?: Agent; timeout?: number } = { timeout: 5000 };
    await loaded.kc.applyToHTTPSOptions(first);
    await loaded.kc.applyToHTTPSOptions(second);
    await loaded.kc.applyToHTTPSOptions(other);
    expect(first.agent).toBeDefined();
    expect(second.agent).toBe(first.agent);
    expect((first.agent as (Agent & { keepAlive?: boolean }) | undefined)?.keepAlive).toBe(true);
    expect(other.agent).not.toBe(first.agent);
  });
});
