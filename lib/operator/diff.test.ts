// SPDX-License-Identifier: Apache-2.0
// "Is what we want already there?" must say yes despite everything the API server adds or
// normalises, or the operator would write on every reconcile; and say no for real differences.
import { describe, expect, it } from 'vitest';
import { covers, mergePatch, parseQuantity } from './diff.js';

describe('covers', () => {
  it('ignores fields others added (defaults, clusterIP, annotations)', () => {
    expect(covers({ type: 'ClusterIP', clusterIP: '10.96.0.12', ports: [{ port: 80, protocol: 'TCP', targetPort: 9000 }] }, { ports: [{ port: 80, targetPort: 9000 }] })).toBe(true);
  });

  it('treats Go\'s dropped zero values as equal to missing', () => {
    expect(covers({ name: 'x' }, { name: 'x', readOnly: false, args: [], env: {} })).toBe(true);
    expect(covers({ name: 'x' }, { name: 'x', readOnly: true })).toBe(false);
  });

  it('compares resource quantities by value', () => {
    const want = { resources: { requests: { cpu: '0.5', memory: '1024Mi' } } };
    expect(covers({ resources: { requests: { cpu: '500m', memory: '1Gi' } } }, want, [])).toBe(true);
    expect(covers({ resources: { requests: { cpu: '400m', memory: '1Gi' } } }, want, [])).toBe(false);
    // Outside resources a string is a string.
    expect(covers({ image: '1' }, { image: '1.0' })).toBe(false);
  });

  it('requires lists of the same length, element by element', () => {
    expect(covers({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { env: [{ name: 'A', value: '1' }] })).toBe(false);
    expect(covers({ env: [{ name: 'A', value: '2' }] }, { env: [{ name: 'A', value: '1' }] })).toBe(false);
  });
});

describe('parseQuantity', () => {
  it('reads Kubernetes\' suffixes and exponents', () => {
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('lots')).toBeUndefined();
  });
});

describe('mergePatch', () => {
  it('is undefined when nothing changed (key order aside)', () => {
    expect(mergePatch({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBeUndefined();
  });

  it('sends changed fields, null for removed ones, and lists whole', () => {
    expect(mergePatch({ a: 1, b: 2, c: [1, 2], d: { e: 1, f: 2 } }, { a: 1, c: [1], d: { e: 1, f: 3 } })).toEqual({ b: null, c: [1], d: { f: 3 } });
  });
});
