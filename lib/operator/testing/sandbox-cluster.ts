// SPDX-License-Identifier: Apache-2.0
// A sandbox cluster ready for the operator: the SeldonDeployment and Mapping CRDs installed and
// served, the `seldon` namespace made, client-node pointed at it through its kubeconfig (exactly
// as at minikube), and the HTTP request log kept so tests can count the operator's writes.
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index.js';
import { withKeepAlive } from '../connection.js';
import { seldonDeploymentCrd } from '../crd.js';
import { emissaryMappingCrd } from '../mapping-crd.js';
import type { SeldonDeployment } from '../types.js';
import { waitFor as waitForCondition } from '../../kube/wait.js';

export const SELDON = { group: 'machinelearning.seldon.io', version: 'v1', plural: 'seldondeployments' };

export interface TestCluster {
  sandbox: Sandbox;
  kc: KubeConfig;
  apps: AppsV1Api;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  /** `METHOD /path?query STATUS`, one per finished HTTP request */
  requests: string[];
  getSdep(namespace: string, name: string): Promise<SeldonDeployment | undefined>;
  createSdep(sdep: SeldonDeployment): Promise<SeldonDeployment>;
  stop(): Promise<void>;
}

/** Polls `check` until it returns something truthy (lib/kube/wait.ts). */
export function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, intervalMs = 25): Promise<T> {
  return waitForCondition(what, check, { timeoutMs, intervalMs, done: Boolean });
}

export async function startTestCluster(options: SandboxOptions = { controllers: { readyPods: true } }): Promise<TestCluster> {
  const requests: string[] = [];
  const sandbox = await startSandbox({ ...options, log: (line) => requests.push(line) });
  const loaded = new KubeConfig();
  loaded.loadFromFile(sandbox.kubeconfigPath);
  const kc = withKeepAlive(loaded);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const crd of [seldonDeploymentCrd(), emissaryMappingCrd()]) {
    try {
      await ext.createCustomResourceDefinition({ body: crd as never });
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e; // the sandbox installed it already
    }
  }
  await core.createNamespace({ body: { metadata: { name: 'seldon' } } });
  // A CRD is served once it is Established; until then its URLs answer 404.
  await waitFor('the CRDs to be served', async () => {
    await custom.listClusterCustomObject({ ...SELDON });
    await custom.listClusterCustomObject({ group: 'getambassador.io', version: 'v3alpha1', plural: 'mappings' });
    return true;
  });
  return {
    sandbox,
    kc,
    apps: kc.makeApiClient(AppsV1Api),
    core,
    custom,
    requests,
    async getSdep(namespace, name) {
      try {
        return (await custom.getNamespacedCustomObject({ ...SELDON, namespace, name })) as SeldonDeployment;
      } catch (e) {
        if ((e as { code?: number }).code === 404) return undefined;
        throw e;
      }
    },
    async createSdep(sdep) {
      return (await custom.createNamespacedCustomObject({ ...SELDON, namespace: sdep.metadata.namespace ?? 'default', body: sdep })) as SeldonDeployment;
    },
    stop: () => sandbox.stop(),
  };
}

/** The writes among the logged requests (anything but GET). */
export function writesIn(requests: string[]): string[] {
  return requests.filter((line) => !line.startsWith('GET '));
}
