// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/types.js';
import { deployment, eventually, find, listOf, refs, startTestCluster, type TestCluster } from './testing/cluster.js';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const service = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
type Subset = { addresses?: { ip: string; targetRef: { name: string } }[]; notReadyAddresses?: { ip: string }[]; ports?: unknown[] };
const subsetsOf = async (name: string) => ((await find(cluster!.api, refs.endpoints, 'default', name))?.subsets ?? []) as Subset[];
const readyIPs = (subsets: Subset[]) => subsets.flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
const notReadyIPs = (subsets: Subset[]) => subsets.flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)).sort();

describe('Service addresses and endpoints', () => {
  it('lists the ready pods the selector matches, with the target port resolved by name', async () => {
    cluster = await startTestCluster();
    const svc = await cluster.api.create(refs.services, service('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }));
    expect((svc.spec as { clusterIP: string }).clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);

    await cluster.api.create(refs.deployments, deployment('web', 2));
    const subsets = await eventually('two ready addresses', async () => {
      const s = await subsetsOf('web');
      return readyIPs(s).length === 2 ? s : undefined;
    });
    const pods = await listOf(cluster.api, refs.pods);
    expect(readyIPs(subsets)).toEqual(pods.map((p) => (p.status as { podIP: string }).podIP).sort());
    expect(subsets[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(subsets[0].addresses?.map((a) => a.targetRef.name).sort()).toEqual(pods.map((p) => p.metadata.name).sort());
  });

  it('moves a pod that stops being ready to notReadyAddresses, and back', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.services, service('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }));
    await cluster.api.create(refs.deployments, deployment('web', 2));
    await eventually('two ready addresses', async () => readyIPs(await subsetsOf('web')).length === 2);

    const [pod] = await listOf(cluster.api, refs.pods);
    const ip = (pod.status as { podIP: string }).podIP;
    const setReady = async (ready: 'True' | 'False') => {
      const current = await cluster!.api.get(refs.pods, 'default', pod.metadata.name!);
      const status = structuredClone(current.status) as { conditions: { type: string; status: string }[] };
      for (const c of status.conditions) if (c.type === 'Ready' || c.type === 'ContainersReady') c.status = ready;
      await cluster!.api.update(refs.pods, { ...current, status }, { subresource: 'status' });
    };
    await setReady('False');
    await eventually('the pod among the not-ready addresses', async () => notReadyIPs(await subsetsOf('web')).includes(ip));
    expect(readyIPs(await subsetsOf('web'))).not.toContain(ip);
    await setReady('True');
    await eventually('the pod ready again', async () => readyIPs(await subsetsOf('web')).includes(ip));
  });

  it('gives a headless Service no address but still Endpoints; a Service without selector gets none', async () => {
    cluster = await startTestCluster();
    const headless = await cluster.api.create(refs.services, service('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] }));
    expect(headless.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'] });
    await cluster.api.create(refs.services, service('manual', { ports: [{ port: 80 }] }));
    const ep = await eventually('the headless Endpoints', () => find(cluster!.api, refs.endpoints, 'default', 'db'));
    expect(ep.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' });
    expect(await find(cluster.api, refs.endpoints, 'default', 'manual')).toBeUndefined();
  });

  it('removes the Endpoints with the Service, and frees its address', async () => {
    cluster = await startTestCluster();
    const svc = await cluster.api.create(refs.services, service('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }));
    await eventually('the Endpoints', () => find(cluster!.api, refs.endpoints, 'default', 'web'));
    await cluster.api.delete(refs.services, 'default', 'web');
    await eventually('the Endpoints to be gone', async () => (await find(cluster!.api, refs.endpoints, 'default', 'web')) === undefined);
    // The address is free again: a new Service may ask for exactly it.
    const ip = (svc.spec as { clusterIP: string }).clusterIP;
    const again = await cluster.api.create(refs.services, service('again', { clusterIP: ip, ports: [{ port: 80 }] }));
    expect((again.spec as { clusterIP: string }).clusterIP).toBe(ip);
  });
});
