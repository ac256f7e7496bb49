// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { canonicalJson, fnv1a32, podTemplateHash, safeEncode } from './pod-template-hash.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('pod-template-hash', () => {
  it('FNV-1a 32 matches the published test vectors', () => {
    expect(fnv1a32(bytes(''))).toBe(0x811c9dc5);
    expect(fnv1a32(bytes('a'))).toBe(0xe40c292c);
    expect(fnv1a32(bytes('foobar'))).toBe(0xbf9cf968);
  });

  it('maps digits into the safe alphabet as rand.SafeEncodeString does', () => {
    // '0' is byte 48, 48 % 27 = 21 -> '4'; ... '6' is 54 % 27 = 0 -> 'b'.
    expect(safeEncode('0123456789')).toBe('456789bcdf');
  });

  it('is stable, ignores key order, and changes with the template or the collision count', () => {
    const a = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } };
    const reordered = { spec: { containers: [{ image: 'nginx:1.25', name: 'c' }] }, metadata: { labels: { app: 'web' } } };
    const other = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } };
    const hash = podTemplateHash(a);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(podTemplateHash(reordered)).toBe(hash);
    expect(podTemplateHash(other)).not.toBe(hash);
    expect(podTemplateHash(a, 1)).not.toBe(hash);
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
  });
});
