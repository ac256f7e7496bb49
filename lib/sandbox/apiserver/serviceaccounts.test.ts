// SPDX-License-Identifier: Apache-2.0
// ServiceAccounts on the API server alone (no kubelet): the admission plugin's changes to new pods
// and its refusals, the tokens it hands out and what the server accepts, and the
// `pods/{name}/portforward` upgrade route's answers before it hands a connection over.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';
import { raw } from '../testing.js';
import { refs } from './api.js';
import { SERVICE_ACCOUNT_MOUNT_PATH } from './serviceaccounts.js';
import type { KubeObject } from './types.js';

let sandbox: Sandbox;
let other: Sandbox;
beforeAll(async () => {
  [sandbox, other] = await Promise.all([startSandbox({ controllers: false }), startSandbox({ controllers: false })]);
});
afterAll(async () => {
  await Promise.all([sandbox?.stop(), other?.stop()]);
});

interface Spec {
  serviceAccountName?: string;
  volumes?: { name: string; projected?: { sources: Record<string, unknown>[] } }[];
  initContainers?: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  containers: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
}

const createPod = (name: string, spec: Record<string, unknown>, namespace = 'default') =>
  sandbox.api.create(refs.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec } });
const specOf = (pod: KubeObject) => pod.spec as unknown as Spec;

describe('the ServiceAccount admission plugin', () => {
  it("mounts the ServiceAccount's token, the CA and the namespace in every container", async () => {
    const pod = specOf(await createPod('mounted', { initContainers: [{ name: 'init', image: 'busybox' }] }));
    expect(pod.serviceAccountName).toBe('default');
    const volume = pod.volumes!.find((v) => /^kube-api-access-[a-z0-9]{5}$/.test(v.name))!;
    expect(volume.projected!.sources).toEqual([
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ]);
    const mount = { name: volume.name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
    expect(pod.containers[0].volumeMounts).toEqual([mount]);
    expect(pod.initContainers![0].volumeMounts).toEqual([mount]);
  });

  it('leaves a container that mounts something of its own at that path alone', async () => {
    const pod = specOf(await createPod('own-mount', {
      containers: [
        { name: 'own', image: 'busybox', volumeMounts: [{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }] },
        { name: 'plain', image: 'busybox' },
      ],
      volumes: [{ name: 'mine', emptyDir: {} }],
    }));
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'mine', mountPath: SERVICE_ACCOUNT_MOUNT_PATH }]);
    expect(pod.containers[1].volumeMounts?.[0].mountPath).toBe(SERVICE_ACCOUNT_MOUNT_PATH);
  });

  it('mounts nothing with automountServiceAccountToken: false, on the pod or on its ServiceAccount (the pod wins)', async () => {
    await sandbox.api.create(refs.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet', namespace: 'default' }, automountServiceAccountToken: false });
    const noPod = specOf(await createPod('no-automount', { automountServiceAccountToken: false }));
    const noSa = specOf(await createPod('quiet-sa', { serviceAccountName: 'quiet' }));
    const podWins = specOf(await createPod('pod-wins', { serviceAccountName: 'quiet', automountServiceAccountToken: true }));
    expect(noPod.volumes ?? []).toEqual([]);
    expect(noSa.volumes ?? []).toEqual([]);
    expect(podWins.volumes?.map((v) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
  });

  it('refuses a pod whose ServiceAccount does not exist, with the real message', async () => {
    const res = await raw(sandbox, 'POST', '/api/v1/namespaces/default/pods', {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan' }, spec: { serviceAccountName: 'ghost', containers: [{ name: 'main', image: 'busybox' }] } },
    });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({
      reason: 'Forbidden',
      message: 'pods "orphan" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found',
    });
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/pods/orphan')).status).toBe(404);
  });
});

describe('ServiceAccount tokens', () => {
  it("are accepted as bearer tokens, say whose they are, and stop working when the ServiceAccount is deleted", async () => {
    await sandbox.api.create(refs.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } });
    const token = sandbox.serviceAccountToken('default', 'robot')!;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string };
    expect(claims.sub).toBe('system:serviceaccount:default:robot');
    // Accepted: it may do what every authenticated user may (discovery), and RBAC refuses it the rest (authz.ts).
    expect((await raw(sandbox, 'GET', '/apis', { token })).status).toBe(200);
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/configmaps', { token })).status).toBe(403);

    // Its claims edited to speak for another account (the signature no longer fits), or from another sandbox: refused.
    const [header, , signature] = token.split('.');
    const edited = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:default' })).toString('base64url');
    const forged = `${header}.${edited}.${signature}`;
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/configmaps', { token: forged })).status).toBe(401);
    await other.api.create(refs.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } });
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/configmaps', { token: other.serviceAccountToken('default', 'robot') })).status).toBe(401);

    await sandbox.api.delete(refs.serviceaccounts, 'default', 'robot');
    expect(sandbox.serviceAccountToken('default', 'robot')).toBeUndefined();
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/configmaps', { token })).status).toBe(401);
    // A new ServiceAccount of the same name is another account (another uid): the old token stays refused.
    await sandbox.api.create(refs.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } });
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/default/configmaps', { token })).status).toBe(401);
  });
});

/** An upgrade request as kubectl port-forward sends it; resolves with the HTTP answer when there is no upgrade. */
function upgradeRequest(path: string, token: string | undefined): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'portforward.k8s.io' };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request(new URL(path, sandbox.url), { method: 'POST', headers, ca: sandbox.caPem, agent: false });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, body: {} });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('pods/portforward', () => {
  it('is listed in discovery', async () => {
    const list = (await raw(sandbox, 'GET', '/api/v1')).json<{ resources: { name: string; verbs: string[] }[] }>();
    expect(list.resources.find((r) => r.name === 'pods/portforward')?.verbs).toEqual(['create', 'get']);
  });

  it('answers 401 without a token, 404 for a missing pod, 400 for a bad path or a request that does not upgrade', async () => {
    await createPod('forward-me', {});
    expect((await upgradeRequest('/api/v1/namespaces/default/pods/forward-me/portforward', undefined)).status).toBe(401);
    const missing = await upgradeRequest('/api/v1/namespaces/default/pods/nobody/portforward', sandbox.token);
    expect(missing).toMatchObject({ status: 404, body: { reason: 'NotFound', message: 'pods "nobody" not found' } });
    // Bad input gets an answer, and the server stays up.
    expect(await upgradeRequest('/api/v1/namespaces/default/pods/%E0%A4%A/portforward', sandbox.token)).toMatchObject({ status: 400, body: { message: 'the path /api/v1/namespaces/default/pods/%E0%A4%A/portforward is not validly escaped' } });
    expect(await upgradeRequest('/api/v1/namespaces/default/pods', sandbox.token)).toMatchObject({ status: 400, body: { message: '/api/v1/namespaces/default/pods cannot be upgraded: only pods/{name}/portforward can' } });
    const plain = await raw(sandbox, 'POST', '/api/v1/namespaces/default/pods/forward-me/portforward');
    expect(plain.status).toBe(400);
    expect(plain.json()).toMatchObject({ message: 'Upgrade request required' });
    // An upgrade is taken over once the pod is found (it has no address yet: the handler says so per stream).
    expect((await upgradeRequest('/api/v1/namespaces/default/pods/forward-me/portforward', sandbox.token)).status).toBe(101);
  });
});
