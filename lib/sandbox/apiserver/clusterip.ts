// SPDX-License-Identifier: Apache-2.0
// Service ClusterIP allocation, from one fixed range (10.96.0.0/16 by default).
//
// This is the API server's job, not a controller's: kube-apiserver allocates the address while it
// *creates* the Service, so the object `kubectl create` gets back already carries `spec.clusterIP`.
// The core (services.ts) calls `allocate()` on create once validation and admission have passed
// (a refused Service must not use up an address), `update()` when an update turns a Service into
// or out of an ExternalName, and `release()` when the Service is gone; at start it calls
// `restore()` over the stored Services so no address is handed out twice.
//
// The rules follow kube-apiserver's (pkg/registry/core/service/ipallocator):
// - `clusterIP: None` is a headless Service: no address, `clusterIPs: [None]`;
// - `type: ExternalName` gets no address;
// - a requested address must be in the range and free (422 otherwise, with the real messages);
// - otherwise a random free address is picked from the upper part of the range, keeping the
//   lowest addresses (10.96.0.0–10.96.0.255 here) for Services that ask for a fixed one, such
//   as the API server's own `kubernetes` Service at the first address.
// A dry run (`?dryRun=All`) checks and shows an address without taking it.
import { errors } from './status.js';
import type { KubeObject } from './types.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

export interface AllocateOptions {
  /** check and fill in, but take nothing (a dry-run request) */
  dryRun?: boolean;
}

export class ClusterIPAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly taken = new Set<number>();

  constructor(readonly cidr = DEFAULT_SERVICE_CIDR) {
    const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
    const bits = match ? Number(match[2]) : NaN;
    const address = match ? parseIPv4(match[1]) : undefined;
    if (address === undefined || !(bits >= 8 && bits <= 30)) throw new Error(`service CIDR "${cidr}" is not an IPv4 range like 10.96.0.0/16`);
    this.size = 2 ** (32 - bits);
    this.base = address - (address % this.size);
  }

  /** The range's first address (10.96.0.1), which the `kubernetes` Service takes. */
  get firstAddress(): string {
    return formatIPv4(this.base + 1);
  }

  /** Fills `spec.clusterIP(s)` of a Service being created; throws a 422 ApiError for a bad or taken address. */
  allocate(service: KubeObject, opts: AllocateOptions = {}): void {
    const spec = (service.spec ??= {}) as ServiceSpec;
    const name = String(service.metadata.name ?? service.metadata.generateName ?? '');
    if (spec.type === 'ExternalName') return;
    const requested = spec.clusterIP || spec.clusterIPs?.[0];
    if (requested === 'None') {
      Object.assign(spec, { clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
      return;
    }
    const offset = requested ? this.claim(requested, name, opts) : this.pickFree(opts);
    const ip = formatIPv4(this.base + offset);
    Object.assign(spec, { clusterIP: ip, clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  }

  /**
   * Carries the address across an update (an update that leaves `clusterIP` out keeps it, as
   * kubectl apply relies on), and allocates or releases when the type changes to or from ExternalName.
   */
  update(oldService: KubeObject, newService: KubeObject, opts: AllocateOptions = {}): void {
    const oldSpec = (oldService.spec ?? {}) as ServiceSpec;
    const newSpec = (newService.spec ??= {}) as ServiceSpec;
    const hadIP = Boolean(oldSpec.clusterIP) && oldSpec.clusterIP !== 'None';
    if (newSpec.type === 'ExternalName') {
      if (hadIP && !opts.dryRun) this.release(oldService);
      return;
    }
    if (oldSpec.clusterIP && !newSpec.clusterIP) {
      Object.assign(newSpec, {
        clusterIP: oldSpec.clusterIP, clusterIPs: oldSpec.clusterIPs, ipFamilies: oldSpec.ipFamilies, ipFamilyPolicy: oldSpec.ipFamilyPolicy,
      });
      return;
    }
    if (!oldSpec.clusterIP) this.allocate(newService, opts);
  }

  /** Frees a deleted Service's address. */
  release(service: KubeObject): void {
    const ip = (service.spec as ServiceSpec | undefined)?.clusterIP;
    const address = ip ? parseIPv4(ip) : undefined;
    if (address !== undefined) this.taken.delete(address - this.base);
  }

  /** Marks the addresses of existing Services as taken (after loading saved state). */
  restore(services: KubeObject[]): void {
    for (const service of services) {
      const address = parseIPv4(String((service.spec as ServiceSpec | undefined)?.clusterIP ?? ''));
      if (address !== undefined && this.inRange(address)) this.taken.add(address - this.base);
    }
  }

  isAllocated(ip: string): boolean {
    const address = parseIPv4(ip);
    return address !== undefined && this.taken.has(address - this.base);
  }

  private claim(requested: string, name: string, opts: AllocateOptions): number {
    const invalid = (field: string, message: string) =>
      errors.invalid('Service', '', name, [{ reason: 'FieldValueInvalid', field, message }]);
    const address = parseIPv4(requested);
    if (address === undefined) {
      throw invalid('spec.clusterIPs[0]', `Invalid value: "${requested}": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`);
    }
    // The allocator's errors name the whole list, printed as Go prints a []string.
    const failed = (why: string) =>
      invalid('spec.clusterIPs', `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: ${why}`);
    if (!this.inRange(address)) {
      throw failed(`the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
    }
    const offset = address - this.base;
    if (this.taken.has(offset)) throw failed('provided IP is already allocated');
    if (!opts.dryRun) this.taken.add(offset);
    return offset;
  }

  /** A random free address, preferring the dynamic band above the reserved low addresses. */
  private pickFree(opts: AllocateOptions): number {
    // Offsets 0 (network) and size-1 (broadcast) are never handed out. Ranges under 16 addresses
    // have no reserved band (upstream's calculateRangeOffset).
    const reserved = this.size < 16 ? 1 : Math.min(Math.max(16, Math.floor(this.size / 16)), 256);
    for (const [lo, hi] of [[reserved, this.size - 1], [1, reserved]]) {
      const span = hi - lo;
      if (span <= 0) continue;
      const start = Math.floor(Math.random() * span);
      for (let i = 0; i < span; i++) {
        const offset = lo + ((start + i) % span);
        if (!this.taken.has(offset)) {
          if (!opts.dryRun) this.taken.add(offset);
          return offset;
        }
      }
    }
    throw errors.internal('failed to allocate a serviceIP: range is full');
  }

  private inRange(address: number): boolean {
    return address > this.base && address < this.base + this.size - 1;
  }
}

function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function formatIPv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}
