// SPDX-License-Identifier: Apache-2.0
// The real kubectl against the sandbox, with nothing but the kubeconfig it wrote: discovery, the
// OpenAPI it reads before writing, client-side apply (create, then a strategic merge patch),
// `get -o yaml`, protobuf bodies from `kubectl create`, and delete; then, with the controllers
// running and pods made ready at once, `rollout status` and the columns of `get deploy,rs,pods`.
// Skipped, with the reason printed, where kubectl is not installed.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from './index.js';

const run = promisify(execFile);

function kubectlVersion(): string | undefined {
  try {
    const stdout = execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return (JSON.parse(stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  } catch {
    return undefined;
  }
}

const version = kubectlVersion();
if (!version) console.log('kubectl.test.ts: skipped, kubectl is not on PATH (CI installs Debian\'s kubernetes-client)');

/**
 * A sandbox started before the suite's tests and stopped after them, and `kubectl` pointed at it with
 * a private discovery cache, so no other cluster's cached API list is reused; `scratch()` is a folder
 * for the suite's manifest files (removed afterwards).
 */
function kubectlAgainstSandbox(options: Parameters<typeof startSandbox>[0]): { kubectl: (...args: string[]) => Promise<string>; scratch: () => string } {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox(options);
    dir = mkdtempSync(join(tmpdir(), 'sandbox-kubectl-'));
  });
  afterAll(async () => {
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const kubectl = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('kubectl', ['--kubeconfig', sandbox.kubeconfigPath, '--cache-dir', join(dir, 'cache'), ...args]);
    return stdout;
  };
  return { kubectl, scratch: () => dir };
}

describe.skipIf(!version)(`kubectl ${version ?? ''} against the sandbox`, () => {
  const { kubectl, scratch } = kubectlAgainstSandbox({ controllers: false });

  it('lists the initial namespaces', async () => {
    const out = await kubectl('get', 'ns', '-o', 'name');
    expect(out.split('\n').filter(Boolean).sort()).toEqual(['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
  });

  it('creates a namespace (a protobuf body) and applies, re-applies, reads and deletes manifests', async () => {
    expect(await kubectl('create', 'namespace', 'lab')).toContain('namespace/lab created');
    const manifest = join(scratch(), 'app.yaml');
    const write = (replicas: number, value: string): void => writeFileSync(manifest, [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: settings, namespace: lab}', `data: {mode: "${value}"}`, '---',
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web, namespace: lab}', 'spec:', `  replicas: ${replicas}`,
      '  selector: {matchLabels: {app: web}}', '  template:', '    metadata: {labels: {app: web}}', '    spec:',
      '      containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}]', '',
    ].join('\n'));
    write(1, 'a');
    const created = await kubectl('apply', '-f', manifest);
    expect(created).toContain('configmap/settings created');
    expect(created).toContain('deployment.apps/web created');
    write(2, 'b');
    const configured = await kubectl('apply', '-f', manifest);
    expect(configured).toContain('deployment.apps/web configured');
    expect(configured).not.toContain('warning');
    expect(await kubectl('apply', '-f', manifest)).toContain('deployment.apps/web unchanged');
    const deployment = parse(await kubectl('get', 'deployment', 'web', '-n', 'lab', '-o', 'yaml')) as { spec: { replicas: number }; metadata: { generation: number } };
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.metadata.generation).toBe(2);
    expect(await kubectl('delete', '-f', manifest)).toContain('deployment.apps "web" deleted');
    const left = await kubectl('get', 'configmaps', '-n', 'lab', '-o', 'name');
    expect(left.trim()).toBe('configmap/kube-root-ca.crt');
  });

  it('reports a server-side refusal the way it does for a real cluster', async () => {
    const bad = join(scratch(), 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name, namespace: default}\n');
    const failed = await kubectl('apply', '-f', bad).then(() => undefined, (e: { stderr: string }) => e.stderr);
    expect(failed).toContain('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
  });
});

describe.skipIf(!version)(`kubectl ${version ?? ''} against the sandbox with its controllers (readyPods)`, () => {
  const { kubectl } = kubectlAgainstSandbox({ readyPods: true });

  it('waits for `rollout status` to finish, through a rolling update too', async () => {
    expect(await kubectl('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2')).toContain('deployment.apps/web created');
    // kubectl watches the Deployment until observedGeneration, updated, ready and available replicas say done.
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=30s')).toContain('deployment "web" successfully rolled out');
    await kubectl('set', 'image', 'deployment/web', 'nginx=nginx:1.27');
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=30s')).toContain('deployment "web" successfully rolled out');
    const history = await kubectl('rollout', 'history', 'deployment/web');
    expect(history.split('\n').filter((line) => /^\d+\s/.test(line)).map((line) => line.split(/\s+/)[0])).toEqual(['1', '2']);
  });

  it('prints the real columns for `get deploy,rs,pods`', async () => {
    await kubectl('rollout', 'status', 'deployment/web', '--timeout=30s');
    const blocks = (await kubectl('get', 'deploy,rs,pods')).trim().split(/\n\s*\n/);
    const headers = blocks.map((block) => block.split('\n')[0].trim().split(/\s{2,}/));
    expect(headers).toEqual([
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
      ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    ]);
    expect(blocks[0]).toMatch(/deployment\.apps\/web\s+2\/2\s+2\s+2\s/);
    // The old ReplicaSet's pods may still show as Terminating for a moment; the new ones run.
    const pods = blocks[2].split('\n').slice(1);
    for (const pod of pods) expect(pod).toMatch(/^pod\/web-[a-z0-9]+-[a-z0-9]{5}\s+\d\/1\s+(Running|Terminating)\s+0\s/);
    expect(pods.filter((pod) => /\s1\/1\s+Running\s/.test(pod))).toHaveLength(2);
  });
});
