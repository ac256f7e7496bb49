// SPDX-License-Identifier: Apache-2.0
// Every refusal is a `Status` object (reference §1.7): the HTTP code, the reason a client switches
// on, the message a person reads and the details a tool uses. These are the bodies client-node,
// kubectl and helm print, so the sandbox must answer exactly as kube-apiserver does.
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE, startContractCluster, type ContractCluster } from './cluster.js';
import { failure } from './support.js';

let cluster: ContractCluster;
let core: CoreV1Api;
let ns: string;

const RFC1123 = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

beforeAll(async () => {
  cluster = await startContractCluster('errors');
  core = cluster.kc.makeApiClient(CoreV1Api);
  ns = cluster.namespace;
});
afterAll(async () => {
  await cluster?.stop();
});

const FAILURE = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' };

describe('Status bodies of errors', () => {
  it('404 NotFound names the resource, with its group when it has one', async () => {
    const missing = await failure(core.readNamespacedConfigMap({ name: 'missing', namespace: ns }));
    expect(missing.code).toBe(404);
    expect(missing.status).toEqual({ ...FAILURE, message: 'configmaps "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'configmaps' }, code: 404 });

    const apps = cluster.kc.makeApiClient(AppsV1Api);
    const deployment = await failure(apps.readNamespacedDeployment({ name: 'iris-default', namespace: ns }));
    expect(deployment.status).toEqual({ ...FAILURE, message: 'deployments.apps "iris-default" not found', reason: 'NotFound', details: { name: 'iris-default', group: 'apps', kind: 'deployments' }, code: 404 });
  });

  it('404 for a namespace that does not exist', async () => {
    const failed = await failure(core.createNamespacedConfigMap({ namespace: `nowhere-${cluster.id}`, body: { metadata: { name: 'x' } } }));
    expect(failed.code).toBe(404);
    expect(failed.status).toMatchObject({ ...FAILURE, reason: 'NotFound', message: `namespaces "nowhere-${cluster.id}" not found`, details: { name: `nowhere-${cluster.id}`, kind: 'namespaces' } });
  });

  it('404 "the server could not find the requested resource" for a resource no group serves', async () => {
    const custom = cluster.kc.makeApiClient(CustomObjectsApi);
    const failed = await failure(custom.listNamespacedCustomObject({ group: 'apps', version: 'v1', namespace: ns, plural: 'nonsenses' }));
    expect(failed.code).toBe(404);
    expect(failed.status).toMatchObject({ ...FAILURE, reason: 'NotFound', message: 'the server could not find the requested resource', code: 404 });
  });

  it('409 AlreadyExists on a second create', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'twice' } } });
    const failed = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'twice' } } }));
    expect(failed.code).toBe(409);
    expect(failed.status).toEqual({ ...FAILURE, message: 'configmaps "twice" already exists', reason: 'AlreadyExists', details: { name: 'twice', kind: 'configmaps' }, code: 409 });
  });

  it('409 Conflict when an update carries a stale resourceVersion', async () => {
    const first = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'stale' }, data: { v: '1' } } });
    await core.replaceNamespacedConfigMap({ name: 'stale', namespace: ns, body: { ...first, data: { v: '2' } } });
    const failed = await failure(core.replaceNamespacedConfigMap({ name: 'stale', namespace: ns, body: { ...first, data: { v: '3' } } }));
    expect(failed.code).toBe(409);
    expect(failed.status).toEqual({
      ...FAILURE,
      message: 'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again',
      reason: 'Conflict', details: { name: 'stale', kind: 'configmaps' }, code: 409,
    });
    expect((await core.readNamespacedConfigMap({ name: 'stale', namespace: ns })).data).toEqual({ v: '2' });
  });

  it('422 Invalid with one cause per field for a name that is not a DNS subdomain', async () => {
    const failed = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'Bad_Name' } } }));
    expect(failed.code).toBe(422);
    expect(failed.status).toEqual({
      ...FAILURE,
      message: `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${RFC1123}`,
      reason: 'Invalid',
      details: { name: 'Bad_Name', kind: 'ConfigMap', causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${RFC1123}`, field: 'metadata.name' }] },
      code: 422,
    });
  });

  it('400 BadRequest for a JSON patch whose body is an object, not a list of operations', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'json-patch' } } });
    const failed = await failure(core.patchNamespacedConfigMap({ name: 'json-patch', namespace: ns, body: { data: { a: '1' } } }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)));
    expect(failed.code).toBe(400);
    expect(failed.status).toMatchObject({ ...FAILURE, reason: 'BadRequest', code: 400 });
    expect(failed.status.message).toContain('cannot unmarshal object into Go value of type');
  });

  it('422 for a JSON patch whose test operation fails, and nothing changes', async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'json-test' }, data: { a: '1' } } });
    const failed = await failure(core.patchNamespacedConfigMap({
      name: 'json-test', namespace: ns,
      body: [{ op: 'test', path: '/data/a', value: '2' }, { op: 'replace', path: '/data/a', value: '3' }],
    }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)));
    expect(failed.code).toBe(422);
    expect(failed.status).toMatchObject({ ...FAILURE, reason: 'Invalid', code: 422 });
    expect((await core.readNamespacedConfigMap({ name: 'json-test', namespace: ns })).data).toEqual({ a: '1' });
  });

  describe('on a custom resource', () => {
    let custom: CustomObjectsApi;
    let base: { group: string; version: string; namespace: string; plural: string };
    beforeAll(async () => {
      const crd: V1CustomResourceDefinition = {
        apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
        metadata: { name: `gadgets.${cluster.group}` },
        spec: {
          group: cluster.group, scope: 'Namespaced',
          names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      };
      await cluster.createCrd(crd);
      custom = cluster.kc.makeApiClient(CustomObjectsApi);
      base = { group: cluster.group, version: 'v1', namespace: ns, plural: 'gadgets' };
    });

    it('404 names the plural and the group', async () => {
      const failed = await failure(custom.getNamespacedCustomObject({ ...base, name: 'nope' }));
      expect(failed.status).toEqual({ ...FAILURE, message: `gadgets.${cluster.group} "nope" not found`, reason: 'NotFound', details: { name: 'nope', group: cluster.group, kind: 'gadgets' }, code: 404 });
    });

    it('422 for an update without metadata.resourceVersion (no unconditional updates of custom resources)', async () => {
      await custom.createNamespacedCustomObject({ ...base, body: { apiVersion: `${cluster.group}/v1`, kind: 'Gadget', metadata: { name: 'put' }, spec: { a: 1 } } });
      const failed = await failure(custom.replaceNamespacedCustomObject({ ...base, name: 'put', body: { apiVersion: `${cluster.group}/v1`, kind: 'Gadget', metadata: { name: 'put' }, spec: { a: 2 } } }));
      expect(failed.code).toBe(422);
      expect(failed.status).toMatchObject({
        ...FAILURE, reason: 'Invalid', code: 422,
        message: `Gadget.${cluster.group} "put" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
        details: { name: 'put', group: cluster.group, kind: 'Gadget', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }] },
      });
    });

    it('answers a delete with the deleted object (custom resources) or a Success Status (configmaps)', async () => {
      const deleted = await custom.deleteNamespacedCustomObject({ ...base, name: 'put' }) as { kind?: string; metadata?: { name?: string } };
      expect(deleted).toMatchObject({ kind: 'Gadget', metadata: { name: 'put' } });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'to-delete' } } });
      const status = await core.deleteNamespacedConfigMap({ name: 'to-delete', namespace: ns });
      expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: 'to-delete', kind: 'configmaps' } });
    });
  });

  it.skipIf(LIVE)('401 Unauthorized without valid credentials (sandbox only: real clusters may allow anonymous requests, then answer 403)', async () => {
    const anonymous = new KubeConfig();
    const server = cluster.kc.getCurrentCluster()!;
    anonymous.loadFromOptions({
      clusters: [server],
      users: [{ name: 'intruder', token: 'not-the-token' }],
      contexts: [{ name: 'intruder', cluster: server.name, user: 'intruder' }],
      currentContext: 'intruder',
    });
    const failed = await failure(anonymous.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns }));
    // (client-node throws 401 without its body; lib/sandbox/apiserver/server.test.ts checks the body.)
    expect(failed.code).toBe(401);
  });
});
