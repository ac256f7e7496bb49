// SPDX-License-Identifier: Apache-2.0
// Server-side apply, as the conformance suite checks it (test/e2e/apimachinery/apply.go): an apply
// creates what is absent, a field owned by another manager is a 409 Conflict unless the apply
// forces, a field its manager stops applying is removed, and all of it works on custom resources
// and on their /status. The request is `PATCH` with `Content-Type: application/apply-patch+yaml`
// and a `fieldManager`: what helm 4, kubectl apply --server-side and controllers send.
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions,
  type KubernetesObject, type V1ConfigMap, type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContractCluster, type ContractCluster } from './cluster.js';
import { failure } from './support.js';

let cluster: ContractCluster;
let core: CoreV1Api;
let ns: string;
const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

beforeAll(async () => {
  cluster = await startContractCluster('apply');
  core = cluster.kc.makeApiClient(CoreV1Api);
  ns = cluster.namespace;
});
afterAll(async () => {
  await cluster?.stop();
});

const configMap = (name: string, data: Record<string, string>): V1ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });

function applyConfigMap(name: string, data: Record<string, string>, fieldManager: string, force?: boolean) {
  return core.patchNamespacedConfigMapWithHttpInfo({ name, namespace: ns, body: configMap(name, data), fieldManager, force }, apply);
}

/** Which manager owns which data keys, from managedFields. */
function owners(object: V1ConfigMap): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const entry of object.metadata?.managedFields ?? []) {
    const fields = (entry.fieldsV1 as { 'f:data'?: Record<string, unknown> } | undefined)?.['f:data'] ?? {};
    const keys = Object.keys(fields).filter((k) => k.startsWith('f:')).map((k) => k.slice(2));
    if (keys.length > 0) out[`${entry.manager}/${entry.operation}`] = keys.sort();
  }
  return out;
}

const ssaDeployment = (replicas: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ssa-deploy', namespace: ns },
  spec: { replicas, selector: { matchLabels: { app: 'ssa' } }, template: { metadata: { labels: { app: 'ssa' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] } } },
});

describe('server-side apply (conformance: apply.go)', () => {
  it('should create an object that does not exist (201), and change nothing when applied again (200)', async () => {
    const created = await applyConfigMap('ssa-create', { a: '1' }, 'manager-a');
    expect(created.httpStatusCode).toBe(201);
    expect(created.data.data).toEqual({ a: '1' });
    expect(owners(created.data)).toEqual({ 'manager-a/Apply': ['a'] });

    const again = await applyConfigMap('ssa-create', { a: '1' }, 'manager-a');
    expect(again.httpStatusCode).toBe(200);
    expect(again.data.metadata?.resourceVersion).toBe(created.data.metadata?.resourceVersion);
  });

  it('needs a fieldManager', async () => {
    const failed = await failure(core.patchNamespacedConfigMap({ name: 'ssa-no-manager', namespace: ns, body: configMap('ssa-no-manager', { a: '1' }) }, apply));
    expect(failed.code).toBe(422);
    expect(failed.status).toMatchObject({ kind: 'Status', reason: 'Invalid', message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' });
  });

  it('should give up ownership of a field if forced applied by a controller, and report the conflict otherwise', async () => {
    await applyConfigMap('ssa-conflict', { shared: 'from-a', onlyA: 'x' }, 'manager-a');
    const conflict = await failure(applyConfigMap('ssa-conflict', { shared: 'from-b' }, 'manager-b'));
    expect(conflict.code).toBe(409);
    expect(conflict.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(conflict.status.message).toBe('Apply failed with 1 conflict: conflict with "manager-a": .data.shared');
    expect(conflict.status.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "manager-a"', field: '.data.shared' }]);
    // Nothing changed.
    expect((await core.readNamespacedConfigMap({ name: 'ssa-conflict', namespace: ns })).data).toEqual({ shared: 'from-a', onlyA: 'x' });

    const forced = await applyConfigMap('ssa-conflict', { shared: 'from-b' }, 'manager-b', true);
    expect(forced.httpStatusCode).toBe(200);
    expect(forced.data.data).toEqual({ shared: 'from-b', onlyA: 'x' });
    expect(owners(forced.data)).toEqual({ 'manager-a/Apply': ['onlyA'], 'manager-b/Apply': ['shared'] });
  });

  it('should remove a field if it is owned but removed in the apply request', async () => {
    await applyConfigMap('ssa-remove', { keep: '1', drop: '2' }, 'manager-a');
    const applied = await applyConfigMap('ssa-remove', { keep: '1' }, 'manager-a');
    expect(applied.data.data).toEqual({ keep: '1' });
  });

  it('should not remove a field if an owner unsets the field but other managers still have ownership of the field', async () => {
    await applyConfigMap('ssa-shared', { both: 'same', other: 'a' }, 'manager-a');
    // Applying the same value makes manager-b a co-owner, without a conflict.
    const shared = await applyConfigMap('ssa-shared', { both: 'same' }, 'manager-b');
    expect(shared.httpStatusCode).toBe(200);
    const dropped = await applyConfigMap('ssa-shared', { other: 'a' }, 'manager-a');
    expect(dropped.data.data).toEqual({ both: 'same', other: 'a' });
  });

  it('applies to built-in kinds with their defaults, and conflicts with an Update manager', async () => {
    const apps = cluster.kc.makeApiClient(AppsV1Api);
    const body = ssaDeployment(1);
    const created = await apps.patchNamespacedDeploymentWithHttpInfo({ name: 'ssa-deploy', namespace: ns, body, fieldManager: 'apply-test' }, apply);
    expect(created.httpStatusCode).toBe(201);
    expect(created.data.spec?.strategy?.type).toBe('RollingUpdate');
    // `kubectl scale` (an Update by another manager) takes replicas; a later apply of replicas conflicts.
    await apps.patchNamespacedDeploymentScale({ name: 'ssa-deploy', namespace: ns, body: { spec: { replicas: 2 } }, fieldManager: 'scaler' }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    const conflict = await failure(apps.patchNamespacedDeployment({ name: 'ssa-deploy', namespace: ns, body: ssaDeployment(3), fieldManager: 'apply-test' }, apply));
    expect(conflict.code).toBe(409);
    expect(conflict.status.message).toBe('Apply failed with 1 conflict: conflict with "scaler" with subresource "scale" using apps/v1: .spec.replicas');
    expect(conflict.status.details?.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "scaler" with subresource "scale" using apps/v1', field: '.spec.replicas' }]);
  });

  it('records a write through /scale in managedFields as the scale subresource\'s', async () => {
    const apps = cluster.kc.makeApiClient(AppsV1Api);
    const read = await apps.readNamespacedDeployment({ name: 'ssa-deploy', namespace: ns });
    expect(read.metadata?.managedFields?.find((m) => m.manager === 'scaler')).toMatchObject({ operation: 'Update', apiVersion: 'apps/v1', subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  });
});

describe('server-side apply on a CRD (conformance: apply.go, should work for CRDs)', () => {
  let custom: CustomObjectsApi;
  let base: { group: string; version: string; namespace: string; plural: string };
  const crd = (group: string): V1CustomResourceDefinition => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `noxus.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'noxus', singular: 'noxu', kind: 'Noxu', listKind: 'NoxuList' },
      versions: [{
        name: 'v1', served: true, storage: true, subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  replicas: { type: 'integer' },
                  // A list of objects keyed by name: apply merges items by key, like a Pod's containers.
                  ports: {
                    type: 'array', x_kubernetes_list_type: 'map', x_kubernetes_list_map_keys: ['name'],
                    items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
                  },
                },
              },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            },
          },
        },
      }],
    },
  });
  const noxu = (spec: Record<string, unknown>): KubernetesObject & { spec: Record<string, unknown> } => ({
    apiVersion: `${cluster.group}/v1`, kind: 'Noxu', metadata: { name: 'applied', namespace: ns }, spec,
  });

  beforeAll(async () => {
    await cluster.createCrd(crd(cluster.group));
    custom = cluster.kc.makeApiClient(CustomObjectsApi);
    base = { group: cluster.group, version: 'v1', namespace: ns, plural: 'noxus' };
  });

  it('creates, merges list items by key, and reports conflicts on a custom resource', async () => {
    const created = await custom.patchNamespacedCustomObjectWithHttpInfo({ ...base, name: 'applied', body: noxu({ replicas: 1, ports: [{ name: 'http', port: 80 }] }), fieldManager: 'owner-a' }, apply);
    expect(created.httpStatusCode).toBe(201);

    // Another manager adds an item to the keyed list: both items stay.
    const merged = await custom.patchNamespacedCustomObject({ ...base, name: 'applied', body: noxu({ ports: [{ name: 'metrics', port: 9090 }] }), fieldManager: 'owner-b' }, apply) as { spec: { ports: unknown[]; replicas: number } };
    expect(merged.spec.ports).toEqual([{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }]);
    expect(merged.spec.replicas).toBe(1);

    const conflict = await failure(custom.patchNamespacedCustomObject({ ...base, name: 'applied', body: noxu({ replicas: 5 }), fieldManager: 'owner-b' }, apply));
    expect(conflict.code).toBe(409);
    expect(conflict.status.reason).toBe('Conflict');
    expect(conflict.status.details?.causes?.map((c) => c.field)).toEqual(['.spec.replicas']);

    const forced = await custom.patchNamespacedCustomObject({ ...base, name: 'applied', body: noxu({ replicas: 5, ports: [{ name: 'metrics', port: 9090 }] }), fieldManager: 'owner-b', force: true }, apply) as { spec: { replicas: number } };
    expect(forced.spec.replicas).toBe(5);
  });

  it('should work for subresources: applies /status without touching spec', async () => {
    const body = { apiVersion: `${cluster.group}/v1`, kind: 'Noxu', metadata: { name: 'applied', namespace: ns }, status: { ready: true } };
    const applied = await custom.patchNamespacedCustomObjectStatus({ ...base, name: 'applied', body, fieldManager: 'status-writer' }, apply) as { status: { ready: boolean }; spec: { replicas: number }; metadata: { generation: number } };
    expect(applied.status).toEqual({ ready: true });
    expect(applied.spec.replicas).toBe(5);
    expect(applied.metadata.generation).toBe(3);
  });

  it('answers 415 to a strategic merge patch on a custom resource', async () => {
    const failed = await failure(custom.patchNamespacedCustomObject({ ...base, name: 'applied', body: { spec: { replicas: 2 } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
    expect(failed.code).toBe(415);
    expect(failed.status).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    expect(failed.status.message).toContain('application/merge-patch+json');
  });
});
