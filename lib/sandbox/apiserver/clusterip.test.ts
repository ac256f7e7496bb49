// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { KubeObject } from './types.js';
import { ClusterIPAllocator } from './clusterip.js';

const svc = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }], ...spec },
});
const ipOf = (s: KubeObject) => (s.spec as { clusterIP?: string }).clusterIP;

describe('ClusterIPAllocator', () => {
  it('gives each Service its own address in the range, with clusterIPs and the IPv4 family', () => {
    const alloc = new ClusterIPAllocator('10.96.0.0/16');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const s = svc(`s${i}`);
      alloc.allocate(s);
      const ip = ipOf(s)!;
      expect(ip).toMatch(/^10\.96\.\d+\.\d+$/);
      expect(seen.has(ip)).toBe(false);
      seen.add(ip);
      expect(s.spec).toMatchObject({ clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    }
  });

  it('leaves headless and ExternalName Services without an address', () => {
    const alloc = new ClusterIPAllocator();
    const headless = svc('h', { clusterIP: 'None' });
    alloc.allocate(headless);
    expect(headless.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'] });
    const external = svc('e', { type: 'ExternalName', externalName: 'example.com' });
    alloc.allocate(external);
    expect(ipOf(external)).toBeUndefined();
  });

  it('honours a requested address once, and refuses a taken or foreign one with a 422', () => {
    const alloc = new ClusterIPAllocator('10.96.0.0/16');
    const first = svc('dns', { clusterIP: '10.96.0.10' });
    alloc.allocate(first);
    expect(ipOf(first)).toBe('10.96.0.10');
    expect(() => alloc.allocate(svc('again', { clusterIP: '10.96.0.10' }))).toThrowError(
      'Service "again" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    );
    try {
      alloc.allocate(svc('far', { clusterIP: '192.168.1.1' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 422, reason: 'Invalid' });
      expect((error as Error).message).toContain('is not in the valid range. The range of valid IPs is 10.96.0.0/16');
    }
    expect(() => alloc.allocate(svc('bad', { clusterIP: 'ten' }))).toThrowError(/must be a valid IP address/);
  });

  it('frees an address on release, and restore() marks existing ones taken', () => {
    const alloc = new ClusterIPAllocator('10.96.0.0/16');
    const s = svc('a', { clusterIP: '10.96.0.20' });
    alloc.allocate(s);
    alloc.release(s);
    expect(alloc.isAllocated('10.96.0.20')).toBe(false);
    alloc.allocate(svc('b', { clusterIP: '10.96.0.20' }));

    const fresh = new ClusterIPAllocator('10.96.0.0/16');
    fresh.restore([svc('c', { clusterIP: '10.96.5.5' })]);
    expect(() => fresh.allocate(svc('d', { clusterIP: '10.96.5.5' }))).toThrowError(/already allocated/);
  });

  it('keeps the address across an update that leaves it out, and allocates when ExternalName becomes ClusterIP', () => {
    const alloc = new ClusterIPAllocator();
    const old = svc('a');
    alloc.allocate(old);
    const next = svc('a');
    alloc.update(old, next);
    expect(ipOf(next)).toBe(ipOf(old));
    const external = svc('x', { type: 'ExternalName' });
    const internal = svc('x', { type: 'ClusterIP' });
    alloc.update(external, internal);
    expect(ipOf(internal)).toMatch(/^10\.96\./);
  });

  it('in a dry run, checks and shows an address but takes none', () => {
    const alloc = new ClusterIPAllocator('10.96.0.0/16');
    const tried = svc('a', { clusterIP: '10.96.0.30' });
    alloc.allocate(tried, { dryRun: true });
    expect(ipOf(tried)).toBe('10.96.0.30');
    expect(alloc.isAllocated('10.96.0.30')).toBe(false);
    const shown = svc('b');
    alloc.allocate(shown, { dryRun: true });
    expect(ipOf(shown)).toMatch(/^10\.96\./);
    expect(alloc.isAllocated(ipOf(shown)!)).toBe(false);
    alloc.allocate(svc('c', { clusterIP: '10.96.0.31' }));
    expect(() => alloc.allocate(svc('d', { clusterIP: '10.96.0.31' }), { dryRun: true })).toThrowError(/already allocated/);
  });

  it('fills a small range completely and then says so', () => {
    const alloc = new ClusterIPAllocator('10.0.0.0/29'); // 6 usable addresses
    for (let i = 0; i < 6; i++) alloc.allocate(svc(`s${i}`));
    expect(() => alloc.allocate(svc('seventh'))).toThrowError(/range is full/);
  });
});
