// SPDX-License-Identifier: Apache-2.0
// connect(): a live cluster when one answers, else the shared sandbox (started once, joined by
// other connects and other processes, gone when the last one closes), and the bad cases: a
// kubeconfig pointing at a dead cluster, SELDON_LAB_CLUSTER=live without a cluster, a bad value.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import { waitFor } from '../sandbox/network/testing/wait.js';
import { connect } from './connect.js';
import { isAlive, readState } from './shared-sandbox.js';

const ENV_KEYS = ['KUBECONFIG', 'SELDON_LAB_CLUSTER', 'SELDON_LAB_STATE_DIR', 'SELDON_LAB_SANDBOX_IDLE_MS', 'SELDON_LAB_INGRESS_PORT', 'SELDON_LAB_INGRESS_URL', 'SELDON_LAB_LANG', 'SELDON_LAB_SANDBOX'];
let saved: Record<string, string | undefined>;
let dir: string;

beforeEach(() => {
  saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  dir = mkdtempSync(join(tmpdir(), 'connect-test-'));
  // A private state folder, a free ingress port, and a short idle time, so the sandbox process
  // of this test is its own and goes away soon after the test lets go of it.
  process.env.SELDON_LAB_STATE_DIR = join(dir, 'state');
  process.env.SELDON_LAB_INGRESS_PORT = '0';
  process.env.SELDON_LAB_SANDBOX_IDLE_MS = '300';
  // No kubeconfig at all unless a test writes one.
  process.env.KUBECONFIG = join(dir, 'no-such-kubeconfig');
});

afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Waits for the shared sandbox of this test's folder to have stopped. */
async function sandboxGone(stateDir: string, pid: number): Promise<void> {
  await waitFor('the sandbox process to stop', () => !isAlive(pid) && readState(stateDir) === undefined, 20_000, 50);
}

function writeKubeconfig(path: string, context: string, server: string, extra: { ca?: string; token?: string } = {}): void {
  const cluster = extra.ca ? `{server: "${server}", certificate-authority-data: "${Buffer.from(extra.ca).toString('base64')}"}` : `{server: "${server}"}`;
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: ${context}, cluster: ${cluster}}]`,
      `users: [{name: ${context}, user: {${extra.token ? `token: "${extra.token}"` : ''}}}]`,
      `contexts: [{name: ${context}, context: {cluster: ${context}, user: ${context}}}]`,
      `current-context: ${context}`,
      '',
    ].join('\n'),
  );
}

describe('connect(): the shared sandbox', () => {
  it('starts one sandbox, which other connects and other processes join, and which stops after the last close', async () => {
    process.env.SELDON_LAB_CLUSTER = 'sandbox';
    const lines: string[] = [];
    const first = await connect({ print: (l) => lines.push(l) });
    const stateDir = process.env.SELDON_LAB_STATE_DIR!;
    const pid = readState(stateDir)!.pid;
    expect(first.kind).toBe('sandbox');
    expect(lines.at(-1)).toMatch(/^Connected to the sandbox cluster at https:\/\/127\.0\.0\.1:\d+ \(ingress http:\/\/127\.0\.0\.1:\d+\)$/);
    expect(process.env.KUBECONFIG).toBe(first.kubeconfigPath);

    // It is a working cluster, with the gateway answering as Envoy does.
    const namespaces = await first.kubeConfig.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');
    const gateway = await fetch(`${first.ingressUrl}/no/route/here`);
    expect(gateway.status).toBe(404);
    expect(gateway.headers.get('server')).toBe('envoy');

    // A second connect in this process, and one in another process, get the same cluster.
    const second = await connect({ print: () => {} });
    expect(second.server).toBe(first.server);
    const entry = pathToFileURL(fromRoot('lib', 'kube', 'connect.ts')).href;
    const script = `import(${JSON.stringify(entry)}).then(async (m) => { const c = await m.connect({ print: () => {} }); console.log(c.server); await c.close(); })`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: fromRoot(), env: process.env, timeout: 60_000 });
    expect(stdout.trim()).toBe(first.server);

    // One close is not enough while another connection is open.
    await first.close();
    expect(isAlive(pid)).toBe(true);
    await second.close();
    expect(process.env.KUBECONFIG).toBe(join(dir, 'no-such-kubeconfig'));
    await sandboxGone(stateDir, pid);
  });

  it('falls back from a kubeconfig whose cluster does not answer, saying which and why', async () => {
    const kubeconfig = join(dir, 'dead-kubeconfig');
    writeKubeconfig(kubeconfig, 'minikube', 'https://127.0.0.1:1');
    process.env.KUBECONFIG = kubeconfig;
    const lines: string[] = [];
    const conn = await connect({ print: (l) => lines.push(l) });
    const pid = readState(process.env.SELDON_LAB_STATE_DIR!)!.pid;
    expect(lines[0]).toMatch(/^The current kube context "minikube" \(https:\/\/127\.0\.0\.1:1\) did not answer: ECONNREFUSED .*\. Using the sandbox cluster instead\.$/);
    expect(conn.kind).toBe('sandbox');
    expect(process.env.KUBECONFIG).toBe(conn.kubeconfigPath);
    await conn.close();
    expect(process.env.KUBECONFIG).toBe(kubeconfig);
    await sandboxGone(process.env.SELDON_LAB_STATE_DIR!, pid);
  });
});

describe('connect(): a live cluster', () => {
  let live: Sandbox;
  afterAll(async () => {
    await live?.stop();
  });

  it('uses the current context when its cluster answers, and names its kind', async () => {
    // Any API server will do as "a live cluster": here a sandbox under another context name.
    live = await startSandbox({ controllers: false });
    const kubeconfig = join(dir, 'live-kubeconfig');
    writeKubeconfig(kubeconfig, 'lab-cluster', live.url, { ca: live.caPem, token: live.token });
    process.env.KUBECONFIG = kubeconfig;
    process.env.SELDON_LAB_INGRESS_URL = 'http://192.0.2.10';
    const lines: string[] = [];
    const conn = await connect({ print: (l) => lines.push(l), lang: 'ko' });
    expect(conn).toMatchObject({ kind: 'cluster', server: live.url, kubeconfigPath: kubeconfig, ingressUrl: 'http://192.0.2.10' });
    expect(lines).toEqual([`클러스터에 연결했습니다: ${live.url} (인그레스 http://192.0.2.10)`]);
    expect(readState(process.env.SELDON_LAB_STATE_DIR!)).toBeUndefined(); // no sandbox was started
    await conn.close();
  });

  it('refuses the sandbox with SELDON_LAB_CLUSTER=live when no cluster answers', async () => {
    const kubeconfig = join(dir, 'dead-kubeconfig');
    writeKubeconfig(kubeconfig, 'minikube', 'https://127.0.0.1:1');
    process.env.KUBECONFIG = kubeconfig;
    process.env.SELDON_LAB_CLUSTER = 'live';
    await expect(connect({ print: () => {} })).rejects.toThrow(/^SELDON_LAB_CLUSTER=live, but no cluster answers: the current kube context "minikube" .*`minikube start`/);
    expect(readState(process.env.SELDON_LAB_STATE_DIR!)).toBeUndefined();
  });

  it('rejects an unknown SELDON_LAB_CLUSTER value with what it accepts', async () => {
    process.env.SELDON_LAB_CLUSTER = 'minikube';
    await expect(connect({ print: () => {} })).rejects.toThrow('SELDON_LAB_CLUSTER is "minikube": use "sandbox"');
  });
});
