// SPDX-License-Identifier: Apache-2.0
// Test helpers for the kubelet: a real sandbox (API server, controllers, scheduler) with the
// kubelet on its node, plus the small waits the tests need. Every wait polls a condition with a
// deadline; nothing sleeps a fixed time.
import { refs, type ApiHandle } from '../../apiserver/api.js';
import type { KubeObject } from '../../apiserver/types.js';
import { startSandbox, type Sandbox } from '../../index.js';
import { waitFor } from '../../network/testing/wait.js';
import { startKubelet, type Kubelet, type KubeletOptions } from '../kubelet.js';
import type { ContainerStatus, PodCondition } from '../status.js';

export { waitFor };

/** Kubernetes time runs 100 times faster in these tests: a 10 s back-off is 100 ms. */
export const TEST_TIME_SCALE = 0.01;

export interface KubeletCluster {
  sandbox: Sandbox;
  api: ApiHandle;
  kubelet: Kubelet;
  /** creates a pod in `default` from its name and spec */
  createPod(name: string, spec: Record<string, unknown>, metadata?: Record<string, unknown>): Promise<KubeObject>;
  /** the pod now, or undefined once it is gone */
  pod(name: string): Promise<KubeObject | undefined>;
  /** waits until `check(pod)` holds; the error names `what` and shows the pod's last status */
  waitForPod(name: string, what: string, check: (pod: KubeObject) => boolean, timeoutMs?: number): Promise<KubeObject>;
  /** the messages of the pod's events, as `Reason: message` */
  events(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startKubeletCluster(options: KubeletOptions = {}): Promise<KubeletCluster> {
  // The API server asks the kubelet for logs, and the kubelet needs the API server: a late binding.
  const late: { kubelet?: Kubelet } = {};
  const sandbox = await startSandbox({
    controllers: { kubelet: false },
    logs: (pod, o) => late.kubelet!.logs(pod, o),
  });
  const api = sandbox.api;
  const kubelet = (late.kubelet = await startKubelet(api, { timeScale: TEST_TIME_SCALE, ...options }));
  const pod = async (name: string) => {
    try {
      return await api.get(refs.pods, 'default', name);
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  };
  let last: KubeObject | undefined;
  return {
    sandbox,
    api,
    kubelet,
    // Pods name their node themselves, as pods that skip the scheduler do: these tests are about
    // the kubelet, whatever the scheduler is doing.
    createPod: (name, spec, metadata = {}) =>
      api.create(refs.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...metadata }, spec: { nodeName: kubelet.nodeName, ...spec } }),
    pod,
    async waitForPod(name, what, check, timeoutMs = 10_000) {
      try {
        return await waitFor(what, async () => {
          last = await pod(name);
          return last && check(last) ? last : undefined;
        }, timeoutMs, 10);
      } catch (error) {
        throw new Error(`${(error as Error).message}\npod ${name} status: ${JSON.stringify(last?.status, null, 1)}`, { cause: error });
      }
    },
    async events(name) {
      const list = await api.list(refs.events, { namespace: 'default' });
      return list.items
        .filter((e) => (e.involvedObject as { name?: string }).name === name)
        .map((e) => `${e.reason}: ${e.message}`);
    },
    async stop() {
      await kubelet.stop();
      await sandbox.stop();
    },
  };
}

export function containerStatuses(pod: KubeObject, init = false): ContainerStatus[] {
  const status = (pod.status ?? {}) as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
  return (init ? status.initContainerStatuses : status.containerStatuses) ?? [];
}

export function containerStatus(pod: KubeObject, name: string, init = false): ContainerStatus | undefined {
  return containerStatuses(pod, init).find((s) => s.name === name);
}

export function condition(pod: KubeObject, type: string): PodCondition | undefined {
  return ((pod.status ?? {}) as { conditions?: PodCondition[] }).conditions?.find((c) => c.type === type);
}

export function phase(pod: KubeObject): string | undefined {
  return (pod.status as { phase?: string } | undefined)?.phase;
}

/** Reads a whole log stream. */
export async function readAllText(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** True when no process with this pid exists (any more). */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A toybox container: `busybox` with a shell script. */
export function shell(name: string, script: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image: 'busybox:1.36', command: ['sh', '-c', script], ...extra };
}
