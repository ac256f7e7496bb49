// SPDX-License-Identifier: Apache-2.0
// Which cluster the contract suite talks to, and the throwaway space it works in there.
//
// The contract tests are written once, against "a Kubernetes API server". By default that is a
// fresh sandbox per test file (lib/sandbox), so `npm test` needs no cluster. Pointed at a real
// cluster, the same cases run there, which is how we keep the sandbox honest (reference:
// kubernetes-api-semantics.md §3.5):
//
//   CONTRACT_KUBECONFIG=~/.kube/config npx vitest run test/contract     # that kubeconfig's current context
//   CONTRACT_LIVE=1 npx vitest run test/contract                       # KUBECONFIG, or ~/.kube/config
//
// On a real cluster every file works in its own new namespace and its own CRD group, and removes
// both afterwards, so it never touches what was there before. Faults can only be injected into
// the sandbox; tests that need them are skipped on a real cluster with the reason printed.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../../lib/sandbox/index.js';
import { eventually } from './support.js';

/** The kubeconfig (a path, or a KUBECONFIG-style list) of the real cluster to test, if one was asked for. */
export function liveKubeconfig(): string | undefined {
  if (process.env.CONTRACT_KUBECONFIG) return process.env.CONTRACT_KUBECONFIG;
  if (!process.env.CONTRACT_LIVE || process.env.CONTRACT_LIVE === '0') return undefined;
  if (process.env.KUBECONFIG) return process.env.KUBECONFIG;
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return home;
  throw new Error('CONTRACT_LIVE is set, but there is no KUBECONFIG and no ~/.kube/config: point CONTRACT_KUBECONFIG at the cluster to test, or unset CONTRACT_LIVE to test the sandbox');
}

/** True when this run tests a real cluster rather than the sandbox. */
export const LIVE = liveKubeconfig() !== undefined;

/** Says once, in the test output, why a sandbox-only test did not run. */
export function skipReason(what: string): string | undefined {
  if (!LIVE) return undefined;
  const reason = `${what}: skipped on a live cluster (faults can only be injected into the sandbox)`;
  console.log(reason);
  return reason;
}

export interface ContractCluster {
  kc: KubeConfig;
  /** for child processes (kubectl, helm): the KUBECONFIG value that reaches this cluster */
  kubeconfig: string;
  live: boolean;
  /** the sandbox, when testing one (undefined on a live cluster) */
  sandbox?: Sandbox;
  /** a namespace created for this test file, removed at the end */
  namespace: string;
  /** a short random id, for cluster-scoped names (CRD groups) that must not collide */
  id: string;
  /** a CRD group of this file's own: `<label>-<id>.contract.seldon-lab.dev` */
  group: string;
  /** creates a CRD, waits until it is Established and served, and removes it at the end */
  createCrd(crd: V1CustomResourceDefinition): Promise<V1CustomResourceDefinition>;
  /** remembers a cluster-scoped cleanup step (run in reverse order by stop) */
  onStop(step: () => Promise<unknown>): void;
  /** removes what the tests created, then stops the sandbox */
  stop(): Promise<void>;
}

/** Connects to the cluster under test (see the top of this file) and makes a namespace there. */
export async function startContractCluster(label: string): Promise<ContractCluster> {
  const id = randomBytes(3).toString('hex');
  const live = liveKubeconfig();
  let sandbox: Sandbox | undefined;
  const kc = new KubeConfig();
  let kubeconfig: string;
  if (live) {
    // loadFromDefault reads KUBECONFIG (also a list of files), just as kubectl would.
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = live;
    try {
      kc.loadFromDefault();
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
    kubeconfig = live;
  } else {
    // readyPods: pods are marked Ready once scheduled (kwok's pod-ready stage), so Deployments
    // become Available as they do on a cluster whose kubelet runs them.
    sandbox = await startSandbox({ controllers: { readyPods: true } });
    kc.loadFromFile(sandbox.kubeconfigPath);
    kubeconfig = sandbox.kubeconfigPath;
  }

  const core = kc.makeApiClient(CoreV1Api);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const namespace = `contract-${label}-${id}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'seldon-lab.dev/contract': label } } } });
  } catch (error) {
    await sandbox?.stop();
    const target = live ? `the cluster of ${live.split(delimiter)[0]} (${kc.getCurrentCluster()?.server})` : 'the sandbox';
    throw new Error(`could not create the test namespace on ${target}: ${(error as Error).message}`, { cause: error });
  }

  return {
    kc,
    kubeconfig,
    live: live !== undefined,
    sandbox,
    namespace,
    id,
    group: `${label}-${id}.contract.seldon-lab.dev`,
    async createCrd(crd) {
      const name = crd.metadata!.name!;
      const created = await extensions.createCustomResourceDefinition({ body: crd });
      cleanups.push(() => extensions.deleteCustomResourceDefinition({ name }));
      // Established means the API server serves the new resource: a client may use it now.
      await eventually(async () => {
        const read = await extensions.readCustomResourceDefinition({ name });
        return read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      }, 30_000, `CRD ${name} to be Established`);
      return created;
    },
    onStop(step) {
      cleanups.push(step);
    },
    async stop() {
      for (const step of cleanups.reverse()) await step().catch(() => undefined);
      // Namespace deletion finishes in the background on a real cluster; nothing waits for it.
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
      await sandbox?.stop();
    },
  };
}
