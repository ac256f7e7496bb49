// SPDX-License-Identifier: Apache-2.0
// The server-side defaults of a pod spec, as a 1.30 API server fills them in: the defaulting
// functions of k8s.io/kubernetes/pkg/apis/core/v1 (SetDefaults_PodSpec, SetDefaults_Container,
// SetDefaults_Probe, ...) and, for a Pod itself, what the create path and the default admission
// plugins add (ServiceAccount, Priority, DefaultTolerationSeconds). Controllers compare the
// Deployment they want with the one they read back; without these defaults that comparison never
// settles on a real cluster. A pod template (in a Deployment or ReplicaSet) gets the PodSpec
// defaults only: `enableServiceLinks` and the admission fields appear on Pods alone.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `obj[key]` as an object, created when missing. */
export function objectAt(obj: Json, key: string): Json {
  if (!isObject(obj[key])) obj[key] = {};
  return obj[key] as Json;
}

function listAt(obj: Json, key: string): Json[] {
  return Array.isArray(obj[key]) ? (obj[key] as unknown[]).filter(isObject) : [];
}

function setDefault(obj: Json, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

/** The tag of an image reference: `nginx:1.25` → 1.25; `nginx` or `nginx@sha256:...` → '' / digest. */
function imageTag(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  if (colon >= 0) return withoutDigest.slice(colon + 1);
  return image.includes('@') ? '' : 'latest';
}

function defaultHttpGet(handler: unknown): void {
  if (!isObject(handler) || !isObject(handler.httpGet)) return;
  setDefault(handler.httpGet, 'path', '/');
  setDefault(handler.httpGet, 'scheme', 'HTTP');
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  defaultHttpGet(probe);
  if (isObject(probe.grpc) && probe.grpc.service === undefined) probe.grpc.service = '';
}

function defaultContainer(c: Json): void {
  // An image without a tag, or tagged latest, is pulled every time; a pinned tag only once.
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === '') {
    c.imagePullPolicy = imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  }
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  // Go prints the (non-pointer) resources struct even when it is empty.
  if (!isObject(c.resources)) c.resources = {};
  for (const port of listAt(c, 'ports')) setDefault(port, 'protocol', 'TCP');
  for (const env of listAt(c, 'env')) {
    if (isObject(env.valueFrom) && isObject(env.valueFrom.fieldRef)) setDefault(env.valueFrom.fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObject(c.lifecycle)) {
    defaultHttpGet(c.lifecycle.postStart);
    defaultHttpGet(c.lifecycle.preStop);
  }
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
  'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function defaultVolume(v: Json): void {
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  // 0644: what kubectl describe shows as "DefaultMode 0644" (420 in decimal JSON).
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (isObject(v[source])) setDefault(v[source] as Json, 'defaultMode', 420);
  }
  if (isObject(v.hostPath)) setDefault(v.hostPath, 'type', '');
  if (isObject(v.projected)) {
    for (const source of listAt(v.projected, 'sources')) {
      if (isObject(source.serviceAccountToken)) setDefault(source.serviceAccountToken, 'expirationSeconds', 3600);
    }
  }
}

/** SetDefaults_PodSpec and the defaults of everything in it (containers, probes, volumes). */
export function defaultPodSpec(spec: Json): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (!isObject(spec.securityContext)) spec.securityContext = {};
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) for (const c of listAt(spec, list)) defaultContainer(c);
  for (const v of listAt(spec, 'volumes')) defaultVolume(v);
}

/** A pod template: the pod spec defaults; Go prints the template's creationTimestamp as null. */
export function defaultPodTemplate(template: Json): void {
  const metadata = objectAt(template, 'metadata');
  if (metadata.creationTimestamp === undefined) metadata.creationTimestamp = null;
  defaultPodSpec(objectAt(template, 'spec'));
}

/** SetDefaults_Pod: requests default to limits; service links are on. */
export function defaultPodOnly(spec: Json): void {
  for (const list of ['containers', 'initContainers']) {
    for (const c of listAt(spec, list)) {
      const resources = isObject(c.resources) ? c.resources : {};
      if (isObject(resources.limits)) {
        const requests = objectAt(resources, 'requests');
        for (const [k, v] of Object.entries(resources.limits)) if (requests[k] === undefined) requests[k] = v;
      }
    }
  }
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers']) {
      for (const c of listAt(spec, list)) for (const p of listAt(c, 'ports')) setDefault(p, 'hostPort', p.containerPort);
    }
  }
}

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/**
 * What the default admission plugins add to a new Pod: the `default` service account, priority 0
 * with the default preemption policy, and 300-second tolerations for not-ready and unreachable
 * nodes. (The service account token volume comes from the ServiceAccount admission plugin,
 * apiserver/serviceaccounts.ts, which needs the stored ServiceAccount.)
 */
export function admitNewPod(spec: Json): void {
  setDefault(spec, 'serviceAccountName', 'default');
  // The deprecated field mirrors serviceAccountName in every v1 Pod the server returns.
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.priority === undefined) spec.priority = 0;
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const tolerations = listAt(spec, 'tolerations');
  const tolerates = (key: string) =>
    tolerations.some((t) => (t.operator === 'Exists' && !t.key) || (t.key === key && (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute')));
  const added = [NOT_READY, UNREACHABLE]
    .filter((key) => !tolerates(key))
    .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }));
  if (added.length > 0) spec.tolerations = [...tolerations, ...added];
}

/** The QoS class the API server computes for a new Pod (kubectl describe shows it). */
export function qosClass(spec: Json): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...listAt(spec, 'containers'), ...listAt(spec, 'initContainers')];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const resources = isObject(c.resources) ? c.resources : {};
    const requests = isObject(resources.requests) ? resources.requests : {};
    const limits = isObject(resources.limits) ? resources.limits : {};
    for (const r of ['cpu', 'memory']) {
      if (requests[r] !== undefined || limits[r] !== undefined) anySet = true;
      if (limits[r] === undefined || String(requests[r] ?? limits[r]) !== String(limits[r])) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
