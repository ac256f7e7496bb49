// SPDX-License-Identifier: Apache-2.0
// Service DNS for the kit's own programs: `iris-default.seldon.svc.cluster.local` → an address
// that really answers on this machine.
//
// On a cluster, CoreDNS answers a pod's query for `<svc>.<ns>.svc.cluster.local` with the
// Service's ClusterIP. The sandbox runs no DNS server (its pods are ordinary processes using the
// machine's resolver), so:
//
// - arbitrary programs in a pod get what Kubernetes has always also given them: the
//   `<SVC>_SERVICE_HOST` / `<SVC>_SERVICE_PORT` environment variables, which in the sandbox hold
//   the Service's loopback address and port (address.ts);
// - the kit's own code (the gateway, `SeldonClient`, lesson cells) calls `resolveServiceHost()`
//   or `resolveServiceUrl()` here, which read the Service's ClusterIP (from the sandbox's own
//   table when it runs in this process, else from the API server in KUBECONFIG) and map it.
//
// Names that are not Service names (IP addresses, `localhost`, `example.com`) come back unchanged.
import type { KubeConfig } from '@kubernetes/client-node';
import { parseServiceHost, serviceLoopbackAddress, serviceLoopbackPort, type ServiceName } from './address.js';
import type { ServiceTable } from './service-table.js';

export interface ResolveOptions {
  /** the namespace a bare name (`iris-default`) is looked up in; default `default` */
  namespace?: string;
  /** the sandbox's Service table, when it runs in this process (found automatically when started by startNetwork) */
  table?: ServiceTable;
  /** where to read Services otherwise (default: KUBECONFIG / ~/.kube/config) */
  kubeConfig?: KubeConfig;
}

/** Service tables of sandboxes running in this process, newest last. */
const localTables: ServiceTable[] = [];

/** Lets `resolveServiceHost()` in this process answer from `table` without asking the API server. */
export function registerLocalServiceTable(table: ServiceTable): () => void {
  localTables.push(table);
  return () => {
    const i = localTables.indexOf(table);
    if (i >= 0) localTables.splice(i, 1);
  };
}

/** A Service name the resolver could not turn into an address, with what to check. */
export class ServiceResolveError extends Error {
  override name = 'ServiceResolveError';
}

async function clusterIPOf(service: ServiceName, options: ResolveOptions): Promise<string | undefined> {
  const table = options.table ?? localTables[localTables.length - 1];
  if (table) {
    const view = table.get(service.namespace, service.name);
    return view ? (view.clusterIP ?? 'None') : undefined;
  }
  // Loaded on first use: client-node takes about a second to load, and the sandbox must not pay for it.
  const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
  let kc = options.kubeConfig;
  if (!kc) {
    kc = new KubeConfig();
    kc.loadFromDefault();
  }
  try {
    const svc = await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: service.name, namespace: service.namespace });
    if (svc.spec?.type === 'ExternalName') return 'None';
    return svc.spec?.clusterIP ?? 'None';
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw new ServiceResolveError(`cannot look up Service ${service.namespace}/${service.name}: ${(error as Error).message}`);
  }
}

/**
 * The address a Service's DNS name stands for in the sandbox, e.g.
 * `await resolveServiceHost('iris-default.seldon')` → `'127.96.12.34'`.
 * Throws ServiceResolveError when the Service does not exist or has no ClusterIP (headless,
 * ExternalName). Hosts that are not Service names are returned as they are.
 */
export async function resolveServiceHost(host: string, options: ResolveOptions = {}): Promise<string> {
  const service = parseServiceHost(host, options.namespace ?? 'default');
  if (!service) return host;
  const clusterIP = await clusterIPOf(service, options);
  if (clusterIP === undefined) {
    throw new ServiceResolveError(`no Service "${service.name}" in namespace "${service.namespace}": check the name with \`kubectl get svc -n ${service.namespace}\``);
  }
  if (clusterIP === 'None' || clusterIP === '') {
    throw new ServiceResolveError(`Service ${service.namespace}/${service.name} has no ClusterIP (headless or ExternalName), so it has no address to connect to`);
  }
  return serviceLoopbackAddress(clusterIP);
}

/** Host and port together: a Service port below 1024 is served at port + 10000 in the sandbox. */
export async function resolveServiceAddress(host: string, port: number, options: ResolveOptions = {}): Promise<{ host: string; port: number }> {
  const resolved = await resolveServiceHost(host, options);
  return resolved === host ? { host, port } : { host: resolved, port: serviceLoopbackPort(port) };
}

/**
 * A URL with a Service host, made reachable:
 * `http://iris-default.seldon:8000/api/v1.0/predictions` → `http://127.96.12.34:8000/api/v1.0/predictions`.
 */
export async function resolveServiceUrl(url: string, options: ResolveOptions = {}): Promise<string> {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? 443 : 80;
  const port = parsed.port ? Number(parsed.port) : defaultPort;
  const address = await resolveServiceAddress(parsed.hostname, port, options);
  if (address.host === parsed.hostname) return url;
  parsed.hostname = address.host;
  parsed.port = String(address.port);
  return parsed.toString();
}
