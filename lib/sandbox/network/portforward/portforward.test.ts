// SPDX-License-Identifier: Apache-2.0
// Port-forwarding with the real clients: Debian's kubectl (WebSocket-tunnelled SPDY, and plain
// SPDY when told not to use WebSockets) and @kubernetes/client-node's PortForward (the WebSocket
// channel protocol), through a front that mounts handlePortForward the way the API server will.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refs, startSandbox, type Sandbox } from '../../index.js';
import { startApiFront, type ApiFront } from '../testing/api-front.js';
import { randomOctet, startHttpServer, waitFor } from '../testing/wait.js';
import { decodeHeaderBlock, encodeHeaderBlock, FrameReader, HEADER_DICTIONARY, controlFrame, dataFrame } from './spdy-frames.js';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
const POD_IP = `127.0.${randomOctet(100, 199)}.${randomOctet()}`;

let sandbox: Sandbox;
let front: ApiFront;
let pod: Awaited<ReturnType<typeof startHttpServer>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
  front = await startApiFront(sandbox);
  pod = await startHttpServer((req, res) => res.end(`pod says hi to ${req.url}`), POD_IP, 0);
  const created = await sandbox.api.create(refs.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { containers: [{ name: 'web', image: 'example/web', ports: [{ containerPort: pod.port }] }] },
  });
  await sandbox.api.update(refs.pods, { ...created, status: { phase: 'Running', podIP: POD_IP, podIPs: [{ ip: POD_IP }] } }, { subresource: 'status' });
});

afterAll(async () => {
  for (const child of children) child.kill();
  await pod?.close();
  await front?.close();
  await sandbox?.stop();
});

/** Starts `kubectl port-forward` and resolves with the local port it prints. */
function kubectlPortForward(target: string, remotePort: number, env: Record<string, string> = {}) {
  const child = spawn('kubectl', ['port-forward', target, `:${remotePort}`, '--kubeconfig', front.kubeconfigPath], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = waitFor('kubectl to print its local port', () => {
    if (child.exitCode !== null) throw new Error(`kubectl exited: ${stderr}`);
    const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(stdout);
    return m ? Number(m[1]) : undefined;
  }, 20_000, 20);
  return { child, port, stderr: () => stderr };
}

describe('SPDY/3.1 framing', () => {
  it('has the 1423-byte header dictionary of the spec', () => {
    expect(HEADER_DICTIONARY.length).toBe(1423);
    expect(HEADER_DICTIONARY.subarray(0, 11)).toEqual(Buffer.from('\0\0\0\x07options', 'latin1'));
    expect(HEADER_DICTIONARY.subarray(-6).toString()).toBe('enq=0.');
  });

  it('round-trips header blocks and splits a byte stream into frames', () => {
    const headers = { streamtype: 'data', port: '9000', requestid: '0' };
    expect(decodeHeaderBlock(encodeHeaderBlock(headers))).toEqual(headers);
    const bytes = Buffer.concat([controlFrame(6, 0, Buffer.from([0, 0, 0, 1])), dataFrame(3, 1, Buffer.from('abc'))]);
    const reader = new FrameReader();
    expect(reader.push(bytes.subarray(0, 5))).toEqual([]);
    const frames = reader.push(bytes.subarray(5));
    expect(frames).toEqual([
      { kind: 'control', type: 6, flags: 0, payload: Buffer.from([0, 0, 0, 1]) },
      { kind: 'data', streamId: 3, flags: 1, data: Buffer.from('abc') },
    ]);
  });
});

describe.skipIf(!hasKubectl)('kubectl port-forward', () => {
  it('forwards through the WebSocket tunnel (kubectl >= 1.30 default)', async () => {
    const before = front.upgrades.length;
    const pf = kubectlPortForward('pod/web', pod.port);
    const local = await pf.port;
    const answer = await fetch(`http://127.0.0.1:${local}/hello`).then((r) => r.text());
    expect(answer).toBe('pod says hi to /hello');
    // A second connection reuses the same tunnel with a new stream pair.
    expect(await fetch(`http://127.0.0.1:${local}/again`).then((r) => r.text())).toBe('pod says hi to /again');
    // Exactly one upgrade, and a WebSocket one: no fallback to plain SPDY happened.
    expect(front.upgrades.slice(before).map((u) => u.toLowerCase())).toEqual(['websocket']);
    pf.child.kill();
  });

  it('forwards over a plain SPDY upgrade when WebSockets are turned off', async () => {
    const before = front.upgrades.length;
    const pf = kubectlPortForward('pod/web', pod.port, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    const local = await pf.port;
    expect(await fetch(`http://127.0.0.1:${local}/spdy`).then((r) => r.text())).toBe('pod says hi to /spdy');
    expect(front.upgrades.slice(before).map((u) => u.toLowerCase())).toEqual(['spdy/3.1']);
    pf.child.kill();
  });

  it("reports a port nothing listens on with the kubelet's message", async () => {
    const pf = kubectlPortForward('pod/web', 1);
    const local = await pf.port;
    await fetch(`http://127.0.0.1:${local}/`).catch(() => undefined);
    const message = await waitFor('kubectl to print the forwarding error', () => /error forwarding port 1 to pod web/.exec(pf.stderr())?.[0], 10_000, 20);
    expect(message).toBe('error forwarding port 1 to pod web');
    expect(pf.stderr()).toMatch(/connection refused/);
    pf.child.kill();
  });
});

describe('@kubernetes/client-node PortForward (WebSocket channels)', () => {
  it('carries a request and its answer over channel 0', async () => {
    // client-node refuses plain http:// unless TLS checks are off; the real API server is https.
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'front', server: front.url, skipTLSVerify: true }],
      users: [{ name: 'front' }],
      contexts: [{ name: 'front', cluster: 'front', user: 'front' }],
      currentContext: 'front',
    });
    const output = new PassThrough();
    const input = new PassThrough();
    let received = '';
    output.on('data', (d: Buffer) => (received += d.toString()));
    const ws = await new PortForward(kc).portForward('default', 'web', [pod.port], output, null, input);
    input.write(`GET /channels HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await waitFor('the pod to answer', () => received.includes('pod says hi to /channels'));
    expect(received).toMatch(/^HTTP\/1\.1 200 OK/);
    (typeof ws === 'function' ? ws() : ws)?.close();
  });
});
