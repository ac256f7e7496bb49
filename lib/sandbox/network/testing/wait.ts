// SPDX-License-Identifier: Apache-2.0
// Test helpers for the sandbox network: wait for a condition with a deadline (never a fixed
// sleep), and small servers that say who they are, to stand in for pods.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { waitFor as waitForCondition } from '../../../kube/wait.js';

/** Polls `probe` until it returns something other than undefined/false (lib/kube/wait.ts). */
export function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000, intervalMs = 5): Promise<T> {
  return waitForCondition(what, probe, { timeoutMs, intervalMs, done: (v) => v !== undefined && v !== false });
}

/** A TCP server on `host` that writes `id` to every connection and closes it. */
export async function startIdServer(host: string, id: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((socket) => socket.end(id));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Connects, reads everything the server says, and resolves with it; rejects with the socket error (e.g. ECONNREFUSED). */
export function readAll(host: string, port: number, send?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    if (send !== undefined) socket.end(send);
  });
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server on `host` (default 127.0.0.1) with the given handler. */
export async function startHttpServer(handler: Handler, host = '127.0.0.1', port = 0): Promise<{ server: HttpServer; port: number; url: string; close(): Promise<void> }> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A random octet in [lo, hi], so parallel test files do not pick the same loopback addresses. */
export function randomOctet(lo = 10, hi = 250): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}
