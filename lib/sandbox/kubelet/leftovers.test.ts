// SPDX-License-Identifier: Apache-2.0
// No process outlives the kubelet: not after stop(), not after its process is killed with SIGKILL.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { condition, isGone, shell, startKubeletCluster, waitFor } from './testing/cluster.js';

it('stop() kills every process, probes and init containers included, and waits for them', async () => {
  const c = await startKubeletCluster();
  try {
    await c.createPod('init', { initContainers: [shell('setup', 'sleep infinity')], containers: [shell('main', 'sleep infinity')] });
    await c.createPod('probed', {
      containers: [shell('main', "trap '' TERM; sleep infinity", { readinessProbe: { exec: { command: ['sleep', '3600'] }, timeoutSeconds: 60, periodSeconds: 1 } })],
    });
    await c.createPod('web', { containers: [shell('main', 'httpd -f -p 8080', { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } })] });
    await c.waitForPod('web', 'Ready', (p) => condition(p, 'Ready')?.status === 'True');
    // init container + probed container + its hanging exec probe + web: each with its guard.
    const pids = await waitFor('eight processes', () => {
      const now = c.kubelet.pids();
      return now.length >= 8 ? now : undefined;
    });
    await c.kubelet.stop();
    expect(pids.filter((pid) => !isGone(pid))).toEqual([]);
  } finally {
    await c.stop();
  }
});

it('takes every process down with it when the kubelet process is killed with SIGKILL', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('lib', 'sandbox', 'kubelet', 'testing', 'run-sandbox.ts')], {
    cwd: fromRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const pids = await new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]) as { pids: number[] }).pids);
    });
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code}) before its pods ran:\n${stderr}`)));
  });
  expect(pids.length).toBeGreaterThanOrEqual(8);
  expect(pids.filter(isGone)).toEqual([]);
  child.kill('SIGKILL');
  await waitFor('every pod process to die with the sandbox', () => pids.every(isGone), 10_000);
});
