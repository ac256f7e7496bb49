// SPDX-License-Identifier: Apache-2.0
// Where a Service is reachable in the sandbox, and how its DNS names read.
import { describe, expect, it } from 'vitest';
import { parseServiceHost, serviceLoopbackAddress, serviceLoopbackPort } from './address.js';

describe('serviceLoopbackAddress', () => {
  it('replaces the first octet of the ClusterIP with 127', () => {
    expect(serviceLoopbackAddress('10.96.12.34')).toBe('127.96.12.34');
    expect(serviceLoopbackAddress('10.96.0.1')).toBe('127.96.0.1');
  });

  it('refuses headless Services, IPv6 and addresses that would land on 127.0.0.1', () => {
    expect(() => serviceLoopbackAddress('None')).toThrow(/not an IPv4 ClusterIP/);
    expect(() => serviceLoopbackAddress('fd00::1')).toThrow(/not an IPv4 ClusterIP/);
    expect(() => serviceLoopbackAddress('10.0.0.1')).toThrow(/maps to 127\.0\.0\.1/);
    expect(() => serviceLoopbackAddress('10.300.0.1')).toThrow(/not an IPv4 ClusterIP/);
  });
});

describe('serviceLoopbackPort', () => {
  it('keeps unprivileged ports and moves privileged ones up by 10000', () => {
    expect(serviceLoopbackPort(8000)).toBe(8000);
    expect(serviceLoopbackPort(1024)).toBe(1024);
    expect(serviceLoopbackPort(80)).toBe(10080);
    expect(serviceLoopbackPort(443)).toBe(10443);
  });
});

describe('parseServiceHost', () => {
  it('reads <svc>, <svc>.<ns>, <svc>.<ns>.svc and <svc>.<ns>.svc.cluster.local', () => {
    expect(parseServiceHost('iris', 'seldon')).toEqual({ name: 'iris', namespace: 'seldon' });
    expect(parseServiceHost('iris')).toBeUndefined();
    expect(parseServiceHost('iris.seldon')).toEqual({ name: 'iris', namespace: 'seldon' });
    expect(parseServiceHost('iris.seldon.svc')).toEqual({ name: 'iris', namespace: 'seldon' });
    expect(parseServiceHost('Iris.Seldon.svc.cluster.local.')).toEqual({ name: 'iris', namespace: 'seldon' });
  });

  it('leaves addresses and outside names alone', () => {
    expect(parseServiceHost('127.0.0.1', 'x')).toBeUndefined();
    expect(parseServiceHost('localhost', 'x')).toBeUndefined();
    expect(parseServiceHost('api.example.com', 'x')).toBeUndefined();
    expect(parseServiceHost('under_score.ns', 'x')).toBeUndefined();
  });
});
