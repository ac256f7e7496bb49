// SPDX-License-Identifier: Apache-2.0
// The tslab kernel client against a real tslab kernel (and, for forged messages, a fake one).
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { isAlive, waitUntil } from './fixtures/run/processes.js';
import { KernelError, TslabKernel, type KernelOutput } from './kernel.js';

describe('a running tslab kernel', () => {
  let kernel: TslabKernel;

  beforeAll(async () => {
    kernel = await TslabKernel.start({ cwd: fromRoot('lib', 'course', 'fixtures', 'run'), env: { SELDON_LAB_TEST_MARK: 'mark-42' } });
  });
  afterAll(async () => {
    await kernel?.shutdown();
  });

  it('answers kernel_info with the 5.3 protocol', async () => {
    const info = await kernel.kernelInfo();
    expect(info.protocol_version).toBe('5.3');
    expect(info.implementation).toBe('tslab');
  });

  it('runs cells that share state, and prints the last expression on stdout', async () => {
    const first = await kernel.execute('const answer: number = 40;\nconsole.log("set");');
    expect(first).toMatchObject({ status: 'ok', stdout: 'set\n', stderr: '' });
    const second = await kernel.execute('answer + 2');
    expect(second).toMatchObject({ status: 'ok', stdout: '42\n' });
    expect(second.executionCount).toBeGreaterThan(first.executionCount ?? Infinity);
  });

  it('starts in the given folder, with SELDON_LAB_ROOT and the given environment', async () => {
    const result = await kernel.execute(
      'console.log(process.cwd()); console.log(process.env.SELDON_LAB_ROOT); console.log(process.env.SELDON_LAB_TEST_MARK)',
    );
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      realpathSync(fromRoot('lib', 'course', 'fixtures', 'run')),
      fromRoot(),
      'mark-42',
    ]);
  });

  it('reports a type error as an error, with the message only on stderr', async () => {
    const result = await kernel.execute('const wrong: number = "text";');
    expect(result.status).toBe('error');
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("Type 'string' is not assignable to type 'number'");
  });

  it('reports a throw as an error with its message, and runs the next cell despite the abort window', async () => {
    const thrown = await kernel.execute('throw new Error("intentional failure")');
    expect(thrown.status).toBe('error');
    expect(thrown.stderr).toContain('intentional failure');
    // Sent right away; tslab would drop it as "abort" if the client did not wait the window out.
    const next = await kernel.execute('"still alive"');
    expect(next).toMatchObject({ status: 'ok', stdout: 'still alive\n' });
  });

  it('collects display data', async () => {
    const result = await kernel.execute('import * as tslab from "tslab";\ntslab.display.html("<b>hi</b>");');
    expect(result.status).toBe('ok');
    expect(result.displays).toEqual([{ data: { 'text/html': '<b>hi</b>' }, metadata: {} }]);
  });

  it('streams output to onOutput as it arrives, in order', async () => {
    const seen: KernelOutput[] = [];
    await kernel.execute('console.log("one"); console.error("two"); console.log("three")', { onOutput: (o) => seen.push(o) });
    const text = seen.map((o) => (o.type === 'stream' ? `${o.name}:${o.text}` : 'display')).join('');
    expect(text).toBe('stdout:one\nstderr:two\nstdout:three\n');
  });

  it('interrupts a cell that hangs after its timeout, and stays usable', async () => {
    const hung = await kernel.execute('await new Promise(() => {})', { timeoutMs: 500 });
    expect(hung.status).toBe('timeout');
    expect(hung.stderr).toContain('timed out after 500 ms');
    const busy = await kernel.execute('while (true) {}', { timeoutMs: 500 });
    expect(busy.status).toBe('timeout');
    const next = await kernel.execute('1 + 1');
    expect(next).toMatchObject({ status: 'ok', stdout: '2\n' });
  });

  it('reports a kernel that exits during a cell, and then refuses new cells', async () => {
    const other = await TslabKernel.start();
    try {
      const result = await other.execute('process.exit(7)');
      expect(result.status).toBe('error');
      expect(result.stderr).toContain('exited with code 7');
      await expect(other.execute('1')).rejects.toThrow(KernelError);
    } finally {
      await other.shutdown();
    }
  });
});

describe('shutting a kernel down', () => {
  it('stops the process, deletes the connection file, and refuses new cells', async () => {
    const kernel = await TslabKernel.start();
    const pid = kernel.pid!;
    const file = kernel.connectionFile!;
    expect(isAlive(pid)).toBe(true);
    expect(existsSync(file)).toBe(true);
    await kernel.shutdown();
    await kernel.shutdown(); // twice is fine
    await waitUntil(() => !isAlive(pid), `kernel ${pid} is gone`);
    expect(existsSync(file)).toBe(false);
    await expect(kernel.execute('1')).rejects.toThrow(/closed; start a new one/);
  });

  it('refuses to run cells before start()', async () => {
    await expect(new TslabKernel().execute('1')).rejects.toThrow(/call start\(\) first/);
  });
});

describe('a kernel that does not start', () => {
  it('fails with the exit code and what the process printed', async () => {
    const kernel = new TslabKernel({
      command: () => [process.execPath, '-e', 'console.error("cannot bind: address in use"); process.exit(3)'],
    });
    const error = await kernel.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelError);
    expect((error as Error).message).toMatch(/exited with code 3 while starting/);
    expect((error as Error).message).toContain('cannot bind: address in use');
    expect(kernel.connectionFile === undefined || !existsSync(kernel.connectionFile)).toBe(true);
  });

  it('fails after the start deadline when the process never answers, and kills it', async () => {
    const kernel = new TslabKernel({
      startTimeoutMs: 1_000,
      command: () => [process.execPath, '-e', 'setInterval(() => {}, 1000)'],
    });
    await expect(kernel.start()).rejects.toThrow(/did not answer within 1 s/);
    await waitUntil(() => !isAlive(kernel.pid!), 'the silent process is gone');
  });
});

describe('message signatures', () => {
  it('drops messages with a bad signature and keeps the real ones', async () => {
    const kernel = await TslabKernel.start({
      command: (file) => [process.execPath, fromRoot('lib', 'course', 'fixtures', 'run', 'fake-kernel.mjs'), file],
    });
    try {
      const result = await kernel.execute('anything');
      expect(result).toMatchObject({ status: 'ok', stdout: 'real output\n' });
      expect(kernel.rejected).toEqual([expect.stringMatching(/^iopub: message 'stream' has a bad signature/)]);
    } finally {
      await kernel.shutdown();
    }
  });
});

describe('a package.json that changes under a running kernel (tslab "Unexpected pending rebuildTimer")', () => {
  // A tiny project with one package, so the test changes no shared node_modules.
  const project = mkdtempSync(join(tmpdir(), 'seldon-lab-watch-'));
  const manifest = join(project, 'node_modules', 'fixture-pkg', 'package.json');
  mkdirSync(join(project, 'node_modules', 'fixture-pkg'), { recursive: true });
  writeFileSync(manifest, '{"name":"fixture-pkg","version":"1.0.0","main":"index.js","types":"index.d.ts"}\n');
  writeFileSync(join(project, 'node_modules', 'fixture-pkg', 'index.js'), 'exports.value = 42;\n');
  writeFileSync(join(project, 'node_modules', 'fixture-pkg', 'index.d.ts'), 'export declare const value: number;\n');
  afterAll(() => rmSync(project, { recursive: true, force: true }));
  /** How long the control kernel took to break; the preloaded one must survive several times that. */
  let controlMs = 5_000;

  /** Imports the package, then rewrites its package.json before each further cell; returns how many cells ran ok. */
  async function churn(kernel: TslabKernel, until: (ok: number, failed: boolean) => boolean): Promise<{ ok: number; failed: boolean; ms: number }> {
    const started = Date.now();
    const first = await kernel.execute("import { value } from 'fixture-pkg';\nvalue");
    expect(first).toMatchObject({ status: 'ok', stdout: '42\n' });
    let ok = 0;
    let failed = false;
    while (!until(ok, failed)) {
      writeFileSync(manifest, '{"name":"fixture-pkg","version":"1.0.0","main":"index.js","types":"index.d.ts"}\n');
      const result = await kernel.execute('value + 1');
      if (result.status === 'ok') ok++;
      else {
        expect(result.stderr).toContain('Unexpected pending rebuildTimer');
        failed = true;
      }
    }
    return { ok, failed, ms: Date.now() - started };
  }

  it('breaks a plain tslab kernel (the control: proves the trigger works here)', async () => {
    const kernel = await TslabKernel.start({
      cwd: project,
      command: (file) => [process.execPath, fromRoot('node_modules', 'tslab', 'bin', 'tslab'), 'kernel', '--config-path', file],
    });
    const deadline = Date.now() + 20_000;
    try {
      const control = await churn(kernel, (_ok, failed) => failed || Date.now() > deadline);
      expect(control.failed, 'a changed package.json should break a kernel without the preload').toBe(true);
      controlMs = control.ms;
    } finally {
      await kernel.shutdown();
    }
  });

  it('does not break a kernel started with the kit\'s preload', async () => {
    const kernel = await TslabKernel.start({ cwd: project });
    try {
      // Churn three times as long as the control needed to break, and at least 50 cells.
      const deadline = Date.now() + 3 * controlMs;
      const { ok, failed } = await churn(kernel, (ok, failed) => failed || (ok >= 50 && Date.now() > deadline));
      expect(failed).toBe(false);
      expect(ok).toBeGreaterThanOrEqual(50);
    } finally {
      await kernel.shutdown();
    }
  });
});
