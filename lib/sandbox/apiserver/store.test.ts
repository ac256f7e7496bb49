// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { Store } from './store.js';
import type { KubeObject } from './types.js';

const cm = (name: string, v = '1'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data: { v } });

describe('Store', () => {
  it('gives every write the next global revision, across types', () => {
    const store = new Store();
    const a = store.commit('/configmaps', 'ns/a', 'ADDED', cm('a'));
    const b = store.commit('/secrets', 'ns/b', 'ADDED', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b', namespace: 'ns' } });
    expect([a.revision, b.revision]).toEqual([1, 2]);
    expect(store.get('/configmaps', 'ns/a')?.metadata.resourceVersion).toBe('1');
    expect(store.revision).toBe(2);
  });

  it('replays changes after a revision, until they are compacted', () => {
    const store = new Store();
    store.commit('/configmaps', 'ns/a', 'ADDED', cm('a'));
    store.commit('/configmaps', 'ns/a', 'MODIFIED', cm('a', '2'));
    store.commit('/configmaps', 'ns/a', 'DELETED', cm('a', '2'));
    expect(store.changesSince(1)?.map((c) => c.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(store.changesSince(1)?.[0].previous?.data).toEqual({ v: '1' });
    store.compact(2);
    expect(store.changesSince(1)).toBeUndefined();
    expect(store.changesSince(2)?.map((c) => c.type)).toEqual(['DELETED']);
  });

  it('reconstructs a type as it was at an earlier revision', () => {
    const store = new Store();
    store.commit('/configmaps', 'ns/a', 'ADDED', cm('a'));
    store.commit('/configmaps', 'ns/b', 'ADDED', cm('b'));
    store.commit('/configmaps', 'ns/a', 'MODIFIED', cm('a', '2'));
    store.commit('/configmaps', 'ns/b', 'DELETED', cm('b'));
    store.commit('/configmaps', 'ns/c', 'ADDED', cm('c'));
    const at2 = store.listAt('/configmaps', 2)!;
    expect(at2.map((o) => [o.metadata.name, (o.data as { v: string }).v])).toEqual([['a', '1'], ['b', '1']]);
    expect(store.list('/configmaps').map((o) => o.metadata.name)).toEqual(['a', 'c']);
  });

  it('keeps a bounded history', () => {
    const store = new Store({ historyLimit: 10 });
    for (let i = 0; i < 1200; i++) store.commit('/configmaps', 'ns/a', i === 0 ? 'ADDED' : 'MODIFIED', cm('a', String(i)));
    expect(store.changesSince(100)).toBeUndefined();
    expect(store.changesSince(1195)?.length).toBe(5);
  });
});
