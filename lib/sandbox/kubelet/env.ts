// SPDX-License-Identifier: Apache-2.0
// A container's environment, built as the kubelet builds it (pkg/kubelet/kubelet_pods.go
// makeEnvironmentVariables), from lowest to highest precedence:
//
//   1. the image's ENV                                    (images.ts)
//   2. HOSTNAME                                           (the pod's hostname)
//   3. service links: <SVC>_SERVICE_HOST, <SVC>_SERVICE_PORT, <SVC>_PORT_9000_TCP_ADDR, ...
//      for every Service of the pod's namespace that existed when the container started, plus
//      KUBERNETES_SERVICE_HOST/PORT for the API server. In the sandbox they hold the address where
//      the Service is really served (network/address.ts: ClusterIP 10.96.1.2 → 127.96.1.2, a port
//      below 1024 + 10000), because nothing on this machine answers on 10.96.1.2. The sandbox
//      may name another address for the API server (`apiServer`), when its Service proxy cannot
//      serve the `kubernetes` Service's (another sandbox on this machine holds it).
//   4. envFrom (ConfigMaps and Secrets, with an optional prefix), in order
//   5. env, in order; `value` may refer to earlier variables as $(NAME); `valueFrom` reads the
//      downward API (fieldRef, resourceFieldRef) or a key of a ConfigMap or Secret
//
// A missing ConfigMap, Secret or key (unless `optional: true`) stops the container from starting:
// it waits with reason CreateContainerConfigError and the kubelet tries again later.
import type { V1Container, V1ObjectFieldSelector } from '@kubernetes/client-node';
import type { KubeObject } from '../apiserver/types.js';
import { serviceLoopbackAddress, serviceLoopbackPort } from '../network/address.js';
import { expand } from './expansion.js';
import { resourceFieldValue } from './quantity.js';

/** The container cannot be configured yet; the message is what `kubectl describe` shows. */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** What the kubelet knows about the cluster when it builds an environment. */
export interface EnvSources {
  configMap(namespace: string, name: string): KubeObject | undefined;
  secret(namespace: string, name: string): KubeObject | undefined;
  /** the Services of a namespace, as they are now */
  services(namespace: string): KubeObject[];
  /** where pods reach the API server; default: the `kubernetes` Service in `default` */
  apiServer?: { host: string; port: number };
}

/** The pod's addresses, known once its sandbox exists. */
export interface PodAddresses {
  podIP: string;
  hostIP: string;
}

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  /** where the port is really served, when not at `port` itself */
  served?: number;
}

/** `iris-model` → `IRIS_MODEL`: how a Service or port name becomes part of a variable name. */
function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** The Docker-links style variables of one Service (pkg/kubelet/envvars). */
export function serviceEnv(service: { name: string; clusterIP: string; ports: ServicePort[] }): [string, string][] {
  const prefix = envName(service.name);
  const ip = service.clusterIP;
  const ports = service.ports;
  if (ports.length === 0) return [];
  const served = (port: ServicePort): string => String(port.served ?? port.port);
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip], [`${prefix}_SERVICE_PORT`, served(ports[0])]];
  for (const port of ports) if (port.name) out.push([`${prefix}_SERVICE_PORT_${envName(port.name)}`, served(port)]);
  ports.forEach((port, i) => {
    const protocol = (port.protocol ?? 'TCP').toLowerCase();
    const url = `${protocol}://${ip.includes(':') ? `[${ip}]` : ip}:${served(port)}`;
    // The variable names keep the Service's own port, so a program finds `_PORT_80_TCP` as usual.
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    out.push([portPrefix, url], [`${portPrefix}_PROTO`, protocol], [`${portPrefix}_PORT`, served(port)], [`${portPrefix}_ADDR`, ip]);
  });
  return out;
}

function serviceVariables(pod: KubeObject, sources: EnvSources): Map<string, string> {
  const vars = new Map<string, string>();
  const add = (svc: KubeObject): void => {
    const spec = (svc.spec ?? {}) as { clusterIP?: string; ports?: ServicePort[] };
    if (!spec.clusterIP || spec.clusterIP === 'None') return;
    let address: string;
    try {
      address = serviceLoopbackAddress(spec.clusterIP);
    } catch {
      return; // not an address the sandbox serves (IPv6, ...): no variables, as for a headless Service
    }
    const ports = (spec.ports ?? []).map((p) => ({ ...p, served: serviceLoopbackPort(p.port) }));
    for (const [k, v] of serviceEnv({ name: String(svc.metadata.name), clusterIP: address, ports })) vars.set(k, v);
  };
  const namespace = String(pod.metadata.namespace);
  const links = (pod.spec as { enableServiceLinks?: boolean }).enableServiceLinks ?? true;
  if (links) for (const svc of sources.services(namespace)) if (!(namespace === 'default' && svc.metadata.name === 'kubernetes')) add(svc);
  // The API server's Service is always there, whatever enableServiceLinks says.
  const kubernetes = sources.services('default').find((s) => s.metadata.name === 'kubernetes');
  if (sources.apiServer) {
    for (const [k, v] of serviceEnv({ name: 'kubernetes', clusterIP: sources.apiServer.host, ports: [{ name: 'https', port: sources.apiServer.port }] })) vars.set(k, v);
  } else if (kubernetes) add(kubernetes);
  return vars;
}

function decodeSecret(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

/** The key/value data of a ConfigMap or Secret (a Secret's values are base64 on the wire). */
function dataOf(obj: KubeObject, secret: boolean): Record<string, string> {
  const data = (obj.data ?? {}) as Record<string, string>;
  if (!secret) return data;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, decodeSecret(v)]));
}

function labelOrAnnotation(path: string): { field: 'labels' | 'annotations'; key: string } | undefined {
  const match = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  return match ? { field: match[1] as 'labels' | 'annotations', key: match[2] } : undefined;
}

/** A `fieldRef` of the downward API: `metadata.name`, `status.podIP`, `metadata.labels['app']`, ... */
export function fieldRefValue(pod: KubeObject, selector: V1ObjectFieldSelector, addresses: PodAddresses): string {
  const path = selector.fieldPath;
  const meta = pod.metadata;
  const spec = (pod.spec ?? {}) as { nodeName?: string; serviceAccountName?: string };
  const one = labelOrAnnotation(path);
  if (one) return meta[one.field]?.[one.key] ?? '';
  switch (path) {
    case 'metadata.name': return String(meta.name);
    case 'metadata.namespace': return String(meta.namespace);
    case 'metadata.uid': return String(meta.uid);
    case 'metadata.labels': return formatMap(meta.labels);
    case 'metadata.annotations': return formatMap(meta.annotations);
    case 'spec.nodeName': return spec.nodeName ?? '';
    case 'spec.serviceAccountName': return spec.serviceAccountName ?? 'default';
    case 'status.hostIP': case 'status.hostIPs': return addresses.hostIP;
    case 'status.podIP': case 'status.podIPs': return addresses.podIP;
    default: throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
  }
}

/** Labels or annotations as the downward API writes them: `key="value"` lines, sorted by key. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map![k])}`)
    .join('\n');
}

/**
 * The variables a container sets itself (service links, envFrom, env), in the order a later one
 * overrides an earlier one. HOSTNAME and the image's ENV are added by the runtime (pod-worker.ts).
 */
export function containerEnv(pod: KubeObject, container: V1Container, sources: EnvSources, addresses: PodAddresses): Map<string, string> {
  const namespace = String(pod.metadata.namespace);
  const services = serviceVariables(pod, sources);
  const declared = new Map<string, string>();
  const lookup = (name: string): string | undefined => declared.get(name) ?? services.get(name);

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const secret = from.secretRef !== undefined;
    const obj = secret ? sources.secret(namespace, String(ref.name)) : sources.configMap(namespace, String(ref.name));
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${secret ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    for (const [key, value] of Object.entries(dataOf(obj, secret))) {
      const name = (from.prefix ?? '') + key;
      // Kubernetes skips keys that cannot be variable names (and says so in an event).
      if (name === '' || name.includes('=')) continue;
      declared.set(name, value);
    }
  }

  for (const variable of container.env ?? []) {
    const source = variable.valueFrom;
    let value: string | undefined;
    if (variable.value !== undefined && variable.value !== '') value = expand(variable.value, lookup);
    else if (source?.fieldRef) value = fieldRefValue(pod, source.fieldRef, addresses);
    else if (source?.resourceFieldRef) {
      try {
        value = resourceFieldValue(container, source.resourceFieldRef);
      } catch (error) {
        throw new ContainerConfigError((error as Error).message);
      }
    } else if (source?.configMapKeyRef || source?.secretKeyRef) {
      const secret = source.secretKeyRef !== undefined;
      const ref = (source.configMapKeyRef ?? source.secretKeyRef)!;
      const obj = secret ? sources.secret(namespace, String(ref.name)) : sources.configMap(namespace, String(ref.name));
      if (!obj) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`${secret ? 'secret' : 'configmap'} "${ref.name}" not found`);
      }
      value = dataOf(obj, secret)[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${namespace}/${ref.name}`);
      }
    } else value = '';
    declared.set(variable.name, value);
  }

  const result = new Map(services);
  for (const [k, v] of declared) {
    result.delete(k);
    result.set(k, v);
  }
  return result;
}
