// SPDX-License-Identifier: Apache-2.0
// Request bodies in Kubernetes' protobuf encoding, for the built-in types kubectl creates with
// its typed clients: since 1.32 `kubectl create namespace`, `create configmap`, `create secret`,
// `create deployment`, `create service` ... send `Content-Type: application/vnd.kubernetes.protobuf`.
//
// The envelope is the 4 bytes `k8s\0` and a `runtime.Unknown` message holding apiVersion, kind and
// the object's bytes. The object is decoded with the field numbers of k8s.io/api's generated.proto
// for the messages below, into the same JSON the type has on the wire. A field this table does
// not know is refused (415, "send JSON"), never silently dropped. Responses are always JSON, which
// every client that sends protobuf also accepts.
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { ApiError } from './status.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** How one field is decoded: a scalar, a nested message, a map, repeated, or a k8s special. */
type Kind =
  | 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'time' | 'quantity' | 'intOrString' | 'ignored'
  | Message | { repeated: Kind } | { map: [Kind, Kind] };

interface Message {
  name: string;
  fields: Record<number, [string, Kind]>;
}

const msg = (name: string, fields: Record<number, [string, Kind]>): Message => ({ name, fields });
const rep = (kind: Kind): Kind => ({ repeated: kind });
const map = (value: Kind): Kind => ({ map: ['string', value] });

// --- k8s.io/apimachinery/pkg/apis/meta/v1 ---------------------------------------------------

const OwnerReference = msg('OwnerReference', {
  1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'],
  6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'],
});

const ObjectMeta = msg('ObjectMeta', {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 4: ['selfLink', 'string'],
  5: ['uid', 'string'], 6: ['resourceVersion', 'string'], 7: ['generation', 'int64'], 8: ['creationTimestamp', 'time'],
  9: ['deletionTimestamp', 'time'], 10: ['deletionGracePeriodSeconds', 'int64'], 11: ['labels', map('string')],
  12: ['annotations', map('string')], 13: ['ownerReferences', rep(OwnerReference)], 14: ['finalizers', rep('string')],
});

/** The body of a DELETE (helm's typed clients send it in protobuf when they purge a release). */
const DeleteOptions = msg('DeleteOptions', {
  1: ['gracePeriodSeconds', 'int64'],
  2: ['preconditions', msg('Preconditions', { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] })],
  3: ['orphanDependents', 'bool'], 4: ['propagationPolicy', 'string'], 5: ['dryRun', rep('string')],
  6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool'],
});

const LabelSelector = msg('LabelSelector', {
  1: ['matchLabels', map('string')],
  2: ['matchExpressions', rep(msg('LabelSelectorRequirement', { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', rep('string')] }))],
});

// --- k8s.io/api/core/v1 ------------------------------------------------------------------------

const ContainerPort = msg('ContainerPort', {
  1: ['name', 'string'], 2: ['hostPort', 'int32'], 3: ['containerPort', 'int32'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'],
});

const EnvVar = msg('EnvVar', { 1: ['name', 'string'], 2: ['value', 'string'] });

const ResourceRequirements = msg('ResourceRequirements', { 1: ['limits', map('quantity')], 2: ['requests', map('quantity')] });

const Container = msg('Container', {
  1: ['name', 'string'], 2: ['image', 'string'], 3: ['command', rep('string')], 4: ['args', rep('string')],
  5: ['workingDir', 'string'], 6: ['ports', rep(ContainerPort)], 7: ['env', rep(EnvVar)], 8: ['resources', ResourceRequirements],
  13: ['terminationMessagePath', 'string'], 14: ['imagePullPolicy', 'string'], 16: ['stdin', 'bool'], 17: ['stdinOnce', 'bool'],
  18: ['tty', 'bool'], 20: ['terminationMessagePolicy', 'string'], 24: ['restartPolicy', 'string'],
});

const PodSpec = msg('PodSpec', {
  2: ['containers', rep(Container)], 3: ['restartPolicy', 'string'], 4: ['terminationGracePeriodSeconds', 'int64'],
  5: ['activeDeadlineSeconds', 'int64'], 6: ['dnsPolicy', 'string'], 7: ['nodeSelector', map('string')],
  8: ['serviceAccountName', 'string'], 9: ['serviceAccount', 'string'], 10: ['nodeName', 'string'], 11: ['hostNetwork', 'bool'],
  12: ['hostPID', 'bool'], 13: ['hostIPC', 'bool'],
  16: ['hostname', 'string'], 17: ['subdomain', 'string'], 19: ['schedulerName', 'string'], 20: ['initContainers', rep(Container)],
  21: ['automountServiceAccountToken', 'bool'], 24: ['priorityClassName', 'string'], 25: ['priority', 'int32'],
  30: ['enableServiceLinks', 'bool'],
});

const PodTemplateSpec = msg('PodTemplateSpec', { 1: ['metadata', ObjectMeta], 2: ['spec', PodSpec] });

const ObjectReference = msg('ObjectReference', {
  1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'],
  6: ['resourceVersion', 'string'], 7: ['fieldPath', 'string'],
});

const ServicePort = msg('ServicePort', {
  1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int32'], 4: ['targetPort', 'intOrString'], 5: ['nodePort', 'int32'],
  6: ['appProtocol', 'string'],
});

const KINDS: Record<string, Message> = {
  'v1/Namespace': msg('Namespace', {
    1: ['metadata', ObjectMeta],
    2: ['spec', msg('NamespaceSpec', { 1: ['finalizers', rep('string')] })],
    3: ['status', 'ignored'],
  }),
  'v1/ConfigMap': msg('ConfigMap', { 1: ['metadata', ObjectMeta], 2: ['data', map('string')], 3: ['binaryData', map('bytes')], 4: ['immutable', 'bool'] }),
  'v1/Secret': msg('Secret', {
    1: ['metadata', ObjectMeta], 2: ['data', map('bytes')], 3: ['type', 'string'], 4: ['stringData', map('string')], 5: ['immutable', 'bool'],
  }),
  'v1/ServiceAccount': msg('ServiceAccount', {
    1: ['metadata', ObjectMeta], 2: ['secrets', rep(ObjectReference)], 3: ['imagePullSecrets', rep(msg('LocalObjectReference', { 1: ['name', 'string'] }))],
    4: ['automountServiceAccountToken', 'bool'],
  }),
  'v1/Service': msg('Service', {
    1: ['metadata', ObjectMeta],
    2: ['spec', msg('ServiceSpec', {
      1: ['ports', rep(ServicePort)], 2: ['selector', map('string')], 3: ['clusterIP', 'string'], 4: ['type', 'string'],
      5: ['externalIPs', rep('string')], 7: ['sessionAffinity', 'string'], 8: ['loadBalancerIP', 'string'], 10: ['externalName', 'string'],
      11: ['externalTrafficPolicy', 'string'], 12: ['healthCheckNodePort', 'int32'], 13: ['publishNotReadyAddresses', 'bool'],
      18: ['clusterIPs', rep('string')], 19: ['ipFamilies', rep('string')], 17: ['ipFamilyPolicy', 'string'],
    })],
    3: ['status', 'ignored'],
  }),
  'v1/Pod': msg('Pod', { 1: ['metadata', ObjectMeta], 2: ['spec', PodSpec], 3: ['status', 'ignored'] }),
  'apps/v1/Deployment': msg('Deployment', {
    1: ['metadata', ObjectMeta],
    2: ['spec', msg('DeploymentSpec', {
      1: ['replicas', 'int32'], 2: ['selector', LabelSelector], 3: ['template', PodTemplateSpec],
      4: ['strategy', msg('DeploymentStrategy', {
        1: ['type', 'string'],
        2: ['rollingUpdate', msg('RollingUpdateDeployment', { 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] })],
      })],
      5: ['minReadySeconds', 'int32'], 6: ['revisionHistoryLimit', 'int32'], 7: ['paused', 'bool'], 9: ['progressDeadlineSeconds', 'int32'],
    })],
    3: ['status', 'ignored'],
  }),
  // What `kubectl auth can-i` asks (authz-reviews.ts). The selectors of ResourceAttributes (fields 8
  // and 9) are not known here, so a review that sends them is refused, never answered without them.
  ...accessReviews(),
};

/** The authorization.k8s.io/v1 reviews: the same attributes, in three spec shapes. */
function accessReviews(): Record<string, Message> {
  const resourceAttributes = msg('ResourceAttributes', {
    1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'],
    5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'],
  });
  const nonResourceAttributes = msg('NonResourceAttributes', { 1: ['path', 'string'], 2: ['verb', 'string'] });
  const selfSpec = msg('SelfSubjectAccessReviewSpec', { 1: ['resourceAttributes', resourceAttributes], 2: ['nonResourceAttributes', nonResourceAttributes] });
  const subjectSpec = msg('SubjectAccessReviewSpec', {
    1: ['resourceAttributes', resourceAttributes], 2: ['nonResourceAttributes', nonResourceAttributes],
    // `extra` (map of ExtraValue) is not read by RBAC.
    3: ['user', 'string'], 4: ['groups', rep('string')], 5: ['extra', 'ignored'], 6: ['uid', 'string'],
  });
  const review = (kind: string, spec: Message): Message => msg(kind, { 1: ['metadata', ObjectMeta], 2: ['spec', spec], 3: ['status', 'ignored'] });
  return {
    'authorization.k8s.io/v1/SelfSubjectAccessReview': review('SelfSubjectAccessReview', selfSpec),
    'authorization.k8s.io/v1/SelfSubjectRulesReview': review('SelfSubjectRulesReview', msg('SelfSubjectRulesReviewSpec', { 1: ['namespace', 'string'] })),
    'authorization.k8s.io/v1/SubjectAccessReview': review('SubjectAccessReview', subjectSpec),
    'authorization.k8s.io/v1/LocalSubjectAccessReview': review('LocalSubjectAccessReview', subjectSpec),
  };
}

function unsupported(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `${message}; the sandbox decodes protobuf only for ${Object.keys(KINDS).join(', ')} and DeleteOptions: send this request as application/json`);
}

/** Go's metav1.Time in JSON: RFC 3339 with whole seconds. */
function timeOf(reader: BinaryReader): string | null {
  const end = reader.uint32() + reader.pos;
  let seconds = 0;
  while (reader.pos < end) {
    const [no, wire] = reader.tag();
    if (no === 1) seconds = Number(reader.int64());
    else reader.skip(wire);
  }
  return seconds === 0 ? null : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function intOrString(reader: BinaryReader): number | string {
  const end = reader.uint32() + reader.pos;
  let type = 0;
  let intVal = 0;
  let strVal = '';
  while (reader.pos < end) {
    const [no, wire] = reader.tag();
    if (no === 1) type = Number(reader.int64());
    else if (no === 2) intVal = reader.int32();
    else if (no === 3) strVal = reader.string();
    else reader.skip(wire);
  }
  return type === 1 ? strVal : intVal;
}

function scalar(reader: BinaryReader, kind: Kind, path: string): unknown {
  switch (kind) {
    case 'string': return reader.string();
    case 'bytes': return Buffer.from(reader.bytes()).toString('base64');
    case 'int32': return reader.int32();
    case 'int64': return Number(reader.int64());
    case 'bool': return reader.bool();
    case 'time': return timeOf(reader);
    case 'intOrString': return intOrString(reader);
    // The server sets status on create, so a client's status is read past, not decoded.
    case 'ignored': reader.skip(WireType.LengthDelimited); return {};
    case 'quantity': return (decodeMessage(reader, msg('Quantity', { 1: ['string', 'string'] }), path, reader.uint32()) as { string?: string }).string ?? '0';
    default:
      if ('fields' in (kind as Message)) return decodeMessage(reader, kind as Message, path, reader.uint32());
      throw unsupported(`unexpected nesting at ${path}`);
  }
}

function decodeMessage(reader: BinaryReader, message: Message, path: string, length: number): Record<string, unknown> {
  const end = reader.pos + length;
  const out: Record<string, unknown> = {};
  while (reader.pos < end) {
    const [no, wire] = reader.tag();
    const field = message.fields[no];
    if (!field) throw unsupported(`field ${no} of ${message.name} (at ${path || 'the object'}) is not known to the sandbox`);
    const [name, kind] = field;
    const at = path ? `${path}.${name}` : name;
    if (typeof kind === 'object' && 'repeated' in kind) {
      const list = (out[name] ??= []) as unknown[];
      if (wire === WireType.LengthDelimited && (kind.repeated === 'int32' || kind.repeated === 'int64' || kind.repeated === 'bool')) {
        const stop = reader.uint32() + reader.pos;
        while (reader.pos < stop) list.push(scalar(reader, kind.repeated, at));
      } else {
        list.push(scalar(reader, kind.repeated, at));
      }
    } else if (typeof kind === 'object' && 'map' in kind) {
      const entryEnd = reader.uint32() + reader.pos;
      let key = '';
      let value: unknown = kind.map[1] === 'string' ? '' : null;
      while (reader.pos < entryEnd) {
        const [entryNo, entryWire] = reader.tag();
        if (entryNo === 1) key = reader.string();
        else if (entryNo === 2) value = scalar(reader, kind.map[1], `${at}[${key}]`);
        else reader.skip(entryWire);
      }
      ((out[name] ??= {}) as Record<string, unknown>)[key] = value;
    } else {
      out[name] = scalar(reader, kind, at);
    }
  }
  return out;
}

/**
 * Fields that are pointers in the Go types: protobuf carries them only when set, so a zero value
 * was meant. Every other field is always encoded, and its zero value means "not set" (`omitempty`).
 */
const POINTER_FIELDS = new Set([
  'replicas', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'automountServiceAccountToken', 'priority',
  'enableServiceLinks', 'immutable', 'revisionHistoryLimit', 'progressDeadlineSeconds', 'deletionGracePeriodSeconds',
  'controller', 'blockOwnerDeletion', 'ipFamilyPolicy', 'gracePeriodSeconds', 'orphanDependents',
]);

/** JSON's omitempty: drops "", false, 0, null and empty lists and maps, except pointer fields. */
function omitEmpty(value: unknown, keep = false): unknown {
  if (Array.isArray(value)) return value.length === 0 && !keep ? undefined : value.map((v) => omitEmpty(v, true));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const kept = omitEmpty(v, POINTER_FIELDS.has(k));
      if (kept !== undefined) out[k] = kept;
    }
    return out;
  }
  if (keep) return value;
  return value === '' || value === false || value === 0 || value === null ? undefined : value;
}

/** Decodes a `k8s\0`-prefixed protobuf body into the object's JSON form. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\u0000') {
    throw new ApiError(400, 'BadRequest', 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const reader = new BinaryReader(new Uint8Array(body.buffer, body.byteOffset + 4, body.length - 4));
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array | undefined;
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    if (no === 1) {
      const end = reader.uint32() + reader.pos;
      while (reader.pos < end) {
        const [tNo, tWire] = reader.tag();
        if (tNo === 1) apiVersion = reader.string();
        else if (tNo === 2) kind = reader.string();
        else reader.skip(tWire);
      }
    } else if (no === 2) {
      raw = reader.bytes();
    } else {
      reader.skip(wire);
    }
  }
  // DeleteOptions is registered in every group version (and meta.k8s.io/v1): clients name theirs.
  const message = kind === 'DeleteOptions' ? DeleteOptions : KINDS[`${apiVersion}/${kind}`];
  if (!message) throw unsupported(`protobuf for ${apiVersion} ${kind}`);
  const inner = new BinaryReader(raw ?? new Uint8Array());
  return { apiVersion, kind, ...(omitEmpty(decodeMessage(inner, message, '', inner.len)) as Record<string, unknown>) };
}
