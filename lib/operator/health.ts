// SPDX-License-Identifier: Apache-2.0
// The operator container's probes, as controller-runtime serves them:
//   GET /healthz  200 while the process answers at all (liveness: restart it when it does not)
//   GET /readyz   200 when it can do its work, else 503 with the reason (readiness)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export function startHealthServer(port: number, ready: () => boolean, host = '0.0.0.0'): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (code: number, text: string) => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${text}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'only GET');
    if (path === '/healthz') return reply(200, 'ok');
    if (path === '/readyz') return ready() ? reply(200, 'ok') : reply(503, 'not ready: the SeldonDeployments are not listed yet, or the API server cannot be reached');
    reply(404, 'not found: this port serves /healthz and /readyz');
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`the health port ${port} is in use; choose another with --health-port`, { cause: e }) : e));
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
