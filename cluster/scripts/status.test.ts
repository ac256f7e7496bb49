// SPDX-License-Identifier: Apache-2.0
// cluster:status against a scripted stand-in for minikube, kubectl and helm.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from './exec.js';
import { createSession } from './session.js';
import { clusterStatus, main } from './status.js';

const TOOLS = (['minikube', 'kubectl', 'helm'] as const).map((name) => ({ name, path: `/fake/${name}`, source: 'PATH' as const }));
const json = (value: unknown): RunResult => ({ exitCode: 0, stdout: JSON.stringify(value), stderr: '' });
const pinned = JSON.parse(readFileSync('cluster/images.json', 'utf8')) as Record<string, string>;
const silent = { line: () => {}, detail: () => {} };

function fake(options: { running?: boolean; images?: string[]; operatorReady?: boolean }) {
  return async (program: string, args: readonly string[]): Promise<RunResult> => {
    const tool = program.split('/').pop();
    const a = args.filter((x) => !x.startsWith('--context=') && !x.startsWith('--kube-context='));
    if (tool === 'minikube' && a[0] === 'status') return options.running === false ? { exitCode: 7, stdout: '{"Host":"Stopped"}', stderr: '' } : json({ Host: 'Running', Kubelet: 'Running', APIServer: 'Running' });
    if (tool === 'minikube' && a[0] === 'image') return { exitCode: 0, stdout: (options.images ?? []).map((i) => `docker.io/${i}`).join('\n'), stderr: '' };
    if (tool === 'helm') return json(['emissary-crds', 'emissary-ingress', 'seldon-lab-operator'].map((name) => ({ name, namespace: 'x', status: 'deployed', chart: `${name}-1` })));
    const what = a[1];
    if (what.startsWith('customresourcedefinition/')) return json({ status: { conditions: [{ type: 'Established', status: 'True' }] } });
    if (what.startsWith('deployment/')) {
      const ready = what.endsWith('seldon-lab-operator') ? options.operatorReady !== false : true;
      return json({ metadata: { generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: ready ? 1 : 0, availableReplicas: ready ? 1 : 0 } });
    }
    if (what === 'seldondeployments.machinelearning.seldon.io') {
      expect(a).toContain('--all-namespaces');
      return json({ items: [{ metadata: { name: 'iris-model', namespace: 'seldon' }, status: { state: 'Available' } }] });
    }
    if (what.startsWith('service/')) return json({ status: { loadBalancer: { ingress: [{ ip: '10.0.0.9' }] } } });
    throw new Error(`unexpected ${tool} ${args.join(' ')}`);
  };
}

describe('clusterStatus', () => {
  it('lists minikube, the images, the releases, the CRDs, Emissary, the operator and the models', async () => {
    const s = createSession('seldon-lab', TOOLS, fake({ images: [pinned.modelServer, pinned.operator] }), silent, 1);
    const { lines, address } = await clusterStatus({ profile: 'seldon-lab', help: false }, s);
    expect(lines.every((l) => l.verdict.ready)).toBe(true);
    expect(lines.map((l) => l.what)).toEqual(expect.arrayContaining([
      'minikube profile seldon-lab', `image ${pinned.operator}`, 'helm release seldon-lab-operator', 'CRD seldondeployments.machinelearning.seldon.io',
      'Emissary-ingress (emissary)', 'operator (seldon-system)', 'SeldonDeployment seldon/iris-model',
    ]));
    expect(address).toBe('10.0.0.9');
  });

  it('stops at a stopped minikube, and flags a missing image or an operator that is not ready', async () => {
    const stopped = await clusterStatus({ profile: 'p', help: false }, createSession('p', TOOLS, fake({ running: false }), silent, 1));
    expect(stopped.lines).toEqual([{ what: 'minikube profile p', verdict: { ready: false, summary: 'not running (npm run cluster:up starts it)' } }]);
    const broken = await clusterStatus({ profile: 'p', help: false }, createSession('p', TOOLS, fake({ images: [pinned.operator], operatorReady: false }), silent, 1));
    const bad = broken.lines.filter((l) => !l.verdict.ready).map((l) => `${l.what}: ${l.verdict.summary}`);
    expect(bad).toEqual([`image ${pinned.modelServer}: missing (npm run cluster:up builds it)`, 'operator (seldon-system): 0/1 ready']);
  });
});

describe('main', () => {
  it('refuses unknown options with the usage', async () => {
    const lines: string[] = [];
    expect(await main(['--verbose'], { line: (l) => lines.push(l), detail: () => {} })).toBe(2);
    expect(lines.join('\n')).toContain('usage: npm run cluster:status');
  });
});
