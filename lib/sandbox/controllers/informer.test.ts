// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import { refs } from '../apiserver/api.js';
import { ApiCore, newContext } from '../apiserver/core.js';
import { LocalApi } from '../apiserver/local-api.js';
import { Store } from '../apiserver/store.js';
import type { KubeObject } from '../apiserver/types.js';
import { Informer } from './informer.js';
import { configMap, eventually } from './testing/cluster.js';

/** The sandbox API server's core with a `default` namespace, and its in-process handle. */
function server(): { core: ApiCore; api: LocalApi } {
  const core = new ApiCore(new Store());
  core.create(core.resolve('', 'v1', 'namespaces'), undefined, { metadata: { name: 'default' } }, newContext());
  return { core, api: new LocalApi(core) };
}

describe('Informer', () => {
  let informer: Informer | undefined;
  let core: ApiCore | undefined;
  afterEach(() => {
    informer?.stop();
    core?.watches.dropAll();
  });

  function record(inf: Informer) {
    const seen: string[] = [];
    inf.addHandlers({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_old, o) => seen.push(`update ${o.metadata.name} ${(o.data as { key: string }).key}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    return seen;
  }

  it('lists, then follows changes from the list revision on', async () => {
    const { api, core: c } = server();
    core = c;
    await api.create(refs.configmaps, configMap('before'));
    informer = new Informer(api, refs.configmaps);
    const seen = record(informer);
    informer.start();
    await informer.waitForSync();
    expect(informer.get('default', 'before')?.metadata.name).toBe('before');

    await api.create(refs.configmaps, configMap('after'));
    await api.patch(refs.configmaps, 'default', 'after', { data: { key: 'changed' } }, 'application/merge-patch+json');
    await api.delete(refs.configmaps, 'default', 'before');
    await eventually('the delete event', () => seen.includes('delete before'));
    expect(seen).toEqual(['add before', 'add after', 'update after changed', 'delete before']);
    expect(informer.list('default').map((o) => o.metadata.name)).toEqual(['after']);
  });

  it('after 410 Expired, relists and reports what changed while it was not watching', async () => {
    const { api, core: c } = server();
    core = c;
    await api.create(refs.configmaps, configMap('stays'));
    await api.create(refs.configmaps, configMap('goes'));
    informer = new Informer(api, refs.configmaps);
    const seen = record(informer);
    informer.start();
    await informer.waitForSync();

    // Changes the informer cannot see: its watch is cut (it resumes only after a back-off), and
    // history is compacted away meanwhile, so the resumed watch gets 410 Expired.
    c.watches.dropAll();
    await api.delete(refs.configmaps, 'default', 'goes');
    await api.create(refs.configmaps, configMap('new'));
    c.store.compact();

    await eventually('the relist', () => informer!.get('default', 'new') !== undefined && informer!.get('default', 'goes') === undefined);
    expect(seen).toContain('delete goes');
    expect(seen).toContain('add new');
    expect(seen.filter((s) => s === 'add stays')).toHaveLength(1); // unchanged: no event
  });

  it('resumes after a dropped watch from the last revision, missing nothing', async () => {
    const { api, core: c } = server();
    core = c;
    informer = new Informer(api, refs.configmaps);
    const seen = record(informer);
    informer.start();
    await informer.waitForSync();
    c.watches.dropAll();
    await api.create(refs.configmaps, configMap('while-away'));
    await eventually('the missed add', () => seen.includes('add while-away'));
  });

  it('keeps indexes and replays the cache to late subscribers', async () => {
    const { api, core: c } = server();
    core = c;
    const owned = (name: string, owner: string): KubeObject =>
      configMap(name, 'default', { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid: `uid-${owner}` }] });
    await api.create(refs.configmaps, owned('a', 'x'));
    await api.create(refs.configmaps, owned('b', 'x'));
    await api.create(refs.configmaps, owned('c', 'y'));
    informer = new Informer(api, refs.configmaps);
    informer.addIndex('owner', (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid));
    informer.start();
    await informer.waitForSync();
    expect(informer.byIndex('owner', 'uid-x').map((o) => o.metadata.name).sort()).toEqual(['a', 'b']);
    await api.delete(refs.configmaps, 'default', 'a');
    await eventually('the index update', () => informer!.byIndex('owner', 'uid-x').length === 1);

    const late = record(informer);
    expect(late.sort()).toEqual(['add b', 'add c']);
  });

  it('a throwing handler does not stop the others', async () => {
    const { api, core: c } = server();
    core = c;
    informer = new Informer(api, refs.configmaps);
    informer.addHandlers({ onAdd: () => { throw new Error('boom'); } });
    const seen = record(informer);
    informer.start();
    await informer.waitForSync();
    await api.create(refs.configmaps, configMap('x'));
    await eventually('the add', () => seen.includes('add x'));
  });
});

describe('Informer on the sandbox API server', () => {
  it('survives dropped watches and compaction (410) in a row, missing no change', async () => {
    const { core, api } = server();
    await api.create(refs.configmaps, configMap('a'));
    const informer = new Informer(api, refs.configmaps);
    const seen: string[] = [];
    informer.addHandlers({ onAdd: (o) => seen.push(`add ${o.metadata.name}`), onDelete: (o) => seen.push(`delete ${o.metadata.name}`) });
    informer.start();
    try {
      await informer.waitForSync();
      // A dropped connection: the watch resumes from the last revision.
      core.watches.dropAll();
      await api.create(refs.configmaps, configMap('b'));
      await eventually('b', () => seen.includes('add b'));
      // Dropped again, and history compacted meanwhile: the resumed watch gets 410, the informer relists.
      core.watches.dropAll();
      await api.delete(refs.configmaps, 'default', 'a');
      await api.create(refs.configmaps, configMap('c'));
      core.store.compact();
      await eventually('the relist to show a gone and c there', () => seen.includes('delete a') && seen.includes('add c'));
      expect(informer.list().map((o) => o.metadata.name).sort()).toEqual(['b', 'c']);
    } finally {
      informer.stop();
      core.watches.dropAll();
    }
  });
});
