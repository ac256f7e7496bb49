// SPDX-License-Identifier: Apache-2.0
// The operator's Helm chart (cluster/charts/seldon-lab-operator), checked the way a cluster would
// check it and a reviewer would read it:
//
//   - `helm lint --strict`, and `helm template` output validated against Kubernetes' own schemas
//     (kubernetes-models) and field names (client-node's models: a misspelt securityContext field
//     would otherwise be dropped silently by the API server);
//   - values.schema.json refusing bad values, kubeVersion refusing old clusters;
//   - the pod hardening (the "restricted" Pod Security Standard and more);
//   - the operator configuration in the ConfigMap, which the operator's own parser must accept;
//   - least privilege: every request the operator makes in a recorded run on the sandbox is allowed
//     by the chart's RBAC, and every permission the chart grants is used in that run;
//   - `helm install` into the sandbox.
//
// helm is .tools/helm (cluster/tools/tools.ts fetches it), or helm on the PATH; without it the
// helm-based tests are skipped with the reason printed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import * as apiextensionsV1 from 'kubernetes-models/apiextensions.k8s.io/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { OPERATOR_USAGE } from '../lib/operator/cli.js';
import { parseOperatorConfig, type OperatorConfig } from '../lib/operator/config.js';
import { startOperator } from '../lib/operator/controller.js';
import { render } from '../lib/operator/render.js';
import { startTestCluster, waitFor, type TestCluster } from '../lib/operator/testing/sandbox-cluster.js';
import type { KubeObject, SeldonDeployment } from '../lib/operator/types.js';
import { fromRoot } from '../lib/paths.js';
import { refs, startSandbox, type KubeObject as ApiObject, type Sandbox } from '../lib/sandbox/index.js';
import { ensureTool } from '../cluster/tools/tools.js';
import { splitImage } from '../cluster/scripts/images.js';
import { allowed, grantedKeys, permissionKey, requestAttributes, type Grant, type PolicyRule, type RequestAttributes } from '../cluster/scripts/rbac.js';
import { findTool } from '../cluster/scripts/tools.js';

const CHART = fromRoot('cluster', 'charts', 'seldon-lab-operator');
const NAMESPACE = 'seldon-system';
const RELEASE = 'seldon-lab-operator';
const pinned = JSON.parse(readFileSync(fromRoot('cluster', 'images.json'), 'utf8')) as { operator: string; modelServer: string };

/** helm, found or fetched once; the reason when neither works. */
let helmPath: string | undefined;
let helmMissing = '';
async function locateHelm(): Promise<void> {
  helmPath = findTool('helm')?.path;
  if (helmPath) return;
  try {
    helmPath = await ensureTool('helm');
  } catch (error) {
    helmMissing = `helm is not in .tools/ or on the PATH, and fetching it failed: ${(error as Error).message.split('\n')[0]}`;
    console.warn(`[chart.test] helm tests skipped: ${helmMissing}. Run: npx tsx cluster/tools/tools.ts helm`);
  }
}
await locateHelm();

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'seldon-lab-chart-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function helm(args: string[], kubeconfig?: string) {
  return execa(helmPath!, args, { reject: false, env: { HELM_CACHE_HOME: join(workDir, 'cache'), HELM_CONFIG_HOME: join(workDir, 'config'), HELM_DATA_HOME: join(workDir, 'data'), ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}) } });
}

let valuesCount = 0;
function valuesFile(values: object): string {
  const file = join(workDir, `values-${valuesCount++}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

/** `helm template` with these values; the objects, or the error helm printed. */
async function template(values: object = {}, kubeVersion = '1.30.0'): Promise<{ objects: KubeObject[]; error?: string }> {
  const r = await helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, '--kube-version', kubeVersion, '--include-crds', '--values', valuesFile(values)]);
  if (r.exitCode !== 0) return { objects: [], error: r.stderr };
  const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject).filter(Boolean);
  return { objects };
}

async function rendered(values: object = {}): Promise<KubeObject[]> {
  const { objects, error } = await template(values);
  if (error) throw new Error(`helm template failed: ${error}`);
  return objects;
}

const find = (objects: KubeObject[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const all = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
type PodSpec = k8s.V1PodSpec;
const podSpec = (objects: KubeObject[]) => (find(objects, 'Deployment') as unknown as k8s.V1Deployment).spec!.template.spec as PodSpec;
const operatorContainer = (objects: KubeObject[]) => podSpec(objects).containers[0];
const args = (objects: KubeObject[]) => operatorContainer(objects).args ?? [];
const operatorConfig = (objects: KubeObject[]): unknown => parseYaml((find(objects, 'ConfigMap')!.data as Record<string, string>)['operator-config.yaml']);

/** The kubernetes-models modules of the API groups the chart renders. */
const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'apiextensions.k8s.io/v1': apiextensionsV1,
};

/** Kubernetes' JSON schemas for one object (kubernetes-models): types, required fields, enums. */
async function validateWithKubernetesModels(obj: KubeObject): Promise<void> {
  const Model = MODELS[obj.apiVersion]?.[obj.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) throw new Error(`kubernetes-models has no ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

/**
 * Field names the Kubernetes type does not have, found through client-node's generated models
 * (their attribute maps follow the OpenAPI schema). The API server drops unknown fields of
 * built-in types with only a warning, so `readOnlyRootFileSystem: true` would quietly do nothing.
 */
function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1], `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value as object).flatMap(([k, v]) => unknownFields(v, map[1], `${path}.${k}`));
  const model = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => { baseName: string; type: string }[] }>)[type];
  if (!model?.getAttributeTypeMap || typeof value !== 'object') return [];
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value as object).flatMap(([k, v]) => (attributes.has(k) ? unknownFields(v, attributes.get(k)!, `${path}.${k}`) : [`${path}.${k}`]));
}

describe.skipIf(!helmPath)(`the operator chart${helmPath ? '' : ` (skipped: ${helmMissing})`}`, () => {
  it('passes helm lint --strict, with the defaults and with other values', async () => {
    for (const set of [[], ['--set', 'replicas=2,config.ingress=none'], ['--set', 'watchNamespace=models,leaderElection.enabled=false']]) {
      const r = await helm(['lint', CHART, '--strict', ...set]);
      expect(r.exitCode, `${set.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('0 chart(s) failed');
    }
  });

  it('renders objects that Kubernetes\' schemas accept, with no unknown fields', async () => {
    const objects = await rendered();
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'CustomResourceDefinition', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount'],
    );
    for (const obj of objects) {
      await expect(validateWithKubernetesModels(obj), `${obj.kind} ${obj.metadata.name}`).resolves.toBeUndefined();
      const type = obj.kind === 'CustomResourceDefinition' ? 'V1CustomResourceDefinition' : `V1${obj.kind}`;
      expect(unknownFields(obj, type, obj.kind), `${obj.kind} ${obj.metadata.name}`).toEqual([]);
    }
  });

  it('finds unknown fields and invalid values (the checks above can fail)', async () => {
    const objects = await rendered();
    const deployment = structuredClone(find(objects, 'Deployment')!) as unknown as k8s.V1Deployment;
    (deployment.spec!.template.spec!.containers[0].securityContext as Record<string, unknown>).readOnlyRootFileSystem = true;
    expect(unknownFields(deployment, 'V1Deployment', 'Deployment')).toEqual(['Deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem']);
    (deployment.spec!.template.spec!.containers[0].ports![0] as unknown as Record<string, unknown>).containerPort = 'health';
    await expect(validateWithKubernetesModels(deployment as unknown as KubeObject)).rejects.toThrow(/containerPort/);
  });

  it('labels every object and puts the namespaced ones in the release namespace', async () => {
    for (const obj of await rendered()) {
      if (obj.kind === 'CustomResourceDefinition') continue;
      expect(obj.metadata.labels, `${obj.kind} ${obj.metadata.name}`).toMatchObject({
        'app.kubernetes.io/name': 'seldon-lab-operator', 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/managed-by': 'Helm',
      });
      const clusterScoped = ['ClusterRole', 'ClusterRoleBinding'].includes(obj.kind);
      expect(obj.metadata.namespace, `${obj.kind} ${obj.metadata.name}`).toBe(clusterScoped ? undefined : NAMESPACE);
    }
  });

  it('refuses clusters older than Kubernetes 1.25 (kubeVersion)', async () => {
    const { error } = await template({}, '1.24.9');
    expect(error).toMatch(/kubeVersion: >=1\.25\.0-0 which is incompatible with Kubernetes v1\.24\.9/);
    expect((await template({}, '1.25.0')).error).toBeUndefined();
  });

  it.each([
    [{ config: { ingress: 'nginx' } }, /config\.ingress/],
    [{ replicas: 0 }, /replicas/],
    [{ health: { port: 80 } }, /health\.port/],
    [{ replica: 2 }, /replica/],
    [{ watchNamespace: 'Not_A_Namespace' }, /watchNamespace/],
    [{ images: { operator: { repository: '' } } }, /images\.operator\.repository/],
  ])('refuses bad values before rendering: %j', async (values, message) => {
    const { error } = await template(values);
    expect(error).toMatch(/values don't meet the specifications of the schema/);
    expect(error).toMatch(message);
  });

  it('runs the operator as a hardened pod (restricted Pod Security Standard and more)', async () => {
    const objects = await rendered();
    const pod = podSpec(objects);
    const c = operatorContainer(objects);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toEqual({
      runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    expect(pod.volumes!.every((v) => v.configMap || v.emptyDir)).toBe(true);
    // The only writable place is a small /tmp.
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }, { name: 'config', mountPath: '/etc/seldon-lab', readOnly: true }]));
    expect(pod.volumes!.find((v) => v.name === 'tmp')!.emptyDir!.sizeLimit).toBeDefined();
    // Resources: requests for scheduling, a memory limit, and Node's heap below that limit.
    expect(c.resources!.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources!.limits!.memory).toBe('256Mi');
    expect(c.env!.find((e) => e.name === 'NODE_OPTIONS')!.value).toBe('--max-old-space-size=160');
  });

  it('probes the operator\'s health port, which the container declares', async () => {
    const c = operatorContainer(await rendered({ health: { port: 9440 } }));
    expect(c.ports).toEqual([{ name: 'health', containerPort: 9440, protocol: 'TCP' }]);
    expect(c.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(c.startupProbe!.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(c.args).toContain('--health-port=9440');
  });

  it('passes the operator only flags that `seldon-lab operator` accepts', async () => {
    const flags = args(await rendered({ replicas: 2, watchNamespace: 'models' })).map((a) => a.split('=')[0]);
    expect(flags.sort()).toEqual(['--config', '--health-port', '--leader-elect', '--namespace', '--workers']);
    const accepted = [...OPERATOR_USAGE.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(flags.filter((f) => !accepted.includes(f)), `flags the chart passes that the operator CLI does not know (lib/operator/cli.ts)`).toEqual([]);
  });

  it('mounts the ConfigMap where --config points, and restarts the pod when the configuration changes', async () => {
    const objects = await rendered();
    const configArg = args(objects).find((a) => a.startsWith('--config='))!.slice('--config='.length);
    const mount = operatorContainer(objects).volumeMounts!.find((m) => m.name === 'config')!;
    const volume = podSpec(objects).volumes!.find((v) => v.name === 'config')!;
    expect(configArg).toBe(`${mount.mountPath}/operator-config.yaml`);
    expect(volume.configMap!.name).toBe(find(objects, 'ConfigMap')!.metadata.name);
    const checksum = (o: KubeObject[]) => (find(o, 'Deployment') as unknown as k8s.V1Deployment).spec!.template.metadata!.annotations!['checksum/config'];
    expect(checksum(await rendered({ config: { ingress: 'none' } }))).not.toBe(checksum(objects));
    expect(checksum(await rendered({ replicas: 2 }))).toBe(checksum(objects));
  });

  it('writes an operator configuration the operator accepts, with the pinned images', async () => {
    const config = parseOperatorConfig(operatorConfig(await rendered()), 'the chart\'s ConfigMap');
    const kit = splitImage(pinned.modelServer);
    for (const implementation of ['SKLEARN_SERVER', 'XGBOOST_SERVER']) {
      expect(config.predictorServers[implementation].protocols.seldon).toEqual({
        image: kit.repository, defaultImageVersion: kit.tag, args: ['--implementation', implementation],
      });
    }
    expect(config.storageInitializer).toMatchObject({ image: pinned.modelServer, command: ['seldon-lab', 'storage-init'], cpuLimit: '1' });
    expect(config.ingress).toBe('ambassador-v3alpha1');
    // Apart from the images, the same as the configuration the operator uses outside a cluster.
    const local = parseOperatorConfig(parseYaml(readFileSync(fromRoot('cluster', 'operator-config.yaml'), 'utf8')));
    const withoutImages = (c: OperatorConfig) => ({ ...c, predictorServers: Object.keys(c.predictorServers).sort(), storageInitializer: { ...c.storageInitializer, image: undefined, command: undefined } });
    expect(withoutImages(config)).toEqual(withoutImages(local));
  });

  it('keeps the values people set: Seldon\'s own images, another flavour, quantities as numbers', async () => {
    const config = parseOperatorConfig(operatorConfig(await rendered({
      config: {
        ingress: 'ambassador-v2',
        predictorServers: { SKLEARN_SERVER: { protocols: { seldon: { image: 'seldonio/sklearnserver', defaultImageVersion: '1.11.0', args: [] } } } },
        storageInitializer: { image: 'seldonio/rclone-storage-initializer:1.11.0', command: [], cpuLimit: 2 },
      },
    })));
    expect(config.ingress).toBe('ambassador-v2');
    expect(config.predictorServers.SKLEARN_SERVER.protocols.seldon).toMatchObject({ image: 'seldonio/sklearnserver', defaultImageVersion: '1.11.0' });
    expect(config.storageInitializer).toMatchObject({ image: 'seldonio/rclone-storage-initializer:1.11.0', cpuLimit: '2' });
  });

  it('runs the images pinned in cluster/images.json, and its defaults say the same', async () => {
    expect(operatorContainer(await rendered()).image).toBe(pinned.operator);
    const values = parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as { images: Record<string, { repository: string; tag: string }> };
    const chart = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    for (const key of ['operator', 'modelServer'] as const) {
      expect(`${values.images[key].repository}:${values.images[key].tag}`).toBe(pinned[key]);
      expect(splitImage(pinned[key]).tag).toBe(chart.appVersion);
    }
    expect(operatorContainer(await rendered({ images: { operator: { repository: 'example.org/op', tag: '' } } })).image).toBe(`example.org/op:${chart.appVersion}`);
  });

  it('elects a leader by default, and always with more than one replica', async () => {
    const lease = (o: KubeObject[]) => find(o, 'Role', `${RELEASE}-leader-election`);
    const strategy = (o: KubeObject[]) => (find(o, 'Deployment') as unknown as k8s.V1Deployment).spec!.strategy;
    const byDefault = await rendered();
    expect(args(byDefault)).toContain('--leader-elect');
    expect(lease(byDefault)).toBeDefined();
    expect(strategy(byDefault)).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });

    const single = await rendered({ leaderElection: { enabled: false } });
    expect(args(single)).not.toContain('--leader-elect');
    expect(lease(single)).toBeUndefined();
    expect(strategy(single)).toEqual({ type: 'Recreate' });

    const two = await rendered({ leaderElection: { enabled: false }, replicas: 2 });
    expect(args(two)).toContain('--leader-elect');
    expect(lease(two)).toBeDefined();
    expect((find(two, 'Deployment') as unknown as k8s.V1Deployment).spec!.replicas).toBe(2);
  });

  it('limits the Lease permissions to its own namespace and its own Lease', async () => {
    const objects = await rendered();
    const role = find(objects, 'Role', `${RELEASE}-leader-election`) as unknown as k8s.V1Role;
    expect(role.metadata!.namespace).toBe(NAMESPACE);
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['seldon-lab-operator'], verbs: ['get', 'update'] },
    ]);
    // The ClusterRole has nothing on Leases.
    expect(grantedKeys((find(objects, 'ClusterRole') as unknown as k8s.V1ClusterRole).rules as PolicyRule[]).filter((k) => k.includes('leases'))).toEqual([]);
  });

  it('grants nothing cluster-wide when it watches one namespace', async () => {
    const objects = await rendered({ watchNamespace: 'models' });
    expect(all(objects, 'ClusterRole')).toEqual([]);
    expect(all(objects, 'ClusterRoleBinding')).toEqual([]);
    const role = find(objects, 'Role', RELEASE)!;
    const binding = find(objects, 'RoleBinding', RELEASE) as unknown as k8s.V1RoleBinding;
    expect(role.metadata.namespace).toBe('models');
    expect(binding.metadata!.namespace).toBe('models');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: RELEASE });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: RELEASE, namespace: NAMESPACE }]);
    expect(args(objects)).toContain('--namespace=models');
  });

  it('drops the Mapping permissions when there is no ingress', async () => {
    const keys = (o: KubeObject[]) => grantedKeys((find(o, 'ClusterRole') as unknown as k8s.V1ClusterRole).rules as PolicyRule[]);
    expect(keys(await rendered()).filter((k) => k.startsWith('getambassador.io/'))).toHaveLength(6);
    expect(keys(await rendered({ config: { ingress: 'ambassador-v2' } })).filter((k) => k.startsWith('getambassador.io/'))).toHaveLength(6);
    expect(keys(await rendered({ config: { ingress: 'none' } })).filter((k) => k.startsWith('getambassador.io/'))).toEqual([]);
  });

  it('grants no wildcard, no Secrets, no ConfigMaps, no CRDs and no update of children', async () => {
    const objects = await rendered();
    const rules = [...all(objects, 'ClusterRole'), ...all(objects, 'Role')].flatMap((r) => (r as unknown as k8s.V1Role).rules as PolicyRule[]);
    expect(JSON.stringify(rules)).not.toContain('*');
    const keys = grantedKeys(rules);
    for (const forbidden of ['core/secrets', 'core/configmaps', 'apiextensions.k8s.io/', 'rbac.authorization.k8s.io/', 'core/pods create', 'core/pods delete']) {
      expect(keys.filter((k) => k.startsWith(forbidden))).toEqual([]);
    }
    expect(keys.filter((k) => k.endsWith(' update'))).toEqual(['coordination.k8s.io/leases update', 'machinelearning.seldon.io/seldondeployments/finalizers update']);
  });
});

/**
 * Least privilege, measured: the operator runs on the sandbox through a scenario that makes it use
 * every kind of request it has (watch, create, read again after a conflict, merge-patch, delete a
 * stale child, write status, record events, elect a leader), while the API server records each
 * HTTP request. Then every recorded request must be allowed by the chart's RBAC, and every
 * permission the chart grants must have been used.
 */
describe.skipIf(!helmPath)('the chart\'s RBAC against the operator\'s own requests', () => {
  let cluster: TestCluster;
  const recorded: RequestAttributes[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.sandbox.api.create(refs.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    // The test acts through the in-process API (not recorded); the operator only over HTTP (recorded).
    const faults = cluster.sandbox.faults;
    const decide = faults.decide.bind(faults);
    faults.decide = (verb, method, path) => {
      const attributes = requestAttributes(verb, path);
      if (attributes) recorded.push(attributes);
      return decide(verb, method, path);
    };
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('allows every request of a full run, and grants nothing the run does not use', async () => {
    const objects = await rendered();
    const config = parseOperatorConfig(operatorConfig(objects));
    const SDEPS = { group: 'machinelearning.seldon.io', version: 'v1', plural: 'seldondeployments' };
    const MAPPINGS = { group: 'getambassador.io', version: 'v3alpha1', plural: 'mappings' };
    const api = cluster.sandbox.api;
    const sample = parseYaml(readFileSync(fromRoot('cluster', 'samples', 'sample.yaml'), 'utf8')) as SeldonDeployment;
    const named = (name: string): SeldonDeployment => ({ ...structuredClone(sample), metadata: { name, namespace: 'seldon' } });
    const state = async (name: string | undefined) => ((await api.get(SDEPS, 'seldon', name ?? '')) as unknown as SeldonDeployment).status?.state;
    const exists = async (ref: typeof MAPPINGS, name: string | undefined) => api.get(ref, 'seldon', name ?? '').then(() => true, () => false);

    // Objects in the way of three more SeldonDeployments: same names, not owned by them. The
    // operator's create answers AlreadyExists, it reads the object (get), sees it is not its own,
    // and reports Failed. One clash per kind of child, in the order the operator makes them.
    const clashes = { service: named('clash-service'), deployment: named('clash-deployment'), mapping: named('clash-mapping') };
    const strip = (o: KubeObject): ApiObject => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, namespace: 'seldon' }, spec: o.spec });
    const desired = (sdep: SeldonDeployment) => render({ ...sdep, metadata: { ...sdep.metadata, uid: 'u' } }, config);
    await api.create(refs.services, strip(desired(clashes.service).services[0] as KubeObject));
    await api.create(refs.deployments, strip(desired(clashes.deployment).deployments[0] as KubeObject));
    await api.create(MAPPINGS, strip(desired(clashes.mapping).mappings[0]));

    const operator = startOperator({
      kubeConfig: cluster.kc,
      config,
      log: () => {},
      leaderElection: { namespace: NAMESPACE, identity: 'rbac-test', retryPeriodSeconds: 0.1 },
    });
    try {
      await api.create(SDEPS, named('iris-model') as unknown as ApiObject);
      for (const sdep of Object.values(clashes)) await api.create(SDEPS, sdep as unknown as ApiObject);
      await waitFor('iris-model to be Available', async () => (await state('iris-model')) === 'Available');
      for (const sdep of Object.values(clashes)) await waitFor(`${sdep.metadata.name} to fail`, async () => (await state(sdep.metadata.name)) === 'Failed');

      // Children edited by hand: the operator merge-patches them back to what the spec says.
      const children = desired(named('iris-model'));
      const deploymentName = children.deployments[0].metadata!.name!;
      const serviceName = children.services[0].metadata!.name!;
      const mappingName = children.mappings[0].metadata.name;
      const merge = 'application/merge-patch+json';
      await api.patch(refs.deployments, 'seldon', deploymentName, { spec: { replicas: 3 } }, merge);
      await api.patch(refs.services, 'seldon', serviceName, { spec: { ports: [{ name: 'http', port: 8001, targetPort: 9000 }] } }, merge);
      await api.patch(MAPPINGS, 'seldon', mappingName, { spec: { prefix: '/edited-by-hand/' } }, merge);
      const spec = async (ref: typeof MAPPINGS, name: string) => (await api.get(ref, 'seldon', name)).spec as Record<string, unknown>;
      await waitFor('the hand edits to be undone', async () =>
        (await spec(refs.deployments, deploymentName)).replicas === 1 &&
        ((await spec(refs.services, serviceName)).ports as { port: number }[]).every((p) => p.port !== 8001) &&
        (await spec(MAPPINGS, mappingName)).prefix === '/seldon/seldon/iris-model/');

      // A renamed predictor: new children are created, the old ones are stale and deleted.
      const renamed = { ...structuredClone(sample.spec.predictors[0]), name: 'main' };
      const old = desired(named('iris-model'));
      await api.patch(SDEPS, 'seldon', 'iris-model', { spec: { predictors: [renamed] } }, 'application/merge-patch+json');
      await waitFor('the old predictor\'s children to be deleted', async () =>
        !(await exists(refs.deployments, old.deployments[0].metadata!.name!)) && !(await exists(MAPPINGS, old.mappings[0].metadata.name)));
      // The Lease is renewed (update) at least once.
      await waitFor('the Lease to be renewed', () => recorded.some((r) => r.resource === 'leases' && r.verb === 'update'));
    } finally {
      await operator.stop();
    }

    const granted: Grant[] = [
      { rules: (find(objects, 'ClusterRole') as unknown as k8s.V1ClusterRole).rules as PolicyRule[] },
      { rules: (find(objects, 'Role', `${RELEASE}-leader-election`) as unknown as k8s.V1Role).rules as PolicyRule[], namespace: NAMESPACE },
    ];
    const denied = recorded.filter((r) => !allowed(granted, r));
    expect(denied.map((r) => `${permissionKey(r)} ${r.namespace ?? ''}/${r.name ?? ''}`), 'requests the chart\'s RBAC would refuse').toEqual([]);

    const used = new Set(recorded.map(permissionKey));
    // The one grant no request uses: the OwnerReferencesPermissionEnforcement admission plugin
    // checks it when an object names an owner with blockOwnerDeletion, as every child does.
    expect(desired(named('iris-model')).deployments[0].metadata!.ownerReferences![0].blockOwnerDeletion).toBe(true);
    const admissionOnly = ['machinelearning.seldon.io/seldondeployments/finalizers update'];
    const unused = granted.flatMap((g) => grantedKeys(g.rules)).filter((k) => !used.has(k) && !admissionOnly.includes(k));
    expect(unused, `granted but never used in the run (used: ${[...used].sort().join(', ')})`).toEqual([]);
  }, 120_000);
});

/** `helm install` into the sandbox, exactly as into minikube: the same chart, the same helm. */
describe.skipIf(!helmPath)('helm install into the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const get = (ref: { group: string; version: string; plural: string }, namespace: string | undefined, name: string) =>
    sandbox.api.get(ref, namespace, name).then((o) => o, () => undefined);

  it('installs the CRD, the RBAC, the configuration and the operator Deployment, and upgrades them', async () => {
    const install = await helm(['install', RELEASE, CHART, '--namespace', NAMESPACE, '--create-namespace'], sandbox.kubeconfigPath);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(install.stdout).toContain('STATUS: deployed');
    expect(install.stdout).toContain(`The seldon-lab operator is installed in namespace ${NAMESPACE}`);
    expect(install.stdout).toContain(`kubectl -n ${NAMESPACE} rollout status deployment/${RELEASE}`);

    const crd = await get({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' }, undefined, 'seldondeployments.machinelearning.seldon.io');
    expect(crd, 'the CRD from crds/').toBeDefined();
    await waitFor('the CRD to be established', async () => {
      const c = await get({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' }, undefined, 'seldondeployments.machinelearning.seldon.io');
      return (c?.status as { conditions?: { type: string; status: string }[] })?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
    });
    for (const [ref, namespace, name] of [
      [{ group: '', version: 'v1', plural: 'serviceaccounts' }, NAMESPACE, RELEASE],
      [refs.configmaps, NAMESPACE, `${RELEASE}-config`],
      [{ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' }, undefined, RELEASE],
      [{ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings' }, undefined, RELEASE],
      [{ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles' }, NAMESPACE, `${RELEASE}-leader-election`],
      [{ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings' }, NAMESPACE, `${RELEASE}-leader-election`],
    ] as const) {
      expect(await get(ref, namespace, name), `${ref.plural} ${name}`).toBeDefined();
    }
    const deployment = (await get(refs.deployments, NAMESPACE, RELEASE)) as unknown as k8s.V1Deployment;
    expect(deployment.spec!.template.spec!.containers[0].image).toBe(pinned.operator);
    // The sandbox's controllers take it from there: a ReplicaSet and a pod for the operator.
    await waitFor('the operator pod to be created', async () =>
      (await sandbox.api.list(refs.pods, { namespace: NAMESPACE, labelSelector: `app.kubernetes.io/instance=${RELEASE}` })).items.length === 1);

    const upgrade = await helm(['upgrade', RELEASE, CHART, '--namespace', NAMESPACE, '--set', 'replicas=2'], sandbox.kubeconfigPath);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    expect(((await get(refs.deployments, NAMESPACE, RELEASE)) as unknown as k8s.V1Deployment).spec!.replicas).toBe(2);
  });

  it('uninstalls everything but the CRD', async () => {
    expect(await get(refs.deployments, NAMESPACE, RELEASE), 'the install test ran first').toBeDefined();
    const uninstall = await helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait'], sandbox.kubeconfigPath);
    expect(uninstall.exitCode, uninstall.stderr).toBe(0);
    expect(await get(refs.deployments, NAMESPACE, RELEASE)).toBeUndefined();
    expect(await get({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' }, undefined, RELEASE)).toBeUndefined();
    // Helm never deletes what crds/ installed: SeldonDeployments outlive the operator.
    expect(await get({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' }, undefined, 'seldondeployments.machinelearning.seldon.io')).toBeDefined();
  });
});

/**
 * The operator as a pod that really runs: the sandbox's kubelet plays the pinned operator image
 * as `seldon-lab operator`, with the chart's arguments, volumes and probes. Ready means the
 * operator started, read its mounted configuration, reached the API server with its
 * ServiceAccount and answers its readiness probe.
 */
const kitCommands = (await import('../lib/cli/main.js')).commands;
const runsAsPod = 'operator' in kitCommands ? '' : 'lib/cli/main.ts has no `operator` command yet, so the kubelet cannot start the operator image';
if (runsAsPod) console.warn(`[chart.test] operator-as-a-pod test skipped: ${runsAsPod}`);

describe.skipIf(!helmPath || runsAsPod !== '')(`the chart's operator pod in the sandbox${runsAsPod ? ` (skipped: ${runsAsPod})` : ''}`, () => {
  it('becomes Ready', async () => {
    const { startKubelet } = await import('../lib/sandbox/kubelet/index.js');
    let kubelet: Awaited<ReturnType<typeof startKubelet>> | undefined;
    const sandbox = await startSandbox({ controllers: { kubelet: false }, logs: (pod, o) => kubelet!.logs(pod, o) });
    try {
      kubelet = await startKubelet(sandbox.api, {
        timeScale: 0.05,
        apiServer: { host: '127.0.0.1', port: Number(new URL(sandbox.url).port) },
        // The pod's own ServiceAccount's token, as a real kubelet mounts it: the operator gets what
        // the chart's RBAC grants, no more (the sandbox enforces RBAC for these tokens).
        serviceAccountToken: (pod) => {
          const spec = pod.spec as k8s.V1PodSpec;
          return sandbox.serviceAccountToken(String(pod.metadata.namespace), spec.serviceAccountName ?? 'default');
        },
      });
      const install = await helm(['install', RELEASE, CHART, '--namespace', NAMESPACE, '--create-namespace'], sandbox.kubeconfigPath);
      expect(install.exitCode, install.stderr).toBe(0);
      let last: ApiObject | undefined;
      try {
        await waitFor('the operator pod to be Ready', async () => {
          last = (await sandbox.api.list(refs.pods, { namespace: NAMESPACE, labelSelector: `app.kubernetes.io/instance=${RELEASE}` })).items[0];
          return (last?.status as k8s.V1PodStatus | undefined)?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        }, 45_000);
      } catch (error) {
        const logs = await execa(findTool('kubectl')?.path ?? 'kubectl', ['--kubeconfig', sandbox.kubeconfigPath, '-n', NAMESPACE, 'logs', `deployment/${RELEASE}`, '--previous', '--tail=20'], { reject: false });
        throw new Error(`${(error as Error).message}\ncontainer status: ${JSON.stringify((last?.status as k8s.V1PodStatus | undefined)?.containerStatuses?.[0]?.state)}\nlast log: ${logs.stdout || logs.stderr}`, { cause: error });
      }
    } finally {
      await kubelet?.stop();
      await sandbox.stop();
    }
  }, 90_000);
});
