// SPDX-License-Identifier: Apache-2.0
// Connection files: free ports on 127.0.0.1, a random key, private on disk, removed afterwards.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { channelAddress, freePorts, newConnectionInfo, removeConnectionFile, writeConnectionFile } from './connection.js';

describe('newConnectionInfo', () => {
  it('picks five distinct ports that can be bound on 127.0.0.1', async () => {
    const info = await newConnectionInfo();
    const ports = [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port];
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('uses a fresh random key and HMAC-SHA256 each time', async () => {
    const [a, b] = await Promise.all([newConnectionInfo(), newConnectionInfo()]);
    expect(a.key).toMatch(/^[0-9a-f]{64}$/);
    expect(a.key).not.toBe(b.key);
    expect(a).toMatchObject({ transport: 'tcp', ip: '127.0.0.1', signature_scheme: 'hmac-sha256', kernel_name: 'tslab' });
    expect(channelAddress(a, a.shell_port)).toBe(`tcp://127.0.0.1:${a.shell_port}`);
  });
});

describe('freePorts', () => {
  it('returns as many ports as asked for', async () => {
    expect(await freePorts(3)).toHaveLength(3);
  });
});

describe('writeConnectionFile', () => {
  it('writes the info readable only by its owner, and removes it again', async () => {
    const info = await newConnectionInfo();
    const connection = writeConnectionFile(info);
    expect(JSON.parse(readFileSync(connection.file, 'utf8'))).toEqual(info);
    expect(statSync(connection.file).mode & 0o777).toBe(0o600);
    expect(statSync(connection.dir).mode & 0o777).toBe(0o700);
    removeConnectionFile(connection);
    removeConnectionFile(connection);
    expect(existsSync(connection.dir)).toBe(false);
  });
});
