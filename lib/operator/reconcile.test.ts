// SPDX-License-Identifier: Apache-2.0
// One reconcile against an in-memory API: what it creates, that a second pass writes nothing,
// that it repairs drift, and how it fails (Seldon's message, once) and recovers.
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultOperatorConfig, type OperatorConfig } from './config.js';
import { EventRecorder } from './events.js';
import { Reconciler } from './reconcile.js';
import { apiError, MemoryClusterApi } from './testing/memory-api.js';
import { canary, customContainer, sampleManifest } from './testing/fixtures.js';
import type { SeldonDeployment } from './types.js';

const KEY = 'seldon/iris-model';
let api: MemoryClusterApi;
let lines: string[];

function reconciler(config: OperatorConfig = defaultOperatorConfig()): Reconciler {
  const log = (line: string) => lines.push(line);
  return new Reconciler({ api, config, events: new EventRecorder(api, 'test', log), log, now: () => new Date('2026-01-01T00:00:00Z') });
}

function sdepNow(key = KEY): SeldonDeployment {
  return api.sdeps.get(key)!;
}

function names(kind: 'Deployment' | 'Service' | 'Mapping'): string[] {
  return [...api.objects[kind].values()].map((o) => o.metadata.name).sort();
}

beforeEach(() => {
  api = new MemoryClusterApi();
  lines = [];
});

describe('Reconciler: from nothing to what render() asked for', () => {
  it('creates the children, then reports Creating with an event per child', async () => {
    api.addSeldonDeployment(sampleManifest());
    await reconciler().reconcile(KEY);
    expect(names('Deployment')).toEqual(['iris-model-default-0-classifier']);
    expect(names('Service')).toEqual(['iris-model-default', 'iris-model-default-classifier']);
    expect(names('Mapping')).toEqual(['seldon-seldon-iris-model-default-rest']);
    expect(sdepNow().status).toMatchObject({ state: 'Creating', observedGeneration: 1 });
    expect(api.events.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual([
      'Normal CreateService: Created Service "iris-model-default"',
      'Normal CreateService: Created Service "iris-model-default-classifier"',
      'Normal CreateDeployment: Created Deployment "iris-model-default-0-classifier"',
      'Normal CreateMapping: Created Mapping "seldon-seldon-iris-model-default-rest"',
      'Normal Updated: Updated SeldonDeployment "iris-model"',
    ]);
    expect(lines).toContain('seldon/iris-model: created Deployment iris-model-default-0-classifier');
  });

  it('reports Available once the Deployment is rolled out', async () => {
    api.addSeldonDeployment(sampleManifest());
    await reconciler().reconcile(KEY);
    api.rollOut('seldon', 'iris-model-default-0-classifier');
    await reconciler().reconcile(KEY);
    expect(sdepNow().status).toMatchObject({ state: 'Available', replicas: 1, address: { url: 'http://iris-model-default.seldon.svc.cluster.local:8000/api/v1.0/predictions' } });
    expect(lines).toContain('seldon/iris-model: state Available at http://iris-model-default.seldon.svc.cluster.local:8000/api/v1.0/predictions');
  });

  it.each([
    ['sample.yaml', sampleManifest],
    ['canary and shadow', canary],
    ['a container of the user\'s own (resources the server rewrites)', customContainer],
  ])('writes nothing when nothing changed: %s', async (_name, make) => {
    const sdep = api.addSeldonDeployment(make());
    const key = `${sdep.metadata.namespace}/${sdep.metadata.name}`;
    await reconciler().reconcile(key);
    for (const d of api.objects.Deployment.values()) api.rollOut(d.metadata.namespace!, d.metadata.name);
    await reconciler().reconcile(key);
    const writes = api.counts.writes;
    await reconciler().reconcile(key);
    await reconciler().reconcile(key);
    expect(api.counts.writes).toBe(writes);
  });
});

describe('Reconciler: repairing drift', () => {
  beforeEach(async () => {
    api.addSeldonDeployment(sampleManifest());
    await reconciler().reconcile(KEY);
    api.rollOut('seldon', 'iris-model-default-0-classifier');
    await reconciler().reconcile(KEY);
  });

  it('re-creates a deleted Deployment', async () => {
    api.objects.Deployment.clear();
    await reconciler().reconcile(KEY);
    expect(names('Deployment')).toEqual(['iris-model-default-0-classifier']);
    expect(sdepNow().status?.state).toBe('Creating');
  });

  it('puts back a hand-edited image and replica count with a merge patch, leaving others\' fields', async () => {
    const d = api.objects.Deployment.get('seldon/iris-model-default-0-classifier')!;
    const spec = d.spec as { replicas: number; template: { spec: { containers: { image: string }[] } } };
    spec.replicas = 5;
    spec.template.spec.containers[0].image = 'someone/else:latest';
    d.metadata.annotations = { 'deployment.kubernetes.io/revision': '2' };
    await reconciler().reconcile(KEY);
    const after = api.objects.Deployment.get('seldon/iris-model-default-0-classifier')!;
    expect((after.spec as typeof spec).replicas).toBe(1);
    expect((after.spec as typeof spec).template.spec.containers[0].image).toBe('seldonio/sklearnserver:1.11.0');
    expect(after.metadata.annotations).toEqual({ 'deployment.kubernetes.io/revision': '2' });
    expect(api.events.at(-1)).toMatchObject({ reason: 'UpdateDeployment', message: 'Updated Deployment "iris-model-default-0-classifier"' });
  });

  it('removes a Mapping field it no longer wants (an exact diff, with null)', async () => {
    const m = api.objects.Mapping.get('seldon/seldon-seldon-iris-model-default-rest')!;
    (m.spec as Record<string, unknown>).weight = 10;
    await reconciler().reconcile(KEY);
    expect(api.patches.at(-1)).toEqual({ kind: 'Mapping', name: 'seldon-seldon-iris-model-default-rest', body: expect.objectContaining({ spec: { weight: null } }) });
    expect(api.objects.Mapping.get('seldon/seldon-seldon-iris-model-default-rest')!.spec).not.toHaveProperty('weight');
  });

  it('leaves Mapping fields alone that it never writes', async () => {
    const m = api.objects.Mapping.get('seldon/seldon-seldon-iris-model-default-rest')!;
    (m.spec as Record<string, unknown>).cluster_tag = 'added-by-someone';
    const writes = api.counts.writes;
    await reconciler().reconcile(KEY);
    expect(api.counts.writes).toBe(writes);
  });

  it('takes Emissary\'s ambassador_id ["default"] for the missing one it means (no write), and removes any other', async () => {
    const m = api.objects.Mapping.get('seldon/seldon-seldon-iris-model-default-rest')!;
    // What a v3alpha1 Mapping without an ID reads back as, after Emissary's v2 storage round trip.
    (m.spec as Record<string, unknown>).ambassador_id = ['default'];
    const writes = api.counts.writes;
    await reconciler().reconcile(KEY);
    expect(api.counts.writes).toBe(writes);

    (m.spec as Record<string, unknown>).ambassador_id = ['other-emissary'];
    await reconciler().reconcile(KEY);
    expect(api.patches.at(-1)).toEqual({ kind: 'Mapping', name: 'seldon-seldon-iris-model-default-rest', body: expect.objectContaining({ spec: { ambassador_id: null } }) });
  });

  it('deletes a child that is no longer in the spec (a renamed predictor)', async () => {
    const sdep = sdepNow();
    sdep.spec.predictors[0].name = 'main';
    await reconciler().reconcile(KEY);
    expect(names('Deployment')).toEqual(['iris-model-main-0-classifier']);
    expect(names('Service')).toEqual(['iris-model-main', 'iris-model-main-classifier']);
    expect(names('Mapping')).toEqual(['seldon-seldon-iris-model-main-rest']);
  });
});

describe('Reconciler: failing with Seldon\'s message, and recovering', () => {
  it('reports an unknown implementation as Failed, once, and creates nothing', async () => {
    const bad = sampleManifest();
    bad.spec.predictors[0].graph.implementation = 'MLFLOW_SERVER';
    api.addSeldonDeployment(bad);
    await reconciler().reconcile(KEY);
    expect(sdepNow().status).toMatchObject({
      state: 'Failed',
      description: 'spec.predictors[0].graph: Invalid value: "classifier": No entry in predictors map for MLFLOW_SERVER',
    });
    expect(names('Deployment')).toEqual([]);
    expect(api.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'InternalError', message: sdepNow().status!.description })]);
    const writes = api.counts.writes;
    await reconciler().reconcile(KEY);
    expect(api.counts.writes).toBe(writes);

    // Fixed: the children appear and the description goes.
    sdepNow().spec.predictors[0].graph.implementation = 'SKLEARN_SERVER';
    sdepNow().metadata.generation = 2;
    await reconciler().reconcile(KEY);
    expect(sdepNow().status).toMatchObject({ state: 'Creating', observedGeneration: 2 });
    expect(sdepNow().status).not.toHaveProperty('description');
    expect(names('Deployment')).toEqual(['iris-model-default-0-classifier']);
  });

  it('refuses to take over an object of the same name that is not its own', async () => {
    api.addSeldonDeployment(sampleManifest());
    await api.create('Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'iris-model-default', namespace: 'seldon' }, spec: { ports: [{ port: 80 }] } });
    await expect(reconciler().reconcile(KEY)).rejects.toThrow(/already exists and is not owned by SeldonDeployment seldon\/iris-model/);
    expect(sdepNow().status).toMatchObject({ state: 'Failed', description: expect.stringContaining('Service "iris-model-default" already exists and is not owned') });
  });

  it('waits, without failing, for the garbage collector to remove an earlier namesake\'s children', async () => {
    const first = api.addSeldonDeployment(sampleManifest());
    await reconciler().reconcile(KEY);
    api.sdeps.clear();
    const second = api.addSeldonDeployment({ ...sampleManifest(), metadata: { ...sampleManifest().metadata, uid: 'new-uid' } });
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    await expect(reconciler().reconcile(KEY)).rejects.toThrow(/of an earlier SeldonDeployment seldon\/iris-model is still being deleted/);
    expect(sdepNow().status).toBeUndefined();
  });

  it('retries quietly on a busy server, and fails with the API\'s message on a refusal', async () => {
    api.addSeldonDeployment(sampleManifest());
    api.failNext.create = apiError(500, 'InternalError', 'etcdserver: request timed out');
    await expect(reconciler().reconcile(KEY)).rejects.toThrow();
    expect(sdepNow().status).toBeUndefined();

    api.failNext.create = apiError(422, 'Invalid', 'Service "iris-model-default" is invalid: metadata.name: Invalid value');
    await expect(reconciler().reconcile(KEY)).rejects.toThrow();
    expect(sdepNow().status).toMatchObject({ state: 'Failed', description: 'the API server refused a write (422 Invalid): Service "iris-model-default" is invalid: metadata.name: Invalid value' });

    await reconciler().reconcile(KEY);
    expect(sdepNow().status?.state).toBe('Creating');
  });

  it('says how to fix a cluster without Emissary\'s Mapping kind', async () => {
    api.addSeldonDeployment(sampleManifest());
    // What the API server answers for a kind it does not serve.
    const list = api.list.bind(api);
    api.list = async (kind, ns, selector) => (kind === 'Mapping' ? Promise.reject(apiError(404, 'NotFound', 'the server could not find the requested resource')) : list(kind, ns, selector));
    await expect(reconciler().reconcile(KEY)).rejects.toThrow();
    expect(sdepNow().status?.description).toMatch(/Mapping kind .* is not installed in this cluster: install Emissary-ingress .*ingress: none/);
  });

  it('does nothing for a SeldonDeployment that is gone or being deleted', async () => {
    await reconciler().reconcile(KEY);
    const sdep = api.addSeldonDeployment(sampleManifest());
    api.sdeps.get(KEY)!.metadata.deletionTimestamp = new Date();
    await reconciler().reconcile(KEY);
    expect(api.counts.writes).toBe(0);
    expect(sdep.metadata.name).toBe('iris-model');
  });
});
