// SPDX-License-Identifier: Apache-2.0
// Server-side apply through applyPatch: creating, field ownership, conflicts and their exact
// message, force, shared ownership, pruning, and the body errors. The scenarios are the ones the
// Kubernetes docs walk through (server-side-apply.md) and the conformance test apply.go checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ApiError } from '../status.js';
import type { KubeObject } from '../types.js';
import { applyPatch, PATCH_TYPES, trackUpdate } from '../patch.js';
import { kubectlCreateDeployment, seldonType, types } from './fixtures/types.js';
import { fromRoot } from '../../../paths.js';

const APPLY = PATCH_TYPES.apply;
const NOW = '2024-05-01T10:00:00Z';
const LATER = '2024-05-01T11:00:00Z';

function intent(replicas: number | undefined, image = 'nginx:1.25', extraEnv = true): Record<string, unknown> {
  const env = [{ name: 'BAR', value: '2' }, ...(extraEnv ? [{ name: 'FOO', value: '1' }] : [])];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image, env, ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

function apply(current: KubeObject | undefined, body: unknown, manager: string, extra: { force?: boolean; now?: string } = {}): KubeObject {
  return applyPatch(current, JSON.stringify(body), APPLY, types.deployment, { fieldManager: manager, name: 'web', namespace: 'default', now: NOW, ...extra });
}

function statusOf(fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e.toStatus() as unknown as Record<string, unknown>;
    throw e;
  }
  throw new Error('expected the call to fail');
}

const spec = (o: KubeObject) => o.spec as { replicas?: number; template: { spec: { containers: { image: string; env?: unknown[] }[] } } };

describe('server-side apply', () => {
  it('creates the object from the intent and records the applier\'s fields (no server bookkeeping)', () => {
    const out = apply(undefined, intent(2), 'helm');
    expect(out).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 } });
    expect(out.metadata.managedFields).toEqual([{
      manager: 'helm',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: NOW,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"web"}': {
                  '.': {},
                  'f:env': {
                    'k:{"name":"BAR"}': { '.': {}, 'f:name': {}, 'f:value': {} },
                    'k:{"name":"FOO"}': { '.': {}, 'f:name': {}, 'f:value': {} },
                  },
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    }]);
  });

  it('is a no-op for the same intent, keeping the entry\'s time', () => {
    const first = apply(undefined, intent(2), 'helm');
    const again = apply(first, intent(2), 'helm', { now: LATER });
    expect(again).toEqual(first);
  });

  it('409 when another manager owns a field the apply changes, with the API server\'s message', () => {
    const mine = apply(undefined, intent(2), 'helm');
    expect(statusOf(() => apply(mine, intent(3), 'other-tool'))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "helm": .spec.replicas',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "helm"', field: '.spec.replicas' }] },
      code: 409,
    });
  });

  it('lists several conflicts per manager, Update managers with their apiVersion', () => {
    const created = kubectlCreateDeployment() as unknown as KubeObject;
    created.metadata.namespace = 'default';
    created.metadata.name = 'web';
    created.metadata.managedFields = trackUpdate(undefined, created, types.deployment, 'kubectl-create', { now: NOW });
    const body = structuredClone(created) as Record<string, unknown>;
    delete (body.metadata as Record<string, unknown>).managedFields;
    (body.spec as Record<string, unknown>).replicas = 4;
    ((body.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]).image = 'nginx:1.26';
    const status = statusOf(() => apply(created, body, 'kubectl'));
    expect(status.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    expect((status.details as { causes: unknown[] }).causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-create" using apps/v1', field: '.spec.replicas' },
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-create" using apps/v1', field: '.spec.template.spec.containers[name="nginx"].image' },
    ]);
  });

  it('takes the fields over with force', () => {
    const mine = apply(undefined, intent(2), 'helm');
    const forced = apply(mine, intent(3), 'other-tool', { force: true, now: LATER });
    expect(spec(forced).replicas).toBe(3);
    const [helm, other] = ['helm', 'other-tool'].map((m) => forced.metadata.managedFields!.find((e) => e.manager === m)!);
    expect(JSON.stringify(helm.fieldsV1)).not.toContain('f:replicas');
    expect(other.fieldsV1).toEqual({ 'f:metadata': expect.anything(), 'f:spec': expect.objectContaining({ 'f:replicas': {} }) });
    expect(other.time).toBe(LATER);
  });

  it('shares ownership when a second manager applies the same value (no conflict)', () => {
    const mine = apply(undefined, intent(2), 'helm');
    const shared = apply(mine, intent(2), 'other-tool');
    for (const entry of shared.metadata.managedFields!) expect(JSON.stringify(entry.fieldsV1)).toContain('f:replicas');
  });

  it('prunes what the manager no longer applies: a removed env var goes, a removed replicas line goes', () => {
    const first = apply(undefined, intent(2), 'helm');
    const second = apply(first, intent(undefined, 'nginx:1.25', false), 'helm', { now: LATER });
    expect(spec(second)).not.toHaveProperty('replicas');
    expect(spec(second).template.spec.containers[0].env).toEqual([{ name: 'BAR', value: '2' }]);
  });

  it('keeps a dropped field that another manager still owns', () => {
    const first = apply(undefined, intent(2), 'helm');
    const shared = apply(first, intent(2), 'autoscaler');
    const dropped = apply(shared, intent(undefined), 'helm', { now: LATER });
    expect(spec(dropped).replicas).toBe(2);
  });

  it('merges keyed lists item by item: another manager\'s container survives an apply', () => {
    const first = apply(undefined, intent(2), 'helm');
    const sidecar = structuredClone(first);
    spec(sidecar).template.spec.containers.push({ name: 'sidecar', image: 'envoy:1' } as never);
    sidecar.metadata.managedFields = trackUpdate(first, sidecar, types.deployment, 'injector', { now: NOW });
    const out = apply(sidecar, intent(2, 'nginx:1.26'), 'helm', { now: LATER });
    expect(spec(out).template.spec.containers.map((c) => c.image)).toEqual(['nginx:1.26', 'envoy:1']);
  });

  it('keeps the client-side apply annotation in step for the manager "kubectl"', () => {
    const recorded = JSON.parse(readFileSync(fromRoot('lib', 'sandbox', 'apiserver', 'patch', 'fixtures', 'kubectl-deployment.json'), 'utf8')) as {
      live: KubeObject; requests: Record<string, { body: Record<string, unknown> }>;
    };
    const body = structuredClone(recorded.requests.serverSideApply.body);
    ((body.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]).image = 'nginx:1.27';
    const out = applyPatch(recorded.live, JSON.stringify(body), APPLY, types.deployment, { fieldManager: 'kubectl', force: true, now: NOW });
    const annotation = JSON.parse(out.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']);
    expect(annotation.spec.template.spec.containers[0].image).toBe('nginx:1.27');
  });

  it('reads a YAML body (YAML 1.1, as Go reads it)', () => {
    const yamlBody = stringify(intent(2)).replace('replicas: 2', 'replicas: 0x2');
    const out = applyPatch(undefined, yamlBody, APPLY, types.deployment, { fieldManager: 'me', name: 'web', namespace: 'default' });
    expect(spec(out).replicas).toBe(2);
  });

  it('applies to a custom resource using the CRD schema (SeldonDeployment)', () => {
    const sdep = {
      apiVersion: 'machinelearning.seldon.io/v1',
      kind: 'SeldonDeployment',
      metadata: { name: 'iris', namespace: 'seldon' },
      spec: { predictors: [{ name: 'default', replicas: 1, graph: { name: 'classifier', implementation: 'SKLEARN_SERVER', modelUri: 'gs://seldon-models/v1.11.0-dev/sklearn/iris' } }] },
    };
    const out = applyPatch(undefined, JSON.stringify(sdep), APPLY, seldonType(), { fieldManager: 'kubectl', name: 'iris', namespace: 'seldon', now: NOW });
    // Arrays in a CRD schema are atomic unless it says otherwise: the predictors list is one field.
    expect(out.metadata.managedFields![0].fieldsV1).toEqual({ 'f:spec': { 'f:predictors': {} } });
  });

  it.each([
    ['the wrong kind', { ...intent(1), kind: 'Deploymnet' }, 400, 'invalid object type: apps/v1, Kind=Deploymnet'],
    ['the wrong version', { ...intent(1), apiVersion: 'apps/v1beta1' }, 400, 'invalid object type: apps/v1beta1, Kind=Deployment'],
    ['no apiVersion and kind', { metadata: { name: 'web' } }, 400, 'invalid object type: /, Kind='],
    ['managedFields in the intent', { ...intent(1), metadata: { name: 'web', managedFields: [] } }, 400, 'metadata.managedFields must be nil'],
  ])('400 for %s', (_name, body, code, message) => {
    expect(statusOf(() => apply(undefined, body, 'me'))).toMatchObject({ code, reason: 'BadRequest', message });
  });

  it('refuses duplicate keys in a keyed list, as structured-merge-diff does (500, no reason)', () => {
    const body = intent(1);
    const containers = (body.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers;
    containers.push({ name: 'web', image: 'other' });
    const status = statusOf(() => apply(undefined, body, 'me'));
    expect(status).toMatchObject({
      code: 500,
      message: 'failed to create typed patch object (apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="web"]',
    });
    expect(status).not.toHaveProperty('reason');
  });

  it.each([
    ['a YAML syntax error', 'metadata: name: web', 'error decoding YAML: error converting YAML to JSON: yaml: line 1: mapping values are not allowed in this context'],
    ['a list instead of an object', '- a\n- b', 'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}'],
  ])('400 for %s', (_name, body, message) => {
    expect(statusOf(() => applyPatch(undefined, body, APPLY, types.deployment, { fieldManager: 'me', name: 'web' }))).toMatchObject({ code: 400, message });
  });

  it('409 when creating through apply with a uid', () => {
    const body = intent(1);
    (body.metadata as Record<string, unknown>).uid = 'abc';
    expect(statusOf(() => apply(undefined, body, 'me'))).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on deployments.apps "web": uid mismatch: the provided object specified uid abc, and no existing object was found',
    });
  });

  it('owns only status through the status subresource', () => {
    const first = apply(undefined, intent(1), 'helm');
    const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, status: { replicas: 1 } };
    const out = applyPatch(first, JSON.stringify(body), APPLY, types.deployment, { fieldManager: 'controller', subresource: 'status', now: NOW });
    const entry = out.metadata.managedFields!.find((e) => e.manager === 'controller')!;
    expect(entry).toMatchObject({ operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:replicas': {} } } });
  });
});
