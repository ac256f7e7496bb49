// SPDX-License-Identifier: Apache-2.0
// The seed tutorial's Quick Start on a live cluster (what `npm run cluster:up` made): the operator
// is ready, its ServiceAccount may do exactly what the chart says, the seed's sample.yaml becomes
// Available, and the seed's two curl requests, sent through Emissary-ingress, answer what the
// seed printed.
//
// It runs only when a cluster answers `kubectl version` in the current context AND the kit's
// operator is installed there; otherwise it is skipped with the reason printed. It never touches a
// SeldonDeployment it did not create: if iris-model already exists (a learner's), it is used as
// it is and left in place.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fromRoot } from '../../lib/paths.js';
import { EMISSARY, MODEL_NAMESPACE, OPERATOR } from '../../cluster/scripts/pins.js';
import { rolloutVerdict, type DeploymentLike, type PodLike } from '../../cluster/scripts/readiness.js';
import { findTool } from '../../cluster/scripts/tools.js';

const SDEP = { group: 'machinelearning.seldon.io', version: 'v1', plural: 'seldondeployments' };
const SERVICE_ACCOUNT = `system:serviceaccount:${OPERATOR.namespace}:${OPERATOR.release}`;

/** Why the live tests cannot run here, or '' when they can. */
async function liveCluster(): Promise<{ reason: string; kubectl?: string; context?: string }> {
  const kubectl = findTool('kubectl')?.path;
  if (!kubectl) return { reason: 'kubectl is not installed (npx tsx cluster/tools/tools.ts kubectl fetches one)' };
  const version = await execa(kubectl, ['version', '--output=json', '--request-timeout=5s'], { reject: false });
  const server = (() => {
    try {
      return (JSON.parse(version.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
    } catch {
      return undefined;
    }
  })();
  if (!server) return { reason: `no cluster answers in the current kubectl context (${version.stderr.split('\n')[0] || 'no server version'}); npm run cluster:up starts one` };
  const context = (await execa(kubectl, ['config', 'current-context'], { reject: false })).stdout.trim();
  const operator = await execa(kubectl, ['get', 'deployment', OPERATOR.deployment, `--namespace=${OPERATOR.namespace}`, '--request-timeout=5s'], { reject: false });
  if (operator.exitCode !== 0) return { reason: `the kit's operator is not installed in context ${context} (Kubernetes ${server}): npm run cluster:up installs it`, kubectl, context };
  return { reason: '', kubectl, context };
}

const live = await liveCluster();
if (live.reason) console.warn(`[live] skipped: ${live.reason}`);

/** A POST through the API server's service proxy: no port-forward process to manage. */
async function proxyPost(kc: KubeConfig, path: string, body: string): Promise<{ status: number; text: string }> {
  const url = new URL(`${kc.getCurrentCluster()!.server.replace(/\/$/, '')}${path}`);
  const options: Parameters<typeof request>[1] = { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? request : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe.skipIf(live.reason !== '')(`the live cluster${live.reason ? ` (skipped: ${live.reason})` : ` (context ${live.context})`}`, () => {
  const kc = new KubeConfig();
  let created = false;

  beforeAll(() => {
    kc.loadFromDefault();
  });

  afterAll(async () => {
    if (!created) return;
    const custom = kc.makeApiClient(CustomObjectsApi);
    await custom.deleteNamespacedCustomObject({ ...SDEP, namespace: MODEL_NAMESPACE, name: 'iris-model' }).catch(() => undefined);
    // Garbage collection removes what the operator made for it.
    const apps = kc.makeApiClient(AppsV1Api);
    await waitFor('the model\'s Deployments to be collected', async () =>
      (await apps.listNamespacedDeployment({ namespace: MODEL_NAMESPACE, labelSelector: 'seldon-deployment-id=iris-model' })).items.length === 0, 120_000);
  }, 150_000);

  it('runs the operator, ready', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const deployment = await apps.readNamespacedDeployment({ namespace: OPERATOR.namespace, name: OPERATOR.deployment });
    const pods = await core.listNamespacedPod({ namespace: OPERATOR.namespace, labelSelector: `app.kubernetes.io/instance=${OPERATOR.release}` });
    const verdict = rolloutVerdict(deployment as DeploymentLike, pods.items as PodLike[]);
    expect(verdict.ready, verdict.blocked ?? verdict.summary).toBe(true);
  });

  it('lets the operator\'s ServiceAccount do what it needs and nothing more', async () => {
    const can = async (verb: string, resource: string, namespace: string) =>
      (await execa(live.kubectl!, ['auth', 'can-i', verb, resource, `--as=${SERVICE_ACCOUNT}`, `--namespace=${namespace}`], { reject: false })).stdout.trim();
    for (const [verb, resource] of [
      ['watch', 'seldondeployments.machinelearning.seldon.io'], ['patch', 'seldondeployments.machinelearning.seldon.io/status'],
      ['create', 'deployments.apps'], ['patch', 'services'], ['delete', 'mappings.getambassador.io'], ['create', 'events'], ['watch', 'pods'],
    ]) expect(await can(verb, resource, MODEL_NAMESPACE), `${verb} ${resource}`).toBe('yes');
    for (const [verb, resource, namespace] of [
      ['get', 'secrets', MODEL_NAMESPACE], ['list', 'configmaps', MODEL_NAMESPACE], ['update', 'deployments.apps', MODEL_NAMESPACE],
      ['delete', 'pods', MODEL_NAMESPACE], ['update', 'seldondeployments.machinelearning.seldon.io', MODEL_NAMESPACE],
      ['create', 'leases.coordination.k8s.io', 'kube-system'], ['create', 'customresourcedefinitions.apiextensions.k8s.io', 'default'],
    ]) expect(await can(verb, resource, namespace), `${verb} ${resource} in ${namespace}`).toBe('no');
  });

  it('serves the seed\'s sample.yaml and answers the seed\'s requests through the ingress', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: MODEL_NAMESPACE } } }).catch(() => undefined);
    const sample = parseYaml(readFileSync(fromRoot('cluster', 'samples', 'sample.yaml'), 'utf8')) as { metadata: { name: string } };
    const existing = await custom.getNamespacedCustomObject({ ...SDEP, namespace: MODEL_NAMESPACE, name: sample.metadata.name }).catch(() => undefined);
    if (!existing) {
      await custom.createNamespacedCustomObject({ ...SDEP, namespace: MODEL_NAMESPACE, body: sample });
      created = true;
    }
    await waitFor('iris-model to be Available', async () => {
      const sdep = (await custom.getNamespacedCustomObject({ ...SDEP, namespace: MODEL_NAMESPACE, name: 'iris-model' })) as { status?: { state?: string; description?: string } };
      if (sdep.status?.state === 'Failed') throw new Error(`iris-model Failed: ${sdep.status.description}`);
      return sdep.status?.state === 'Available';
    }, 300_000);

    // Through Emissary when it is installed (the default), else straight to the predictor Service.
    const ingress = await core.readNamespacedService({ namespace: EMISSARY.namespace, name: EMISSARY.service }).catch(() => undefined);
    const base = ingress
      ? `/api/v1/namespaces/${EMISSARY.namespace}/services/${EMISSARY.service}:${EMISSARY.servicePort}/proxy/seldon/${MODEL_NAMESPACE}/iris-model`
      : `/api/v1/namespaces/${MODEL_NAMESPACE}/services/iris-model-default:8000/proxy`;
    // The Mapping may reach Envoy a moment after the status says Available: ask until it answers.
    const good = await waitFor('the prediction to answer 200', async () => {
      const r = await proxyPost(kc, `${base}/api/v1.0/predictions`, '{ "data": { "ndarray": [[1,2,3,4]] } }');
      return r.status === 200 ? r : undefined;
    }, 60_000);
    const answer = JSON.parse(good.text) as { data: { names: string[]; ndarray: number[][] } };
    expect(answer.data.names).toEqual(['t:0', 't:1', 't:2']);
    const seed = [0.0006985194531162835, 0.00366803903943666, 0.995633441507447];
    answer.data.ndarray[0].forEach((p, i) => expect(Math.abs(p - seed[i])).toBeLessThan(1e-12));

    const bad = await proxyPost(kc, `${base}/api/v1.0/predictions`, '{ "data": { "ndarray": [[1,2,3,4,5]] } }');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ status: { code: -1, reason: 'MICROSERVICE_BAD_DATA', status: 1 } });
  }, 420_000);
});
