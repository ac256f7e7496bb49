// SPDX-License-Identifier: Apache-2.0
// The list and map semantics of the built-in types the kit uses, as the Go types in k8s.io/api
// declare them (`patchStrategy`/`patchMergeKey` struct tags for strategic merge patch, and the
// `+listType`/`+listMapKey`/`+mapType`/`+structType` markers that server-side apply reads). Only
// the fields whose semantics differ from the default (objects merge, lists are replaced) are
// listed: everything else falls back to that default, which is also what the engines do for an
// untagged field.
import type { TypeInfo } from './type-info.js';

/** A list merged by key: SMP merges by `smpKey`, server-side apply identifies items by `keys`. */
function keyedList(keys: string[], items: TypeInfo = {}, smpKey = keys[0], retainKeys = false): TypeInfo {
  const info: TypeInfo = { listType: 'map', listMapKeys: keys, patchStrategy: 'merge', patchMergeKey: smpKey, items, retainKeys };
  // Ports are keyed by number and protocol; a port written without a protocol is the TCP one.
  if (keys.includes('protocol')) info.listKeyDefaults = { protocol: 'TCP' };
  return info;
}
/** A list of scalars merged as a set by both engines (finalizers). */
const mergedSet: TypeInfo = { listType: 'set', patchStrategy: 'merge' };
/** A list replaced whole by both engines (tolerations, args, ...). */
function atomicList(items: TypeInfo = {}): TypeInfo {
  return { listType: 'atomic', items };
}
/** A struct or map owned and replaced as a whole by server-side apply (LabelSelector, ...). */
function atomicStruct(fields?: Record<string, TypeInfo>): TypeInfo {
  return { mapType: 'atomic', fields };
}
const conditions = keyedList(['type']);

export const objectMeta: TypeInfo = {
  fields: {
    finalizers: mergedSet,
    ownerReferences: keyedList(['uid']),
    managedFields: atomicList(),
  },
};

const labelSelector = atomicStruct();

const keySelector = atomicStruct();
const envVar: TypeInfo = {
  fields: {
    valueFrom: {
      fields: { configMapKeyRef: keySelector, secretKeyRef: keySelector, fieldRef: keySelector, resourceFieldRef: keySelector },
    },
  },
};

const probe: TypeInfo = { fields: { httpGet: { fields: { httpHeaders: atomicList() } } } };

const container: TypeInfo = {
  fields: {
    ports: keyedList(['containerPort', 'protocol']),
    env: keyedList(['name'], envVar),
    envFrom: atomicList(),
    volumeMounts: keyedList(['mountPath']),
    volumeDevices: keyedList(['devicePath']),
    resizePolicy: atomicList(),
    args: atomicList(),
    command: atomicList(),
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
  },
};

export const podSpec: TypeInfo = {
  fields: {
    // Volumes merge by name and carry `retainKeys`: a patch that switches a volume from
    // emptyDir to configMap drops the old source instead of keeping both.
    volumes: keyedList(['name'], {}, 'name', true),
    initContainers: keyedList(['name'], container),
    containers: keyedList(['name'], container),
    ephemeralContainers: keyedList(['name'], container),
    imagePullSecrets: keyedList(['name']),
    hostAliases: keyedList(['ip']),
    tolerations: atomicList(),
    readinessGates: atomicList(),
    topologySpreadConstraints: keyedList(['topologyKey', 'whenUnsatisfiable'], {}, 'topologyKey'),
    schedulingGates: keyedList(['name']),
    resourceClaims: keyedList(['name'], {}, 'name', true),
  },
};

const podTemplateSpec: TypeInfo = { fields: { metadata: objectMeta, spec: podSpec } };

const podStatus: TypeInfo = {
  fields: {
    conditions,
    podIPs: keyedList(['ip']),
    hostIPs: keyedList(['ip']),
    containerStatuses: atomicList(),
    initContainerStatuses: atomicList(),
    ephemeralContainerStatuses: atomicList(),
  },
};

const deployment: TypeInfo = {
  fields: {
    metadata: objectMeta,
    spec: {
      fields: {
        selector: labelSelector,
        template: podTemplateSpec,
        // `retainKeys`: switching to `type: Recreate` drops `rollingUpdate`.
        strategy: { retainKeys: true },
      },
    },
    status: { fields: { conditions } },
  },
};

const replicaSet: TypeInfo = {
  fields: {
    metadata: objectMeta,
    spec: { fields: { selector: labelSelector, template: podTemplateSpec } },
    status: { fields: { conditions } },
  },
};

const service: TypeInfo = {
  fields: {
    metadata: objectMeta,
    spec: {
      fields: {
        ports: keyedList(['port', 'protocol'], {}, 'port'),
        selector: { mapType: 'atomic' },
        clusterIPs: atomicList(),
        externalIPs: atomicList(),
        ipFamilies: atomicList(),
        loadBalancerSourceRanges: atomicList(),
      },
    },
    status: { fields: { conditions, loadBalancer: { fields: { ingress: atomicList() } } } },
  },
};

const endpoints: TypeInfo = { fields: { metadata: objectMeta, subsets: atomicList() } };

const namespace: TypeInfo = {
  fields: { metadata: objectMeta, spec: { fields: { finalizers: atomicList() } }, status: { fields: { conditions } } },
};

const serviceAccount: TypeInfo = {
  fields: { metadata: objectMeta, secrets: keyedList(['name']), imagePullSecrets: atomicList() },
};

const rbacRole: TypeInfo = { fields: { metadata: objectMeta, rules: atomicList() } };
const rbacBinding: TypeInfo = { fields: { metadata: objectMeta, subjects: atomicList(), roleRef: atomicStruct() } };

const ingress: TypeInfo = { fields: { metadata: objectMeta, spec: { fields: { rules: atomicList(), tls: atomicList() } } } };

const crd: TypeInfo = {
  fields: {
    metadata: objectMeta,
    spec: { fields: { versions: atomicList() } },
    status: { fields: { conditions } },
  },
};

/** Built-in kinds by `group/Kind` ('' group for core). Kinds not listed get only ObjectMeta. */
const byKind: Record<string, TypeInfo> = {
  '/Pod': { fields: { metadata: objectMeta, spec: podSpec, status: podStatus } },
  '/PodTemplate': { fields: { metadata: objectMeta, template: podTemplateSpec } },
  '/Service': service,
  '/Endpoints': endpoints,
  '/Namespace': namespace,
  '/ServiceAccount': serviceAccount,
  'apps/Deployment': deployment,
  'apps/ReplicaSet': replicaSet,
  'rbac.authorization.k8s.io/Role': rbacRole,
  'rbac.authorization.k8s.io/ClusterRole': rbacRole,
  'rbac.authorization.k8s.io/RoleBinding': rbacBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': rbacBinding,
  'networking.k8s.io/Ingress': ingress,
  'apiextensions.k8s.io/CustomResourceDefinition': crd,
};

const metaOnly: TypeInfo = { fields: { metadata: objectMeta } };

/** The TypeInfo tree of a built-in kind. */
export function builtinTypeInfo(group: string, kind: string): TypeInfo {
  return byKind[`${group}/${kind}`] ?? metaOnly;
}

/**
 * The Go zero value of a kind as the API server's field manager sees it before a create: struct
 * fields that are not pointers are always present. Ownership of these containers is therefore not
 * recorded on create (a Deployment's managedFields show `f:spec` without `.`), as on a real server.
 */
const zeroValues: Record<string, Record<string, unknown>> = {
  'apps/Deployment': {
    metadata: { creationTimestamp: null },
    spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, strategy: {} },
    status: {},
  },
  'apps/ReplicaSet': {
    metadata: { creationTimestamp: null },
    spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: null } } },
    status: {},
  },
  '/Pod': { metadata: { creationTimestamp: null }, spec: { containers: null }, status: {} },
  '/Service': { metadata: {}, spec: {}, status: { loadBalancer: {} } },
  '/Namespace': { metadata: {}, spec: {}, status: {} },
};

export function builtinZeroValue(group: string, kind: string): Record<string, unknown> {
  return structuredClone(zeroValues[`${group}/${kind}`] ?? { metadata: {} });
}
