// SPDX-License-Identifier: Apache-2.0
// `pods/portforward`: what makes `kubectl port-forward pod/x 8080:9000` (and `svc/x`, which kubectl
// turns into a pod and a container port itself) work against the sandbox.
//
// The API server hands the upgraded connection here, once it has authenticated the request and
// found the pod. Three ways in, all ending in a TCP connection to `<podIP>:<port>` per forwarded
// connection (the kubelet connects to the port inside the pod's network namespace; a sandbox pod
// listens on its own loopback address instead):
//
//   Upgrade: websocket, Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io
//       kubectl >= 1.30 (KEP-4006): SPDY/3.1 frames inside WebSocket binary messages
//   Upgrade: SPDY/3.1, X-Stream-Protocol-Version: portforward.k8s.io
//       older kubectl, and newer ones when the WebSocket tunnel is refused
//   Upgrade: websocket, Sec-WebSocket-Protocol: v4.channel.k8s.io
//       @kubernetes/client-node's PortForward: one byte of channel per message, `?ports=` in the URL
//
// In the SPDY protocols each client connection is a pair of streams sharing a `requestid`: an
// `error` stream (the server writes a message there if forwarding fails) and a `data` stream (the
// bytes), both carrying the `port` header.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';
import { SpdySession, type SpdyStream } from './spdy-session.js';

export interface PortForwardTarget {
  namespace: string;
  name: string;
  uid?: string;
  /** the pod's address; forwarding fails per connection (with kubelet's message) without one */
  podIP?: string;
}

export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const CHANNEL_PROTOCOL = 'v4.channel.k8s.io';

/**
 * One WebSocket server per subprotocol, each naming it in its 101 answer. The subprotocol is
 * chosen here rather than by `ws`, whose header check rejects `SPDY/3.1+portforward.k8s.io`
 * ('/' is not allowed in an RFC 6455 token, but that is the name Kubernetes uses).
 */
const websocketServers = new Map<string, WebSocketServer>();
function websocketServer(protocol: string): WebSocketServer {
  let server = websocketServers.get(protocol);
  if (!server) {
    server = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    if (protocol) server.on('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
    websocketServers.set(protocol, server);
  }
  return server;
}

function protocolsOf(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

/** A plain HTTP answer on a connection that was not upgraded, as a Kubernetes Status. */
function refuse(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  const text = code === 400 ? 'Bad Request' : 'Forbidden';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function kubeletError(target: PortForwardTarget, port: number, detail: string): string {
  return `error forwarding port ${port} to pod ${target.name}, uid ${target.uid ?? ''}: ${detail}`;
}

function dialError(target: PortForwardTarget, port: number, error: NodeJS.ErrnoException): string {
  const reason = error.code === 'ECONNREFUSED' ? 'connect: connection refused' : error.message;
  return kubeletError(target, port, `dial tcp ${target.podIP}:${port}: ${reason}`);
}

/**
 * Serves one `GET/POST .../pods/<name>/portforward` upgrade request. Call it from the HTTP
 * server's 'upgrade' event, after authentication and after reading the pod:
 *
 *   server.on('upgrade', (req, socket, head) => {
 *     ... authenticate, parse /api/v1/namespaces/<ns>/pods/<name>/portforward, get the pod ...
 *     handlePortForward(req, socket, head, { namespace, name, uid: pod.metadata.uid, podIP: pod.status?.podIP });
 *   });
 */
export function handlePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, target: PortForwardTarget): void {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    const offered = protocolsOf(req);
    const protocol = [SPDY_TUNNEL_PROTOCOL, CHANNEL_PROTOCOL].find((p) => offered.includes(p)) ?? (offered.length === 0 ? '' : undefined);
    if (protocol === undefined) {
      refuse(socket, 400, 'BadRequest', `unsupported WebSocket subprotocol(s) ${offered.join(', ')}: use ${SPDY_TUNNEL_PROTOCOL} or ${CHANNEL_PROTOCOL}`);
      return;
    }
    delete req.headers['sec-websocket-protocol'];
    websocketServer(protocol).handleUpgrade(req, socket, head, (ws) => {
      if (protocol === SPDY_TUNNEL_PROTOCOL) serveSpdy(createWebSocketStream(ws), target);
      else serveChannels(ws, target, portsFromQuery(req.url ?? ''));
    });
    return;
  }
  if (upgrade === 'spdy/3.1') {
    const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((v) => v.trim());
    if (!versions.includes(PORT_FORWARD_PROTOCOL)) {
      refuse(socket, 403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(versions)}, server supports ["${PORT_FORWARD_PROTOCOL}"]`);
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    serveSpdy(socket, target);
    return;
  }
  refuse(socket, 400, 'BadRequest', 'Upgrade request required: port-forwarding speaks SPDY/3.1 or WebSocket');
}

/** The SPDY protocol: a pair of streams (error, data) per forwarded connection. */
function serveSpdy(transport: Duplex, target: PortForwardTarget): void {
  const session = new SpdySession(transport);
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream; message?: string }>();
  session.on('error', () => transport.destroy());
  session.on('stream', (stream) => {
    const requestId = stream.headers.requestid ?? '';
    const pair = pairs.get(requestId) ?? {};
    pairs.set(requestId, pair);
    const port = Number(stream.headers.port);
    if (stream.headers.streamtype === 'error') {
      pair.error = stream;
      if (pair.message !== undefined) {
        stream.write(Buffer.from(pair.message));
        stream.end();
      }
      return;
    }
    if (stream.headers.streamtype !== 'data' || !Number.isInteger(port) || port < 1 || port > 65535) {
      stream.reset();
      return;
    }
    pair.data = stream;
    const fail = (message: string) => {
      // Say why on the error stream (kubectl prints it), then end both streams.
      if (pair.error) {
        pair.error.write(Buffer.from(message));
        pair.error.end();
      } else {
        pair.message = message;
      }
      stream.end();
    };
    if (!target.podIP) {
      fail(kubeletError(target, port, 'the pod has no IP address yet (is it running?)'));
      return;
    }
    const pod = connect({ host: target.podIP, port, allowHalfOpen: true });
    // While the pod cannot take more, stop reading from the client; a pod that is gone takes nothing.
    let paused = false;
    const resume = () => {
      if (paused) session.resume();
      paused = false;
    };
    stream.onData = (chunk) => {
      if (pod.destroyed || paused) {
        if (!pod.destroyed) pod.write(chunk);
        return;
      }
      if (!pod.write(chunk)) {
        paused = true;
        session.pause();
        pod.once('drain', resume);
      }
    };
    stream.onEnd = () => pod.end();
    stream.onReset = () => pod.destroy();
    pod.on('data', (chunk: Buffer) => {
      if (!stream.write(chunk)) {
        pod.pause();
        session.onDrain(() => pod.resume());
      }
    });
    pod.on('end', () => stream.end());
    pod.on('error', (error: NodeJS.ErrnoException) => fail(dialError(target, port, error)));
    pod.on('close', () => {
      resume();
      stream.end();
      pair.error?.end();
      pairs.delete(requestId);
    });
  });
}

/** `?ports=8080&ports=9000` (or comma-separated), as the kubelet reads them. */
function portsFromQuery(url: string): number[] {
  const query = new URL(url, 'http://x').searchParams;
  return query.getAll('ports').flatMap((v) => v.split(',')).map((v) => Number(v.trim()));
}

/**
 * The WebSocket channel protocol: for the i-th port, channel 2i carries data and 2i+1 errors;
 * every message starts with its channel byte, and the server's first message on each channel is
 * the port number (two bytes, little-endian).
 */
function serveChannels(ws: WebSocket, target: PortForwardTarget, ports: number[]): void {
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    ws.close(1008, 'query parameter "ports" must list ports from 1 to 65535');
    return;
  }
  const frame = (channel: number, data: Buffer) => Buffer.concat([Buffer.from([channel]), data]);
  const sockets: Socket[] = [];
  let open = ports.length;
  ports.forEach((port, i) => {
    const portBytes = Buffer.from([port & 0xff, port >> 8]);
    ws.send(frame(2 * i, portBytes));
    ws.send(frame(2 * i + 1, portBytes));
    const finish = () => {
      if (--open === 0) ws.close(1000);
    };
    if (!target.podIP) {
      ws.send(frame(2 * i + 1, Buffer.from(kubeletError(target, port, 'the pod has no IP address yet (is it running?)'))));
      finish();
      return;
    }
    const pod = connect({ host: target.podIP, port });
    sockets[i] = pod;
    pod.on('data', (chunk: Buffer) => ws.send(frame(2 * i, chunk)));
    pod.on('error', (error: NodeJS.ErrnoException) => ws.send(frame(2 * i + 1, Buffer.from(dialError(target, port, error)))));
    pod.on('close', finish);
  });
  ws.on('message', (message: Buffer, isBinary: boolean) => {
    const data = isBinary ? message : Buffer.from(message);
    if (data.length === 0) return;
    const channel = data[0];
    const socket = channel % 2 === 0 ? sockets[channel / 2] : undefined;
    socket?.write(data.subarray(1));
  });
  ws.on('close', () => sockets.forEach((s) => s?.destroy()));
}
