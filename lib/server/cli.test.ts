// SPDX-License-Identifier: Apache-2.0
// The commands as a container runs them: `serve` in a real child process (configured only by
// Seldon's environment; draining on SIGTERM), and `storage-init` with the init container's args.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { storageInitMain } from './cli.js';
import { startFakeGcs } from './testing/fake-gcs.js';
import { postJson, raw } from './testing/http.js';

const work = mkdtempSync(join(tmpdir(), 'seldon-lab-cli-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Polls `check` until it returns a value, or fails after `ms`. */
async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    // A short pause between checks keeps the poll from taking a core the child needs.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('lib', 'server', 'testing', 'run-cli.ts'), ...args], {
    cwd: fromRoot(),
    env: { PATH: process.env.PATH, SELDON_LAB_ROOT: fromRoot(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

const readyUrl = (out: string): string | undefined => /ready: .* on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];

describe('seldon-lab serve (a real process)', () => {
  it('runs from Seldon\'s environment alone and answers the seed\'s XGBoost request', async () => {
    const cli = startCli(['serve', '--host', '127.0.0.1'], {
      PREDICTIVE_UNIT_PARAMETERS: '[{"name":"model_uri","value":"gs://seldon-models/v1.11.0-dev/xgboost/iris","type":"STRING"}]',
      PREDICTIVE_UNIT_HTTP_SERVICE_PORT: '0',
      PREDICTIVE_UNIT_ID: 'classifier',
      PREDICTIVE_UNIT_IMAGE: 'seldonio/xgboostserver:1.11.0',
    });
    const url = await until('the ready line', () => readyUrl(cli.out()) ?? (cli.child.exitCode !== null ? Promise.reject(new Error(cli.err())) : undefined));
    const res = await postJson(`${url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 3, 4]] } });
    expect(res.body).toBe('{"data":{"names":[],"ndarray":[2.0]},"meta":{"requestPath":{"classifier":"seldonio/xgboostserver:1.11.0"}}}\n');
    cli.child.kill('SIGINT');
    expect(await cli.exit).toBe(0);
  });

  it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
    const dir = mkdtempSync(join(work, 'slow-'));
    const cli = startCli(['serve', '--model-module', 'lib/server/runtimes/fixtures/slow-model.ts', '--host', '127.0.0.1', '--http-port', '0'], {
      PREDICTIVE_UNIT_PARAMETERS: JSON.stringify([{ name: 'dir', value: dir, type: 'STRING' }]),
    });
    const url = await until('the ready line', () => readyUrl(cli.out()) ?? (cli.child.exitCode !== null ? Promise.reject(new Error(cli.err())) : undefined));
    const inFlight = postJson(`${url}/api/v1.0/predictions`, { data: { ndarray: [[7.5]] } });
    await until('the model to start predicting', () => (existsSync(join(dir, 'started')) ? true : undefined));
    cli.child.kill('SIGTERM');
    await until('new connections to be refused', async () => {
      const attempt = await raw(`${url}/health/ping`, { agent: false }).then(() => undefined, (e: Error) => e);
      return attempt && /ECONNREFUSED/.test(attempt.message) ? true : undefined;
    });
    expect(cli.child.exitCode).toBeNull();
    writeFileSync(join(dir, 'release'), '');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).data.ndarray).toEqual([[7.5]]);
    expect(await cli.exit).toBe(0);
    expect(cli.err()).toContain('Received SIGTERM');
  });

  it('exits 2 with the usage for bad flags, and 1 with the reason when the model cannot load', async () => {
    const bad = startCli(['serve', '--implementation', 'SKLEARN_SERVER'], {});
    expect(await bad.exit).toBe(2);
    expect(bad.err()).toContain('needs --model-uri');
    const missing = startCli(['serve', '--implementation', 'XGBOOST_SERVER', '--model-uri', join(work, 'nothing')], {});
    expect(await missing.exit).toBe(1);
    expect(missing.err()).toMatch(/Could not get the model at .*nothing/);
  });
});

describe('seldon-lab storage-init <uri> <dest>', () => {
  it('fetches the files into dest, as the init container does', async () => {
    const gcs = await startFakeGcs({ models: { 'iris/model.joblib': 'w', 'iris/metadata.yaml': 'name: iris' } });
    try {
      const lines: string[] = [];
      const dest = join(work, 'mnt-models');
      const code = await storageInitMain(['gs://models/iris', dest, '--gcs-endpoint', gcs.endpoint, '--no-store'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
      expect(code).toBe(0);
      expect(readdirSync(dest).sort()).toEqual(['metadata.yaml', 'model.joblib']);
      expect(lines.at(-1)).toBe(`Model files from gs://models/iris are in ${dest}`);
      expect(lines.some((l) => l.includes('model.joblib') && l.includes('done'))).toBe(true);
    } finally {
      await gcs.close();
    }
  });

  it('reports failures and bad arguments with exit codes 1 and 2', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    expect(await storageInitMain(['gs://seldon-models/v1.11.0-dev/sklearn/iris'], io)).toBe(2);
    expect(await storageInitMain([join(work, 'absent'), join(work, 'd')], io)).toBe(1);
    expect(lines.join('\n')).toMatch(/Could not get the model at .*absent/);
    expect(await storageInitMain(['x', 'y', '--timeout', 'soon'], io)).toBe(2);
  });
});
