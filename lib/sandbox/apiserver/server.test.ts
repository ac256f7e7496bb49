// SPDX-License-Identifier: Apache-2.0
// The sandbox API server over real HTTPS, checked at the wire: status codes, Status bodies,
// headers, watch streams. Controllers are off, so every effect seen here is the API server's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';
import { raw, rawWatch } from '../testing.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false, bookmarkIntervalMs: 50 });
});
afterAll(async () => {
  await sandbox?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const configMap = (name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data,
});

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [{
      name: 'v1', served: true, storage: true,
      subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
      additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object', required: ['size'],
              properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string', default: 'blue' }, replicas: { type: 'integer' } },
            },
            status: { type: 'object', properties: { phase: { type: 'string' }, replicas: { type: 'integer' } } },
          },
        },
      },
    }],
  },
};
const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';

describe('authentication and unknown paths', () => {
  it('answers 401 with a Status without a token or with a wrong one', async () => {
    for (const token of [false, 'wrong'] as const) {
      const res = await raw(sandbox, 'GET', '/api/v1/namespaces', { token });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    }
  });

  it('serves /version and health checks without a token', async () => {
    expect((await raw(sandbox, 'GET', '/version', { token: false })).json()).toMatchObject({ major: '1', minor: '32' });
    expect((await raw(sandbox, 'GET', '/readyz', { token: false })).text).toBe('ok');
  });

  it('answers an unknown resource the way kube-apiserver does', async () => {
    const inBuiltinGroup = await raw(sandbox, 'GET', '/api/v1/namespaces/default/widgets');
    expect(inBuiltinGroup.status).toBe(404);
    expect(inBuiltinGroup.json()).toMatchObject({ reason: 'NotFound', message: 'the server could not find the requested resource' });
    const unknownGroup = await raw(sandbox, 'GET', '/apis/getambassador.io/v2/namespaces/default/mappings');
    expect(unknownGroup.status).toBe(404);
    expect(unknownGroup.text).toBe('404 page not found\n');
  });
});

describe('create, read, update, delete', () => {
  it('creates with 201 and server-set fields, refuses a duplicate with 409 AlreadyExists', async () => {
    const res = await raw(sandbox, 'POST', CM, { body: configMap('crud-1') });
    expect(res.status).toBe(201);
    const meta = res.json<{ metadata: Record<string, string> }>().metadata;
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.resourceVersion).toMatch(/^\d+$/);
    expect(meta.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const again = await raw(sandbox, 'POST', CM, { body: configMap('crud-1') });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "crud-1" already exists' });
  });

  it('generates names from generateName', async () => {
    const res = await raw(sandbox, 'POST', CM, { body: { metadata: { generateName: 'gen-' }, data: {} } });
    expect(res.status).toBe(201);
    expect(res.json<{ metadata: { name: string } }>().metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('refuses names that are not DNS-1123 subdomains with 422 and a cause', async () => {
    const res = await raw(sandbox, 'POST', CM, { body: configMap('Not_Valid') });
    expect(res.status).toBe(422);
    const status = res.json<{ reason: string; details: { causes: { field: string }[] } }>();
    expect(status.reason).toBe('Invalid');
    expect(status.details.causes[0].field).toBe('metadata.name');
  });

  it('refuses objects in a namespace that does not exist', async () => {
    const res = await raw(sandbox, 'POST', '/api/v1/namespaces/nowhere/configmaps', { body: configMap('x') });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ reason: 'NotFound', message: 'namespaces "nowhere" not found' });
  });

  it('answers malformed and oversized bodies with 400 and 413, and accepts YAML', async () => {
    const bad = await raw(sandbox, 'POST', CM, { body: '{"metadata": {', contentType: 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ reason: 'BadRequest' });
    const huge = await raw(sandbox, 'POST', CM, { body: configMap('huge', { blob: 'x'.repeat(3.2 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
    const yaml = await raw(sandbox, 'POST', CM, { body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n', contentType: 'application/yaml' });
    expect(yaml.status).toBe(201);
    expect((await raw(sandbox, 'GET', `${CM}/huge`)).status).toBe(404);
  });

  it('rejects a stale resourceVersion with 409 Conflict and leaves a no-op update unwritten', async () => {
    const created = (await raw(sandbox, 'POST', CM, { body: configMap('rv-1') })).json<{ metadata: { resourceVersion: string } }>();
    const stale = created.metadata.resourceVersion;
    const updated = await raw(sandbox, 'PUT', `${CM}/rv-1`, { body: { ...configMap('rv-1', { a: '2' }), metadata: { name: 'rv-1', resourceVersion: stale } } });
    expect(updated.status).toBe(200);
    const fresh = updated.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    expect(Number(fresh)).toBeGreaterThan(Number(stale));
    const conflict = await raw(sandbox, 'PUT', `${CM}/rv-1`, { body: { ...configMap('rv-1', { a: '3' }), metadata: { name: 'rv-1', resourceVersion: stale } } });
    expect(conflict.status).toBe(409);
    expect(conflict.json()).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on configmaps "rv-1": the object has been modified; please apply your changes to the latest version and try again',
    });
    const same = await raw(sandbox, 'PUT', `${CM}/rv-1`, { body: { ...configMap('rv-1', { a: '2' }), metadata: { name: 'rv-1', resourceVersion: fresh } } });
    expect(same.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion).toBe(fresh);
  });

  it('patches by Content-Type and refuses the wrong body or type', async () => {
    await raw(sandbox, 'POST', CM, { body: configMap('patch-1') });
    const merge = await raw(sandbox, 'PATCH', `${CM}/patch-1`, { body: { data: { b: '2' } }, contentType: 'application/merge-patch+json' });
    expect(merge.json()).toMatchObject({ data: { a: '1', b: '2' } });
    const json = await raw(sandbox, 'PATCH', `${CM}/patch-1`, { body: [{ op: 'remove', path: '/data/a' }], contentType: 'application/json-patch+json' });
    expect(json.json<{ data: object }>().data).toEqual({ b: '2' });
    const objectAsJsonPatch = await raw(sandbox, 'PATCH', `${CM}/patch-1`, { body: { data: {} }, contentType: 'application/json-patch+json' });
    expect(objectAsJsonPatch.status).toBe(400);
    expect(objectAsJsonPatch.json<{ message: string }>().message).toContain('cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
    const unknown = await raw(sandbox, 'PATCH', `${CM}/patch-1`, { body: {}, contentType: 'text/plain' });
    expect(unknown.status).toBe(415);
    // The real 415 carries no details (no causes): only a client library adds one.
    expect(unknown.json()).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'UnsupportedMediaType', code: 415,
      message: 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    });
    const post = await raw(sandbox, 'POST', CM, { body: 'data', contentType: 'text/plain' });
    expect(post.status).toBe(415);
    expect(post.json()).not.toHaveProperty('details');
  });

  it('answers 405 for a verb the resource does not serve', async () => {
    const res = await raw(sandbox, 'DELETE', '/api/v1/namespaces');
    expect(res.status).toBe(405);
    expect(res.json()).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'MethodNotAllowed', details: {}, code: 405,
      message: 'the server does not allow this method on the requested resource',
    });
  });

  it('writes a pod template\'s metadata as Go does, with creationTimestamp: null', async () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'tmpl' },
      spec: { selector: { matchLabels: { app: 't' } }, template: { metadata: { labels: { app: 't' } }, spec: { containers: [{ name: 'm', image: 'nginx' }] } } },
    };
    const created = await raw(sandbox, 'POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment });
    const metadata = created.json<{ spec: { template: { metadata: object } } }>().spec.template.metadata;
    expect(metadata).toEqual({ creationTimestamp: null, labels: { app: 't' } });
    const listed = (await raw(sandbox, 'GET', '/apis/apps/v1/namespaces/default/deployments')).json<{ items: { spec: { template: { metadata: object } } }[] }>();
    expect(listed.items[0].spec.template.metadata).toEqual({ creationTimestamp: null, labels: { app: 't' } });
    expect((await raw(sandbox, 'DELETE', '/apis/apps/v1/namespaces/default/deployments/tmpl')).status).toBe(200);
  });

  it('checks delete preconditions and answers a Success Status for types that do not return the object', async () => {
    const cm = (await raw(sandbox, 'POST', CM, { body: configMap('del-1') })).json<{ metadata: { uid: string } }>();
    const wrong = await raw(sandbox, 'DELETE', `${CM}/del-1`, { body: { preconditions: { uid: 'not-it' } } });
    expect(wrong.status).toBe(409);
    expect(wrong.json<{ message: string }>().message).toContain('Precondition failed: UID in precondition: not-it');
    const ok = await raw(sandbox, 'DELETE', `${CM}/del-1`, { body: { preconditions: { uid: cm.metadata.uid } } });
    expect(ok.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'del-1', kind: 'configmaps', uid: cm.metadata.uid } });
    expect((await raw(sandbox, 'GET', `${CM}/del-1`)).status).toBe(404);
  });

  it('serves kubectl tables and metadata-only lists from the Accept header', async () => {
    const table = await raw(sandbox, 'GET', CM, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    expect(table.json()).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    const meta = await raw(sandbox, 'GET', CM, { headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } });
    expect(meta.json()).toMatchObject({ kind: 'PartialObjectMetadataList' });
  });
});

describe('lists', () => {
  it('pages with limit and continue, consistent at the first page’s revision', async () => {
    await raw(sandbox, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'paging' } } });
    const path = '/api/v1/namespaces/paging/configmaps';
    for (const n of ['p1', 'p2', 'p3']) await raw(sandbox, 'POST', path, { body: configMap(n) });
    const first = (await raw(sandbox, 'GET', `${path}?limit=2`)).json<{ items: { metadata: { name: string } }[]; metadata: { continue: string; remainingItemCount: number } }>();
    // kube-root-ca.crt is there too: 4 objects in key order.
    expect(first.items.map((i) => i.metadata.name)).toEqual(['kube-root-ca.crt', 'p1']);
    expect(first.metadata.remainingItemCount).toBe(2);
    await raw(sandbox, 'POST', path, { body: configMap('p0') });
    await raw(sandbox, 'DELETE', `${path}/p3`);
    const second = (await raw(sandbox, 'GET', `${path}?limit=2&continue=${first.metadata.continue}`)).json<{ items: { metadata: { name: string } }[]; metadata: { continue?: string } }>();
    expect(second.items.map((i) => i.metadata.name)).toEqual(['p2', 'p3']);
    expect(second.metadata.continue).toBeUndefined();
  });

  it('filters by label selector, set-based included, and refuses bad selectors', async () => {
    await raw(sandbox, 'POST', CM, { body: configMap('sel-a', {}, { tier: 'web', env: 'prod' }) });
    await raw(sandbox, 'POST', CM, { body: configMap('sel-b', {}, { tier: 'db', env: 'prod' }) });
    const names = async (q: string) => (await raw(sandbox, 'GET', `${CM}?labelSelector=${encodeURIComponent(q)}`)).json<{ items: { metadata: { name: string } }[] }>().items.map((i) => i.metadata.name);
    expect(await names('tier=web')).toEqual(['sel-a']);
    expect(await names('env=prod,tier notin (web)')).toEqual(['sel-b']);
    expect(await names('tier in (web,db),!canary')).toEqual(['sel-a', 'sel-b']);
    expect((await raw(sandbox, 'GET', `${CM}?labelSelector=${encodeURIComponent('a b')}`)).status).toBe(400);
    expect((await raw(sandbox, 'GET', `${CM}?fieldSelector=spec.foo%3Dx`)).json()).toMatchObject({ code: 400, message: 'field label not supported: spec.foo' });
  });
});

describe('watch', () => {
  it('streams chunked JSON lines and replays from a resourceVersion', async () => {
    const start = (await raw(sandbox, 'POST', CM, { body: configMap('w-1') })).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    await raw(sandbox, 'PATCH', `${CM}/w-1`, { body: { data: { a: '2' } }, contentType: 'application/merge-patch+json' });
    await raw(sandbox, 'DELETE', `${CM}/w-1`);
    const watch = await rawWatch(sandbox, `${CM}?watch=true&resourceVersion=${start}&fieldSelector=metadata.name%3Dw-1`);
    expect(watch.status).toBe(200);
    expect(watch.headers['transfer-encoding']).toBe('chunked');
    expect((await watch.next()).type).toBe('MODIFIED');
    const deleted = await watch.next();
    expect(deleted.type).toBe('DELETED');
    expect(Number(deleted.object.metadata?.resourceVersion)).toBeGreaterThan(Number(start));
    await raw(sandbox, 'POST', CM, { body: configMap('w-1') });
    expect((await watch.next()).type).toBe('ADDED');
    watch.close();
  });

  it('answers 200 and one ERROR 410 Expired event after compaction', async () => {
    const rv = (await raw(sandbox, 'POST', CM, { body: configMap('w-old') })).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    await raw(sandbox, 'POST', CM, { body: configMap('w-new') });
    sandbox.faults.compact();
    const watch = await rawWatch(sandbox, `${CM}?watch=1&resourceVersion=${rv}`);
    expect(watch.status).toBe(200);
    const event = await watch.next();
    expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', reason: 'Expired', code: 410 } });
    await watch.ended;
  });

  it('sends bookmarks only when asked, and ends at timeoutSeconds', async () => {
    const watch = await rawWatch(sandbox, `${CM}?watch=true&resourceVersion=${(await raw(sandbox, 'GET', CM)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion}&allowWatchBookmarks=true&timeoutSeconds=1`);
    const bookmark = await watch.next();
    expect(bookmark.type).toBe('BOOKMARK');
    expect(bookmark.object.metadata?.resourceVersion).toMatch(/^\d+$/);
    await watch.ended;
  });

  it('turns selector transitions into ADDED and DELETED', async () => {
    await raw(sandbox, 'POST', CM, { body: configMap('w-sel', {}, { stage: 'draft' }) });
    const watch = await rawWatch(sandbox, `${CM}?watch=true&labelSelector=stage%3Dlive`);
    await raw(sandbox, 'PATCH', `${CM}/w-sel`, { body: { metadata: { labels: { stage: 'live' } } }, contentType: 'application/merge-patch+json' });
    expect(await watch.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w-sel' } } });
    await raw(sandbox, 'PATCH', `${CM}/w-sel`, { body: { metadata: { labels: { stage: 'done' } } }, contentType: 'application/merge-patch+json' });
    expect(await watch.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'w-sel', labels: { stage: 'live' } } } });
    watch.close();
  });

  it('gives concurrent watches the same events in the same order', async () => {
    const rv = (await raw(sandbox, 'GET', CM)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
    const watches = await Promise.all([1, 2, 3].map(() => rawWatch(sandbox, `${CM}?watch=true&resourceVersion=${rv}`)));
    await Promise.all(['o1', 'o2', 'o3', 'o4'].map((n) => raw(sandbox, 'POST', CM, { body: configMap(`order-${n}`) })));
    const seen = await Promise.all(watches.map(async (w) => {
      const events = [];
      for (let i = 0; i < 4; i++) events.push((await w.next()).object.metadata?.resourceVersion);
      w.close();
      return events;
    }));
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(seen[0].map(Number)).toEqual([...seen[0].map(Number)].sort((a, b) => a - b));
  });

  it('refuses a resourceVersion that is not a number', async () => {
    const res = await raw(sandbox, 'GET', `${CM}?watch=true&resourceVersion=abc`);
    expect(res.status).toBe(422);
  });
});

describe('custom resources', () => {
  beforeAll(async () => {
    const res = await raw(sandbox, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: CRD });
    expect(res.status).toBe(201);
  });

  it('are discoverable as soon as the CRD is stored', async () => {
    const list = (await raw(sandbox, 'GET', '/apis/example.com/v1')).json<{ resources: { name: string }[] }>();
    expect(list.resources.map((r) => r.name)).toEqual(['widgets', 'widgets/scale', 'widgets/status']);
    const aggregated = await raw(sandbox, 'GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    expect(aggregated.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(aggregated.json<{ items: { metadata: { name: string } }[] }>().items.map((g) => g.metadata.name)).toContain('example.com');
  });

  it('are validated, pruned and defaulted by the CRD schema', async () => {
    const invalid = await raw(sandbox, 'POST', WIDGETS, { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 0 } } });
    expect(invalid.status).toBe(422);
    expect(invalid.json<{ details: { causes: { field: string }[] } }>().details.causes[0].field).toBe('spec.size');
    const strict = await raw(sandbox, 'POST', `${WIDGETS}?fieldValidation=Strict`, { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'strict' }, spec: { size: 1, shape: 'round' } } });
    expect(strict.status).toBe(400);
    expect(strict.json<{ message: string }>().message).toBe('strict decoding error: unknown field "spec.shape"');
    const pruned = await raw(sandbox, 'POST', WIDGETS, { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 1, shape: 'round' } } });
    expect(pruned.status).toBe(201);
    expect(pruned.headers.warning).toContain('unknown field \\"spec.shape\\"');
    expect(pruned.json()).toMatchObject({ spec: { size: 1, color: 'blue' } });
    expect(pruned.json<{ spec: object }>().spec).not.toHaveProperty('shape');
  });

  it('need a resourceVersion on PUT and refuse strategic merge patch', async () => {
    const put = await raw(sandbox, 'PUT', `${WIDGETS}/w1`, { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 2 } } });
    expect(put.status).toBe(422);
    expect(put.json<{ message: string }>().message).toContain('metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    const smp = await raw(sandbox, 'PATCH', `${WIDGETS}/w1`, { body: { spec: { size: 2 } }, contentType: 'application/strategic-merge-patch+json' });
    expect(smp.status).toBe(415);
    expect(smp.json<{ message: string }>().message).toContain('accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  });

  it('keep status and spec apart, and count generation for spec changes only', async () => {
    const merge = { contentType: 'application/merge-patch+json' };
    const created = (await raw(sandbox, 'POST', WIDGETS, { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gen' }, spec: { size: 1 }, status: { phase: 'ignored' } } })).json();
    expect(created).toMatchObject({ metadata: { generation: 1 } });
    expect(created).not.toHaveProperty('status');
    const status = (await raw(sandbox, 'PATCH', `${WIDGETS}/gen/status`, { ...merge, body: { spec: { size: 9 }, status: { phase: 'Ready' } } })).json();
    expect(status).toMatchObject({ spec: { size: 1 }, status: { phase: 'Ready' }, metadata: { generation: 1 } });
    const main = (await raw(sandbox, 'PATCH', `${WIDGETS}/gen`, { ...merge, body: { spec: { size: 2 }, status: { phase: 'Lost' } } })).json();
    expect(main).toMatchObject({ spec: { size: 2 }, status: { phase: 'Ready' }, metadata: { generation: 2 } });
    const labels = (await raw(sandbox, 'PATCH', `${WIDGETS}/gen`, { ...merge, body: { metadata: { labels: { a: 'b' } } } })).json();
    expect(labels).toMatchObject({ metadata: { generation: 2 } });
    const scale = await raw(sandbox, 'PUT', `${WIDGETS}/gen/scale`, { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'gen' }, spec: { replicas: 3 } } });
    expect(scale.json()).toMatchObject({ kind: 'Scale', spec: { replicas: 3 } });
    expect((await raw(sandbox, 'GET', `${WIDGETS}/gen`)).json()).toMatchObject({ spec: { replicas: 3 }, metadata: { generation: 3 } });
  });

  it('wait for their finalizers: deletionTimestamp, generation + 1, then gone', async () => {
    await raw(sandbox, 'POST', WIDGETS, { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'fin', finalizers: ['example.com/cleanup'] }, spec: { size: 1 } } });
    const watch = await rawWatch(sandbox, `${WIDGETS}?watch=true&fieldSelector=metadata.name%3Dfin`);
    expect((await watch.next()).type).toBe('ADDED');
    const deleting = await raw(sandbox, 'DELETE', `${WIDGETS}/fin`);
    expect(deleting.status).toBe(200);
    expect(deleting.json()).toMatchObject({ metadata: { generation: 2, deletionTimestamp: expect.any(String) } });
    expect((await watch.next()).type).toBe('MODIFIED');
    const cleared = await raw(sandbox, 'PATCH', `${WIDGETS}/fin`, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    expect(cleared.status).toBe(200);
    expect((await watch.next()).type).toBe('DELETED');
    expect((await raw(sandbox, 'GET', `${WIDGETS}/fin`)).status).toBe(404);
    watch.close();
  });

  it('disappear with their objects when the CRD is deleted', async () => {
    const crd = await raw(sandbox, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    expect(crd.status).toBe(200);
    expect((await raw(sandbox, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).status).toBe(404);
    expect((await raw(sandbox, 'GET', WIDGETS)).status).toBe(404);
  });

  it('are read with a default their CRD gained after they were stored', async () => {
    const crd = structuredClone(CRD) as typeof CRD & { metadata: { name: string } };
    crd.metadata.name = 'gizmos.example.com';
    Object.assign(crd.spec.names, { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo', shortNames: [] });
    expect((await raw(sandbox, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status).toBe(201);
    const GIZMOS = '/apis/example.com/v1/namespaces/default/gizmos';
    const created = await raw(sandbox, 'POST', GIZMOS, { body: { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'old' }, spec: { size: 1 } } });
    expect(created.json<{ spec: object }>().spec).toEqual({ size: 1, color: 'blue' });

    const stored = (await raw(sandbox, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.example.com')).json<typeof crd>();
    const spec = (stored.spec.versions[0].schema.openAPIV3Schema.properties as { spec: { properties: Record<string, unknown> } }).spec;
    spec.properties.shape = { type: 'string', default: 'round' };
    expect((await raw(sandbox, 'PUT', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.example.com', { body: stored })).status).toBe(200);

    const read = (await raw(sandbox, 'GET', `${GIZMOS}/old`)).json<{ spec: object; metadata: { generation: number } }>();
    expect(read.spec).toEqual({ size: 1, color: 'blue', shape: 'round' });
    const listed = (await raw(sandbox, 'GET', GIZMOS)).json<{ items: { spec: object }[] }>();
    expect(listed.items[0].spec).toEqual({ size: 1, color: 'blue', shape: 'round' });
    // Writing back what was read stores the default, and is no new generation: the spec is as read.
    const written = await raw(sandbox, 'PUT', `${GIZMOS}/old`, { body: read });
    expect(written.json<{ metadata: { generation: number } }>().metadata.generation).toBe(read.metadata.generation);
  });
});

describe('faults', () => {
  it('fail the next matching requests, with Retry-After on 429', async () => {
    sandbox.faults.failNext({ code: 429, verb: 'list', path: '/configmaps', retryAfterSeconds: 2 });
    const limited = await raw(sandbox, 'GET', CM);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    expect((await raw(sandbox, 'GET', CM)).status).toBe(200);
  });

  it('drop open watches, over the admin endpoint too', async () => {
    const watch = await rawWatch(sandbox, `${CM}?watch=true&resourceVersion=${(await raw(sandbox, 'GET', CM)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion}`);
    const res = await raw(sandbox, 'POST', '/_sandbox/faults', { body: { action: 'dropWatches' } });
    expect(res.json<{ dropped: number }>().dropped).toBeGreaterThanOrEqual(1);
    await watch.ended;
    expect((await raw(sandbox, 'POST', '/_sandbox/faults', { body: { action: 'dropWatches' }, token: false })).status).toBe(401);
  });
});
