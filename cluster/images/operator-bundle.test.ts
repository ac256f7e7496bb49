// SPDX-License-Identifier: Apache-2.0
// The operator image's program, built the way its Dockerfile builds it and run the way the image
// runs it, without a container engine: bundled into a folder laid out as the image's /app (the
// bundle, its package.json, cluster/operator-config.yaml, no node_modules), started through its
// own `#!` line, and pointed at a sandbox cluster, where it must bring a SeldonDeployment to
// Available and stop cleanly on SIGTERM, as in a pod.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../lib/paths.js';
import { sampleManifest } from '../../lib/operator/testing/fixtures.js';
import { startTestCluster, waitFor } from '../../lib/operator/testing/sandbox-cluster.js';
import { buildOperatorBundle, OPERATOR_ENV, OPERATOR_NODE_FLAGS, type Bundle } from './operator-bundle.js';

/** The image's /app: outside the repository, so no node_modules folder is anywhere above it. */
const app = mkdtempSync(join(tmpdir(), 'seldon-lab-operator-image-'));
let bundle: Bundle;

beforeAll(async () => {
  bundle = await buildOperatorBundle({ outdir: app });
  // COPY cluster/operator-config.yaml ./cluster/operator-config.yaml
  mkdirSync(join(app, 'cluster'));
  cpSync(fromRoot('cluster', 'operator-config.yaml'), join(app, 'cluster', 'operator-config.yaml'));
}, 60_000);
afterAll(() => rmSync(app, { recursive: true, force: true }));

/** The image's environment: ENV in the Dockerfile, and nothing of the repository's. */
const imageEnv = () => ({ PATH: process.env.PATH, NODE_ENV: 'production', SELDON_LAB_ROOT: app, HOME: app, ...OPERATOR_ENV });

describe('the operator bundle', () => {
  it('needs nothing but Node.js, and starts with the image\'s V8 flags', () => {
    const optional = ['bufferutil', 'encoding', 'supports-color', 'utf-8-validate'];
    expect(bundle.imports.filter((i) => !isBuiltin(i) && !optional.includes(i))).toEqual([]);
    // The kit's operator code and client-node are inside.
    expect(bundle.inputs).toBeGreaterThan(500);
    const firstLine = readFileSync(bundle.file, 'utf8').split('\n', 1)[0];
    expect(firstLine).toBe(`#!/usr/bin/env -S node ${OPERATOR_NODE_FLAGS.join(' ')}`);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'))).toMatchObject({ name: 'seldon-lab' });
  });

  it('answers `seldon-lab operator --help`, and refuses the commands it does not have', async () => {
    const help = await execa(bundle.file, ['operator', '--help'], { cwd: app, env: imageEnv(), extendEnv: false, reject: false });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('usage: seldon-lab operator [options]');
    expect(help.stdout).toContain('--kubeconfig FILE');
    const serve = await execa(bundle.file, ['serve'], { cwd: app, env: imageEnv(), extendEnv: false, reject: false });
    expect(serve.exitCode).toBe(2);
    expect(serve.stderr).toContain("this image has only the 'operator' command, not 'serve'");
  });

  it('runs the operator against a cluster until SIGTERM, with the default configuration', async () => {
    const cluster = await startTestCluster();
    const child = spawn(bundle.file, ['operator', '--kubeconfig', cluster.sandbox.kubeconfigPath, '--health-port', '0'], {
      cwd: app, env: imageEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    const err: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => out.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => err.push(line));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const port = await waitFor('the health port', () => {
        if (child.exitCode !== null) throw new Error(`the bundle exited with ${child.exitCode}: ${err.join('\n')}`);
        return out.map((l) => /health checks on :(\d+)/.exec(l)?.[1]).find(Boolean);
      });
      await waitFor('/readyz to say ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200);
      await cluster.createSdep(sampleManifest());
      await waitFor('iris-model to be Available', async () => (await cluster.getSdep('seldon', 'iris-model'))?.status?.state === 'Available');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('[operator] watching SeldonDeployments in all namespaces (ingress: ambassador-v3alpha1)');
      expect(out).toContain('[operator] seldon/iris-model: created Deployment iris-model-default-0-classifier');
      expect(out.at(-1)).toBe('[operator] SIGTERM: stopping');
      // Nothing on stderr, but for Node 22's warning that tr46 (in node-fetch, in client-node) loads
      // the deprecated punycode module: Node warns about it for code outside node_modules only, and
      // a bundle is outside. (Node 20 does not warn.)
      expect(err.filter((l) => !/DEP0040|--trace-deprecation/.test(l))).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await cluster.stop();
    }
  }, 60_000);
});
