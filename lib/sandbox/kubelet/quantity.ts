// SPDX-License-Identifier: Apache-2.0
// Resource quantities ("500m", "1Gi", "2e3") and the downward API's `resourceFieldRef`, which turns
// a container's CPU or memory request or limit into a number for an environment variable or a file.
//
// The rules are the kubelet's (pkg/api/v1/resource ExtractContainerResourceValue): the value is
// divided by `divisor` (default 1) and rounded up; a limit the container does not set is the node's
// allocatable amount, so a program always learns the most it may use.
import { availableParallelism, totalmem } from 'node:os';
import type { V1Container, V1ResourceFieldSelector } from '@kubernetes/client-node';

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a quantity in base units (cores, bytes). Throws on text that is not a quantity. */
export function parseQuantity(text: string): number {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(text.trim());
  if (!match) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', got "${text}"`);
  const number = Number(match[1]);
  if (match[2]) return number * 10 ** Number(match[2].slice(1));
  return number * SUFFIXES[match[3] ?? ''];
}

/** What the node can give a container that sets no limit. */
export interface NodeAllocatable {
  cpu: number;
  memory: number;
  ephemeralStorage: number;
}

export function nodeAllocatable(): NodeAllocatable {
  return { cpu: availableParallelism(), memory: totalmem(), ephemeralStorage: 100 * 2 ** 30 };
}

/** `resourceFieldRef` → the text Kubernetes puts in the variable or file. */
export function resourceFieldValue(container: V1Container, selector: V1ResourceFieldSelector, node: NodeAllocatable = nodeAllocatable()): string {
  const [kind, resource] = selector.resource.split('.', 2) as ['limits' | 'requests', string];
  const resources = container.resources ?? {};
  const read = (map: Record<string, string> | undefined): number | undefined => (map?.[resource] === undefined ? undefined : parseQuantity(map[resource]));
  const limit = read(resources.limits);
  const fallback = resource === 'cpu' ? node.cpu : resource === 'memory' ? node.memory : node.ephemeralStorage;
  let value: number;
  if (kind === 'limits') value = limit ?? fallback;
  else if (kind === 'requests') value = read(resources.requests) ?? limit ?? 0;
  else throw new Error(`unsupported container resource: ${selector.resource}`);
  if (!['cpu', 'memory', 'ephemeral-storage'].includes(resource)) throw new Error(`unsupported container resource: ${selector.resource}`);
  const divisor = selector.divisor === undefined ? 1 : parseQuantity(String(selector.divisor));
  if (!(divisor > 0)) throw new Error(`the divisor of ${selector.resource} must be above zero, got ${selector.divisor}`);
  // CPU is compared in millicores, as Kubernetes does, so "250m" with divisor "1m" is exactly 250.
  const ratio = resource === 'cpu' ? Math.round(value * 1000) / Math.round(divisor * 1000) : value / divisor;
  return String(Math.ceil(ratio - 1e-9));
}
