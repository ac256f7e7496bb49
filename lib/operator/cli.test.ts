// SPDX-License-Identifier: Apache-2.0
// `seldon-lab operator`: its flags, its errors, and a real run against the sandbox.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from './cli.js';
import { sampleManifest } from './testing/fixtures.js';
import { startTestCluster, waitFor } from './testing/sandbox-cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'seldon-lab-operator-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): CliIO & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l) };
}

describe('seldon-lab operator', () => {
  it('prints its usage for --help', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out_.join('\n')).toContain('usage: seldon-lab operator');
  });

  it('refuses unknown flags and bad values, showing the usage', async () => {
    const io = capture();
    expect(await main(['--replicas', '2'], io)).toBe(2);
    expect(io.err_.join('\n')).toMatch(/Unknown option '--replicas'[\s\S]*usage: seldon-lab operator/);
    expect(await main(['--workers', 'many'], io)).toBe(2);
    expect(io.err_.join('\n')).toContain('--workers must be a whole number from 1 to 64, not "many"');
  });

  it('says which file is wrong: a missing kubeconfig, a broken configuration', async () => {
    const io = capture();
    expect(await main(['--kubeconfig', join(dir, 'nope')], io)).toBe(1);
    expect(io.err_.join('\n')).toContain(`Cannot read the kubeconfig ${join(dir, 'nope')}`);
    const config = join(dir, 'operator.yaml');
    writeFileSync(config, 'ingress: nginx\n');
    expect(await main(['--config', config], io)).toBe(1);
    expect(io.err_.join('\n')).toContain(`${config} is not a valid operator configuration`);
  });

  it('runs the operator until told to stop', async () => {
    const cluster = await startTestCluster();
    try {
      const io = capture();
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const running = main(['--kubeconfig', cluster.sandbox.kubeconfigPath, '--namespace', 'seldon', '--health-port', '0'], io, stopped);
      const port = await waitFor('the health port', () => io.out_.map((l) => /health checks on :(\d+)/.exec(l)?.[1]).find(Boolean));
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      await waitFor('/readyz to say ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200);
      await cluster.createSdep(sampleManifest());
      await waitFor('iris-model to be Available', async () => (await cluster.getSdep('seldon', 'iris-model'))?.status?.state === 'Available');
      stop();
      expect(await running).toBe(0);
      expect(io.out_).toContain('[operator] watching SeldonDeployments in namespace seldon (ingress: ambassador-v3alpha1)');
      expect(io.out_).toContain('[operator] seldon/iris-model: created Deployment iris-model-default-0-classifier');
      expect(io.out_.at(-1)).toBe('[operator] stop requested: stopping');
    } finally {
      await cluster.stop();
    }
  });
});
