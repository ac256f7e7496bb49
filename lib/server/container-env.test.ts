// SPDX-License-Identifier: Apache-2.0
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIND_ADDRESS_ENV, MOUNTS_ENV, listenAddressFor } from './container-env.js';
import { resolveModelUri } from './storage/index.js';

const saved = { mounts: process.env[MOUNTS_ENV] };
afterEach(() => {
  if (saved.mounts === undefined) delete process.env[MOUNTS_ENV];
  else process.env[MOUNTS_ENV] = saved.mounts;
});

describe('the sandbox container view', () => {
  it('listens on the pod address when asked for every address, and nowhere else changes', () => {
    const env = { [BIND_ADDRESS_ENV]: '127.1.0.7' };
    expect(listenAddressFor('0.0.0.0', env)).toBe('127.1.0.7');
    expect(listenAddressFor(undefined, env)).toBe('127.1.0.7');
    expect(listenAddressFor('127.0.0.1', env)).toBe('127.0.0.1');
    expect(listenAddressFor('0.0.0.0', {})).toBe('0.0.0.0');
  });

  it("resolves Seldon's /mnt/models (init container destination and model_uri) inside the pod's volume", async () => {
    const volume = await mkdtemp(join(tmpdir(), 'seldon-lab-volume-'));
    const source = await mkdtemp(join(tmpdir(), 'seldon-lab-source-'));
    try {
      await writeFile(join(source, 'model.json'), '{"x":1}');
      process.env[MOUNTS_ENV] = JSON.stringify({ '/mnt/models': volume });
      // The storage initializer copies into /mnt/models, which is really the volume folder...
      const dest = await resolveModelUri(source, { dest: '/mnt/models' });
      expect(dest).toBe(volume);
      expect(await readFile(join(volume, 'model.json'), 'utf8')).toBe('{"x":1}');
      // ...and the model server's model_uri=/mnt/models finds the same files.
      expect(await resolveModelUri('/mnt/models')).toBe(volume);
    } finally {
      await rm(volume, { recursive: true, force: true });
      await rm(source, { recursive: true, force: true });
    }
  });
});
