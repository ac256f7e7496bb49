// SPDX-License-Identifier: Apache-2.0
// `/status` writes, type by type: the status changes, the spec never does, generation stays, and
// metadata changes only where the type's status strategy lets it (status-subresource.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refs } from './api.js';
import { startSandbox, type Sandbox } from '../index.js';
import type { KubeObject } from './types.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
});
afterAll(async () => {
  await sandbox?.stop();
});

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'main', image: 'nginx' }] } };
const owner = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: '00000000-0000-0000-0000-000000000001' };

/** The object with extra metadata and a new status, as a controller would PUT it to /status. */
function edited(obj: KubeObject, status: Record<string, unknown>): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: { ...obj.metadata.labels, added: 'label' },
      annotations: { 'example.com/note': 'from-status' },
      ownerReferences: [owner],
    },
    spec: { ...(obj.spec as object), replicas: 7 },
    status,
  };
}

describe('the status subresource', () => {
  it('of a Deployment keeps annotations (the revision a deployment controller writes), not labels, and no new generation', async () => {
    const created = await sandbox.api.create(refs.deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dep', namespace: 'default', labels: { app: 'x' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template },
    });
    const after = await sandbox.api.update(refs.deployments, edited(created, { observedGeneration: 1 }), { subresource: 'status' });
    expect(after.metadata.annotations).toEqual({ 'example.com/note': 'from-status' });
    expect(after.metadata.labels).toEqual({ app: 'x' });
    expect(after.metadata.ownerReferences).toEqual([owner]);
    expect(after.metadata.generation).toBe(1);
    expect(after.spec).toMatchObject({ replicas: 1 });
    expect(after.status).toEqual({ observedGeneration: 1 });
    // Through the main resource, an annotation change is a new generation (it is copied to ReplicaSets).
    const annotated = await sandbox.api.patch(refs.deployments, 'default', 'dep', { metadata: { annotations: { 'example.com/note': 'main' } } }, 'application/merge-patch+json');
    expect(annotated.metadata.generation).toBe(2);
  });

  it('of a ReplicaSet takes labels too; of a Pod everything but owner references', async () => {
    const rs = await sandbox.api.create(refs.replicasets, {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template },
    });
    const rsAfter = await sandbox.api.update(refs.replicasets, edited(rs, { replicas: 0, observedGeneration: 1 }), { subresource: 'status' });
    expect(rsAfter.metadata).toMatchObject({ labels: { added: 'label' }, annotations: { 'example.com/note': 'from-status' }, generation: 1 });

    const pod = await sandbox.api.create(refs.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'default' }, spec: template.spec });
    const podAfter = await sandbox.api.update(refs.pods, { ...edited(pod, { phase: 'Running' }), spec: pod.spec }, { subresource: 'status' });
    expect(podAfter.metadata.labels).toEqual({ added: 'label' });
    expect(podAfter.metadata.annotations).toEqual({ 'example.com/note': 'from-status' });
    expect(podAfter.metadata.ownerReferences).toBeUndefined();
    expect(podAfter.status).toMatchObject({ phase: 'Running' });
  });

  it('of a custom resource changes the status and nothing else', async () => {
    await sandbox.api.create(refs.crds, {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    const gadgets = { group: 'example.com', version: 'v1', plural: 'gadgets' };
    const created = await sandbox.api.create(gadgets, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default', labels: { a: 'b' } }, spec: { replicas: 1 } });
    const after = await sandbox.api.update(gadgets, edited(created, { ready: true }), { subresource: 'status' });
    expect(after.metadata.labels).toEqual({ a: 'b' });
    expect(after.metadata.annotations).toBeUndefined();
    expect(after.metadata.ownerReferences).toBeUndefined();
    expect(after.metadata.generation).toBe(1);
    expect(after.spec).toEqual({ replicas: 1 });
    expect(after.status).toEqual({ ready: true });
  });

  it('of a CustomResourceDefinition ignores labels, annotations and owner references', async () => {
    const crd = await sandbox.api.get(refs.crds, undefined, 'gadgets.example.com');
    const after = await sandbox.api.update(refs.crds, {
      ...crd, metadata: { ...crd.metadata, labels: { x: 'y' }, annotations: { a: 'b' }, ownerReferences: [owner] }, status: { ...(crd.status as object) },
    }, { subresource: 'status' });
    expect(after.metadata.labels).toBeUndefined();
    expect(after.metadata.annotations).toBeUndefined();
    expect(after.metadata.ownerReferences).toBeUndefined();
  });
});
