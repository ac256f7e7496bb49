// SPDX-License-Identifier: Apache-2.0
// A kernel never outlives its owner: each test starts an owner process (fixtures/run/owner.ts)
// that starts a real kernel, ends that owner in one way, and then waits for the kernel to be gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { isAlive, waitUntil } from './fixtures/run/processes.js';

interface Owner {
  process: ChildProcess;
  kernelPid: number;
  guardPid: number;
  connectionFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const owners: ChildProcess[] = [];

/** Starts an owner in `mode` and resolves once it has printed its kernel's pid. */
async function startOwner(mode: 'wait' | 'exit' | 'shutdown'): Promise<Owner> {
  const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('lib', 'course', 'fixtures', 'run', 'owner.ts'), mode], {
    cwd: fromRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  owners.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    void exited.then(({ code }) => reject(new Error(`the owner exited (${code}) before starting a kernel:\n${stderr}`)));
  });
  const started = JSON.parse(first) as { kernelPid: number; guardPid: number; connectionFile: string };
  return { process: child, exited, ...started };
}

async function expectKernelGone(owner: Owner): Promise<void> {
  await waitUntil(() => !isAlive(owner.kernelPid), `kernel ${owner.kernelPid} is gone`);
  await waitUntil(() => !existsSync(owner.connectionFile), `${owner.connectionFile} is deleted`);
}

afterEach(() => {
  // A failed test must not leave its owner behind (the owner's guard then ends the kernel).
  for (const child of owners.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('the kernel of an owner that', () => {
  it('shuts it down and returns: the owner then ends by itself', async () => {
    const owner = await startOwner('shutdown');
    expect(await owner.exited).toEqual({ code: 0, signal: null });
    await expectKernelGone(owner);
  });

  it('calls process.exit() without shutting it down', async () => {
    const owner = await startOwner('exit');
    expect(isAlive(owner.kernelPid)).toBe(true);
    await owner.exited;
    await expectKernelGone(owner);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('is killed with %s', async (signal) => {
    const owner = await startOwner('wait');
    expect(isAlive(owner.kernelPid)).toBe(true);
    owner.process.kill(signal);
    expect((await owner.exited).signal).toBe(signal);
    await expectKernelGone(owner);
    await waitUntil(() => !isAlive(owner.guardPid), `guard ${owner.guardPid} is gone`);
  });
});
