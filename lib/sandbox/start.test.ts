// SPDX-License-Identifier: Apache-2.0
// What startSandbox() starts for which options, the gateway's port (8003, or a free one when 8003
// is taken and none was asked for), and a serving certificate that covers the names pods use.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refs } from './apiserver/api.js';
import { DEFAULT_INGRESS_PORT } from './gateway/index.js';
import { startSandbox } from './index.js';
import { waitFor } from './network/testing/wait.js';
import { planStack } from './start.js';
import { covers, generateTls, loadOrCreateTls } from './tls.js';

describe('planStack', () => {
  it('runs everything by default: the process kubelet, the network and the gateway', () => {
    expect(planStack({})).toEqual({ controllers: { readyPods: false, kubelet: false }, kubelet: 'process', network: true, gateway: true });
  });

  it('keeps the stand-in kubelet for readyPods, and then needs no network or gateway', () => {
    for (const options of [{ readyPods: true }, { controllers: { readyPods: true } }]) {
      expect(planStack(options)).toEqual({ controllers: { readyPods: true, kubelet: true }, kubelet: 'simulated', network: false, gateway: false });
    }
  });

  it('starts no kubelet for controllers: false or controllers: { kubelet: false }, unless asked', () => {
    expect(planStack({ controllers: false })).toMatchObject({ controllers: false, kubelet: false, network: false, gateway: false });
    expect(planStack({ controllers: { kubelet: false } })).toMatchObject({ kubelet: false, network: false });
    expect(planStack({ controllers: false, gateway: true })).toMatchObject({ kubelet: false, gateway: true });
  });

  it('refuses combinations that cannot work, saying why', () => {
    expect(() => planStack({ readyPods: true, kubelet: 'process' })).toThrow("use kubelet: 'simulated' with readyPods");
    expect(() => planStack({ controllers: false, kubelet: 'simulated' })).toThrow('it needs controllers');
  });
});

/** A port nobody listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the gateway port', () => {
  const held: Server[] = [];
  afterAll(async () => {
    await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** Makes sure `port` is taken: by us, or by whoever had it already. */
  async function occupy(port: number): Promise<void> {
    const server = createServer();
    await new Promise<void>((resolve) => {
      server.once('error', () => resolve());
      server.listen(port, '127.0.0.1', () => {
        held.push(server);
        resolve();
      });
    });
  }

  it('moves to a free port, and says so, when 8003 is taken and no port was asked for', async () => {
    await occupy(DEFAULT_INGRESS_PORT);
    const notices: string[] = [];
    const sandbox = await startSandbox({ kubelet: false, gateway: true, notice: (line) => notices.push(line) });
    try {
      expect(sandbox.ingressUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.ingressUrl).not.toBe(`http://127.0.0.1:${DEFAULT_INGRESS_PORT}`);
      expect(notices).toEqual([`port ${DEFAULT_INGRESS_PORT} is taken by another program; the gateway listens on ${sandbox.ingressUrl} instead`]);
      const res = await fetch(`${sandbox.ingressUrl}/no/route`);
      expect(res.status).toBe(404);
    } finally {
      await sandbox.stop();
    }
  });

  it('fails, and stops what it started, when the port asked for is taken', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    held.push(server);
    const { port } = server.address() as { port: number };
    const apiPort = await freePort();
    await expect(startSandbox({ port: apiPort, kubelet: false, gateway: true, ingressPort: port })).rejects.toThrow(`the gateway cannot listen on 127.0.0.1:${port}: another program uses that port`);
    // The API server it had started is closed again: its port is free.
    const again = createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(apiPort, '127.0.0.1', () => resolve()));
    await new Promise((resolve) => again.close(resolve));
  });
});

describe('the serving certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const names = { ips: ['10.96.0.1', '127.96.0.1'], dns: ['kubernetes.default.svc'] };

  it("names where kubectl and pods reach the server: 127.0.0.1, the kubernetes Service's addresses and names", async () => {
    const sandbox = await startSandbox({ controllers: false });
    try {
      // The certificate the server presents, read off a TLS handshake.
      const served = await new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: Number(new URL(sandbox.url).port), ca: sandbox.caPem, servername: 'localhost' }, () => {
          resolve(socket.getPeerX509Certificate()!.toString());
          socket.end();
        });
        socket.on('error', reject);
      });
      expect(covers(served, { ips: ['127.0.0.1', '10.96.0.1', '127.96.0.1'], dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'] })).toBe(true);
      expect(new X509Certificate(served).checkIssued(new X509Certificate(sandbox.caPem))).toBe(true);
    } finally {
      await sandbox.stop();
    }
  });

  it('is renewed under the same CA when a kept one lacks a name (made by an older version)', async () => {
    const old = await generateTls();
    const tlsDir = join(dir, 'tls');
    await loadOrCreateTls(tlsDir); // the files, then overwritten with the older material
    for (const [file, pem] of [['ca.crt', old.caCert], ['ca.key', old.caKey], ['apiserver.crt', old.cert], ['apiserver.key', old.key]]) writeFileSync(join(tlsDir, file), pem);
    expect(covers(old.cert, names)).toBe(false);
    const renewed = await loadOrCreateTls(tlsDir, names);
    expect(renewed.caCert).toBe(old.caCert);
    expect(covers(renewed.cert, names)).toBe(true);
    expect(readFileSync(join(tlsDir, 'apiserver.crt'), 'utf8')).toBe(renewed.cert);
    // Once it covers them, it is kept as it is.
    expect((await loadOrCreateTls(tlsDir, names)).cert).toBe(renewed.cert);
  });
});

describe('the simulated kubelet', () => {
  it('registers the same Node the process kubelet does, saying that nothing runs', async () => {
    const sandbox = await startSandbox({ readyPods: true });
    try {
      const node = await waitFor('the node to be registered', async () => (await sandbox.api.list(refs.nodes)).items[0], 10_000, 20);
      expect(node.metadata.name).toBe('sandbox');
      const status = node.status as { nodeInfo: { containerRuntimeVersion: string }; conditions: { type: string; status: string }[] };
      expect(status.nodeInfo.containerRuntimeVersion).toBe('seldon-lab://simulated');
      expect(status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(sandbox.kubelet).toBeUndefined();
      expect(sandbox.ingressUrl).toBeUndefined();
    } finally {
      await sandbox.stop();
    }
  });
});
