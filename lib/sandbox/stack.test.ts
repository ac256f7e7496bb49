// SPDX-License-Identifier: Apache-2.0
// startSandbox() as the lessons get it, end to end: Seldon's own pod shape for the seed's iris model
// (storage initializer into /mnt/models, Seldon's sklearnserver image) runs as local processes and
// becomes Ready; a Service and an Emissary Mapping route the seed's request through the gateway;
// `kubectl port-forward` and `kubectl logs` work; the pods hold their ServiceAccount's credentials
// and an in-cluster client uses them; and stop() leaves no process behind.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInClusterConfig, SERVICE_ACCOUNT_DIR } from '../kube/in-cluster.js';
import { MOUNTS_ENV } from '../server/container-env.js';
import { refs } from './apiserver/api.js';
import type { KubeObject } from './apiserver/types.js';
import { startSandbox, type Sandbox } from './index.js';
import { isGone, readAllText } from './kubelet/testing/cluster.js';
import { SELDON_IRIS_LABELS, seldonIrisPodSpec } from './kubelet/testing/iris-pod.js';
import { waitFor } from './network/testing/wait.js';
import { raw } from './testing.js';

const SEED_REQUEST = JSON.stringify({ data: { ndarray: [[1, 2, 3, 4]] } });
const SEED_ANSWER = [0.0006985194531162835, 0.00366803903943666, 0.995633441507447];
const DEPLOYMENT = 'iris-default-0-classifier';
const MAPPINGS = { group: 'getambassador.io', version: 'v3alpha1', plural: 'mappings' };

function kubectlVersion(): string | undefined {
  try {
    const out = execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return (JSON.parse(out) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  } catch {
    return undefined;
  }
}
const kubectlFound = kubectlVersion();
if (!kubectlFound) console.log('stack.test.ts: the kubectl port-forward and logs tests are skipped: kubectl is not on PATH');

/** The seed's prediction, checked to 1e-12, from a Seldon protocol v1 endpoint. */
async function expectSeedAnswer(url: string): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SEED_REQUEST });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { data: { names: string[]; ndarray: number[][] } };
  expect(body.data.names).toEqual(['t:0', 't:1', 't:2']);
  body.data.ndarray[0].forEach((p, i) => expect(Math.abs(p - SEED_ANSWER[i])).toBeLessThan(1e-12));
}

let sandbox: Sandbox;
const notices: string[] = [];
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-stack-'));
  sandbox = await startSandbox({ ingressPort: 0, notice: (line) => notices.push(line) });
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const kubectl = (...args: string[]) =>
  promisify(execFile)('kubectl', ['--kubeconfig', sandbox.kubeconfigPath, '--cache-dir', join(dir, 'kube-cache'), ...args], { timeout: 30_000 });

async function irisPod(): Promise<KubeObject> {
  const { items } = await sandbox.api.list(refs.pods, { namespace: 'seldon', labelSelector: 'seldon-app=iris-default' });
  expect(items).toHaveLength(1);
  return items[0];
}

describe('the full sandbox', () => {
  it("runs Seldon's iris pod from a Deployment, and routes the seed's request to it through a Service, a Mapping and the gateway", async () => {
    expect(sandbox.ingressUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await sandbox.api.create(refs.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'seldon' } });
    await sandbox.api.create(refs.deployments, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: DEPLOYMENT, namespace: 'seldon', labels: SELDON_IRIS_LABELS },
      spec: {
        replicas: 1,
        selector: { matchLabels: SELDON_IRIS_LABELS },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
        template: { metadata: { labels: SELDON_IRIS_LABELS, annotations: { 'prometheus.io/path': '/prometheus', 'prometheus.io/scrape': 'true' } }, spec: seldonIrisPodSpec() },
      },
    });
    let last: unknown;
    await waitFor('the Deployment to be available', async () => {
      last = (await sandbox.api.get(refs.deployments, 'seldon', DEPLOYMENT)).status;
      return (last as { availableReplicas?: number }).availableReplicas === 1;
    }, 30_000, 20).catch((error: Error) => {
      throw new Error(`${error.message}; last status ${JSON.stringify(last)}`, { cause: error });
    });

    // Seldon's predictor Service (port 8000; no executor here, so it targets the model's 9000) and
    // the Mapping Seldon 1.15+ writes, as getambassador.io/v3alpha1 wants it.
    await sandbox.api.create(refs.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'iris-default', namespace: 'seldon' },
      spec: { selector: { 'seldon-app': 'iris-default' }, ports: [{ name: 'http', port: 8000, targetPort: 9000 }] },
    });
    await sandbox.api.create(MAPPINGS, {
      apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', metadata: { name: 'seldon-seldon-iris-default-rest', namespace: 'seldon' },
      spec: { hostname: '*', prefix: '/seldon/seldon/iris/', rewrite: '/', service: 'iris-default.seldon:8000', timeout_ms: 3000 },
    });
    const url = `${sandbox.ingressUrl}/seldon/seldon/iris/api/v1.0/predictions`;
    // The route and the endpoints arrive by watch events; until then Envoy says 404 or 503.
    await waitFor('the gateway to route to the pod', async () => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SEED_REQUEST })).status === 200, 10_000, 20);
    await expectSeedAnswer(url);

    // The Service itself is served too, at its loopback address, as kube-proxy would.
    const view = sandbox.network!.table.get('seldon', 'iris-default')!;
    await waitFor('the Service proxy to listen', () => sandbox.network!.proxy.listening().some((l) => l.address === view.loopbackAddress && l.port === 8000), 5_000, 10);
    await expectSeedAnswer(`http://${view.loopbackAddress}:8000/api/v1.0/predictions`);
  });

  it.skipIf(!kubectlFound)(`forwards a local port to the pod with kubectl port-forward (${kubectlFound ?? 'no kubectl'})`, async () => {
    const pod = await irisPod();
    const child = spawn('kubectl', ['--kubeconfig', sandbox.kubeconfigPath, '--cache-dir', join(dir, 'kube-cache'), '-n', 'seldon', 'port-forward', `pod/${pod.metadata.name}`, ':9000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      const port = await waitFor('kubectl to say where it forwards from', () => /Forwarding from 127\.0\.0\.1:(\d+) -> 9000/.exec(out)?.[1] ?? (child.exitCode !== null ? `exited: ${out}` : undefined), 20_000, 20);
      expect(port, out).toMatch(/^\d+$/);
      await expectSeedAnswer(`http://127.0.0.1:${port}/api/v1.0/predictions`);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it.skipIf(!kubectlFound)("shows the storage initializer's and the server's output with kubectl logs", async () => {
    const pod = String((await irisPod()).metadata.name);
    const podIP = ((await irisPod()).status as { podIP: string }).podIP;
    const init = await kubectl('logs', '-n', 'seldon', pod, '-c', 'classifier-model-initializer');
    // An init container's log is served too: the storage initializer's, which fetched the model.
    expect(init.stdout).toContain('Model files from gs://seldon-models/v1.11.0-dev/sklearn/iris are in ');
    const server = await kubectl('logs', '-n', 'seldon', pod, '-c', 'classifier', '--tail', '20');
    expect(server.stdout).toContain(`seldon-lab model server ready`);
    expect(server.stdout).toContain(`${podIP}:9000`);
  });

  it("gives pods their ServiceAccount's credentials, which an in-cluster client uses to reach the API server", async () => {
    await sandbox.api.create(refs.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'whoami', namespace: 'seldon' },
      spec: {
        containers: [{
          name: 'main', image: 'busybox',
          command: ['sh', '-c', `echo "api=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"; cat ${SERVICE_ACCOUNT_DIR}/namespace; echo; cat ${SERVICE_ACCOUNT_DIR}/token; echo; cat ${SERVICE_ACCOUNT_DIR}/ca.crt; sleep infinity`],
        }],
      },
    });
    const pod = await sandbox.api.get(refs.pods, 'seldon', 'whoami');
    // The ServiceAccount admission plugin's work, visible in the stored pod as on a cluster.
    const spec = pod.spec as { serviceAccountName: string; volumes: { name: string; projected?: unknown }[]; containers: { volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] }[] };
    expect(spec.serviceAccountName).toBe('default');
    const volume = spec.volumes.find((v) => v.name.startsWith('kube-api-access-'));
    expect(volume?.projected).toBeDefined();
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: volume!.name, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true });

    let log = '';
    await waitFor('the pod to print its credentials', async () => {
      log = await readAllText(await sandbox.kubelet!.readLog({ namespace: 'seldon', pod: 'whoami' })).catch(() => '');
      return log.includes('END CERTIFICATE');
    }, 10_000, 20);
    const [apiLine, namespace, token, ...ca] = log.split('\n');
    const [host, port] = apiLine.replace(/^api=/, '').split(':');
    expect(namespace).toBe('seldon');
    expect(token).toBe(sandbox.serviceAccountToken('seldon', 'default'));
    expect(`${ca.join('\n').trim()}\n`).toBe(sandbox.caPem);
    // The kubernetes Service's loopback address, or the server's own when another sandbox holds it.
    expect(`${host}:${port}`).toBe(notices.some((n) => n.includes('kubernetes Service')) ? `127.0.0.1:${new URL(sandbox.url).port}` : '127.96.0.1:10443');

    // What a kit program in that pod does: the same files, found through its mount table.
    const mounted = join(dir, 'serviceaccount');
    rmSync(mounted, { recursive: true, force: true });
    mkdirSync(mounted, { recursive: true });
    writeFileSync(join(mounted, 'token'), token);
    writeFileSync(join(mounted, 'ca.crt'), sandbox.caPem);
    writeFileSync(join(mounted, 'namespace'), namespace);
    const env = { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port, [MOUNTS_ENV]: JSON.stringify({ [SERVICE_ACCOUNT_DIR]: mounted }) };
    const kc = loadInClusterConfig(new KubeConfig(), env);
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('seldon');
    // RBAC is enforced: the ServiceAccount may list pods only once a Role and RoleBinding say so.
    await expect(kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'seldon' })).rejects.toMatchObject({ code: 403 });
    const rbac = (plural: string) => ({ group: 'rbac.authorization.k8s.io', version: 'v1', plural });
    await sandbox.api.create(rbac('roles'), {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-lister', namespace: 'seldon' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    });
    await sandbox.api.create(rbac('rolebindings'), {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'default-lists-pods', namespace: 'seldon' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-lister' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }],
    });
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'seldon' });
    expect(pods.items.map((p) => p.metadata?.name)).toContain('whoami');

    // The token stands for its ServiceAccount: once that is gone, the token no longer opens the API.
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/seldon/pods', { token })).status).toBe(200);
    await sandbox.api.delete(refs.serviceaccounts, 'seldon', 'default');
    expect((await raw(sandbox, 'GET', '/api/v1/namespaces/seldon/pods', { token })).status).toBe(401);
  });

  it('stops the kubelet, and with it every process it started, the gateway and the API server', async () => {
    const pids = sandbox.kubelet!.pids();
    expect(pids.length).toBeGreaterThan(1);
    const ingress = sandbox.ingressUrl!;
    await sandbox.stop();
    expect(pids.filter((pid) => !isGone(pid))).toEqual([]);
    await expect(fetch(ingress)).rejects.toThrow();
    await expect(raw(sandbox, 'GET', '/version')).rejects.toThrow();
  });
});
