// SPDX-License-Identifier: Apache-2.0
// What a container sees: its environment (env, envFrom, the downward API, service links) and its
// volumes, at the paths the pod spec names, and ConfigMaps that arrive late.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refs } from '../apiserver/api.js';
import { serviceLoopbackAddress, serviceLoopbackPort } from '../network/address.js';
import { containerStatus, readAllText, shell, startKubeletCluster, waitFor, type KubeletCluster } from './testing/cluster.js';

let c: KubeletCluster;
beforeAll(async () => {
  c = await startKubeletCluster();
});
afterAll(async () => {
  await c?.stop();
});

const logOf = async (pod: string) => readAllText(await c.kubelet.readLog({ namespace: 'default', pod }));

it('gives the program env, envFrom, the downward API, service links and its volumes', async () => {
  await c.api.create(refs.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { GREETING: 'hello', 'index.html': '<h1>hi</h1>' } });
  await c.api.create(refs.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, data: { token: Buffer.from('s3cret').toString('base64') } });
  const svc = await c.api.create(refs.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend', namespace: 'default' }, spec: { clusterIP: '10.96.200.7', selector: { app: 'backend' }, ports: [{ name: 'http', port: 8000 }] } });
  const clusterIP = (svc.spec as { clusterIP: string }).clusterIP;
  const script = [
    'echo "greeting=$GREETING token=$TOKEN ip=$POD_IP mem=$MEM_MI host=$HOSTNAME"',
    'echo "backend=$BACKEND_SERVICE_HOST:$BACKEND_SERVICE_PORT_HTTP api=$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"',
    'echo "args=$0 $1"',
    'cat /etc/config/index.html',
    'echo',
    'cat /etc/podinfo/labels',
    'echo',
    'sleep infinity',
  ].join('; ');
  await c.createPod('env', {
    containers: [{
      name: 'main',
      image: 'busybox',
      command: ['sh', '-c', script],
      // `sh -c script $0 $1`: the kubelet expands $(VAR) in args, and $$ escapes it.
      args: ['$(POD_NAME)-x', 'literal $$(POD_NAME)'],
      envFrom: [{ configMapRef: { name: 'settings' } }],
      env: [
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
      resources: { limits: { memory: '128Mi' } },
      volumeMounts: [{ name: 'config', mountPath: '/etc/config', readOnly: true }, { name: 'podinfo', mountPath: '/etc/podinfo' }],
    }],
    volumes: [
      { name: 'config', configMap: { name: 'settings', items: [{ key: 'index.html', path: 'index.html' }] } },
      { name: 'podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    ],
  }, { labels: { app: 'env-test', tier: 'demo' } });
  const pod = await c.waitForPod('env', 'running', (p) => containerStatus(p, 'main')?.state.running !== undefined);
  const podIP = (pod.status as { podIP: string }).podIP;
  let log = '';
  const text = await waitFor('the whole report', async () => {
    log = await logOf('env');
    return log.includes('tier="demo"') ? log : undefined;
  }).catch((error: Error) => {
    throw new Error(`${error.message}\nlog: ${log}`);
  });
  // The API server: its `kubernetes` Service where the sandbox has one, else its own address.
  const kubernetes = await c.api.get(refs.services, 'default', 'kubernetes').catch(() => undefined);
  const kubernetesSpec = kubernetes?.spec as { clusterIP: string; ports: { port: number }[] } | undefined;
  const api = kubernetesSpec
    ? `${serviceLoopbackAddress(kubernetesSpec.clusterIP)}:${serviceLoopbackPort(kubernetesSpec.ports[0].port)}`
    : `127.0.0.1:${new URL(c.sandbox.url).port}`;
  expect(text).toBe(
    `greeting=hello token=s3cret ip=${podIP} mem=128 host=env\n` +
      `backend=${serviceLoopbackAddress(clusterIP)}:8000 api=${api}\n` +
      'args=env-x literal $(POD_NAME)\n' +
      '<h1>hi</h1>\n' +
      'app="env-test"\ntier="demo"\n',
  );
});

it('waits for a missing ConfigMap (CreateContainerConfigError) and starts once it exists', async () => {
  await c.createPod('late-env', { containers: [shell('main', 'echo "mode=$MODE"; sleep infinity', { env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'late', key: 'mode' } } }] })] });
  const waiting = await c.waitForPod('late-env', 'CreateContainerConfigError', (p) => containerStatus(p, 'main')?.state.waiting?.reason === 'CreateContainerConfigError');
  expect(containerStatus(waiting, 'main')?.state.waiting?.message).toBe('configmap "late" not found');
  await c.api.create(refs.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'default' }, data: { mode: 'fast' } });
  await waitFor('the program to start', async () => (await logOf('late-env').catch(() => '')) === 'mode=fast\n');
});

it('keeps a pod in ContainerCreating while a volume cannot be mounted, and says why', async () => {
  await c.createPod('late-volume', {
    containers: [shell('main', 'cat /cfg/key; echo; sleep infinity', { volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] })],
    volumes: [{ name: 'cfg', configMap: { name: 'late-volume' } }],
  });
  await waitFor('a FailedMount event', async () => (await c.events('late-volume')).includes('FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "late-volume" not found'));
  expect(containerStatus((await c.pod('late-volume'))!, 'main')?.state.waiting?.reason).toBe('ContainerCreating');
  await c.api.create(refs.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late-volume', namespace: 'default' }, data: { key: 'value' } });
  let seen = '';
  await waitFor('the program to read the volume', async () => (seen = await logOf('late-volume').catch((e: Error) => e.message)) === 'value\n').catch((error: Error) => {
    throw new Error(`${error.message}: ${seen}`);
  });
});
