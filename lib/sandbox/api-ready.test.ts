// SPDX-License-Identifier: Apache-2.0
// startSandbox() brings the API server up first and says so (`onApiReady`, what `seldon-lab
// sandbox` prints its export line on): by then the kubeconfig is written and works, and the rest
// of the cluster follows before startSandbox() resolves.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startSandbox, type ApiReady } from './index.js';
import { raw } from './testing.js';

/** The target a client that has only the kubeconfig file talks to. */
function fromKubeconfig(path: string): { url: string; caPem: string; token: string } {
  const config = parse(readFileSync(path, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[];
  };
  return {
    url: config.clusters[0].cluster.server,
    caPem: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    token: config.users[0].user.token,
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('onApiReady', () => {
  it('is called once, with the kubeconfig written and the API server answering it, before startSandbox resolves', async () => {
    const calls: ApiReady[] = [];
    let kubeconfigThen: ReturnType<typeof fromKubeconfig> | undefined;
    let readyz: Promise<number> | undefined;
    const sandbox = await startSandbox({
      readyPods: true,
      onApiReady: (api) => {
        calls.push(api);
        kubeconfigThen = existsSync(api.kubeconfigPath) ? fromKubeconfig(api.kubeconfigPath) : undefined;
        readyz = kubeconfigThen && raw(kubeconfigThen, 'GET', '/readyz').then((r) => r.status);
      },
    });
    try {
      expect(calls).toEqual([{ url: sandbox.url, kubeconfigPath: sandbox.kubeconfigPath, context: 'seldon-lab-sandbox' }]);
      expect(kubeconfigThen?.url).toBe(sandbox.url);
      expect(kubeconfigThen?.token).toBe(sandbox.token);
      expect(await readyz).toBe(200);
    } finally {
      await sandbox.stop();
    }
  });

  it('is called for a bare API server too', async () => {
    const calls: string[] = [];
    const sandbox = await startSandbox({ controllers: false, onApiReady: (api) => calls.push(api.url) });
    try {
      expect(calls).toEqual([sandbox.url]);
    } finally {
      await sandbox.stop();
    }
  });

  it('stops the API server again when it throws, and startSandbox rejects with its error', async () => {
    let port = 0;
    await expect(startSandbox({
      readyPods: true,
      onApiReady: (api) => {
        port = Number(new URL(api.url).port);
        throw new Error('the caller gave up');
      },
    })).rejects.toThrow('the caller gave up');
    expect(port).toBeGreaterThan(0);
    expect(await accepts(port)).toBe(false);
  });
});
