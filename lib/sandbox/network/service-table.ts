// SPDX-License-Identifier: Apache-2.0
// The sandbox's view of "which pods serve which Service port": what kube-proxy computes on every
// node from Services and Endpoints, and what both the Service proxy (service-proxy.ts) and the
// gateway route with.
//
// It is fed by two informers (a watched, always-current copy of Services and Endpoints), so a pod
// that becomes ready or goes away changes the answer as soon as the endpoints controller writes
// the Endpoints object: one watch event, no polling.
//
// For each Service port the backends are the Endpoints' *ready* addresses, paired with the port
// of the same name (the endpoints controller has already turned `targetPort: http` into the
// pod's number). `notReadyAddresses` are known but never routed to, exactly as kube-proxy does.
// Picking a backend is round robin per Service port. (kube-proxy in iptables mode picks at random
// per connection; round robin is easier to see in a lesson and spreads load the same way.)
import type { ApiHandle } from '../apiserver/api.js';
import { refs } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { silentLogger, type Logger } from '../controllers/controller.js';
import { InformerFactory, type Informer } from '../controllers/informer.js';
import { serviceLoopbackAddress } from './address.js';

/** One pod address behind a Service port. */
export interface Backend {
  ip: string;
  port: number;
  /** `namespace/name` of the pod, when the Endpoints say */
  pod?: string;
}

export interface ServicePortView {
  name?: string;
  port: number;
  protocol: string;
  /** ready backends, in a stable order */
  backends: Backend[];
}

export interface ServiceView {
  namespace: string;
  name: string;
  type: string;
  /** undefined for headless and ExternalName Services */
  clusterIP?: string;
  /** the loopback address standing for the ClusterIP (address.ts), when there is one */
  loopbackAddress?: string;
  ports: ServicePortView[];
}

/** Why no backend could be picked: the gateway turns each into Envoy's answer. */
export type NoBackend = 'no-service' | 'no-port' | 'no-endpoints';

export type PickResult = { backend: Backend; service: ServiceView; port: ServicePortView } | { reason: NoBackend };

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  ports?: { name?: string; port: number; protocol?: string }[];
}

interface EndpointSubset {
  addresses?: { ip: string; targetRef?: { namespace?: string; name?: string } }[];
  ports?: { name?: string; port: number; protocol?: string }[];
}

const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

export class ServiceTable {
  private readonly factory: InformerFactory;
  private readonly ownsFactory: boolean;
  private readonly services: Informer;
  private readonly endpoints: Informer;
  private readonly views = new Map<string, ServiceView>();
  private readonly byLoopback = new Map<string, string>();
  private readonly cursors = new Map<string, number>();
  private readonly listeners = new Set<(key: string, view: ServiceView | undefined) => void>();

  constructor(api: ApiHandle, options: { informers?: InformerFactory; log?: Logger } = {}) {
    this.ownsFactory = !options.informers;
    this.factory = options.informers ?? new InformerFactory(api, options.log ?? silentLogger);
    this.services = this.factory.informer(refs.services);
    this.endpoints = this.factory.informer(refs.endpoints);
    const touch = (obj: KubeObject) => this.recompute(String(obj.metadata.namespace), String(obj.metadata.name));
    for (const informer of [this.services, this.endpoints]) {
      informer.addHandlers({ onAdd: touch, onUpdate: (_old, obj) => touch(obj), onDelete: touch });
    }
  }

  /** Starts watching; resolves once the first lists are in. */
  async start(): Promise<void> {
    if (this.ownsFactory) this.factory.start();
    else {
      this.services.start();
      this.endpoints.start();
    }
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]);
  }

  stop(): void {
    if (this.ownsFactory) this.factory.stop();
    this.listeners.clear();
  }

  /** Called after every change of a Service's view (undefined: the Service is gone). */
  onChange(listener: (key: string, view: ServiceView | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(namespace: string, name: string): ServiceView | undefined {
    return this.views.get(keyOf(namespace, name));
  }

  list(): ServiceView[] {
    return [...this.views.values()];
  }

  /** The Service whose loopback address this is, e.g. `127.96.12.34`. */
  byLoopbackAddress(address: string): ServiceView | undefined {
    const key = this.byLoopback.get(address);
    return key ? this.views.get(key) : undefined;
  }

  /**
   * The next ready backend of a Service port (round robin), or why there is none. This is the
   * DNAT decision kube-proxy's rules make for a new connection to `<clusterIP>:<port>`.
   */
  pick(namespace: string, name: string, port: number): PickResult {
    const service = this.get(namespace, name);
    if (!service) return { reason: 'no-service' };
    const servicePort = service.ports.find((p) => p.port === port && p.protocol === 'TCP');
    if (!servicePort) return { reason: 'no-port' };
    const { backends } = servicePort;
    if (backends.length === 0) return { reason: 'no-endpoints' };
    const cursorKey = `${namespace}/${name}:${port}`;
    const next = this.cursors.get(cursorKey) ?? 0;
    this.cursors.set(cursorKey, (next + 1) % backends.length);
    return { backend: backends[next % backends.length], service, port: servicePort };
  }

  private recompute(namespace: string, name: string): void {
    const key = keyOf(namespace, name);
    const old = this.views.get(key);
    if (old?.loopbackAddress) this.byLoopback.delete(old.loopbackAddress);
    const svc = this.services.get(namespace, name);
    const view = svc ? buildView(svc, this.endpoints.get(namespace, name)) : undefined;
    if (view) {
      this.views.set(key, view);
      if (view.loopbackAddress) this.byLoopback.set(view.loopbackAddress, key);
    } else {
      this.views.delete(key);
    }
    for (const listener of this.listeners) listener(key, view);
  }
}

/** Joins a Service with its Endpoints into the table's view. */
export function buildView(svc: KubeObject, endpoints: KubeObject | undefined): ServiceView {
  const spec = (svc.spec ?? {}) as ServiceSpec;
  const type = spec.type ?? 'ClusterIP';
  const hasIP = Boolean(spec.clusterIP) && spec.clusterIP !== 'None' && type !== 'ExternalName';
  let loopbackAddress: string | undefined;
  if (hasIP) {
    try {
      loopbackAddress = serviceLoopbackAddress(String(spec.clusterIP));
    } catch {
      loopbackAddress = undefined; // an IPv6 or odd address: routable by the gateway, not by address
    }
  }
  const subsets = ((endpoints?.subsets ?? []) as EndpointSubset[]);
  const ports: ServicePortView[] = (spec.ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    const backends: Backend[] = [];
    for (const subset of subsets) {
      // Endpoints ports carry the Service port's name; a Service with one unnamed port has
      // Endpoints with one unnamed port.
      const match = (subset.ports ?? []).find((ep) => (ep.name ?? '') === (p.name ?? '') && (ep.protocol ?? 'TCP') === protocol);
      if (!match) continue;
      for (const address of subset.addresses ?? []) {
        const ref = address.targetRef;
        backends.push({ ip: address.ip, port: match.port, ...(ref?.name ? { pod: `${ref.namespace ?? svc.metadata.namespace}/${ref.name}` } : {}) });
      }
    }
    return { ...(p.name ? { name: p.name } : {}), port: p.port, protocol, backends };
  });
  return {
    namespace: String(svc.metadata.namespace),
    name: String(svc.metadata.name),
    type,
    ...(hasIP ? { clusterIP: spec.clusterIP } : {}),
    ...(loopbackAddress ? { loopbackAddress } : {}),
    ports,
  };
}
