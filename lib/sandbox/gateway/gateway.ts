// SPDX-License-Identifier: Apache-2.0
// The sandbox's Ambassador: an HTTP gateway on 127.0.0.1 (port 8003 by default, the port Seldon's
// docs port-forward Ambassador to and SeldonClient's default) that routes by Emissary Mappings.
//
//   curl http://127.0.0.1:8003/seldon/seldon/iris-model/api/v1.0/predictions
//        │
//        ├─ route table: Mapping prefix /seldon/seldon/iris-model/ → iris-model-default.seldon:8000
//        ├─ Service table: iris-model-default:8000 → a ready pod, e.g. 127.244.0.7:8000
//        └─ forward: path rewritten to /api/v1.0/predictions, answer streamed back
//
// Like Emissary's control plane, it watches the cluster and rebuilds its route table on every
// change: Mapping resources (getambassador.io/v3alpha1, and v2 through the same stored objects)
// and the `getambassador.io/config` annotation of Services (Seldon 1.11's way). A change is
// routable as soon as the watch event arrives, a few milliseconds after the write.
//
// What it does not do (and the lessons say so): TLS, Host/Listener resources, gRPC, retries,
// CORS, auth. It is Envoy's routing semantics in a small byte-level proxy (forward.ts), not Envoy.
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { ApiHandle, ResourceRef } from '../apiserver/api.js';
import { refs } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { silentLogger, type Logger } from '../controllers/controller.js';
import { InformerFactory, type Informer } from '../controllers/informer.js';
import { ServiceTable } from '../network/service-table.js';
import { CONFIG_ANNOTATION, parseConfigAnnotation } from './annotations.js';
import { installEmissaryCrds } from './crds.js';
import { Forwarder, type Target } from './forward.js';
import { DEFAULT_AMBASSADOR_ID, parseMapping, type MappingRule, type Upstream } from './mapping.js';
import { DEFAULT_INGRESS_PORT } from './port.js';
import { buildRouteTable, matchRoute, type Route } from './route-table.js';

export { DEFAULT_INGRESS_PORT };

/** Mappings are read in v3alpha1; v2 objects are the same stored objects, served in both versions. */
export const MAPPINGS: ResourceRef = { group: 'getambassador.io', version: 'v3alpha1', plural: 'mappings' };

export interface GatewayOptions {
  /** default 8003; 0 picks a free port */
  port?: number;
  /** default 127.0.0.1: only this machine can reach the gateway */
  host?: string;
  /** route with this Service table (shared with the Service proxy); default: one of its own */
  services?: ServiceTable;
  /** share informers with the controllers; default: its own */
  informers?: InformerFactory;
  /** the ambassador_id this gateway answers to (default "default") */
  ambassadorId?: string;
  /** install Emissary's CRDs when they are missing (default true) */
  installCrds?: boolean;
  log?: Logger;
}

export class Gateway {
  private readonly log: Logger;
  private readonly informers: InformerFactory;
  private readonly ownsInformers: boolean;
  private readonly services: ServiceTable;
  private readonly ownsServices: boolean;
  /** the informers the route table is built from: made in start(), once the Mapping CRD exists */
  private watched?: { mappings: Informer; services: Informer };
  private readonly forwarder: Forwarder;
  private readonly server: Server;
  private table: Route[] = [];
  private currentProblems: string[] = [];
  private readonly changeListeners = new Set<() => void>();
  private boundPort = 0;

  constructor(
    private readonly api: ApiHandle,
    private readonly options: GatewayOptions = {},
  ) {
    this.log = options.log ?? silentLogger;
    this.ownsInformers = !options.informers;
    this.informers = options.informers ?? new InformerFactory(api, this.log);
    this.ownsServices = !options.services;
    this.services = options.services ?? new ServiceTable(api, { informers: this.informers, log: this.log });
    this.forwarder = new Forwarder({ route: (facts) => matchRoute(this.table, facts), resolve: (upstream) => this.resolve(upstream) });
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.forwarder.accept(socket));
  }

  /** `http://127.0.0.1:8003` once started. */
  get url(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  /** The routes in the order they are tried: what Emissary's diagnostics page shows. */
  routes(): readonly Route[] {
    return this.table;
  }

  /** Mappings that could not be routed, each with the reason. */
  problems(): readonly string[] {
    return this.currentProblems;
  }

  /** Called after every rebuild of the route table (tests wait on it). */
  onRoutesChanged(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.options.installCrds !== false) {
      const created = await installEmissaryCrds(this.api);
      if (created.length) this.log.info(`gateway: installed ${created.join(', ')}`);
    }
    const { mappings, services } = this.watch();
    if (this.ownsInformers) this.informers.start();
    else for (const informer of [mappings, services]) informer.start();
    if (this.ownsServices) await this.services.start();
    await Promise.all([mappings.waitForSync(), services.waitForSync()]);
    this.rebuild();
    const host = this.options.host ?? '127.0.0.1';
    const port = this.options.port ?? DEFAULT_INGRESS_PORT;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`the gateway cannot listen on ${host}:${port}: another program uses that port (a port-forward to a real Ambassador?). Stop it, or choose another port with --ingress-port.`, { cause: error })
            : error,
        );
      };
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.changeListeners.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.forwarder.close();
    });
    if (this.ownsServices) this.services.stop();
    if (this.ownsInformers) this.informers.stop();
  }

  /**
   * Follows Mappings and the Services' Mapping annotations, rebuilding the route table on every
   * change. Called once the CRDs are installed: informers shared with the controllers already run,
   * so one made now lists at once, and a list of Mappings before their type exists would fail and
   * wait out a back-off (a tenth of a second of every start).
   */
  private watch(): { mappings: Informer; services: Informer } {
    const mappings = this.informers.informer(MAPPINGS);
    const services = this.informers.informer(refs.services);
    this.watched = { mappings, services };
    const rebuild = () => this.rebuild();
    mappings.addHandlers({ onAdd: rebuild, onUpdate: rebuild, onDelete: rebuild });
    const annotationOf = (svc: KubeObject) => svc.metadata.annotations?.[CONFIG_ANNOTATION];
    services.addHandlers({
      onAdd: (svc) => annotationOf(svc) !== undefined && rebuild(),
      onUpdate: (old, svc) => annotationOf(old) !== annotationOf(svc) && rebuild(),
      onDelete: (svc) => annotationOf(svc) !== undefined && rebuild(),
    });
    return this.watched;
  }

  /** Reads every Mapping (resources and annotations) into a fresh route table. */
  private rebuild(): void {
    const rules: MappingRule[] = [];
    const problems: string[] = [];
    const ambassadorId = this.options.ambassadorId ?? DEFAULT_AMBASSADOR_ID;
    const add = (spec: Record<string, unknown>, where: { id: string; namespace: string; name: string }) => {
      const parsed = parseMapping(spec, { ...where, ambassadorId });
      if ('rule' in parsed) rules.push(parsed.rule);
      else if ('error' in parsed) problems.push(parsed.error);
      else this.log.info(`gateway: ${parsed.skip}`);
    };
    for (const obj of this.watched?.mappings.list() ?? []) {
      const namespace = String(obj.metadata.namespace);
      const name = String(obj.metadata.name);
      add((obj.spec ?? {}) as Record<string, unknown>, { id: `Mapping ${namespace}/${name}`, namespace, name });
    }
    for (const svc of this.watched?.services.list() ?? []) {
      const text = svc.metadata.annotations?.[CONFIG_ANNOTATION];
      if (text === undefined) continue;
      const service = { namespace: String(svc.metadata.namespace), name: String(svc.metadata.name) };
      const parsed = parseConfigAnnotation(text, service);
      problems.push(...parsed.problems);
      for (const m of parsed.mappings) {
        add(m.spec, { id: `Service ${service.namespace}/${service.name} annotation Mapping ${m.name}`, namespace: m.namespace, name: m.name });
      }
    }
    const built = buildRouteTable(rules);
    problems.push(...built.problems);
    this.table = built.routes;
    for (const problem of problems) if (!this.currentProblems.includes(problem)) this.log.error(`gateway: ${problem}`);
    this.currentProblems = problems;
    for (const listener of this.changeListeners) listener();
  }

  // #region resolve-upstream
  /** Where an upstream is, right now: kube-proxy's DNAT for Services, the address itself otherwise. */
  private resolve(upstream: Upstream): Target {
    if (upstream.service) {
      const picked = this.services.pick(upstream.service.namespace, upstream.service.name, upstream.port);
      if ('backend' in picked) return { host: picked.backend.ip, port: picked.backend.port };
      return { reason: picked.reason };
    }
    // An IP address, `localhost`, or a DNS name outside the cluster (api.example.com): as written.
    return { host: upstream.host, port: upstream.port };
  }
  // #endregion resolve-upstream
}

/** Starts a gateway and resolves once it listens; print `gateway.url`. */
export async function startGateway(api: ApiHandle, options: GatewayOptions = {}): Promise<Gateway> {
  const gateway = new Gateway(api, options);
  try {
    await gateway.start();
  } catch (error) {
    await gateway.stop().catch(() => undefined);
    throw error;
  }
  return gateway;
}
