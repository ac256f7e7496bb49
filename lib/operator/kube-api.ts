// SPDX-License-Identifier: Apache-2.0
// Every request the operator makes, in one place, over @kubernetes/client-node.
//
// Keeping them here does three things: each write states its Content-Type (client-node would
// otherwise send `application/json-patch+json` for a merge patch, and strategic merge patch, its
// default elsewhere, is refused for custom resources like the Mapping with 415); the reconcile
// code reads as "create this, patch that" without client-node's parameter objects; and reads and
// writes are counted, so a test can prove that reconciling an unchanged SeldonDeployment writes
// nothing.
import {
  CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions,
  type CoreV1Event, type KubeConfig, type V1Pod, type V1Service,
} from '@kubernetes/client-node';
import type { OperatorConfig } from './config.js';
import { EMISSARY_GROUP } from './render-routes.js';
import type { KubeObject, SeldonDeployment } from './types.js';

export const FIELD_MANAGER = 'seldon-lab-operator';
const SELDON = { group: 'machinelearning.seldon.io', version: 'v1', plural: 'seldondeployments' };
/**
 * Deployments go through CustomObjectsApi, which serves any `/apis/<group>/<version>` resource and
 * hands back the JSON exactly as the API server sent it. The typed AppsV1Api would turn it into
 * model classes first, dropping any field its models do not know: the operator must compare its
 * wishes with what the server really holds.
 */
const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments' };

export type ChildKind = 'Deployment' | 'Service' | 'Mapping';

/** How many requests of each kind the operator has made: the idle-reconcile test reads `writes`. */
export interface RequestCounts {
  reads: number;
  writes: number;
}

/** What the reconcile loop needs from a cluster. */
export interface ClusterApi {
  readonly counts: RequestCounts;
  getSeldonDeployment(namespace: string, name: string): Promise<SeldonDeployment | undefined>;
  patchSeldonDeploymentStatus(namespace: string, name: string, patch: unknown): Promise<void>;
  list(kind: ChildKind, namespace: string, labelSelector: string): Promise<KubeObject[]>;
  get(kind: ChildKind, namespace: string, name: string): Promise<KubeObject | undefined>;
  create(kind: ChildKind, obj: KubeObject): Promise<KubeObject>;
  patch(kind: ChildKind, namespace: string, name: string, patch: unknown): Promise<KubeObject>;
  /** Deletes only the object with this uid (not a newer one of the same name). */
  delete(kind: ChildKind, namespace: string, name: string, uid: string): Promise<void>;
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  createEvent(namespace: string, event: CoreV1Event): Promise<void>;
}

/** The Kubernetes `Status` of a failed request: code, reason (NotFound, Conflict, ...) and message. */
export interface ApiFailure {
  code?: number;
  reason?: string;
  message: string;
}

/** Reads the Status object out of a client-node ApiException (its body is the JSON text). */
export function apiFailure(error: unknown): ApiFailure {
  const e = error as { code?: unknown; body?: unknown; message?: string };
  const code = typeof e?.code === 'number' ? e.code : undefined;
  let body: { reason?: string; message?: string } | undefined;
  if (typeof e?.body === 'string') {
    try {
      body = JSON.parse(e.body) as typeof body;
    } catch {
      body = { message: e.body };
    }
  } else if (typeof e?.body === 'object' && e.body !== null) {
    body = e.body as typeof body;
  }
  return { code, reason: body?.reason, message: body?.message || e?.message || String(error) };
}

export function isNotFound(error: unknown): boolean {
  return apiFailure(error).code === 404;
}

/** A failure worth a quiet retry: someone wrote first (409), the server is busy (429, 5xx), or it cannot be reached. */
export function isTransient(error: unknown): boolean {
  const { code, reason } = apiFailure(error);
  if (code === undefined) return true;
  return (code === 409 && reason !== 'AlreadyExists') || code === 429 || code >= 500;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The real thing: a ClusterApi over client-node, for minikube and the sandbox alike. */
export class KubeClusterApi implements ClusterApi {
  readonly counts: RequestCounts = { reads: 0, writes: 0 };
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly mappingVersion: string;

  constructor(kubeConfig: KubeConfig, config: OperatorConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.mappingVersion = config.ingress === 'ambassador-v2' ? 'v2' : 'v3alpha1';
  }

  private read<T>(p: Promise<T>): Promise<T> {
    this.counts.reads++;
    return p;
  }

  private write<T>(p: Promise<T>): Promise<T> {
    this.counts.writes++;
    return p;
  }

  private mapping(namespace: string) {
    return { group: EMISSARY_GROUP, version: this.mappingVersion, namespace, plural: 'mappings' };
  }

  async getSeldonDeployment(namespace: string, name: string): Promise<SeldonDeployment | undefined> {
    try {
      return (await this.read(this.custom.getNamespacedCustomObject({ ...SELDON, namespace, name }))) as SeldonDeployment;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async patchSeldonDeploymentStatus(namespace: string, name: string, patch: unknown): Promise<void> {
    await this.write(this.custom.patchNamespacedCustomObjectStatus({ ...SELDON, namespace, name, body: patch, fieldManager: FIELD_MANAGER }, mergePatch));
  }

  async list(kind: ChildKind, namespace: string, labelSelector: string): Promise<KubeObject[]> {
    if (kind === 'Deployment') return ((await this.read(this.custom.listNamespacedCustomObject({ ...DEPLOYMENTS, namespace, labelSelector }))) as { items: KubeObject[] }).items;
    if (kind === 'Service') return withKind((await this.read(this.core.listNamespacedService({ namespace, labelSelector }))).items, 'v1', kind);
    const list = (await this.read(this.custom.listNamespacedCustomObject({ ...this.mapping(namespace), labelSelector }))) as { items: KubeObject[] };
    return list.items;
  }

  async get(kind: ChildKind, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      if (kind === 'Deployment') return (await this.read(this.custom.getNamespacedCustomObject({ ...DEPLOYMENTS, namespace, name }))) as KubeObject;
      if (kind === 'Service') return withKind([await this.read(this.core.readNamespacedService({ namespace, name }))], 'v1', kind)[0];
      return (await this.read(this.custom.getNamespacedCustomObject({ ...this.mapping(namespace), name }))) as KubeObject;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async create(kind: ChildKind, obj: KubeObject): Promise<KubeObject> {
    const namespace = obj.metadata.namespace!;
    const fieldManager = FIELD_MANAGER;
    if (kind === 'Deployment') return (await this.write(this.custom.createNamespacedCustomObject({ ...DEPLOYMENTS, namespace, body: obj, fieldManager }))) as KubeObject;
    if (kind === 'Service') return asKube(await this.write(this.core.createNamespacedService({ namespace, body: obj as V1Service, fieldManager })));
    return (await this.write(this.custom.createNamespacedCustomObject({ ...this.mapping(namespace), body: obj, fieldManager }))) as KubeObject;
  }

  async patch(kind: ChildKind, namespace: string, name: string, body: unknown): Promise<KubeObject> {
    const fieldManager = FIELD_MANAGER;
    if (kind === 'Deployment') return (await this.write(this.custom.patchNamespacedCustomObject({ ...DEPLOYMENTS, namespace, name, body, fieldManager }, mergePatch))) as KubeObject;
    if (kind === 'Service') return asKube(await this.write(this.core.patchNamespacedService({ namespace, name, body, fieldManager }, mergePatch)));
    return (await this.write(this.custom.patchNamespacedCustomObject({ ...this.mapping(namespace), name, body, fieldManager }, mergePatch))) as KubeObject;
  }

  async delete(kind: ChildKind, namespace: string, name: string, uid: string): Promise<void> {
    const body = { preconditions: { uid }, propagationPolicy: 'Background' };
    try {
      if (kind === 'Deployment') await this.write(this.custom.deleteNamespacedCustomObject({ ...DEPLOYMENTS, namespace, name, body }));
      else if (kind === 'Service') await this.write(this.core.deleteNamespacedService({ namespace, name, body }));
      else await this.write(this.custom.deleteNamespacedCustomObject({ ...this.mapping(namespace), name, body }));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    return (await this.read(this.core.listNamespacedPod({ namespace, labelSelector }))).items;
  }

  async createEvent(namespace: string, event: CoreV1Event): Promise<void> {
    await this.write(this.core.createNamespacedEvent({ namespace, body: event }));
  }
}

/** Items of a typed list carry no apiVersion/kind; the comparisons and logs want them. */
function withKind<T extends object>(items: T[], apiVersion: string, kind: string): KubeObject[] {
  return items.map((item) => ({ ...(item as object), apiVersion, kind }) as unknown as KubeObject);
}

function asKube(obj: object): KubeObject {
  return obj as unknown as KubeObject;
}
