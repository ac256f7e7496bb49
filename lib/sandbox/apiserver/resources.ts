// SPDX-License-Identifier: Apache-2.0
// Which resource types the sandbox serves: a fixed table of the built-ins the kit (and kubectl,
// helm and the controllers) use, plus one entry per served version of every stored
// CustomResourceDefinition. Discovery, the router and the handlers all read this one registry, so a
// type is either fully served (REST, watch, discovery, OpenAPI) or not at all.
import type { PrinterColumn, ResourceType } from './types.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NO_COLLECTION_DELETE = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
/** An action, not storage: a POST that does something and stores nothing (`bindings`, the access reviews). */
const CREATE_ONLY = ['create'];
/**
 * A custom resource's verbs, in the order kube-apiserver's apiextensions discovery controller
 * lists them (not sorted, unlike the built-ins': clients that compare discovery documents see it).
 */
const CUSTOM_RESOURCE_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

type BuiltinSpec = Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural'> & Partial<ResourceType>;

function builtin(spec: BuiltinSpec): ResourceType {
  return {
    listKind: `${spec.kind}List`,
    singular: spec.kind.toLowerCase(),
    namespaced: true,
    verbs: ALL_VERBS,
    subresources: {},
    builtin: true,
    storageVersion: spec.version,
    ...spec,
  };
}

const EVENT_FIELDS = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
  'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
  'reason', 'reportingComponent', 'source', 'type',
];

/** The built-in types, in the order discovery lists them. */
export const BUILTIN_TYPES: readonly ResourceType[] = [
  builtin({
    group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'],
    verbs: NO_COLLECTION_DELETE, subresources: { status: true }, selectableFields: ['status.phase'],
    otherSubresources: [{ name: 'finalize', verbs: ['update'], kind: 'Namespace' }],
  }),
  // What a scheduler posts to put a pod on a node (binding.ts); also served as `pods/{name}/binding`.
  builtin({ group: '', version: 'v1', kind: 'Binding', plural: 'bindings', verbs: CREATE_ONLY }),
  builtin({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], subresources: { status: true }, selectableFields: ['spec.unschedulable'] }),
  builtin({
    group: '', version: 'v1', kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'],
    subresources: { status: true }, returnDeletedObject: true,
    otherSubresources: [
      { name: 'binding', verbs: ['create'], kind: 'Binding' },
      { name: 'log', verbs: ['get'], kind: 'Pod' },
      { name: 'portforward', verbs: ['create', 'get'], kind: 'PodPortForwardOptions' },
    ],
    selectableFields: [
      'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork',
      'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName',
    ],
  }),
  builtin({
    group: '', version: 'v1', kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'],
    subresources: { status: true }, returnDeletedObject: true, selectableFields: ['spec.clusterIP', 'spec.type'],
  }),
  builtin({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', listKind: 'EndpointsList', singular: 'endpoints', shortNames: ['ep'], allowCreateOnUpdate: true }),
  builtin({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] }),
  builtin({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', selectableFields: ['type'] }),
  builtin({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'] }),
  builtin({ group: '', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], allowCreateOnUpdate: true, selectableFields: EVENT_FIELDS }),
  builtin({
    group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'],
    generation: true,
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
  }),
  builtin({
    group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'],
    generation: true, selectableFields: ['status.replicas'],
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
  }),
  builtin({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], allowCreateOnUpdate: true }),
  // Questions to the authorizer (`kubectl auth can-i`): a POST answered, never stored (authz-reviews.ts).
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', verbs: CREATE_ONLY }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: CREATE_ONLY }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: CREATE_ONLY }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: CREATE_ONLY }),
  builtin({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], generation: true, subresources: { status: true } }),
  builtin({ group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', namespaced: false }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, allowCreateOnUpdate: true }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, allowCreateOnUpdate: true }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', allowCreateOnUpdate: true }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', allowCreateOnUpdate: true }),
  builtin({
    group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions',
    namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], generation: true, subresources: { status: true },
  }),
  builtin({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', allowCreateOnUpdate: true }),
  builtin({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices' }),
];

/** The storage identity of a type: every version of a group/plural shares one set of objects. */
export function resourceKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}

/**
 * Kubernetes' version order (k8s.io/apimachinery version.CompareKubeAwareVersionStrings): GA
 * versions first, highest first, then beta, then alpha, then anything else alphabetically.
 */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
}

/** The parts of an apiextensions.k8s.io/v1 CustomResourceDefinition the registry reads. */
interface CrdShape {
  metadata: { name?: string; deletionTimestamp?: string };
  spec?: {
    group?: string;
    scope?: string;
    names?: { kind?: string; listKind?: string; plural?: string; singular?: string; shortNames?: string[]; categories?: string[] };
    versions?: {
      name: string;
      served?: boolean;
      storage?: boolean;
      schema?: { openAPIV3Schema?: Record<string, unknown> };
      subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
      additionalPrinterColumns?: PrinterColumn[];
    }[];
  };
}

/** The served versions of a (validated) CRD as resource types. */
export function typesOfCrd(crd: CrdShape): ResourceType[] {
  const spec = crd.spec;
  const names = spec?.names;
  if (!spec?.group || !names?.kind || !names.plural || !spec.versions) return [];
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name ?? '';
  return spec.versions
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group!,
      version: v.name,
      kind: names.kind!,
      listKind: names.listKind ?? `${names.kind}List`,
      plural: names.plural!,
      singular: names.singular ?? names.kind!.toLowerCase(),
      shortNames: names.shortNames,
      categories: names.categories,
      namespaced: spec.scope !== 'Cluster',
      verbs: CUSTOM_RESOURCE_VERBS,
      subresources: {
        ...(v.subresources?.status ? { status: true } : {}),
        ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
      },
      builtin: false,
      storageVersion: storage,
      printerColumns: v.additionalPrinterColumns,
      schema: v.schema?.openAPIV3Schema,
      generation: true,
      returnDeletedObject: true,
      crdName: crd.metadata.name,
    }));
}

export interface GroupVersions {
  group: string;
  /** served versions, preferred first */
  versions: string[];
}

/** All served types: look-ups by URL parts, by kind, and the grouping discovery needs. */
export class ResourceRegistry {
  /** `group/version/plural` -> type */
  private readonly byPath = new Map<string, ResourceType>();
  /** CRD name -> the types it serves */
  private readonly crdTypes = new Map<string, ResourceType[]>();
  private listeners: (() => void)[] = [];

  constructor() {
    for (const type of BUILTIN_TYPES) this.byPath.set(`${type.group}/${type.version}/${type.plural}`, type);
  }

  /** The type served at `/apis/{group}/{version}/{plural}`, if any. */
  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The type of `apiVersion` + `kind`, if served. */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    for (const type of this.byPath.values()) {
      if (type.group === group && type.version === version && type.kind === kind) return type;
    }
    return undefined;
  }

  /** Every served type. */
  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  /** Does any type exist for this group and version? (decides between two different 404s) */
  servesGroupVersion(group: string, version: string): boolean {
    return this.all().some((t) => t.group === group && t.version === version);
  }

  /** Groups in discovery order: the core group, built-in groups, then CRD groups by name. */
  groups(): GroupVersions[] {
    const order: string[] = [];
    const versions = new Map<string, Set<string>>();
    const builtinGroups = new Set(BUILTIN_TYPES.map((t) => t.group));
    const types = this.all();
    const crdGroups = [...new Set(types.filter((t) => !builtinGroups.has(t.group)).map((t) => t.group))].sort();
    for (const group of [...new Set(BUILTIN_TYPES.map((t) => t.group)), ...crdGroups]) order.push(group);
    for (const t of types) {
      if (!versions.has(t.group)) versions.set(t.group, new Set());
      versions.get(t.group)!.add(t.version);
    }
    return order
      .filter((g) => versions.has(g))
      .map((group) => ({ group, versions: [...versions.get(group)!].sort(compareVersions) }));
  }

  /** The types of one group version, in table order. */
  typesOf(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }

  /** Serves (or re-serves, after an update) the versions of a CRD. */
  registerCrd(crd: CrdShape): void {
    const name = crd.metadata.name ?? '';
    this.removeCrdTypes(name);
    const types = typesOfCrd(crd);
    for (const type of types) this.byPath.set(`${type.group}/${type.version}/${type.plural}`, type);
    this.crdTypes.set(name, types);
    this.changed();
  }

  /** Stops serving a CRD's types (its objects are gone by then). */
  unregisterCrd(name: string): void {
    if (this.removeCrdTypes(name)) this.changed();
  }

  /** The types a CRD serves now. */
  typesOfCrdNamed(name: string): ResourceType[] {
    return this.crdTypes.get(name) ?? [];
  }

  /** Called after every change of the served types (discovery and OpenAPI caches listen). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private removeCrdTypes(name: string): boolean {
    const old = this.crdTypes.get(name);
    if (!old) return false;
    for (const type of old) this.byPath.delete(`${type.group}/${type.version}/${type.plural}`);
    this.crdTypes.delete(name);
    return true;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
