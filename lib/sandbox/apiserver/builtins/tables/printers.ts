// SPDX-License-Identifier: Apache-2.0
// The columns and cells the API server's printers give the built-in types (the server side of
// `kubectl get`; k8s.io/kubernetes/pkg/printers/internalversion). The server always fills the
// "wide" columns (priority 1); kubectl shows them only with `-o wide`.
import { formatLabelSelector, formatLabels, humanDuration, selectorString, since } from './format.js';

type Json = Record<string, unknown>;

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface Printer {
  columns: ColumnDefinition[];
  cells(obj: Json, now: Date): unknown[];
}

export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

function col(name: string, description: string, extra: Partial<ColumnDefinition> = {}): ColumnDefinition {
  return { name, type: 'string', format: '', description, priority: 0, ...extra };
}
const nameCol = col('Name', NAME_DESCRIPTION, { format: 'name' });
const ageCol = col('Age', AGE_DESCRIPTION);
const wide = { priority: 1 };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const int = (v: unknown): number => (typeof v === 'number' ? Math.trunc(v) : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const meta = (o: Json) => obj(o.metadata);
const age = (o: Json, now: Date) => since(meta(o).creationTimestamp, now);

function containerCells(template: unknown): [string, string] {
  const containers = list(obj(obj(template).spec).containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

/** The STATUS column of `kubectl get pods`: the phase, refined by container states. */
function podRow(pod: Json, now: Date): unknown[] {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const containers = list(spec.containers);
  let reason = str(status.reason) || str(status.phase);
  let restarts = 0;
  let lastRestart = 0;
  let ready = 0;
  const noteRestart = (c: Json) => {
    restarts += int(c.restartCount);
    const finished = Date.parse(str(obj(obj(c.lastState).terminated).finishedAt));
    if (!Number.isNaN(finished) && finished > lastRestart) lastRestart = finished;
  };
  for (const condition of list(status.conditions)) {
    if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  let initializing = false;
  const inits = list(status.initContainerStatuses);
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    noteRestart(c);
    const state = obj(c.state);
    const terminated = isObject(state.terminated) ? state.terminated : undefined;
    const waiting = isObject(state.waiting) ? state.waiting : undefined;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (terminated) {
      reason = str(terminated.reason) ? `Init:${str(terminated.reason)}` : int(terminated.signal) !== 0 ? `Init:Signal:${int(terminated.signal)}` : `Init:ExitCode:${int(terminated.exitCode)}`;
    } else if (waiting && str(waiting.reason) && waiting.reason !== 'PodInitializing') {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${list(spec.initContainers).length}`;
    }
    initializing = true;
    break;
  }
  const initialized = list(status.conditions).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = 0;
    lastRestart = 0;
    let hasRunning = false;
    const statuses = list(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      noteRestart(c);
      const state = obj(c.state);
      const terminated = isObject(state.terminated) ? state.terminated : undefined;
      const waiting = isObject(state.waiting) ? state.waiting : undefined;
      if (waiting && str(waiting.reason)) reason = str(waiting.reason);
      else if (terminated && str(terminated.reason)) reason = str(terminated.reason);
      else if (terminated) reason = int(terminated.signal) !== 0 ? `Signal:${int(terminated.signal)}` : `ExitCode:${int(terminated.exitCode)}`;
      else if (c.ready === true && isObject(state.running)) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = list(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (meta(pod).deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (meta(pod).deletionTimestamp && !terminal) reason = 'Terminating';
  const restartText = restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)` : String(restarts);
  const podIP = str(obj(list(status.podIPs)[0]).ip) || '<none>';
  const gates = list(spec.readinessGates);
  const gateText =
    gates.length === 0
      ? '<none>'
      : `${gates.filter((g) => list(status.conditions).some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}`;
  return [
    str(meta(pod).name), `${ready}/${containers.length}`, reason, restartText, age(pod, now),
    podIP, str(spec.nodeName) || '<none>', str(status.nominatedNodeName) || '<none>', gateText,
  ];
}

function serviceExternalIP(spec: Json, status: Json): string {
  const externalIPs = Array.isArray(spec.externalIPs) ? (spec.externalIPs as string[]) : [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = list(obj(status.loadBalancer).ingress).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean);
      const lb = [...new Set(ingress)].sort();
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function endpointsText(ep: Json): string {
  const subsets = list(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const shown: string[] = [];
  let count = 0;
  const max = 3;
  for (const ss of subsets) {
    const addresses = list(ss.addresses);
    const ports = list(ss.ports);
    const targets = ports.length === 0 ? [undefined] : ports;
    for (const port of targets) {
      count += addresses.length;
      for (const a of addresses) {
        if (shown.length === max) break;
        const ip = str(a.ip);
        shown.push(port === undefined ? ip : ip.includes(':') ? `[${ip}]:${int(port.port)}` : `${ip}:${int(port.port)}`);
      }
    }
  }
  const text = shown.join(',');
  return count > max ? `${text} + ${count - max} more...` : text;
}

function eventRow(ev: Json, now: Date): unknown[] {
  let first = since(ev.firstTimestamp, now);
  if (!ev.firstTimestamp) first = since(ev.eventTime, now);
  let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
  let count = int(ev.count);
  if (isObject(ev.series)) {
    last = since(ev.series.lastObservedTime, now);
    count = int(ev.series.count);
  } else if (count === 0) count = 1;
  const involved = obj(ev.involvedObject);
  const kind = str(involved.kind).toLowerCase();
  const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
  const source = obj(ev.source);
  const component = str(source.component) || str(ev.reportingComponent) || str(ev.reportingController);
  const host = str(source.host) || str(ev.reportingInstance);
  return [
    last, str(ev.type), str(ev.reason), target, str(involved.fieldPath),
    host ? `${component}, ${host}` : component, str(ev.message).trim(), first, count, str(meta(ev).name),
  ];
}

function subjectsOf(binding: Json, kind: string): string {
  const names = list(binding.subjects)
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s.namespace)}/${str(s.name)}` : str(s.name)));
  return names.join(', ');
}

const bindingPrinter = (what: string): Printer => ({
  columns: [
    nameCol,
    col('Role', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
    ageCol,
    col('Users', `Users in the ${what}`, wide),
    col('Groups', `Groups in the ${what}`, wide),
    col('ServiceAccounts', `ServiceAccounts in the ${what}`, wide),
  ],
  cells: (o, now) => {
    const ref = obj(o.roleRef);
    return [str(meta(o).name), `${str(ref.kind)}/${str(ref.name)}`, age(o, now), subjectsOf(o, 'User'), subjectsOf(o, 'Group'), subjectsOf(o, 'ServiceAccount')];
  },
});

export const PRINTERS: Record<string, Printer> = {
  '/Namespace': {
    columns: [nameCol, col('Status', 'The status of the namespace'), ageCol],
    cells: (o, now) => [str(meta(o).name), str(obj(o.status).phase), age(o, now)],
  },
  '/Pod': {
    columns: [
      nameCol,
      col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      ageCol,
      col('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', wide),
      col('Node', 'NodeName indicates in which node this pod is scheduled.', wide),
      col('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node.', wide),
      col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', wide),
    ],
    cells: podRow,
  },
  '/Service': {
    columns: [
      nameCol,
      col('Type', 'type determines how the Service is exposed.'),
      col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
      col('Port(s)', 'The list of ports that are exposed by this service.'),
      ageCol,
      col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', wide),
    ],
    cells: (o, now) => {
      const spec = obj(o.spec);
      const ports = list(spec.ports)
        .map((p) => (int(p.nodePort) > 0 ? `${int(p.port)}:${int(p.nodePort)}/${str(p.protocol)}` : `${int(p.port)}/${str(p.protocol)}`))
        .join(',');
      const ips = Array.isArray(spec.clusterIPs) ? (spec.clusterIPs as string[]) : [];
      return [str(meta(o).name), str(spec.type), ips[0] ?? '<none>', serviceExternalIP(spec, obj(o.status)), ports || '<none>', age(o, now), formatLabels(spec.selector)];
    },
  },
  '/Endpoints': {
    columns: [nameCol, col('Endpoints', 'The set of all endpoints is the union of all subsets.'), ageCol],
    cells: (o, now) => [str(meta(o).name), endpointsText(o), age(o, now)],
  },
  '/ConfigMap': {
    columns: [nameCol, col('Data', 'Data contains the configuration data.'), ageCol],
    cells: (o, now) => [str(meta(o).name), Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length, age(o, now)],
  },
  '/Secret': {
    columns: [nameCol, col('Type', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'Data contains the secret data.'), ageCol],
    cells: (o, now) => [str(meta(o).name), str(o.type), Object.keys(obj(o.data)).length, age(o, now)],
  },
  '/ServiceAccount': {
    columns: [nameCol, col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageCol],
    cells: (o, now) => [str(meta(o).name), list(o.secrets).length, age(o, now)],
  },
  '/Event': {
    columns: [
      col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
      col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
      col('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
      col('Object', 'The object that this event is about.'),
      col('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', wide),
      col('Source', 'The component reporting this event. Should be a short machine understandable string.', wide),
      col('Message', 'A human-readable description of the status of this operation.'),
      col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', wide),
      col('Count', 'The number of times this event has occurred.', wide),
      col('Name', NAME_DESCRIPTION, { ...wide, format: 'name' }),
    ],
    cells: eventRow,
  },
  'apps/Deployment': {
    columns: [
      nameCol,
      col('Ready', 'Number of the pod with ready state'),
      col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      ageCol,
      col('Containers', 'Names of each container in the template.', wide),
      col('Images', 'Images referenced by each container in the template.', wide),
      col('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', wide),
    ],
    cells: (o, now) => {
      const spec = obj(o.spec);
      const status = obj(o.status);
      const [names, images] = containerCells(spec.template);
      return [str(meta(o).name), `${int(status.readyReplicas)}/${int(spec.replicas)}`, int(status.updatedReplicas), int(status.availableReplicas), age(o, now), names, images, selectorString(spec.selector)];
    },
  },
  'apps/ReplicaSet': {
    columns: [
      nameCol,
      col('Desired', 'Replicas is the number of desired replicas.', { type: 'integer' }),
      col('Current', 'Replicas is the most recently observed number of replicas.', { type: 'integer' }),
      col('Ready', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.', { type: 'integer' }),
      ageCol,
      col('Containers', 'Names of each container in the template.', wide),
      col('Images', 'Images referenced by each container in the template.', wide),
      col('Selector', 'Selector is a label query over pods that should match the replica count.', wide),
    ],
    cells: (o, now) => {
      const spec = obj(o.spec);
      const status = obj(o.status);
      const [names, images] = containerCells(spec.template);
      return [str(meta(o).name), int(spec.replicas), int(status.replicas), int(status.readyReplicas), age(o, now), names, images, formatLabelSelector(spec.selector)];
    },
  },
  'coordination.k8s.io/Lease': {
    columns: [nameCol, col('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), ageCol],
    cells: (o, now) => [str(meta(o).name), str(obj(o.spec).holderIdentity) || '<unknown>', age(o, now)],
  },
  'networking.k8s.io/Ingress': {
    columns: [
      nameCol,
      col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
      col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
      col('Address', 'Address is a list containing ingress points for the load-balancer'),
      col('Ports', 'Ports of TLS configurations that open'),
      ageCol,
    ],
    cells: (o, now) => {
      const spec = obj(o.spec);
      const rules = list(spec.rules);
      const hosts = rules.map((r) => str(r.host)).filter(Boolean);
      const hostText = hosts.length === 0 ? '*' : rules.length > 3 ? `${hosts.slice(0, 3).join(',')} + ${rules.length - 3} more...` : hosts.join(',');
      const address = [...new Set(list(obj(obj(o.status).loadBalancer).ingress).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean))].sort().join(',');
      return [str(meta(o).name), str(spec.ingressClassName) || '<none>', hostText, address, list(spec.tls).length > 0 ? '80, 443' : '80', age(o, now)];
    },
  },
  'rbac.authorization.k8s.io/RoleBinding': bindingPrinter('roleBinding'),
  'rbac.authorization.k8s.io/ClusterRoleBinding': bindingPrinter('clusterRoleBinding'),
};
