// SPDX-License-Identifier: Apache-2.0
// `seldon-lab start`: its options, and the real command serving both languages on 127.0.0.1 and
// stopping cleanly on SIGTERM, with the port free again afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { isAlive, readState } from '../kube/shared-sandbox.js';
import { fromRoot } from '../paths.js';
import { waitFor } from '../sandbox/network/testing/wait.js';
import { DEFAULT_PORT, main, parseStartArgs, UsageError } from './start.js';

describe('parseStartArgs', () => {
  it('defaults to port 5173, moving on when it is taken', () => {
    expect(parseStartArgs([])).toEqual({ port: DEFAULT_PORT, strictPort: false, help: false });
  });

  it('takes --port and then insists on it', () => {
    expect(parseStartArgs(['--port', '8080'])).toEqual({ port: 8080, strictPort: true, help: false });
    expect(parseStartArgs(['--port=9000']).port).toBe(9000);
  });

  it.each([[['--port', 'abc']], [['--port', '0']], [['--port', '70000']], [['--port', '80.5']], [['--verbose']]])(
    'rejects %j with a UsageError',
    (argv) => {
      expect(() => parseStartArgs(argv)).toThrow(UsageError);
    },
  );
});

describe('main', () => {
  it('prints what was wrong and the usage, and exits 2, for a bad option', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await main(['--port', 'abc'])).toBe(2);
      const printed = error.mock.calls.flat().join('\n');
      expect(printed).toContain("--port takes a port number from 1 to 65535, not 'abc'");
      expect(printed).toContain('usage: seldon-lab start');
    } finally {
      error.mockRestore();
    }
  });
});

/** A port nobody listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = await listen(0);
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Where these tests' sandbox cluster keeps its state: their own, not the repository's shared one. */
const stateDir = mkdtempSync(join(tmpdir(), 'seldon-lab-start-state-'));

/**
 * The environment a shell would give (vitest puts Vite's import.meta.env, SSR=1, DEV=1, …, into
 * process.env), with a sandbox cluster of this test's own: its own state folder, any free ingress
 * port, and a short idle time so it goes away soon after `start` lets go of it.
 */
function shellEnv(): NodeJS.ProcessEnv {
  const leaked = new Set(['TEST', 'NODE_ENV', 'MODE', 'BASE_URL', 'PROD', 'DEV', 'SSR', 'KUBECONFIG']);
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !leaked.has(key) && !key.startsWith('VITEST'))),
    SELDON_LAB_CLUSTER: 'sandbox',
    SELDON_LAB_STATE_DIR: stateDir,
    SELDON_LAB_INGRESS_PORT: '0',
    SELDON_LAB_SANDBOX_IDLE_MS: '300',
  };
}

/** Waits until the sandbox cluster `start` used has stopped: nothing is left running. */
async function sandboxStopped(): Promise<void> {
  const pid = readState(stateDir)?.pid;
  await waitFor('the sandbox cluster to stop', () => readState(stateDir) === undefined && (pid === undefined || !isAlive(pid)), 30_000, 50);
}

const CHROMIUM = '/usr/bin/chromium';

/** Opens `url` in Chromium until the VitePress app is live; returns the errors the page reported. */
async function browserProblems(url: string): Promise<string[]> {
  const profile = mkdtempSync(join(tmpdir(), 'seldon-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    await page.goto(url);
    // The first visit after a fresh checkout waits for Vite to bundle the dependencies.
    await page.locator('.VPSwitchAppearance').first().waitFor({ state: 'attached', timeout: 60_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('ko');
    return problems;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** Runs `seldon-lab start <args>` and resolves once it says where the site is (or it exits). */
async function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [fromRoot('bin', 'seldon-lab.js'), 'start', ...args], { cwd: fromRoot(), env: shellEnv() });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await Promise.race([
    vi.waitFor(() => expect(output).toContain('Press Ctrl-C to stop.'), { timeout: 45_000, interval: 100 }),
    exit,
  ]);
  return { child, output: () => output, exit };
}

describe('seldon-lab start', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await sandboxStopped();
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('serves English and Korean on 127.0.0.1 beside the sandbox cluster, and closes on SIGTERM leaving the port free', async () => {
    const port = await freePort();
    const site = await start(['--port', String(port)]);
    children.push(site.child);
    expect(site.output()).toContain(`English:  http://127.0.0.1:${port}/`);
    expect(site.output()).toContain(`한국어:   http://127.0.0.1:${port}/ko/`);
    // The cluster the notebooks will use, and its ingress: the gateway answers as Envoy does.
    const state = readState(stateDir)!;
    expect(site.output()).toContain(`Cluster:  the sandbox cluster at ${state.url}`);
    expect(site.output()).toContain(`Ingress:  ${state.ingressUrl}`);
    const gateway = await fetch(`${state.ingressUrl}/no/route`);
    expect(gateway.status).toBe(404);
    expect(gateway.headers.get('server')).toBe('envoy');

    for (const path of ['/', '/ko/']) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('<div id="app">');
    }
    // In a browser the Korean home page comes alive (the dev server bundles what it must).
    if (existsSync(CHROMIUM)) expect(await browserProblems(`http://127.0.0.1:${port}/ko/`)).toEqual([]);
    // Notebooks are served from notebooks/; one that was never generated says how to make it.
    const missing = await fetch(`http://127.0.0.1:${port}/notebooks/en/99-no-such-lesson.ipynb`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('npm run notebooks');

    site.child.kill('SIGTERM');
    expect(await site.exit).toBe(0);
    expect(site.output()).toContain('SIGTERM: stopping the site');
    const again = await listen(port);
    await new Promise((done) => again.close(done));
  }, 120_000);

  it('says so and exits 1 when the asked-for port is taken', async () => {
    const taken = await listen(0);
    const { port } = taken.address() as { port: number };
    try {
      const site = await start(['--port', String(port)]);
      children.push(site.child);
      expect(await site.exit).toBe(1);
      expect(site.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  }, 60_000);
});
