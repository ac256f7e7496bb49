// SPDX-License-Identifier: Apache-2.0
// The sandbox's one Node, as its kubelet registers it: what `kubectl get nodes` and
// `kubectl describe node` show, and what the scheduler binds pods to.
import { arch, availableParallelism, release, totalmem } from 'node:os';
import type { ApiHandle } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { isAlreadyExists, now } from '../controllers/objects.js';
import { SERVER_VERSION } from '../apiserver/server.js';

const NODES = { group: '', version: 'v1', plural: 'nodes' };

export interface NodeInfo {
  name: string;
  hostIP: string;
  /** the range pod IPs come from (addresses.ts) */
  podCIDR: string;
  /**
   * what runs the containers: `processes` (this kubelet) or `simulated` (the controllers'
   * stand-in, which only marks pods ready); default `processes`
   */
  runtime?: 'processes' | 'simulated';
}

/** The Node object's status: Ready, this machine's capacity, and what runs the containers. */
export function nodeStatus(info: NodeInfo): Record<string, unknown> {
  const goArch = arch() === 'x64' ? 'amd64' : arch();
  const capacity = { cpu: String(availableParallelism()), memory: `${Math.floor(totalmem() / 1024)}Ki`, pods: '110', 'ephemeral-storage': '0' };
  const time = now();
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: time, lastTransitionTime: time, reason, message });
  return {
    capacity,
    allocatable: capacity,
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: info.hostIP }, { type: 'Hostname', address: info.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '', kernelVersion: release(),
      osImage: info.runtime === 'simulated' ? 'seldon-lab sandbox (simulated: no container runs)' : 'seldon-lab sandbox (containers run as local processes)',
      containerRuntimeVersion: `seldon-lab://${info.runtime ?? 'processes'}`, kubeletVersion: SERVER_VERSION.gitVersion, kubeProxyVersion: '',
      operatingSystem: 'linux', architecture: goArch,
    },
  };
}

/** Creates the Node (or finds it after a restart) and reports it Ready. */
export async function registerNode(api: ApiHandle, info: NodeInfo): Promise<void> {
  const goArch = arch() === 'x64' ? 'amd64' : arch();
  let node: KubeObject;
  try {
    node = await api.create(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: info.name,
        labels: {
          'kubernetes.io/hostname': info.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': goArch,
          'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': goArch, 'node-role.kubernetes.io/control-plane': '',
        },
      },
      spec: { podCIDR: info.podCIDR, podCIDRs: [info.podCIDR] },
    });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    node = await api.get(NODES, undefined, info.name);
  }
  await api.update(NODES, { ...node, status: nodeStatus(info) }, { subresource: 'status' });
}
