// SPDX-License-Identifier: Apache-2.0
// Access reviews (authorization.k8s.io/v1) at the wire, and `kubectl auth can-i` against the
// sandbox with every kubectl there is (the one on PATH or named by KUBECTL, `.tools/kubectl`,
// Debian's 1.20): for a ServiceAccount's token, and for the admin acting `--as` that ServiceAccount.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlsToTest } from '../../../cluster/scripts/tools.js';
import { startSandbox, type Sandbox } from '../index.js';
import { raw } from '../testing.js';
import { decodeProtobuf, PROTOBUF } from './protobuf.js';

const run = promisify(execFile);
const REVIEWS = '/apis/authorization.k8s.io/v1';
const ROBOT = 'system:serviceaccount:default:robot';

let sandbox: Sandbox;
let token: string;
beforeAll(async () => {
  sandbox = await startSandbox({ controllers: false });
  const create = async (path: string, body: unknown) => {
    const res = await raw(sandbox, 'POST', path, { body });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${res.text}`);
  };
  await create('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  await create('/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm-reader' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
  });
  await create('/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'robot-cm' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'robot' }],
  });
  token = sandbox.serviceAccountToken('default', 'robot')!;
});
afterAll(async () => {
  await sandbox?.stop();
});

const ssar = (spec: Record<string, unknown>) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec });

describe('SelfSubjectAccessReview', () => {
  it("answers a ServiceAccount's questions about itself with RBAC's decision and reason (201, nothing stored)", async () => {
    const yes = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectaccessreviews`, { token, body: ssar({ resourceAttributes: { namespace: 'default', verb: 'list', resource: 'configmaps' } }) });
    expect(yes.status).toBe(201);
    expect(yes.json()).toEqual({
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'configmaps' } },
      status: { allowed: true, reason: 'RBAC: allowed by RoleBinding "robot-cm/default" of Role "cm-reader" to ServiceAccount "robot/default"' },
    });
    const no = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectaccessreviews`, { token, body: ssar({ resourceAttributes: { namespace: 'default', verb: 'watch', resource: 'configmaps' } }) });
    expect(no.json()).toMatchObject({ status: { allowed: false } });
    expect(no.json<{ status: object }>().status).not.toHaveProperty('reason');
    const path = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectaccessreviews`, { token, body: ssar({ nonResourceAttributes: { path: '/apis', verb: 'get' } }) });
    expect(path.json()).toMatchObject({ status: { allowed: true, reason: expect.stringContaining('ClusterRole "system:discovery"') } });
    // The admin may do anything; the review says so without a reason.
    const admin = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectaccessreviews`, { body: ssar({ resourceAttributes: { verb: 'delete', group: 'apps', resource: 'deployments' } }) });
    expect(admin.json()).toMatchObject({ status: { allowed: true } });
    expect((await raw(sandbox, 'GET', `${REVIEWS}/selfsubjectaccessreviews`)).status).toBe(405);
  });

  it('refuses a question that is not exactly one of resource or non-resource attributes (422)', async () => {
    const neither = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectaccessreviews`, { token, body: ssar({}) });
    expect(neither.status).toBe(422);
    expect(neither.json()).toMatchObject({
      reason: 'Invalid',
      message: 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      details: { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' },
    });
    const both = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectaccessreviews`, { token, body: ssar({ resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/x', verb: 'get' } }) });
    expect(both.json()).toMatchObject({
      code: 422,
      message: 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in combination with resourceAttributes',
    });
  });

  it('is read from protobuf too, which kubectl 1.32 sends', async () => {
    const attrs = new BinaryWriter().uint32((1 << 3) | 2).string('default').uint32((2 << 3) | 2).string('list').uint32((5 << 3) | 2).string('configmaps').finish();
    const spec = new BinaryWriter().uint32((1 << 3) | 2).bytes(attrs).finish();
    const status = new BinaryWriter().uint32((1 << 3) | 0).bool(false).finish();
    const review = new BinaryWriter().uint32((1 << 3) | 2).bytes(new Uint8Array()).uint32((2 << 3) | 2).bytes(spec).uint32((3 << 3) | 2).bytes(status).finish();
    const unknown = new BinaryWriter();
    unknown.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string('authorization.k8s.io/v1').uint32((2 << 3) | 2).string('SelfSubjectAccessReview').join();
    unknown.uint32((2 << 3) | 2).bytes(review);
    const body = Buffer.concat([Buffer.from('k8s\u0000', 'latin1'), Buffer.from(unknown.finish())]);
    expect(decodeProtobuf(body)).toMatchObject({ spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'configmaps' } } });
    const res = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectaccessreviews`, { token, body, contentType: PROTOBUF });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'configmaps' } }, status: { allowed: true } });
  });
});

describe('SelfSubjectRulesReview', () => {
  it("lists the rules that apply in a namespace, and needs one", async () => {
    const res = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectrulesreviews`, { token, body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } } });
    expect(res.status).toBe(201);
    const review = res.json<{ spec: object; status: { resourceRules: object[]; nonResourceRules: { nonResourceURLs: string[] }[]; incomplete: boolean } }>();
    expect(review.spec).toEqual({});
    expect(review.status.incomplete).toBe(false);
    expect(review.status.resourceRules).toContainEqual({ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] });
    expect(review.status.resourceRules).toContainEqual({ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] });
    expect(review.status.nonResourceRules.flatMap((r) => r.nonResourceURLs)).toContain('/apis/*');
    const elsewhere = await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectrulesreviews`, { token, body: { spec: { namespace: 'kube-system' } } });
    expect(elsewhere.json<typeof review>().status.resourceRules).not.toContainEqual(expect.objectContaining({ resources: ['configmaps'] }));
    expect((await raw(sandbox, 'POST', `${REVIEWS}/selfsubjectrulesreviews`, { token, body: { spec: {} } })).json()).toMatchObject({ code: 400, message: 'no namespace on request' });
  });
});

describe('SubjectAccessReview and LocalSubjectAccessReview', () => {
  const sar = (spec: Record<string, unknown>) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });

  it('answer for the user and groups the spec names, to whoever may create them (the admin here)', async () => {
    const res = await raw(sandbox, 'POST', `${REVIEWS}/subjectaccessreviews`, {
      body: sar({ user: ROBOT, groups: ['system:serviceaccounts', 'system:authenticated'], resourceAttributes: { namespace: 'default', verb: 'get', resource: 'configmaps', name: 'x' } }),
    });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({
      spec: { user: ROBOT, groups: ['system:serviceaccounts', 'system:authenticated'], resourceAttributes: { namespace: 'default', verb: 'get', resource: 'configmaps', name: 'x' } },
      status: { allowed: true },
    });
    // No group is added for the subject: without system:authenticated, not even discovery.
    const bare = await raw(sandbox, 'POST', `${REVIEWS}/subjectaccessreviews`, { body: sar({ user: ROBOT, nonResourceAttributes: { path: '/apis', verb: 'get' } }) });
    expect(bare.json()).toMatchObject({ status: { allowed: false } });
    const nobody = await raw(sandbox, 'POST', `${REVIEWS}/subjectaccessreviews`, { body: sar({ nonResourceAttributes: { path: '/apis', verb: 'get' } }) });
    expect(nobody.json()).toMatchObject({ code: 422, message: expect.stringContaining('spec.user: Invalid value: "": at least one of user or group must be specified') });
    // A ServiceAccount is not granted SubjectAccessReviews by default.
    expect((await raw(sandbox, 'POST', `${REVIEWS}/subjectaccessreviews`, { token, body: sar({ user: 'x', nonResourceAttributes: { path: '/', verb: 'get' } }) })).json()).toMatchObject({
      code: 403, message: expect.stringContaining('cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope'),
    });
  });

  it('LocalSubjectAccessReview: the question must be about its own namespace', async () => {
    const lsar = (namespace: string) => ({
      apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: 'default' },
      spec: { user: ROBOT, resourceAttributes: { namespace, verb: 'list', resource: 'configmaps' } },
    });
    const ok = await raw(sandbox, 'POST', `${REVIEWS}/namespaces/default/localsubjectaccessreviews`, { body: lsar('default') });
    expect(ok.status).toBe(201);
    expect(ok.json()).toMatchObject({ metadata: { namespace: 'default' }, status: { allowed: true } });
    expect((await raw(sandbox, 'POST', `${REVIEWS}/namespaces/default/localsubjectaccessreviews`, { body: lsar('other') })).json()).toMatchObject({
      code: 422, message: 'LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace',
    });
  });

  it('appear in discovery as create-only types of authorization.k8s.io/v1', async () => {
    const list = (await raw(sandbox, 'GET', REVIEWS)).json<{ resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[] }>();
    expect(list.resources.map((r) => [r.name, r.namespaced, r.verbs])).toEqual([
      ['localsubjectaccessreviews', true, ['create']],
      ['selfsubjectaccessreviews', false, ['create']],
      ['selfsubjectrulesreviews', false, ['create']],
      ['subjectaccessreviews', false, ['create']],
    ]);
    const groups = (await raw(sandbox, 'GET', '/apis')).json<{ groups: { name: string }[] }>().groups.map((g) => g.name);
    expect(groups).toContain('authorization.k8s.io');
  });
});

/** Every kubectl to try, one per version (as test/contract/kubectl.test.ts finds them). */
function kubectls(): { bin: string; version: string }[] {
  const found = kubectlsToTest();
  if (found.length === 0) console.log('authz-reviews.test.ts: kubectl tests skipped, no kubectl runs here (install kubectl, or set KUBECTL to a kubectl binary)');
  return found.map((k) => ({ bin: k.path, version: k.version }));
}

describe.each(kubectls())('kubectl $version auth can-i', ({ bin }) => {
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'seldon-lab-can-i-'));
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  /** stdout and exit code: `yes` is 0, `no` is 1. */
  async function canI(...args: string[]): Promise<{ out: string; code: number }> {
    const r = await run(bin, ['--kubeconfig', sandbox.kubeconfigPath, '--cache-dir', cacheDir, 'auth', 'can-i', ...args]).catch((e: { stdout: string; code: number }) => e);
    return { out: r.stdout.trim(), code: (r as { code?: number }).code ?? 0 };
  }

  it("answers for a ServiceAccount's token", async () => {
    expect(await canI('--token', token, 'list', 'configmaps', '-n', 'default')).toEqual({ out: 'yes', code: 0 });
    expect(await canI('--token', token, 'watch', 'configmaps', '-n', 'default')).toEqual({ out: 'no', code: 1 });
    expect(await canI('--token', token, 'list', 'configmaps', '-n', 'kube-system')).toEqual({ out: 'no', code: 1 });
    expect(await canI('--token', token, 'get', '/apis')).toEqual({ out: 'yes', code: 0 });
  });

  it('answers for the ServiceAccount the admin impersonates with --as', async () => {
    expect(await canI('list', 'secrets', '-n', 'default')).toEqual({ out: 'yes', code: 0 });
    expect(await canI(`--as=${ROBOT}`, 'list', 'secrets', '-n', 'default')).toEqual({ out: 'no', code: 1 });
    expect(await canI(`--as=${ROBOT}`, 'get', 'configmaps', '-n', 'default')).toEqual({ out: 'yes', code: 0 });
  });

  it('lists what the ServiceAccount may do in a namespace (--list)', async () => {
    const { out } = await canI('--token', token, '--list', '-n', 'default');
    expect(out.split('\n').find((line) => line.startsWith('configmaps '))).toMatch(/\[get list\]\s*$/);
    expect(out).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io/);
  });
}, 60_000);
