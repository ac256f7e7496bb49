// SPDX-License-Identifier: Apache-2.0
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { isGone, waitFor } from './testing/cluster.js';

const TOYBOX = fromRoot('lib', 'sandbox', 'kubelet', 'toybox.mjs');
let root: string;
let volume: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'toybox-root-'));
  volume = mkdtempSync(join(tmpdir(), 'toybox-volume-'));
  mkdirSync(join(root, 'tmp'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(volume, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TOYBOX, ...args], {
      cwd: root,
      env: { SELDON_LAB_ROOTFS: root, SELDON_LAB_MOUNTS: JSON.stringify({ '/data': volume }), SELDON_LAB_TIME_SCALE: '0.001', GREETING: 'hi', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe('sh', () => {
  it('runs lists with ; && || and exits with the last status', async () => {
    const r = await run(['sh', '-c', 'echo "$GREETING there"; false && echo no || echo "status $?"; true && echo yes; exit 7']);
    expect(r).toMatchObject({ code: 7, out: 'hi there\nstatus 1\nyes\n' });
  });

  it('says which command it cannot find, and refuses syntax it does not have', async () => {
    expect(await run(['sh', '-c', 'python -V'])).toMatchObject({ code: 127, err: 'sh: python: not found\n' });
    const pipes = await run(['sh', '-c', 'echo a | cat']);
    expect(pipes.code).toBe(2);
    expect(pipes.err).toMatch(/no pipes/);
  });

  it('redirects output to files with > and >>', async () => {
    const r = await run(['sh', '-c', 'echo one > /data/order; echo two >> /data/order; hostname >/tmp/name; cat /data/order /tmp/name'], { HOSTNAME: 'web-0' });
    expect(r).toMatchObject({ code: 0, out: 'one\ntwo\nweb-0\n' });
  });

  it('exits 0 at once without a script, as busybox sh with an empty stdin does', async () => {
    expect(await run(['sh'])).toMatchObject({ code: 0, out: '' });
  });

  it('runs trap handlers on exit', async () => {
    expect((await run(['sh', '-c', "trap 'echo bye' EXIT; echo hello"])).out).toBe('hello\nbye\n');
  });
});

describe("the container's filesystem", () => {
  it('puts volume paths in the volume and other absolute paths in the container root', async () => {
    writeFileSync(join(volume, 'model.txt'), 'weights');
    const r = await run(['sh', '-c', 'cat /data/model.txt; touch /tmp/healthy; mkdir -p /data/out; touch /data/out/done; test -f /tmp/healthy && echo found']);
    expect(r.out).toBe('weightsfound\n');
    expect(readFileSync(join(root, 'tmp', 'healthy'), 'utf8')).toBe('');
    expect(readFileSync(join(volume, 'out', 'done'), 'utf8')).toBe('');
  });

  it('hides the runtime contract from env', async () => {
    const r = await run(['env']);
    expect(r.out).toContain('GREETING=hi\n');
    expect(r.out).not.toMatch(/SELDON_LAB_/);
  });

  it("reports a missing file as busybox does", async () => {
    expect(await run(['cat', '/nope'])).toMatchObject({ code: 1, err: "cat: can't open '/nope': No such file or directory\n" });
  });
});

it('sleeps on the sandbox clock', async () => {
  // An hour at time scale 0.0001 is 0.36 s; the test only checks that it ends by itself.
  expect((await run(['sleep', '1h'], { SELDON_LAB_TIME_SCALE: '0.0001' })).code).toBe(0);
});

it('ignores SIGTERM after `trap "" TERM`, and dies of it otherwise', async () => {
  const start = (script: string) => spawn(process.execPath, [TOYBOX, 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const stubborn = start("trap '' TERM; echo ready; sleep infinity");
  await new Promise((resolve) => stubborn.stdout.once('data', resolve));
  stubborn.kill('SIGTERM');
  const plain = start('echo ready; sleep infinity');
  await new Promise((resolve) => plain.stdout.once('data', resolve));
  plain.kill('SIGTERM');
  await new Promise((resolve) => plain.once('exit', resolve));
  expect(plain.signalCode).toBe('SIGTERM');
  expect(isGone(stubborn.pid!)).toBe(false);
  stubborn.kill('SIGKILL');
  await waitFor('the stubborn toybox to die', () => isGone(stubborn.pid!));
});

it('httpd serves files on the bind address and fails clearly when the port is taken', async () => {
  writeFileSync(join(volume, 'healthz'), 'ok');
  const address = `127.3.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const server = spawn(process.execPath, [TOYBOX, 'httpd', '-f', '-p', '8080', '-h', '/data'], {
    cwd: root,
    env: { SELDON_LAB_ROOTFS: root, SELDON_LAB_MOUNTS: JSON.stringify({ '/data': volume }), SELDON_LAB_BIND_ADDRESS: address },
    stdio: 'ignore',
  });
  try {
    const ok = await waitFor('httpd to answer', async () => {
      const res = await fetch(`http://${address}:8080/healthz`).catch(() => undefined);
      return res ? { status: res.status, body: await res.text() } : undefined;
    });
    expect(ok).toEqual({ status: 200, body: 'ok' });
    expect((await fetch(`http://${address}:8080/missing`)).status).toBe(404);
    const second = await run(['httpd', '-p', '8080'], { SELDON_LAB_BIND_ADDRESS: address });
    expect(second).toMatchObject({ code: 1, err: 'httpd: bind: Address already in use\n' });
  } finally {
    server.kill('SIGKILL');
  }
});
