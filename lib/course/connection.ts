// SPDX-License-Identifier: Apache-2.0
// The connection file: how a Jupyter client tells a kernel where to listen and how to sign.
//
// A Jupyter kernel does not choose its own ports. Whoever starts it writes a small JSON file with
// five TCP ports (shell, iopub, stdin, control, heartbeat), an address, and a secret key; the kernel
// binds those ports and signs every message with the key. This file writes one for a fresh kernel:
// free ports on 127.0.0.1 (so nothing outside this machine can talk to the kernel) and a random key
// (so no other local program can forge messages), in a private temporary folder.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The fields of a Jupyter connection file (jupyter_client's `write_connection_file`). */
export interface ConnectionInfo {
  transport: 'tcp';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  /** the HMAC key; every message on every channel carries a signature made with it */
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

/** A connection file on disk, and the folder to delete with it. */
export interface ConnectionFile {
  info: ConnectionInfo;
  /** absolute path of `connection.json` */
  file: string;
  /** the private folder holding it; removing it removes the file */
  dir: string;
}

/** The address a socket connects to for one of the kernel's channels, e.g. `tcp://127.0.0.1:5555`. */
export function channelAddress(info: ConnectionInfo, port: number): string {
  return `${info.transport}://${info.ip}:${port}`;
}

/**
 * Asks the operating system for `count` distinct free TCP ports on `host`.
 *
 * All listeners stay open until every port is known, so the system cannot hand out the same port
 * twice. Another program could still take a port between this check and the kernel's bind; the
 * window is a few milliseconds, and a kernel that cannot bind exits with an error that says so.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, host, () => {
              const address = server.address();
              if (address && typeof address === 'object') resolve(address.port);
              else reject(new Error(`could not read the port of a listener on ${host}`));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

/** Builds the connection info for a new kernel: five free ports on 127.0.0.1 and a random key. */
export async function newConnectionInfo(kernelName = 'tslab'): Promise<ConnectionInfo> {
  const [shell, iopub, stdin, control, hb] = await freePorts(5);
  return {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    // 32 random bytes as hex, the same strength jupyter_client uses (a UUID4 there).
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: kernelName,
  };
}

/**
 * Writes `info` to `connection.json` in a new private folder under the system's temporary folder.
 * The file holds the signing key, so only its owner may read it (mode 0600, folder 0700).
 */
export function writeConnectionFile(info: ConnectionInfo): ConnectionFile {
  const dir = mkdtempSync(join(tmpdir(), 'seldon-lab-kernel-'));
  const file = join(dir, 'connection.json');
  writeFileSync(file, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  return { info, file, dir };
}

/** Deletes a connection file's folder; safe to call twice or after someone else removed it. */
export function removeConnectionFile(connection: ConnectionFile): void {
  rmSync(connection.dir, { recursive: true, force: true });
}
