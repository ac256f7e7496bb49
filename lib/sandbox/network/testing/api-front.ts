// SPDX-License-Identifier: Apache-2.0
// A test stand-in for the API server's upgrade handling: a plain-HTTP front on 127.0.0.1 that
// passes ordinary requests to the sandbox's HTTPS API (adding its token) and serves
// `pods/<name>/portforward` upgrades with handlePortForward. It is also the reference for wiring
// the handler into the real API server: authenticate, read the pod, hand over the socket.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Sandbox } from '../../index.js';
import { refs } from '../../apiserver/api.js';
import { handlePortForward } from '../portforward/handler.js';

const PORTFORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward(?:\?|$)/;

export interface ApiFront {
  url: string;
  kubeconfigPath: string;
  /** the Upgrade header of every port-forward request seen, in order */
  upgrades: string[];
  close(): Promise<void>;
}

export async function startApiFront(sandbox: Sandbox): Promise<ApiFront> {
  const upstream = new URL(sandbox.url);
  const upgrades: string[] = [];
  const server = createServer((req, res) => {
    const forwarded = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host, authorization: `Bearer ${sandbox.token}` },
        ca: sandbox.caPem,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const match = PORTFORWARD_PATH.exec(req.url ?? '');
    if (!match) {
      socket.destroy();
      return;
    }
    upgrades.push(String(req.headers.upgrade));
    const [, namespace, name] = match;
    sandbox.api.get(refs.pods, namespace, name).then(
      (pod) => handlePortForward(req, socket, head, { namespace, name, uid: pod.metadata.uid, podIP: (pod.status as { podIP?: string } | undefined)?.podIP }),
      () => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'pf-front-')), 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: front, cluster: {server: "' + url + '"}}]',
      'users: [{name: front, user: {}}]',
      'contexts: [{name: front, context: {cluster: front, user: front, namespace: default}}]',
      'current-context: front',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return {
    url,
    kubeconfigPath,
    upgrades,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
