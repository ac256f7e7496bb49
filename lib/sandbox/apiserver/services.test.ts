// SPDX-License-Identifier: Apache-2.0
// Services at the wire: the cluster IP arrives in the answer to the POST, a refused or dry-run
// create takes no address, deletion and ExternalName give it back, and the `kubernetes` Service
// points at the API server itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';
import { raw } from '../testing.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
});
afterAll(async () => {
  await sandbox?.stop();
});

const SERVICES = '/api/v1/namespaces/default/services';
const service = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: { name?: string; port: number; targetPort?: number | string }[];
}
const specOf = (res: { json<T>(): T }) => res.json<{ spec: ServiceSpec }>().spec;

describe('Service cluster IPs', () => {
  it('come with the answer to the POST, one address per Service, from 10.96.0.0/16', async () => {
    const a = specOf(await raw(sandbox, 'POST', SERVICES, { body: service('ip-a') }));
    const b = specOf(await raw(sandbox, 'POST', SERVICES, { body: service('ip-b') }));
    expect(a.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(a).toMatchObject({ clusterIPs: [a.clusterIP], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', type: 'ClusterIP' });
    expect(b.clusterIP).not.toBe(a.clusterIP);
    const read = specOf(await raw(sandbox, 'GET', `${SERVICES}/ip-a`));
    expect(read.clusterIP).toBe(a.clusterIP);
  });

  it('are taken only by a Service that is stored: not by a 422, a 409 or a dry run', async () => {
    const invalid = await raw(sandbox, 'POST', SERVICES, { body: service('bad-port', { clusterIP: '10.96.0.40', ports: [{ port: 0 }] }) });
    expect(invalid.status).toBe(422);
    await raw(sandbox, 'POST', SERVICES, { body: service('dup', { clusterIP: '10.96.0.41' }) });
    const duplicate = await raw(sandbox, 'POST', SERVICES, { body: service('dup', { clusterIP: '10.96.0.42' }) });
    expect(duplicate.status).toBe(409);
    const dry = await raw(sandbox, 'POST', `${SERVICES}?dryRun=All`, { body: service('dry', { clusterIP: '10.96.0.43' }) });
    expect(dry.status).toBe(201);
    expect(specOf(dry).clusterIP).toBe('10.96.0.43');
    for (const [name, ip] of [['after-422', '10.96.0.40'], ['after-409', '10.96.0.42'], ['after-dry', '10.96.0.43']]) {
      const res = await raw(sandbox, 'POST', SERVICES, { body: service(name, { clusterIP: ip }) });
      expect(res.status, name).toBe(201);
      expect(specOf(res).clusterIP).toBe(ip);
    }
  });

  it('refuse a taken address with the real 422, and are free again once the Service is deleted', async () => {
    await raw(sandbox, 'POST', SERVICES, { body: service('holder', { clusterIP: '10.96.0.50' }) });
    const taken = await raw(sandbox, 'POST', SERVICES, { body: service('taker', { clusterIP: '10.96.0.50' }) });
    expect(taken.status).toBe(422);
    expect(taken.json()).toMatchObject({
      reason: 'Invalid',
      message: 'Service "taker" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.50"}: failed to allocate IP 10.96.0.50: provided IP is already allocated',
    });
    expect((await raw(sandbox, 'DELETE', `${SERVICES}/holder`)).status).toBe(200);
    expect((await raw(sandbox, 'POST', SERVICES, { body: service('taker', { clusterIP: '10.96.0.50' }) })).status).toBe(201);
  });

  it('are given back when a Service becomes an ExternalName, and a new one is given when it stops being one', async () => {
    await raw(sandbox, 'POST', SERVICES, { body: service('shifty', { clusterIP: '10.96.0.60' }) });
    const external = await raw(sandbox, 'PATCH', `${SERVICES}/shifty`, {
      body: { spec: { type: 'ExternalName', externalName: 'models.example.com' } }, contentType: 'application/merge-patch+json',
    });
    expect(external.status).toBe(200);
    expect(specOf(external)).not.toHaveProperty('clusterIP');
    expect(specOf(external)).not.toHaveProperty('clusterIPs');
    expect((await raw(sandbox, 'POST', SERVICES, { body: service('reuser', { clusterIP: '10.96.0.60' }) })).status).toBe(201);

    const internal = await raw(sandbox, 'PATCH', `${SERVICES}/shifty`, {
      body: { spec: { type: 'ClusterIP', externalName: null } }, contentType: 'application/merge-patch+json',
    });
    expect(internal.status).toBe(200);
    expect(specOf(internal).clusterIP).toMatch(/^10\.96\./);
    expect(specOf(internal).clusterIP).not.toBe('10.96.0.60');
    expect(specOf(internal)).toMatchObject({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  });

  it('stay as they are on an update that leaves them out, and may not be changed', async () => {
    const created = specOf(await raw(sandbox, 'POST', SERVICES, { body: service('steady') }));
    const current = (await raw(sandbox, 'GET', `${SERVICES}/steady`)).json<{ metadata: Record<string, unknown> }>();
    const replaced = await raw(sandbox, 'PUT', `${SERVICES}/steady`, { body: { ...service('steady', { ports: [{ port: 81 }] }), metadata: current.metadata } });
    expect(replaced.status).toBe(200);
    expect(specOf(replaced).clusterIP).toBe(created.clusterIP);
    const moved = await raw(sandbox, 'PATCH', `${SERVICES}/steady`, { body: { spec: { clusterIP: '10.96.0.70', clusterIPs: ['10.96.0.70'] } }, contentType: 'application/merge-patch+json' });
    expect(moved.status).toBe(422);
    expect(moved.json<{ message: string }>().message).toContain('may not change once set');
  });
});

describe('the kubernetes Service', () => {
  it('is in default at the first address, port 443, with Endpoints at the API server', async () => {
    const port = Number(new URL(sandbox.url).port);
    const svc = (await raw(sandbox, 'GET', `${SERVICES}/kubernetes`)).json<{ metadata: { labels: Record<string, string> }; spec: ServiceSpec }>();
    expect(svc.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] });
    const endpoints = (await raw(sandbox, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes')).json();
    expect(endpoints).toMatchObject({ subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] }] });
    const clash = await raw(sandbox, 'POST', SERVICES, { body: service('first', { clusterIP: '10.96.0.1' }) });
    expect(clash.status).toBe(422);
  });
});
