// SPDX-License-Identifier: Apache-2.0
// applyPatch as the API server's PATCH handler: the media types, the error answers, and the
// bodies real clients send. The kubectl bodies in patch/fixtures/kubectl-deployment.json were
// recorded from kubectl v1.32 itself (client-side apply after an image change and after lines
// were removed from the manifest, scale, label, annotate, set image, apply --server-side).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from './status.js';
import type { KubeObject } from './types.js';
import { acceptedPatchTypes, applyPatch, PATCH_TYPES, trackUpdate } from './patch.js';
import { seldonType, types } from './patch/fixtures/types.js';
import { fromRoot } from '../../paths.js';

interface Recorded {
  contentType: string;
  query: string;
  body: unknown;
}
const recorded = JSON.parse(readFileSync(fromRoot('lib', 'sandbox', 'apiserver', 'patch', 'fixtures', 'kubectl-deployment.json'), 'utf8')) as {
  live: KubeObject;
  requests: Record<string, Recorded>;
};
const live = (): KubeObject => structuredClone(recorded.live);

/** The Status a call answers with (or undefined when it succeeds). */
function statusOf(fn: () => unknown): Record<string, unknown> | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return e.toStatus() as unknown as Record<string, unknown>;
  }
}

const container = (o: KubeObject) => (o.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];

describe('kubectl apply (client-side): the strategic merge patches kubectl sends', () => {
  it('changes only the image when the manifest changes the image', () => {
    const r = recorded.requests.imageChange;
    expect(r.contentType).toBe(PATCH_TYPES.strategic);
    const out = applyPatch(live(), JSON.stringify(r.body), r.contentType, types.deployment);
    expect(container(out).image).toBe('nginx:1.26');
    // Fields the server defaulted and the manifest never mentioned are kept.
    expect(container(out)).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', env: [{ name: 'FOO', value: '1' }, { name: 'BAR', value: '2' }] });
    expect(out.spec).toMatchObject({ replicas: 3, progressDeadlineSeconds: 600 });
    expect(JSON.parse(out.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'])).toMatchObject({
      spec: { template: { spec: { containers: [{ image: 'nginx:1.26' }] } } },
    });
  });

  it('removes exactly the fields removed from the manifest (replicas, one env var)', () => {
    const r = recorded.requests.fieldRemoved;
    const out = applyPatch(live(), JSON.stringify(r.body), r.contentType, types.deployment);
    expect(out.spec).not.toHaveProperty('replicas');
    expect(container(out).env).toEqual([{ name: 'BAR', value: '2' }]);
    expect(container(out).image).toBe('nginx:1.25');
    expect(container(out).ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it.each([
    ['setImage', (o: KubeObject) => expect(container(o).image).toBe('nginx:1.27')],
    ['label', (o: KubeObject) => expect(o.metadata.labels).toEqual({ app: 'nginx', env: 'prod' })],
    ['annotate', (o: KubeObject) => expect(o.metadata.annotations).toMatchObject({ note: 'hello', 'deployment.kubernetes.io/revision': '1' })],
  ])('kubectl %s', (name, check) => {
    const r = recorded.requests[name];
    check(applyPatch(live(), JSON.stringify(r.body), r.contentType, types.deployment, { fieldManager: 'kubectl' }));
  });

  it('kubectl scale sends a merge patch to /scale', () => {
    const r = recorded.requests.scale;
    const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'nginx', namespace: 'default' }, spec: { replicas: 3 }, status: { replicas: 3 } } as KubeObject;
    const out = applyPatch(scale, JSON.stringify(r.body), r.contentType, types.deployment, { subresource: 'scale' });
    expect(out.spec).toEqual({ replicas: 5 });
  });
});

describe('media types', () => {
  it('lists the accepted types in the order the API server does', () => {
    expect(acceptedPatchTypes(types.deployment)).toEqual([
      'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
    ]);
    expect(acceptedPatchTypes(seldonType())).toEqual(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
  });

  it.each([
    ['strategic merge patch on a custom resource', PATCH_TYPES.strategic, false,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml'],
    ['an unknown type', 'application/json', true,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml'],
    ['a type in other letter case', 'Application/Merge-Patch+JSON', true,
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml'],
  ])('415 for %s', (_name, contentType, builtin, message) => {
    const type = builtin ? types.deployment : seldonType();
    expect(statusOf(() => applyPatch(live(), '{}', contentType, type))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'UnsupportedMediaType', code: 415,
    });
  });

  it('ignores a charset parameter', () => {
    const out = applyPatch(live(), '{"spec":{"replicas":2}}', 'application/merge-patch+json; charset=utf-8', types.deployment);
    expect(out.spec).toMatchObject({ replicas: 2 });
  });
});

describe('merge patch (RFC 7386)', () => {
  it('deletes with null and replaces lists whole', () => {
    const patch = { metadata: { labels: { app: null, tier: 'web' } }, spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }] } } } };
    const out = applyPatch(live(), JSON.stringify(patch), PATCH_TYPES.merge, types.deployment);
    expect(out.metadata.labels).toEqual({ tier: 'web' });
    expect((out.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('patches a custom resource (the SeldonDeployment status, as the operator does)', () => {
    const sdep = { apiVersion: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment', metadata: { name: 'iris', namespace: 'seldon' }, spec: { predictors: [] } } as KubeObject;
    const out = applyPatch(sdep, '{"status":{"state":"Available","replicas":1}}', PATCH_TYPES.merge, seldonType(), { subresource: 'status' });
    expect(out.status).toEqual({ state: 'Available', replicas: 1 });
  });

  it.each([
    ['not JSON', '{"spec":', 'error decoding patch: unexpected end of JSON input'],
    ['a bad character', "{'spec':1}", "error decoding patch: invalid character '\\'' looking for beginning of object key string"],
    ['an array', '[{"op":"add"}]', 'error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['null', 'null', 'Invalid JSON Patch'],
  ])('400 for a body that is %s', (_name, body, message) => {
    expect(statusOf(() => applyPatch(live(), body, PATCH_TYPES.merge, types.deployment))).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });
});

describe('JSON patch (RFC 6902)', () => {
  it('applies add, replace, remove, copy, move and a passing test', () => {
    const ops = [
      { op: 'test', path: '/spec/replicas', value: 3 },
      { op: 'replace', path: '/spec/replicas', value: 4 },
      { op: 'add', path: '/metadata/labels/tier', value: 'web' },
      { op: 'copy', from: '/metadata/labels/tier', path: '/metadata/labels/copied' },
      { op: 'move', from: '/metadata/labels/copied', path: '/metadata/labels/moved' },
      { op: 'remove', path: '/spec/template/spec/containers/0/env/0' },
      { op: 'add', path: '/spec/template/spec/containers/0/args', value: ['--x'] },
    ];
    const out = applyPatch(live(), JSON.stringify(ops), PATCH_TYPES.json, types.deployment);
    expect(out.spec).toMatchObject({ replicas: 4 });
    expect(out.metadata.labels).toEqual({ app: 'nginx', tier: 'web', moved: 'web' });
    expect(container(out).env).toEqual([{ name: 'BAR', value: '2' }]);
    expect(container(out).args).toEqual(['--x']);
  });

  it('400 with the handler\'s Go type when the body is an object (the classic client-node mistake)', () => {
    expect(statusOf(() => applyPatch(live(), '{"spec":{"replicas":2}}', PATCH_TYPES.json, types.deployment))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
      reason: 'BadRequest', code: 400,
    });
  });

  it.each([
    ['a failed test', [{ op: 'test', path: '/spec/replicas', value: 99 }]],
    ['a path that does not exist', [{ op: 'replace', path: '/spec/nothing/here', value: 1 }]],
    ['removing a missing key', [{ op: 'remove', path: '/metadata/labels/missing' }]],
    ['an unknown operation', [{ op: 'frobnicate', path: '/spec' }]],
  ])('422 with the generic message for %s, as the real server words it', (_name, ops) => {
    expect(statusOf(() => applyPatch(live(), JSON.stringify(ops), PATCH_TYPES.json, types.deployment))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'the server rejected our request due to an error in our request', reason: 'Invalid', details: {}, code: 422,
    });
  });

  it('400 for an operation field of the wrong type', () => {
    expect(statusOf(() => applyPatch(live(), '[{"op":"add","path":5}]', PATCH_TYPES.json, types.deployment))).toMatchObject({
      code: 400, message: 'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string',
    });
  });

  it('413 above 10000 operations', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'Deployment' }));
    expect(statusOf(() => applyPatch(live(), JSON.stringify(ops), PATCH_TYPES.json, types.deployment))).toMatchObject({
      code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    });
  });
});

describe('strategic merge patch errors', () => {
  it('400 with Go\'s raw decoding message (no prefix) for a body that is not an object', () => {
    expect(statusOf(() => applyPatch(live(), '[]', PATCH_TYPES.strategic, types.deployment))).toMatchObject({
      code: 400, message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    });
  });

  it('500 without a reason when a list item lacks its merge key (kubectl: "Error from server: map: ...")', () => {
    const body = { spec: { template: { spec: { containers: [{ image: 'x' }] } } } };
    const status = statusOf(() => applyPatch(live(), JSON.stringify(body), PATCH_TYPES.strategic, types.deployment));
    expect(status).toMatchObject({ code: 500, message: 'map: map[image:x] does not contain declared merge key: name' });
    expect(status).not.toHaveProperty('reason');
  });
});

describe('what every patch type shares', () => {
  it('404 when the object does not exist (only apply creates)', () => {
    expect(statusOf(() => applyPatch(undefined, '{}', PATCH_TYPES.merge, types.deployment, { name: 'ghost', namespace: 'default' }))).toMatchObject({
      code: 404, reason: 'NotFound', message: 'deployments.apps "ghost" not found',
    });
  });

  it.each([
    [PATCH_TYPES.merge, '{"metadata":{"name":"other"}}', 'the name of the object (other) does not match the name on the URL (nginx)'],
    [PATCH_TYPES.json, '[{"op":"remove","path":"/metadata/name"}]', 'the name of the object () does not match the name on the URL (nginx)'],
    [PATCH_TYPES.strategic, '{"metadata":{"namespace":"kube-system"}}', 'the namespace of the provided object does not match the namespace sent on the request'],
  ])('400 when a %s patch moves the object', (contentType, body, message) => {
    expect(statusOf(() => applyPatch(live(), body, contentType, types.deployment))).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });

  it('fills in the URL namespace when a patch removes it, and drops it for cluster-scoped types', () => {
    expect(applyPatch(live(), '{"metadata":{"namespace":null}}', PATCH_TYPES.merge, types.deployment).metadata.namespace).toBe('default');
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'seldon' } } as KubeObject;
    expect(applyPatch(ns, '{"metadata":{"namespace":"x"}}', PATCH_TYPES.merge, types.namespace).metadata).not.toHaveProperty('namespace');
  });

  it('leaves a changed uid for validation to refuse (422 field is immutable) and keeps a resourceVersion as a precondition for the core', () => {
    const out = applyPatch(live(), '{"metadata":{"uid":"other","resourceVersion":"7"}}', PATCH_TYPES.merge, types.deployment);
    expect(out.metadata).toMatchObject({ uid: 'other', resourceVersion: '7' });
  });

  it.each([
    [PATCH_TYPES.apply, {}, 'fieldManager', 'FieldValueRequired', 'Required value: is required for apply patch'],
    [PATCH_TYPES.merge, { force: true }, 'force', 'FieldValueForbidden', 'Forbidden: may not be specified for non-apply patch'],
    [PATCH_TYPES.merge, { fieldManager: 'x'.repeat(129) }, 'fieldManager', 'FieldValueTooLong', 'Too long: may not be longer than 128'],
  ])('422 PatchOptions for %s with %j', (contentType, opts, field, reason, message) => {
    expect(statusOf(() => applyPatch(live(), '{}', contentType, types.deployment, opts))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${message}`,
      reason: 'Invalid',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason, message, field }] },
      code: 422,
    });
  });
});

describe('trackUpdate', () => {
  it('records a kubectl create the way a real server does (keyed items, "." on new containers)', () => {
    const created = live();
    delete created.metadata.managedFields;
    const entries = trackUpdate(undefined, created, types.deployment, 'kubectl-create', { now: '2024-05-01T10:00:00Z' })!;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1' });
    const fields = entries[0].fieldsV1 as Record<string, Record<string, unknown>>;
    expect(fields['f:spec']['f:selector']).toEqual({}); // LabelSelector is atomic
    expect(Object.keys(fields['f:spec'])).not.toContain('.'); // spec exists in Go's zero value
    expect(fields).not.toHaveProperty('f:status'); // status belongs to the /status subresource
    const containers = ((fields['f:spec']['f:template'] as Record<string, Record<string, Record<string, unknown>>>)['f:spec']['f:containers']) as Record<string, Record<string, unknown>>;
    expect(Object.keys(containers)).toEqual(['k:{"name":"nginx"}']);
    expect(containers['k:{"name":"nginx"}']['.']).toEqual({});
    expect(containers['k:{"name":"nginx"}']['f:ports']).toEqual({ '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } });
  });

  it('moves a changed field to the writer and leaves the rest with its owner', () => {
    const created = live();
    delete created.metadata.managedFields;
    created.metadata.managedFields = trackUpdate(undefined, created, types.deployment, 'kubectl-create', { now: '2024-05-01T10:00:00Z' });
    const scaled = structuredClone(created);
    (scaled.spec as Record<string, unknown>).replicas = 5;
    const entries = trackUpdate(created, scaled, types.deployment, 'kube-controller-manager', { now: '2024-05-01T11:00:00Z' })!;
    expect(entries.map((e) => e.manager)).toEqual(['kubectl-create', 'kube-controller-manager']);
    expect(entries[1].fieldsV1).toEqual({ 'f:spec': { 'f:replicas': {} } });
    expect(JSON.stringify(entries[0].fieldsV1)).not.toContain('f:replicas');
  });

  it('clears ownership when a write sends managedFields: [{}]', () => {
    const obj = live();
    obj.metadata.managedFields = [{}] as never;
    expect(trackUpdate(live(), obj, types.deployment, 'x')).toBeUndefined();
  });
});
