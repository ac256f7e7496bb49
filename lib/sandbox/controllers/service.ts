// SPDX-License-Identifier: Apache-2.0
// The endpoints controller: for each Service with a selector, an Endpoints object of the same
// name listing the pods behind it, which is what kube-proxy (and the sandbox's gateway) route to.
//
//   addresses          pods matching the selector that have an IP and are Ready
//   notReadyAddresses  matching pods with an IP that are not Ready (yet): known, but not routed to
//                      (unless the Service sets publishNotReadyAddresses)
//   ports              each Service port, resolved against the pod: `targetPort: 8080` as is,
//                      `targetPort: http` looked up among the pod's named container ports
//
// Pods without an IP (not running yet) and terminating pods are left out. A Service without a
// selector gets no Endpoints from here: its owner writes them by hand, as Kubernetes expects.
// ClusterIP allocation is not here: the API server does it when the Service is created
// (apiserver/clusterip.ts).
import { refs, type ApiHandle } from '../apiserver/api.js';
import { labelSelectorFromSpec } from '../apiserver/selectors.js';
import type { KubeObject } from '../apiserver/types.js';
import { Controller, type Logger } from './controller.js';
import type { Informer, InformerFactory } from './informer.js';
import { isNotFound, jsonEqual, objectKey, splitKey } from './objects.js';
import { isPodReady, podStatus } from './pods.js';

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
  appProtocol?: string;
}

interface ServiceSpec {
  type?: string;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  clusterIP?: string;
  publishNotReadyAddresses?: boolean;
}

interface EndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace?: string; name?: string; uid?: string };
}

interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export class EndpointsController extends Controller {
  readonly name = 'endpoint-controller';
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;

  constructor(
    private readonly api: ApiHandle,
    informers: InformerFactory,
    log: Logger,
  ) {
    super(log);
    this.services = informers.informer(refs.services);
    this.pods = informers.informer(refs.pods);
    this.endpoints = informers.informer(refs.endpoints);

    const enqueue = (obj: KubeObject) => this.queue.add(objectKey(obj));
    this.services.addHandlers({ onAdd: enqueue, onUpdate: (_old, svc) => enqueue(svc), onDelete: enqueue });
    // Someone edited or deleted an Endpoints object we manage: put it back.
    this.endpoints.addHandlers({ onUpdate: (_old, ep) => enqueue(ep), onDelete: enqueue });
    // A pod change concerns the Services that select it, before or after the change.
    this.pods.addHandlers({
      onAdd: (pod) => this.enqueueServicesOf(pod),
      onUpdate: (old, pod) => {
        this.enqueueServicesOf(old);
        this.enqueueServicesOf(pod);
      },
      onDelete: (pod) => this.enqueueServicesOf(pod),
    });
  }

  private enqueueServicesOf(pod: KubeObject): void {
    for (const svc of this.services.list(pod.metadata.namespace)) {
      const selector = (svc.spec as ServiceSpec | undefined)?.selector;
      if (selector && Object.keys(selector).length > 0 && labelSelectorFromSpec({ matchLabels: selector }).matches(pod.metadata.labels)) {
        this.queue.add(objectKey(svc));
      }
    }
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    const existing = this.endpoints.get(namespace, name);
    if (!svc) {
      // The Service is gone: so are its Endpoints.
      if (existing) await this.api.delete(refs.endpoints, namespace, name).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
      return;
    }
    const spec = (svc.spec ?? {}) as ServiceSpec;
    if (!spec.selector || Object.keys(spec.selector).length === 0 || spec.type === 'ExternalName') return;

    const labels: Record<string, string> = { ...svc.metadata.labels };
    if (spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    const subsets = this.subsetsFor(svc, spec);
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, ...(Object.keys(labels).length ? { labels } : {}) },
      ...(subsets.length ? { subsets } : {}),
    };
    if (!existing) {
      // If someone created it meanwhile, this is a 409 and the retry finds it in the cache.
      await this.api.create(refs.endpoints, desired);
      return;
    }
    if (jsonEqual(existing.subsets ?? [], desired.subsets ?? []) && jsonEqual(existing.metadata.labels ?? {}, labels)) return;
    const next: KubeObject = { ...existing, metadata: { ...existing.metadata, labels: desired.metadata.labels } };
    if (subsets.length) next.subsets = subsets;
    else delete next.subsets;
    await this.api.update(refs.endpoints, next);
  }

  /** Groups the selected pods' addresses by the ports they resolve to, sorted so the result is stable. */
  private subsetsFor(svc: KubeObject, spec: ServiceSpec): EndpointSubset[] {
    const selector = labelSelectorFromSpec({ matchLabels: spec.selector });
    const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
    for (const pod of this.pods.list(svc.metadata.namespace)) {
      if (!selector.matches(pod.metadata.labels)) continue;
      const status = podStatus(pod);
      if (!status.podIP || pod.metadata.deletionTimestamp || status.phase === 'Succeeded' || status.phase === 'Failed') continue;
      const ports: EndpointPort[] = [];
      let resolved = true;
      for (const port of spec.ports ?? []) {
        const number = resolveTargetPort(pod, port);
        if (number === undefined) {
          resolved = false; // a named port this pod does not have: leave the pod out
          break;
        }
        ports.push({ ...(port.name ? { name: port.name } : {}), port: number, protocol: port.protocol ?? 'TCP', ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}) });
      }
      if (!resolved) continue;
      ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
      const address: EndpointAddress = {
        ip: status.podIP,
        ...((pod.spec as { nodeName?: string }).nodeName ? { nodeName: (pod.spec as { nodeName: string }).nodeName } : {}),
        targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      };
      const id = JSON.stringify(ports);
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { ports, ready: [], notReady: [] }));
      if (isPodReady(pod) || spec.publishNotReadyAddresses) group.ready.push(address);
      else group.notReady.push(address);
    }
    const byIp = (a: EndpointAddress, b: EndpointAddress) => compareIp(a.ip, b.ip) || String(a.targetRef.uid).localeCompare(String(b.targetRef.uid));
    return [...groups.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, g]) => ({
        ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
        ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
        ...(g.ports.length ? { ports: g.ports } : {}),
      }));
  }
}

/** A Service port's targetPort as a number for this pod (default: the Service port itself). */
function resolveTargetPort(pod: KubeObject, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const containers = ((pod.spec as { containers?: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[] }).containers ?? []);
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP')) return p.containerPort;
  }
  return undefined;
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
