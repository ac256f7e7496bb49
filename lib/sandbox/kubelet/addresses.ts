// SPDX-License-Identifier: Apache-2.0
// Pod IPs for the sandbox: one loopback address per pod.
//
// On a node, every pod has its own network namespace and IP, so two pods can both listen on port
// 9000. Linux routes the whole of 127.0.0.0/8 to the loopback interface, so the sandbox gives each
// pod its own 127.x.y.z address (127.1.0.0/16 by default) and the pod's servers listen there. Like
// the host-local IPAM plugin of a real node, addresses are handed out in order and reused only
// after the range has wrapped, so a new pod does not inherit connections meant for a deleted one.
//
// Two sandboxes can run on one machine at once (a test run beside `npm start`), and their pods
// must not share addresses. So unless told which range to use, a kubelet claims the first free
// /16 of 127.1.0.0 ... 127.63.0.0 with a lock file that holds its pid (a dead owner's claim is
// taken over), and gives it back when it stops.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function toNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class PodAddressPool {
  private readonly first: number;
  private readonly last: number;
  private next: number;
  private readonly used = new Map<string, number>();

  /** `cidr`: a range inside 127.0.0.0/8, e.g. `127.1.0.0/16`. */
  constructor(readonly cidr = '127.1.0.0/16') {
    const [base, bits] = cidr.split('/');
    const prefix = Number(bits);
    const start = toNumber(base);
    if (!(prefix >= 8 && prefix <= 30) || start >>> 24 !== 127) throw new Error(`the pod address range must lie inside 127.0.0.0/8 (loopback), got ${cidr}`);
    const size = 2 ** (32 - prefix);
    const network = start - (start % size);
    // Skip the range's first and last address, as an IPAM plugin skips network and broadcast.
    this.first = network + 1;
    this.last = network + size - 2;
    this.next = this.first;
  }

  /** The address of pod `uid`, allocated on first use. */
  allocate(uid: string): string {
    const existing = this.used.get(uid);
    if (existing !== undefined) return toIp(existing);
    const taken = new Set(this.used.values());
    const size = this.last - this.first + 1;
    for (let i = 0; i < size; i++) {
      const candidate = this.first + ((this.next - this.first + i) % size);
      if (!taken.has(candidate)) {
        this.used.set(uid, candidate);
        this.next = candidate + 1 > this.last ? this.first : candidate + 1;
        return toIp(candidate);
      }
    }
    throw new Error(`no pod address left in ${this.cidr}: ${this.used.size} pods hold them all`);
  }

  release(uid: string): void {
    this.used.delete(uid);
  }

  /** The first address of the range, to check that this machine routes the range to loopback. */
  sample(): string {
    return toIp(this.first);
  }
}

/**
 * Fails with an explanation when this machine cannot listen on the range (macOS routes only
 * 127.0.0.1 to loopback unless aliases are added).
 */
export async function checkLoopbackRange(pool: PodAddressPool): Promise<void> {
  const address = pool.sample();
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `The sandbox kubelet gives each pod its own loopback address (${pool.cidr}), but this machine cannot listen on ${address} ` +
            `(${error.code ?? error.message}). Linux routes all of 127.0.0.0/8 to loopback; on macOS add an alias first: ` +
            `sudo ifconfig lo0 alias ${address} up`,
        ),
      ),
    );
    server.listen(0, address, () => server.close(() => resolve()));
  });
}

const CLAIMS = join(tmpdir(), 'seldon-lab-pod-ranges');

function ownerAlive(file: string): boolean {
  try {
    process.kill(Number(readFileSync(file, 'utf8')), 0);
    return true;
  } catch (error) {
    // EPERM: the pid lives but is not ours to signal. A missing or unreadable file: no owner.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims a free 127.N.0.0/16 for this process's pods; `release()` gives it back. */
export function claimPodRange(): { cidr: string; release(): void } {
  mkdirSync(CLAIMS, { recursive: true });
  for (let n = 1; n <= 63; n++) {
    const file = join(CLAIMS, `127.${n}.0.0`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx' });
        return { cidr: `127.${n}.0.0/16`, release: () => rmSync(file, { force: true }) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || ownerAlive(file)) break;
        rmSync(file, { force: true });
      }
    }
  }
  throw new Error(`every pod address range from 127.1.0.0/16 to 127.63.0.0/16 is claimed by a running sandbox (see ${CLAIMS}); stop one`);
}
