// SPDX-License-Identifier: Apache-2.0
// cluster:up against a scripted stand-in for minikube, kubectl and helm: the order of the steps,
// the waits (which end when the condition holds), the progress shown, and what a failure says.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUpArgs } from './args.js';
import type { RunOptions, RunResult } from './exec.js';
import { CommandError } from './exec.js';
import { StepError, type Reporter } from './progress.js';
import { createSession } from './session.js';
import { clusterUp, minikubeRunning } from './up.js';

const TOOLS = [
  { name: 'minikube' as const, path: '/fake/minikube', source: 'PATH' as const },
  { name: 'kubectl' as const, path: '/fake/kubectl', source: 'PATH' as const },
  { name: 'helm' as const, path: '/fake/helm', source: 'PATH' as const },
];

const json = (value: unknown): RunResult => ({ exitCode: 0, stdout: JSON.stringify(value), stderr: '' });
const ok: RunResult = { exitCode: 0, stdout: '', stderr: '' };
const notFound: RunResult = { exitCode: 1, stdout: '', stderr: 'Error from server (NotFound): not found' };
const ready = (name: string) => ({ metadata: { name, generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 } });
const established = { status: { conditions: [{ type: 'Established', status: 'True' }] } };

/** A cluster that starts stopped; each object shows up ready after `delay` looks at it. */
function fakeCluster(options: { running?: boolean; kubeVersion?: string; failBuild?: boolean; delay?: number } = {}) {
  const calls: string[] = [];
  const looks = new Map<string, number>();
  const builds: { image: string; dockerfile: boolean; copied: string[] }[] = [];
  const appear = (key: string) => {
    const n = (looks.get(key) ?? 0) + 1;
    looks.set(key, n);
    return n > (options.delay ?? 1);
  };
  const runner = async (program: string, args: readonly string[], _o?: RunOptions): Promise<RunResult> => {
    const tool = program.split('/').pop()!;
    const a = args.filter((x) => !x.startsWith('--context=') && !x.startsWith('--kube-context='));
    calls.push(`${tool} ${a.slice(0, 3).join(' ')}`);
    if (tool === 'minikube' && a[0] === 'status') {
      return options.running ? json({ Host: 'Running', Kubelet: 'Running', APIServer: 'Running' }) : { exitCode: 7, stdout: '{"Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped"}', stderr: '' };
    }
    if (tool === 'minikube' && a[0] === 'image') {
      const dir = a[a.length - 1];
      builds.push({ image: a[a.indexOf('-t') + 1], dockerfile: existsSync(join(dir, 'Dockerfile')), copied: ['lib/paths.ts', 'package.json'].filter((f) => existsSync(join(dir, f))) });
      if (options.failBuild) throw new CommandError(`minikube ${a.join(' ')}`, 1, 'ERROR: failed to solve: node:20-bookworm-slim: not found', 'failed (exit code 1)');
      return ok;
    }
    if (tool === 'minikube' || tool === 'helm') return ok;
    // kubectl
    if (a[0] === 'version') return json({ serverVersion: { gitVersion: options.kubeVersion ?? 'v1.31.2' } });
    if (a[0] === 'apply') return ok;
    if (a[0] === 'get') {
      const what = a[1];
      if (what === 'nodes') return json({ items: appear(what) ? [{ metadata: { name: 'seldon-lab' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }] : [] });
      if (what.startsWith('customresourcedefinition/')) return appear(what) ? json({ metadata: { name: what.split('/')[1] }, ...established }) : notFound;
      if (what.startsWith('deployment/')) {
        const name = what.split('/')[1];
        return appear(what) ? json(ready(name)) : json({ ...ready(name), status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1 } });
      }
      if (what === 'pods') return json({ items: [{ metadata: { name: 'p-1' }, status: { containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ContainerCreating' } } }] } }] });
      if (what.startsWith('service/')) return json({ spec: { type: 'LoadBalancer' }, status: { loadBalancer: {} } });
    }
    throw new Error(`the fake cluster does not know: ${tool} ${args.join(' ')}`);
  };
  return { calls, builds, runner };
}

function recorder() {
  const lines: string[] = [];
  const reporter: Reporter = { line: (t) => lines.push(t), detail: (t) => lines.push(`  │ ${t}`) };
  return { lines, reporter };
}

describe('clusterUp', () => {
  it('starts minikube, builds both images, installs Emissary and the operator, waiting for each', async () => {
    const fake = fakeCluster();
    const { lines, reporter } = recorder();
    await clusterUp(parseUpArgs([]), createSession('seldon-lab', TOOLS, fake.runner, reporter, 1));

    const order = fake.calls.filter((c) => !c.startsWith('kubectl get') && !c.startsWith('minikube status'));
    expect(order).toEqual([
      'minikube start --profile=seldon-lab --cpus=2',
      'kubectl version --output=json',
      'minikube image build --profile=seldon-lab',
      'minikube image build --profile=seldon-lab',
      'helm upgrade --install emissary-crds',
      'helm upgrade --install emissary-ingress',
      'kubectl apply --server-side --force-conflicts',
      'kubectl apply --server-side --force-conflicts',
      'kubectl apply --server-side --field-manager=seldon-lab-cluster-up',
      'helm upgrade --install seldon-lab-operator',
    ]);
    // Every build got a staged folder with its Dockerfile and the sources, under the pinned names.
    const pinned = JSON.parse(readFileSync('cluster/images.json', 'utf8'));
    expect(fake.builds.map((b) => b.image)).toEqual([pinned.modelServer, pinned.operator]);
    for (const b of fake.builds) expect(b).toMatchObject({ dockerfile: true, copied: ['lib/paths.ts', 'package.json'] });
    // Waits show progress and end when the condition holds.
    expect(lines).toContain('  │ 0/1 ready; p-1: ContainerCreating');
    expect(lines).toContain('  │ mappings.getambassador.io: established');
    expect(lines.filter((l) => l.startsWith('✓ '))).toHaveLength(9);
    expect(lines.join('\n')).toContain('port-forward svc/emissary-ingress 8003:80');
    expect(lines.join('\n')).toContain('http://localhost:8003/seldon/seldon/iris-model/api/v1.0/predictions');
  });

  it('reuses a running minikube, and skips the builds and Emissary when asked', async () => {
    const fake = fakeCluster({ running: true });
    const { lines, reporter } = recorder();
    await clusterUp(parseUpArgs(['--skip-build', '--ingress', 'none']), createSession('seldon-lab', TOOLS, fake.runner, reporter, 1));
    expect(fake.calls.some((c) => c.startsWith('minikube start') || c.startsWith('minikube image') || c.includes('emissary'))).toBe(false);
    expect(lines.join('\n')).toContain('already running');
    expect(lines.join('\n')).toContain('port-forward svc/iris-model-default 8000:8000');
  });

  it('stops with what to do when an image does not build', async () => {
    const fake = fakeCluster({ failBuild: true });
    const { lines, reporter } = recorder();
    const error = await clusterUp(parseUpArgs([]), createSession('seldon-lab', TOOLS, fake.runner, reporter, 1)).catch((e) => e);
    expect(error).toBeInstanceOf(StepError);
    expect(error.message).toContain('node:20-bookworm-slim: not found');
    expect(error.next).toContain('docker build -f cluster/images/model-server.Dockerfile');
    expect(lines.some((l) => l.startsWith('✗ Build seldon-lab/model-server'))).toBe(true);
    expect(fake.calls.some((c) => c.startsWith('helm'))).toBe(false);
  });

  it('refuses a cluster older than the CRD needs, and says how to get a newer one', async () => {
    const fake = fakeCluster({ running: true, kubeVersion: 'v1.21.14' });
    const { reporter } = recorder();
    const error = await clusterUp(parseUpArgs([]), createSession('seldon-lab', TOOLS, fake.runner, reporter, 1)).catch((e) => e);
    expect(error).toBeInstanceOf(StepError);
    expect(error.message).toBe('This cluster runs Kubernetes v1.21.14; the operator\'s CRD needs 1.25 or newer.');
    expect(error.next).toContain('--delete');
  });
});

describe('minikubeRunning', () => {
  it('needs host, kubelet and API server running', () => {
    expect(minikubeRunning('{"Host":"Running","Kubelet":"Running","APIServer":"Running"}')).toBe(true);
    expect(minikubeRunning('{"Host":"Running","Kubelet":"Stopped","APIServer":"Stopped"}')).toBe(false);
    expect(minikubeRunning('🤷  Profile "seldon-lab" not found.')).toBe(false);
  });
});
