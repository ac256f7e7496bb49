// SPDX-License-Identifier: Apache-2.0
// CustomResourceDefinitions, as the conformance suite and the apiextensions integration tests
// check them (custom_resource_definition.go, crd_watch.go, and subresources/defaulting/pruning/
// validation_test.go): create, list and delete a CRD; Established; the new resource in discovery;
// the status subresource (get, update, patch, and what each side may change); defaults for
// requests and from storage; pruning of unknown fields; 422 Invalid with causes; watching custom
// objects.
import {
  ApiextensionsV1Api, ApisApi, CustomObjectsApi, PatchStrategy, setHeaderOptions,
  type KubernetesObject, type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContractCluster, type ContractCluster } from './cluster.js';
import { eventually, failure, recordWatch } from './support.js';

let cluster: ContractCluster;
let custom: CustomObjectsApi;
let extensions: ApiextensionsV1Api;

interface Widget extends KubernetesObject {
  spec?: { size?: number; color?: string; shape?: string; extra?: unknown; free?: Record<string, unknown> };
  status?: { phase?: string; ready?: number; extra?: unknown };
}

/**
 * A CRD of the test's own group, with a status subresource, a default, limits and a free-form
 * field. (client-node's model names `default`, `enum` and `x-kubernetes-*` as `_default`, `_enum`
 * and `x_kubernetes_*`, and writes the real names on the wire.)
 */
function widgetCrd(group: string, plural = 'widgets', kind = 'Widget'): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [{
        name: 'v1', served: true, storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1 },
                  color: { type: 'string', _default: 'blue', _enum: ['blue', 'green'] },
                  shape: { type: 'string' },
                  free: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
                },
              },
              status: { type: 'object', properties: { phase: { type: 'string' }, ready: { type: 'integer' } } },
            },
          },
        },
      }],
    },
  };
}

let group: string;
let base: { group: string; version: string; namespace: string; plural: string };
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  cluster = await startContractCluster('crd');
  custom = cluster.kc.makeApiClient(CustomObjectsApi);
  extensions = cluster.kc.makeApiClient(ApiextensionsV1Api);
  group = cluster.group;
  await cluster.createCrd(widgetCrd(group));
  base = { group, version: 'v1', namespace: cluster.namespace, plural: 'widgets' };
});
afterAll(async () => {
  await cluster?.stop();
});

const widget = (name: string, spec: Widget['spec']): Widget => ({ apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name }, spec });

describe('CustomResourceDefinition (conformance: custom_resource_definition.go)', () => {
  it('creating/deleting custom resource definition objects works, and they are listed', async () => {
    const crd = widgetCrd(group, 'gizmos', 'Gizmo');
    const created = await extensions.createCustomResourceDefinition({ body: crd });
    // Removed by the test itself; this is for a test that fails half way, on someone's cluster.
    cluster.onStop(() => extensions.deleteCustomResourceDefinition({ name: `gizmos.${group}` }));
    expect(created.metadata?.uid).toBeDefined();
    const established = await eventually(async () => {
      const read = await extensions.readCustomResourceDefinition({ name: `gizmos.${group}` });
      const conditions = Object.fromEntries((read.status?.conditions ?? []).map((c) => [c.type, c.status]));
      return conditions.Established === 'True' && conditions.NamesAccepted === 'True' ? read : undefined;
    }, 30_000, 'Established and NamesAccepted');
    expect(established.status?.acceptedNames).toMatchObject({ plural: 'gizmos', kind: 'Gizmo', listKind: 'GizmoList', singular: 'gizmo' });
    expect(established.status?.storedVersions).toEqual(['v1']);

    const list = await extensions.listCustomResourceDefinition();
    expect(list.items.map((c) => c.metadata?.name)).toEqual(expect.arrayContaining([`gizmos.${group}`, `widgets.${group}`]));

    await extensions.deleteCustomResourceDefinition({ name: `gizmos.${group}` });
    await eventually(async () => (await failure(extensions.readCustomResourceDefinition({ name: `gizmos.${group}` }))).code === 404, 30_000, 'the CRD to be gone');
    // Its resource is no longer served.
    await eventually(async () => (await failure(custom.listNamespacedCustomObject({ ...base, plural: 'gizmos' }))).code === 404, 30_000, 'gizmos to be no longer served');
  });

  it('should include custom resource definition resources in discovery documents', async () => {
    const groups = await cluster.kc.makeApiClient(ApisApi).getAPIVersions();
    const found = groups.groups.find((g) => g.name === group);
    expect(found?.versions.map((v) => v.groupVersion)).toEqual([`${group}/v1`]);
    expect(found?.preferredVersion?.groupVersion).toBe(`${group}/v1`);

    const resources = await custom.getAPIResources({ group, version: 'v1' });
    expect(resources.groupVersion).toBe(`${group}/v1`);
    const widgets = resources.resources.find((r) => r.name === 'widgets');
    expect(widgets).toMatchObject({ name: 'widgets', singularName: 'widget', namespaced: true, kind: 'Widget' });
    expect(widgets?.verbs.slice().sort()).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    expect(resources.resources.find((r) => r.name === 'widgets/status')).toMatchObject({ namespaced: true, kind: 'Widget', verbs: ['get', 'patch', 'update'] });
  });

  it('lists a custom resource\'s verbs in the order of the apiextensions server', async () => {
    const resources = await custom.getAPIResources({ group, version: 'v1' });
    // Built-in resources list their verbs sorted; custom resources in this fixed order.
    expect(resources.resources.find((r) => r.name === 'widgets')?.verbs).toEqual(['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch']);
  });
});

describe('the status subresource (getting/updating/patching custom resource definition status sub-resource works)', () => {
  it('serves the CRD\'s own /status: get, replace and merge-patch', async () => {
    const name = `widgets.${group}`;
    const status = await extensions.readCustomResourceDefinitionStatus({ name });
    expect(status.status?.conditions?.some((c) => c.type === 'Established')).toBe(true);
    const condition = { type: 'ContractStatusUpdated', status: 'True', reason: 'E2E', message: 'set from an e2e test' };
    status.status!.conditions = [...(status.status!.conditions ?? []), condition];
    const updated = await extensions.replaceCustomResourceDefinitionStatus({ name, body: status });
    expect(updated.status?.conditions).toContainEqual(expect.objectContaining(condition));
    const patched = await extensions.patchCustomResourceDefinitionStatus(
      { name, body: { metadata: { annotations: { 'contract-patched': 'true' } } } },
      merge,
    );
    // A /status write changes status only: the annotation in the patch is ignored.
    expect(patched.metadata?.annotations?.['contract-patched']).toBeUndefined();
  });

  it('keeps spec and status apart: status writes change only status, main writes never status', async () => {
    const created = await custom.createNamespacedCustomObject({ ...base, body: { ...widget('split', { size: 1 }), status: { phase: 'Ignored' } } }) as Widget;
    // On create, status is dropped: a status subresource means only /status writes it.
    expect(created.status).toBeUndefined();
    expect(created.metadata?.generation).toBe(1);

    const withStatus = await custom.getNamespacedCustomObjectStatus({ ...base, name: 'split' }) as Widget;
    withStatus.status = { phase: 'Ready', ready: 1 };
    withStatus.spec = { size: 99 };
    const replaced = await custom.replaceNamespacedCustomObjectStatus({ ...base, name: 'split', body: withStatus }) as Widget;
    expect(replaced.status).toEqual({ phase: 'Ready', ready: 1 });
    expect(replaced.spec?.size).toBe(1);
    // Status writes bump the resourceVersion, never the generation.
    expect(replaced.metadata?.generation).toBe(1);
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));

    const patched = await custom.patchNamespacedCustomObjectStatus({ ...base, name: 'split', body: { status: { phase: 'Degraded' }, spec: { size: 50 } } }, merge) as Widget;
    expect(patched.status).toEqual({ phase: 'Degraded', ready: 1 });
    expect(patched.spec?.size).toBe(1);

    const mainPatch = await custom.patchNamespacedCustomObject({ ...base, name: 'split', body: { spec: { size: 2 }, status: { phase: 'Ignored' } } }, merge) as Widget;
    expect(mainPatch.spec?.size).toBe(2);
    expect(mainPatch.status?.phase).toBe('Degraded');
    expect(mainPatch.metadata?.generation).toBe(2);

    // A metadata-only change is not a new generation either.
    const labelled = await custom.patchNamespacedCustomObject({ ...base, name: 'split', body: { metadata: { labels: { a: 'b' } } } }, merge) as Widget;
    expect(labelled.metadata?.generation).toBe(2);
  });

  it('prunes status fields the schema does not declare', async () => {
    await custom.createNamespacedCustomObject({ ...base, body: widget('status-prune', { size: 1 }) });
    const patched = await custom.patchNamespacedCustomObjectStatus({ ...base, name: 'status-prune', body: { status: { phase: 'Ready', extra: 'dropped' } } }, merge) as Widget;
    expect(patched.status).toEqual({ phase: 'Ready' });
  });
});

describe('defaulting (custom resource defaulting for requests and from storage works)', () => {
  it('applies schema defaults to requests', async () => {
    const created = await custom.createNamespacedCustomObject({ ...base, body: widget('defaulted', { size: 3 }) }) as Widget;
    expect(created.spec).toEqual({ size: 3, color: 'blue' });
    const read = await custom.getNamespacedCustomObject({ ...base, name: 'defaulted' }) as Widget;
    expect(read.spec?.color).toBe('blue');
  });

  it('applies a default added later to objects read from storage', async () => {
    const crd = widgetCrd(group, 'sprockets', 'Sprocket');
    await cluster.createCrd(crd);
    const sprockets = { ...base, plural: 'sprockets' };
    await custom.createNamespacedCustomObject({ ...sprockets, body: { apiVersion: `${group}/v1`, kind: 'Sprocket', metadata: { name: 'old' }, spec: { size: 1 } } });

    // Give `shape` a default: objects stored before the change get it when read.
    const current = await extensions.readCustomResourceDefinition({ name: `sprockets.${group}` });
    const spec = current.spec.versions[0].schema!.openAPIV3Schema!.properties!.spec;
    spec.properties!.shape = { type: 'string', _default: 'round' };
    await extensions.replaceCustomResourceDefinition({ name: `sprockets.${group}`, body: current });

    const read = await eventually(async () => {
      const object = await custom.getNamespacedCustomObject({ ...sprockets, name: 'old' }) as Widget;
      return object.spec?.shape === 'round' ? object : undefined;
    }, 10_000, 'the stored object to be read with the new default');
    expect(read.spec).toEqual({ size: 1, color: 'blue', shape: 'round' });
  });
});

describe('pruning and validation', () => {
  it('prunes unknown fields, but keeps those under x-kubernetes-preserve-unknown-fields', async () => {
    const created = await custom.createNamespacedCustomObject({
      ...base,
      body: { ...widget('pruned', { size: 1, extra: 'x', free: { anything: { goes: 1 } } }), topLevel: 'x' },
      fieldValidation: 'Ignore',
    }) as Widget & { topLevel?: string };
    expect(created.spec).toEqual({ size: 1, color: 'blue', free: { anything: { goes: 1 } } });
    expect(created.topLevel).toBeUndefined();
  });

  it('refuses unknown fields with 400 BadRequest when field validation is Strict', async () => {
    const failed = await failure(custom.createNamespacedCustomObject({ ...base, body: widget('strict', { size: 1, extra: 'x' }), fieldValidation: 'Strict' }));
    expect(failed.code).toBe(400);
    expect(failed.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(failed.status.message).toContain('unknown field "spec.extra"');
    expect((await failure(custom.getNamespacedCustomObject({ ...base, name: 'strict' }))).code).toBe(404);
  });

  it('refuses objects that do not fit the schema with 422 Invalid and one cause per field', async () => {
    const failed = await failure(custom.createNamespacedCustomObject({ ...base, body: { ...widget('invalid', { size: 0, color: 'red' }) } }));
    expect(failed.code).toBe(422);
    expect(failed.status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Invalid', code: 422 });
    expect(failed.status.details).toMatchObject({ name: 'invalid', group, kind: 'Widget' });
    expect(failed.status.message).toMatch(new RegExp(`^Widget\\.${group.replace(/\./g, '\\.')} "invalid" is invalid: `));
    const causes = failed.status.details?.causes ?? [];
    expect(causes.map((c) => [c.field, c.reason]).sort()).toEqual([
      ['spec.color', 'FieldValueNotSupported'],
      ['spec.size', 'FieldValueInvalid'],
    ]);
    expect(causes.find((c) => c.field === 'spec.size')?.message).toBe('Invalid value: 0: spec.size in body should be greater than or equal to 1');

    const missing = await failure(custom.createNamespacedCustomObject({ ...base, body: widget('missing', {}) }));
    expect(missing.code).toBe(422);
    expect(missing.status.details?.causes).toEqual([{ reason: 'FieldValueRequired', field: 'spec.size', message: 'Required value' }]);
  });
});

describe('watching custom resources (conformance: crd_watch.go)', () => {
  it('watches created, modified and deleted custom objects', async () => {
    const path = `/apis/${group}/v1/namespaces/${cluster.namespace}/widgets`;
    const watch = await recordWatch<Widget>(cluster.kc, path, { labelSelector: 'watched=yes' });
    try {
      await custom.createNamespacedCustomObject({ ...base, body: { ...widget('watched', { size: 1 }), metadata: { name: 'watched', labels: { watched: 'yes' } } } });
      await custom.patchNamespacedCustomObject({ ...base, name: 'watched', body: { spec: { size: 2 } } }, merge);
      await custom.deleteNamespacedCustomObject({ ...base, name: 'watched' });
      const events = await watch.take(3);
      expect(events.map((e) => [e.type, e.object.kind, e.object.metadata?.name, e.object.spec?.size])).toEqual([
        ['ADDED', 'Widget', 'watched', 1],
        ['MODIFIED', 'Widget', 'watched', 2],
        ['DELETED', 'Widget', 'watched', 2],
      ]);
    } finally {
      watch.stop();
    }
  });
});
