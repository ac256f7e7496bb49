// SPDX-License-Identifier: Apache-2.0
// kube-proxy for the sandbox: makes every ClusterIP Service reachable at its loopback address
// (address.ts) and forwards each TCP connection to one ready pod.
//
// A real kube-proxy writes iptables rules and never touches a byte: the kernel rewrites the
// destination of the first packet (DNAT) and conntrack keeps the connection on that pod. Here a
// small user-space proxy does the same job:
//
//   client ──► 127.96.12.34:8000 (this proxy) ──► one ready endpoint, e.g. 127.244.0.7:9000
//
// - one listener per Service port, on the Service's loopback address; a port below 1024 is served
//   at port + 10000 (address.ts says why);
// - each new connection goes to the next ready endpoint (round robin, service-table.ts);
// - with no ready endpoint there is no listener at all, so a connection is refused: what
//   kube-proxy's REJECT rule makes a client see ("connection refused");
// - endpoint changes apply to the next connection; open connections stay where they are, as
//   conntrack keeps them (they end when the pod goes away);
// - bytes are piped both ways, half-closes included, so any TCP protocol works, not only HTTP.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../controllers/controller.js';
import { serviceLoopbackPort } from './address.js';
import type { ServiceTable, ServiceView } from './service-table.js';

interface Listener {
  address: string;
  port: number;
  server: Server;
  /** settles when the listener is bound (or failed to bind) */
  ready: Promise<void>;
  state: 'binding' | 'listening' | 'failed' | 'closed';
}

export interface ServiceProxyOptions {
  log?: Logger;
}

export class ServiceProxy {
  private readonly log: Logger;
  /** `ns/name` → `address:port` → listener */
  private readonly listeners = new Map<string, Map<string, Listener>>();
  private readonly connections = new Set<Socket>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly table: ServiceTable,
    options: ServiceProxyOptions = {},
  ) {
    this.log = options.log ?? silentLogger;
  }

  /** Opens listeners for the Services that have ready endpoints now, and follows changes. */
  async start(): Promise<void> {
    this.unsubscribe = this.table.onChange((key, view) => this.sync(key, view));
    for (const view of this.table.list()) this.sync(`${view.namespace}/${view.name}`, view);
    await this.settled();
  }

  /** Resolves when every listener that is being opened is open (or has failed). Tests wait on it. */
  async settled(): Promise<void> {
    const pending = [...this.listeners.values()].flatMap((ports) => [...ports.values()]).map((l) => l.ready);
    await Promise.all(pending);
  }

  /** `address:port` pairs being listened on, per Service: what `kubectl get svc` would call reachable. */
  listening(): { service: string; address: string; port: number }[] {
    const out: { service: string; address: string; port: number }[] = [];
    for (const [service, ports] of this.listeners) {
      for (const l of ports.values()) if (l.state === 'listening') out.push({ service, address: l.address, port: l.port });
    }
    return out;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    const closing: Promise<void>[] = [];
    for (const ports of this.listeners.values()) for (const l of ports.values()) closing.push(this.close(l));
    this.listeners.clear();
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    await Promise.all(closing);
  }

  /** Makes the listeners of one Service match its current view. */
  private sync(key: string, view: ServiceView | undefined): void {
    if (this.stopped) return;
    const wanted = new Map<string, { address: string; port: number; servicePort: number }>();
    if (view?.loopbackAddress) {
      for (const p of view.ports) {
        if (p.protocol !== 'TCP' || p.backends.length === 0) continue;
        const port = serviceLoopbackPort(p.port);
        wanted.set(`${view.loopbackAddress}:${port}`, { address: view.loopbackAddress, port, servicePort: p.port });
      }
    }
    const current = this.listeners.get(key) ?? new Map<string, Listener>();
    for (const [id, listener] of current) {
      if (!wanted.has(id)) {
        current.delete(id);
        void this.close(listener);
      }
    }
    for (const [id, want] of wanted) {
      if (!current.has(id)) current.set(id, this.open(key, want.address, want.port, want.servicePort));
    }
    if (current.size > 0) this.listeners.set(key, current);
    else this.listeners.delete(key);
  }

  private open(key: string, address: string, port: number, servicePort: number): Listener {
    const [namespace, name] = key.split('/');
    const server = createServer({ allowHalfOpen: true }, (client) => this.forward(client, namespace, name, servicePort));
    const listener: Listener = { address, port, server, state: 'binding', ready: Promise.resolve() };
    listener.ready = new Promise<void>((resolve) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        listener.state = 'failed';
        this.log.error(`service ${key} port ${servicePort}: cannot listen on ${address}:${port}: ${explainBindError(error)}`);
        resolve();
      });
      server.listen({ host: address, port }, () => {
        listener.state = 'listening';
        resolve();
      });
    });
    return listener;
  }

  private async close(listener: Listener): Promise<void> {
    await listener.ready;
    const wasListening = listener.state === 'listening';
    listener.state = 'closed';
    // close() stops accepting; connections already made carry on, as conntrack entries do.
    if (wasListening) await new Promise<void>((resolve) => listener.server.close(() => resolve()));
  }

  /** One client connection: pick a ready endpoint now and splice the two sockets together. */
  private forward(client: Socket, namespace: string, name: string, servicePort: number): void {
    const picked = this.table.pick(namespace, name, servicePort);
    if (!('backend' in picked)) {
      // The last endpoint went away between accept and here: answer as REJECT would, at once.
      client.resetAndDestroy();
      return;
    }
    const { ip, port } = picked.backend;
    const upstream = createConnection({ host: ip, port, allowHalfOpen: true });
    this.connections.add(client);
    this.connections.add(upstream);
    const forget = (socket: Socket) => () => this.connections.delete(socket);
    client.once('close', forget(client));
    upstream.once('close', forget(upstream));
    // The pod refused or reset: the client sees a reset too, as it would from the pod itself.
    upstream.once('error', () => {
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.once('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

function explainBindError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'another program already listens there (the gateway still routes to this Service)';
    case 'EADDRNOTAVAIL':
      return 'this system does not route 127.0.0.0/8 to loopback (on macOS, add the address with `sudo ifconfig lo0 alias <address>`)';
    case 'EACCES':
      return 'permission denied';
    default:
      return error.message;
  }
}
