// SPDX-License-Identifier: Apache-2.0
// Validation of pod specs and pod templates (k8s.io/kubernetes/pkg/apis/core/validation
// ValidatePodSpec, in its order): containers (name, image, ports, env, pull policy), volumes,
// restart and DNS policy. These are the mistakes a learner makes in a Deployment manifest, and the
// errors kubectl prints for them ("spec.template.spec.containers[0].image: Required value").
// Rarely used corners (security contexts, affinity, topology spread) are not checked.
import type { StatusCause } from '../../status.js';
import { duplicate, invalid, nonNegative, notSupported, required } from './field-errors.js';
import { validateAnnotations, validateLabels } from './meta.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidPortName, isValidPortNum } from './names.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown): Json[] => (Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : []);
const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'Never', 'OnFailure'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

function validatePorts(ports: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  listOf(ports).forEach((port, i) => {
    const p = `${path}[${i}]`;
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) msgs.forEach((m) => causes.push(invalid(`${p}.name`, name, m)));
      else if (names.has(name)) causes.push(duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const containerPort = port.containerPort;
    if (containerPort === undefined || containerPort === 0) causes.push(required(`${p}.containerPort`));
    else isValidPortNum(Number(containerPort)).forEach((m) => causes.push(invalid(`${p}.containerPort`, containerPort, m)));
    if (port.hostPort !== undefined && port.hostPort !== 0) {
      isValidPortNum(Number(port.hostPort)).forEach((m) => causes.push(invalid(`${p}.hostPort`, port.hostPort, m)));
    }
    const protocol = str(port.protocol);
    if (!protocol) causes.push(required(`${p}.protocol`));
    else if (!PROTOCOLS.includes(protocol)) causes.push(notSupported(`${p}.protocol`, protocol, PROTOCOLS));
  });
  return causes;
}

function validateEnv(env: unknown, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  listOf(env).forEach((ev, i) => {
    const name = str(ev.name);
    if (!name) causes.push(required(`${path}[${i}].name`));
    else isEnvVarName(name).forEach((m) => causes.push(invalid(`${path}[${i}].name`, name, m)));
  });
  return causes;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const paths = new Set<string>();
  listOf(mounts).forEach((m, i) => {
    const name = str(m.name);
    if (!name) causes.push(required(`${path}[${i}].name`));
    else if (!volumes.has(name)) causes.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(name)}`, field: `${path}[${i}].name` });
    const mountPath = str(m.mountPath);
    if (!mountPath) causes.push(required(`${path}[${i}].mountPath`));
    else if (paths.has(mountPath)) causes.push(invalid(`${path}[${i}].mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
  });
  return causes;
}

function validateContainer(c: Json, path: string, volumes: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = str(c.name);
  if (!name) causes.push(required(`${path}.name`));
  else isDNS1123Label(name).forEach((m) => causes.push(invalid(`${path}.name`, name, m)));
  if (!str(c.image)) causes.push(required(`${path}.image`));
  const tmp = str(c.terminationMessagePolicy);
  if (!tmp) causes.push(required(`${path}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    causes.push(notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  }
  causes.push(...validatePorts(c.ports, `${path}.ports`));
  causes.push(...validateEnv(c.env, `${path}.env`));
  causes.push(...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`));
  const pull = str(c.imagePullPolicy);
  if (!pull) causes.push(required(`${path}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(pull)) causes.push(notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  return causes;
}

function validateVolumes(volumes: unknown, path: string): { causes: StatusCause[]; names: Set<string> } {
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  listOf(volumes).forEach((v, i) => {
    const name = str(v.name);
    if (!name) causes.push(required(`${path}[${i}].name`));
    else {
      isDNS1123Label(name).forEach((m) => causes.push(invalid(`${path}[${i}].name`, name, m)));
      if (names.has(name)) causes.push(duplicate(`${path}[${i}].name`, name));
      names.add(name);
    }
    for (const source of ['configMap', 'secret']) {
      const s = v[source];
      if (!isObject(s)) continue;
      listOf(s.items).forEach((item, j) => {
        const key = str(item.key);
        isConfigMapKey(key).forEach((m) => causes.push(invalid(`${path}[${i}].${source}.items[${j}].key`, key, m)));
      });
    }
  });
  return { causes, names };
}

/** ValidatePodSpec: `path` is where the spec sits ("spec", "spec.template.spec"). */
export function validatePodSpec(spec: unknown, path: string): StatusCause[] {
  const s = isObject(spec) ? spec : {};
  const { causes, names } = validateVolumes(s.volumes, `${path}.volumes`);
  const containers = listOf(s.containers);
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    causes.push(...validateContainer(c, `${path}.containers[${i}]`, names));
    const name = str(c.name);
    if (seen.has(name)) causes.push(duplicate(`${path}.containers[${i}].name`, name));
    seen.add(name);
  });
  listOf(s.initContainers).forEach((c, i) => {
    causes.push(...validateContainer(c, `${path}.initContainers[${i}]`, names));
    const name = str(c.name);
    if (seen.has(name)) causes.push(duplicate(`${path}.initContainers[${i}].name`, name));
    seen.add(name);
  });
  const restart = str(s.restartPolicy);
  if (!restart) causes.push(required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(restart)) causes.push(notSupported(`${path}.restartPolicy`, restart, RESTART_POLICIES));
  const dns = str(s.dnsPolicy);
  if (!dns) causes.push(required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(dns)) causes.push(notSupported(`${path}.dnsPolicy`, dns, DNS_POLICIES));
  causes.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  const sa = str(s.serviceAccountName);
  if (sa) isDNS1123Subdomain(sa).forEach((m) => causes.push(invalid(`${path}.serviceAccountName`, sa, m)));
  if (s.activeDeadlineSeconds !== undefined && (typeof s.activeDeadlineSeconds !== 'number' || s.activeDeadlineSeconds <= 0)) {
    causes.push(invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  causes.push(...nonNegative(`${path}.terminationGracePeriodSeconds`, s.terminationGracePeriodSeconds));
  return causes;
}

/**
 * ValidatePodTemplateSpec. Its label and annotation errors sit at `<path>.labels`, not
 * `<path>.metadata.labels`: a quirk of the real server kept on purpose.
 */
export function validatePodTemplateSpec(template: unknown, path: string): StatusCause[] {
  const t = isObject(template) ? template : {};
  const meta = isObject(t.metadata) ? t.metadata : {};
  return [
    ...validateLabels(meta.labels, `${path}.labels`),
    ...validateAnnotations(meta.annotations, `${path}.annotations`),
    ...validatePodSpec(t.spec, `${path}.spec`),
  ];
}
