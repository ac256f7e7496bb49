// SPDX-License-Identifier: Apache-2.0
// The Service proxy with real sockets against the real sandbox API server: round robin across two
// backends, an endpoint removed, no endpoints at all (connection refused), a Service deleted.
// Endpoints are written by hand for a Service without a selector, which Kubernetes allows and
// which needs neither the endpoints controller nor a kubelet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refs, startSandbox, type Sandbox } from '../index.js';
import type { KubeObject } from '../apiserver/types.js';
import { serviceLoopbackAddress, serviceLoopbackPort } from './address.js';
import { resolveServiceHost, resolveServiceUrl, ServiceResolveError, startNetwork, type Network } from './index.js';
import { randomOctet, readAll, startIdServer, waitFor } from './testing/wait.js';

let sandbox: Sandbox;
let network: Network;
const backends: Awaited<ReturnType<typeof startIdServer>>[] = [];
// Random addresses, so this file can run beside others that also bind loopback addresses.
const third = randomOctet(100, 199);
const clusterIP = `10.96.${third}.${randomOctet()}`;
const address = serviceLoopbackAddress(clusterIP);
const SERVICE_PORT = 18_000 + randomOctet(0, 999);

function endpoints(...pods: { ip: string; port: number; name: string }[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'echo', namespace: 'default' },
    subsets: pods.map((p) => ({
      addresses: [{ ip: p.ip, targetRef: { kind: 'Pod', namespace: 'default', name: p.name } }],
      ports: [{ name: 'tcp', port: p.port, protocol: 'TCP' }],
    })),
  };
}

async function setEndpoints(obj: KubeObject): Promise<void> {
  const current = await sandbox.api.get(refs.endpoints, 'default', 'echo');
  await sandbox.api.update(refs.endpoints, { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } });
}

/** Connects to the Service address once; resolves with what the backend said or the error code. */
const ask = () => readAll(address, SERVICE_PORT).catch((e: NodeJS.ErrnoException) => `error:${e.code}`);

beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
  network = await startNetwork(sandbox.api);
  backends.push(await startIdServer(`127.0.${third}.201`, 'pod-a'), await startIdServer(`127.0.${third}.202`, 'pod-b'));
  await sandbox.api.create(refs.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'echo', namespace: 'default' },
    spec: { clusterIP, ports: [{ name: 'tcp', port: SERVICE_PORT, targetPort: 9000, protocol: 'TCP' }] },
  });
  await sandbox.api.create(
    refs.endpoints,
    endpoints(
      { ip: `127.0.${third}.201`, port: backends[0].port, name: 'pod-a' },
      { ip: `127.0.${third}.202`, port: backends[1].port, name: 'pod-b' },
    ),
  );
});

afterAll(async () => {
  await network?.stop();
  await Promise.all(backends.map((b) => b.close()));
  await sandbox?.stop();
});

describe('Service proxy', () => {
  it('maps the ClusterIP to its loopback address and keeps unprivileged ports', () => {
    expect(address).toBe(`127.96.${clusterIP.split('.').slice(2).join('.')}`);
    expect(serviceLoopbackPort(SERVICE_PORT)).toBe(SERVICE_PORT);
  });

  it('forwards connections round robin across the ready endpoints', async () => {
    await waitFor('the Service address to answer', async () => ((await ask()).startsWith('pod-') ? true : undefined));
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await ask());
    // Round robin: the two pods alternate, whichever comes first.
    expect(new Set(answers)).toEqual(new Set(['pod-a', 'pod-b']));
    for (let i = 1; i < answers.length; i++) expect(answers[i]).not.toBe(answers[i - 1]);
  });

  it('resolves the Service DNS names to the address that answers', async () => {
    await expect(resolveServiceHost('echo.default.svc.cluster.local')).resolves.toBe(address);
    await expect(resolveServiceHost('echo')).resolves.toBe(address); // `default` namespace
    await expect(resolveServiceUrl(`http://echo.default:${SERVICE_PORT}/x?y=1`)).resolves.toBe(`http://${address}:${SERVICE_PORT}/x?y=1`);
    await expect(resolveServiceHost('127.0.0.1')).resolves.toBe('127.0.0.1');
    await expect(resolveServiceHost('nothing.default')).rejects.toBeInstanceOf(ServiceResolveError);
  });

  it('stops sending to an endpoint that was removed', async () => {
    await setEndpoints(endpoints({ ip: `127.0.${third}.202`, port: backends[1].port, name: 'pod-b' }));
    // The table follows the watch event; wait until the proxy has seen it, then every answer is pod-b.
    await waitFor('pod-a to leave the rotation', () => network.table.get('default', 'echo')?.ports[0].backends.length === 1);
    const answers = await Promise.all(Array.from({ length: 6 }, () => ask()));
    expect(answers).toEqual(Array(6).fill('pod-b'));
  });

  it('refuses connections when no endpoint is ready, as kube-proxy REJECT does', async () => {
    await setEndpoints(endpoints());
    const refused = await waitFor('the connection to be refused', async () => ((await ask()) === 'error:ECONNREFUSED' ? true : undefined));
    expect(refused).toBe(true);
    expect(network.table.pick('default', 'echo', SERVICE_PORT)).toEqual({ reason: 'no-endpoints' });
  });

  it('comes back when an endpoint is ready again, and goes when the Service is deleted', async () => {
    await setEndpoints(endpoints({ ip: `127.0.${third}.201`, port: backends[0].port, name: 'pod-a' }));
    await waitFor('pod-a to answer again', async () => ((await ask()) === 'pod-a' ? true : undefined));
    await sandbox.api.delete(refs.services, 'default', 'echo');
    await waitFor('the Service to be gone from the table', () => network.table.get('default', 'echo') === undefined);
    await waitFor('the address to refuse connections', async () => ((await ask()) === 'error:ECONNREFUSED' ? true : undefined));
    expect(network.table.pick('default', 'echo', SERVICE_PORT)).toEqual({ reason: 'no-service' });
  });
});
