// SPDX-License-Identifier: Apache-2.0
// The shell helper of ```bash run``` cells, with real commands.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { repoRoot } from '../paths.js';
import { run, sh } from './shell.js';

let log: MockInstance<typeof console.log>;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  log.mockRestore();
});
const printed = () => log.mock.calls.map((args) => args.join(' '));

describe('sh', () => {
  it('prints each output line and returns the output', async () => {
    const result = await sh('echo one; echo two');
    expect(result).toEqual({ command: 'echo one; echo two', exitCode: 0, output: 'one\ntwo' });
    expect(printed()).toEqual(['one', 'two']);
  });

  it('shows stderr with stdout, each stream in its own order', async () => {
    const { output } = await sh('echo out1; echo err1 >&2; echo out2; echo err2 >&2');
    const lines = output.split('\n');
    expect([...lines].sort()).toEqual(['err1', 'err2', 'out1', 'out2']);
    expect(lines.indexOf('out1')).toBeLessThan(lines.indexOf('out2'));
    expect(lines.indexOf('err1')).toBeLessThan(lines.indexOf('err2'));
    expect(printed().sort()).toEqual(['err1', 'err2', 'out1', 'out2']);
  });

  it('throws on a non-zero exit, naming the command, the code and the last output', async () => {
    const failing = sh('echo checking; echo "no such thing" >&2; exit 3');
    await expect(failing).rejects.toThrow(/`echo checking; echo "no such thing" >&2; exit 3` failed with exit code 3/);
    await expect(failing).rejects.toThrow(/Last lines of its output:\nchecking\nno such thing$/);
  });

  it('says so when a failing command printed nothing', async () => {
    await expect(sh('false')).rejects.toThrow('`false` failed with exit code 1. It printed nothing.');
  });

  it('repeats only the last 20 lines of a long output', async () => {
    const err = await sh('seq 1 30; exit 1').catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain('(10 earlier lines not repeated)');
    expect(message.endsWith(Array.from({ length: 20 }, (_, i) => String(i + 11)).join('\n'))).toBe(true);
  });

  it('stops at the first failing line, as a careful terminal user would', async () => {
    await expect(sh('false; echo after')).rejects.toThrow(/exit code 1/);
    expect(printed()).not.toContain('after');
  });

  it('with fails, resolves on a non-zero exit and throws on success', async () => {
    const result = await sh('ls /no/such/folder', { fails: true });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toMatch(/No such file or directory/);
    await expect(sh('true', { fails: true })).rejects.toThrow(/expected to fail .* but exited with code 0/);
  });

  it('runs in the repository root by default, and in cwd relative to it', async () => {
    expect((await sh('pwd', { quiet: true })).output).toBe(repoRoot());
    expect((await sh('pwd', { cwd: 'lib/course', quiet: true })).output).toBe(join(repoRoot(), 'lib', 'course'));
  });

  it('takes an absolute cwd as it is', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'sh-')));
    try {
      expect((await sh('pwd', { cwd: dir, quiet: true })).output).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inherits the environment and adds env', async () => {
    process.env.SELDON_LAB_SHELL_TEST = 'inherited';
    try {
      const { output } = await sh('echo "$SELDON_LAB_SHELL_TEST $EXTRA"', { env: { EXTRA: 'added' }, quiet: true });
      expect(output).toBe('inherited added');
    } finally {
      delete process.env.SELDON_LAB_SHELL_TEST;
    }
  });

  it("finds the repository's node_modules/.bin on PATH", async () => {
    const { output } = await sh('command -v vitest', { cwd: '/', quiet: true });
    expect(output).toBe(join(repoRoot(), 'node_modules', '.bin', 'vitest'));
  });

  it("looks in the kit's .tools/ first, then the inherited PATH", async () => {
    const tools = join(repoRoot(), '.tools');
    const dirs = (await sh('printf %s "$PATH"', { quiet: true })).output.split(':');
    // .tools before every folder the process inherited (node_modules/.bin is added npx-style).
    const inherited = (process.env.PATH ?? '').split(':').filter((d) => d !== '');
    expect(dirs).toContain(tools);
    for (const dir of inherited) expect(dirs.indexOf(tools)).toBeLessThan(dirs.indexOf(dir));
    // A PATH given by the caller is kept, after .tools.
    expect((await sh('printf %s "$PATH"', { quiet: true, env: { PATH: '/usr/bin:/bin' } })).output).toMatch(new RegExp(`${tools}:/usr/bin:/bin$`));
  });

  it('gives a command no keyboard: reading stdin ends at once', async () => {
    expect((await sh('cat; echo read-nothing', { quiet: true })).output).toBe('read-nothing');
  });

  it('quiet prints nothing', async () => {
    await sh('echo hidden', { quiet: true });
    expect(printed()).toEqual([]);
  });

  it('stops a command that outlives timeoutMs', async () => {
    await expect(sh('echo started; exec sleep 30', { timeoutMs: 300 })).rejects.toThrow(
      /did not finish within 300 ms and was stopped\.\nLast lines of its output:\nstarted/,
    );
  });
});

describe('run', () => {
  it('prints like sh and returns nothing, so a notebook shows only the output', async () => {
    await expect(run('echo via-run')).resolves.toBeUndefined();
    expect(printed()).toEqual(['via-run']);
  });

  it('fails like sh', async () => {
    await expect(run('exit 2')).rejects.toThrow(/exit code 2/);
    await expect(run('exit 2', { fails: true })).resolves.toBeUndefined();
  });
});
