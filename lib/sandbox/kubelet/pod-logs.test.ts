// SPDX-License-Identifier: Apache-2.0
// Container logs through the kubelet and through the API server's `pods/log`, as `kubectl logs`
// (--previous, --tail, -f, -c) reads them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { raw } from '../testing.js';
import { containerStatus, readAllText, shell, startKubeletCluster, waitFor, type KubeletCluster } from './testing/cluster.js';

let c: KubeletCluster;
beforeAll(async () => {
  c = await startKubeletCluster();
});
afterAll(async () => {
  await c?.stop();
});

const read = async (options: Record<string, unknown>) => readAllText(await c.kubelet.readLog({ namespace: 'default', pod: 'counter', ...options }));

it('keeps the current and the previous instance, and serves --tail', async () => {
  // Every run appends to a file in an emptyDir (which outlives restarts) and prints it.
  await c.createPod('counter', {
    containers: [shell('main', 'echo run >> /data/runs; cat /data/runs; echo end; exit 1', { volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
    volumes: [{ name: 'data', emptyDir: {} }],
  });
  await c.waitForPod('counter', 'two restarts, waiting', (p) => {
    const s = containerStatus(p, 'main');
    return (s?.restartCount ?? 0) === 2 && s?.state.waiting?.reason === 'CrashLoopBackOff';
  }, 20_000);
  // Waiting in CrashLoopBackOff, "current" is the run that just ended (the third), and --previous too.
  expect(await read({})).toBe('run\nrun\nrun\nend\n');
  expect(await read({ previous: true })).toBe('run\nrun\nrun\nend\n');
  expect(await read({ tailLines: 1 })).toBe('end\n');
  expect(await read({ tailLines: 2, timestamps: true })).toMatch(/^\S+Z run\n\S+Z end\n$/);
});

it('serves the same through the API server, with its errors', async () => {
  const target = { url: c.sandbox.url, caPem: c.sandbox.caPem, token: c.sandbox.token };
  const tail = await raw(target, 'GET', '/api/v1/namespaces/default/pods/counter/log?tailLines=1');
  expect(tail.status).toBe(200);
  expect(tail.text).toBe('end\n');

  await c.createPod('pair', { containers: [shell('a', 'echo from a; sleep infinity'), shell('b', 'echo from b; sleep infinity')] });
  const noName = await raw(target, 'GET', '/api/v1/namespaces/default/pods/pair/log');
  expect(noName.status).toBe(400);
  expect(noName.json()).toMatchObject({ reason: 'BadRequest', message: 'a container name must be specified for pod pair, choose one of: [a b]' });
  await waitFor('container b to print', async () => (await raw(target, 'GET', '/api/v1/namespaces/default/pods/pair/log?container=b')).text === 'from b\n');
  const previous = await raw(target, 'GET', '/api/v1/namespaces/default/pods/pair/log?container=a&previous=true');
  expect(previous.status).toBe(400);
  expect(previous.json()).toMatchObject({ message: 'previous terminated container "a" in pod "pair" not found' });
});

it('follows a container until it stops', async () => {
  await c.createPod('talker', { restartPolicy: 'Never', containers: [shell('main', 'echo one; sleep 20; echo two; sleep 20; echo three')] });
  await c.waitForPod('talker', 'running', (p) => containerStatus(p, 'main')?.state.running !== undefined);
  await waitFor('the first line', async () => (await readAllText(await c.kubelet.readLog({ namespace: 'default', pod: 'talker' }))).startsWith('one'));
  const followed = await readAllText(await c.kubelet.readLog({ namespace: 'default', pod: 'talker', follow: true }));
  expect(followed).toBe('one\ntwo\nthree\n');
});
