// SPDX-License-Identifier: Apache-2.0
// loadInClusterConfig(): the credentials of a pod, read through the sandbox's mount table when
// there is one and from the real path otherwise, with the errors that say what is missing.
// (lib/sandbox/stack.test.ts uses it against a running sandbox with a pod's real credentials.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { MOUNTS_ENV } from '../server/container-env.js';
import { loadInClusterConfig, runsInCluster, serviceAccountFiles, SERVICE_ACCOUNT_DIR } from './in-cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'in-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pod's credentials folder and the environment the sandbox kubelet gives its containers. */
function podEnv(files: Record<string, string>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const volume = mkdtempSync(join(dir, 'kube-api-access-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(volume, name), content);
  return { KUBERNETES_SERVICE_HOST: '127.96.0.1', KUBERNETES_SERVICE_PORT: '10443', [MOUNTS_ENV]: JSON.stringify({ [SERVICE_ACCOUNT_DIR]: volume }), ...extra };
}

describe('loadInClusterConfig', () => {
  it("reads the pod's token, CA and namespace through the mount table, as loadFromCluster() reads the real path", async () => {
    const env = podEnv({ token: 'the-token', 'ca.crt': 'CA PEM', namespace: 'seldon' });
    const kc = loadInClusterConfig(new KubeConfig(), env);
    const files = serviceAccountFiles(env);
    expect(files.token).not.toBe(`${SERVICE_ACCOUNT_DIR}/token`);
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://127.96.0.1:10443', caFile: files.ca, skipTLSVerify: false });
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('seldon');
    // The token goes on every request, read from the file.
    const options: { headers: Record<string, string> } = { headers: {} };
    await kc.applyToHTTPSOptions(options as never);
    expect(options.headers.Authorization).toBe('Bearer the-token');
    expect(runsInCluster(env)).toBe(true);
  });

  it('uses the real path without a mount table (a container on a cluster)', () => {
    expect(serviceAccountFiles({})).toEqual({ token: `${SERVICE_ACCOUNT_DIR}/token`, ca: `${SERVICE_ACCOUNT_DIR}/ca.crt`, namespace: `${SERVICE_ACCOUNT_DIR}/namespace` });
  });

  it("follows client-node's rules for plain HTTP ports and IPv6 hosts", () => {
    expect(loadInClusterConfig(new KubeConfig(), podEnv({ token: 't' }, { KUBERNETES_SERVICE_PORT: '8080' })).getCurrentCluster()?.server).toBe('http://127.96.0.1:8080');
    expect(loadInClusterConfig(new KubeConfig(), podEnv({ token: 't' }, { KUBERNETES_SERVICE_HOST: 'fd00::1' })).getCurrentCluster()?.server).toBe('https://[fd00::1]:10443');
  });

  it('says what is missing outside a pod, or without a token', () => {
    expect(() => loadInClusterConfig(new KubeConfig(), {})).toThrow('KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: this program is not running in a pod');
    const noToken = podEnv({ 'ca.crt': 'CA PEM' });
    expect(runsInCluster(noToken)).toBe(false);
    expect(() => loadInClusterConfig(new KubeConfig(), noToken)).toThrow(`no ServiceAccount token at ${SERVICE_ACCOUNT_DIR}/token`);
  });
});
