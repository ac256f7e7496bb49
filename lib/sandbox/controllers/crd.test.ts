// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apiserver/types.js';
import { exampleCrd } from '../testing.js';
import { findCondition, type Condition } from './objects.js';
import { eventually, refs, startTestCluster, type TestCluster } from './testing/cluster.js';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function crd(plural: string, kind: string, shortNames?: string[], listKind = `${kind}List`): KubeObject {
  const schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return exampleCrd(kind, [{ name: 'v1', schema }], { plural, singular: plural.replace(/s$/, ''), listKind, ...(shortNames ? { shortNames } : {}) }) as KubeObject;
}

const conditionsOf = (obj: KubeObject) => ((obj.status ?? {}) as { conditions?: Condition[] }).conditions;
const settled = (name: string) =>
  eventually(`${name} to have its naming conditions`, async () => {
    const got = await cluster!.api.get(refs.crds, undefined, name);
    return findCondition(conditionsOf(got), 'Established') ? got : undefined;
  });

describe('CRD controller', () => {
  it('accepts the names and marks the CRD Established (what kubectl wait --for condition=established reads)', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.crds, crd('widgets', 'Widget', ['wd']));
    const got = await settled('widgets.example.com');
    expect(findCondition(conditionsOf(got), 'NamesAccepted')).toMatchObject({ status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
    expect(findCondition(conditionsOf(got), 'Established')).toMatchObject({ status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
    expect((got.status as { acceptedNames: unknown }).acceptedNames).toEqual({ plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList' });
    expect(conditionsOf(got)?.map((c) => c.type)).toEqual(['NamesAccepted', 'Established']);
  });

  it('refuses a kind or short name another CRD of the group has accepted, with the real reason', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.crds, crd('widgets', 'Widget', ['wd']));
    await settled('widgets.example.com');

    await cluster.api.create(refs.crds, crd('gadgets', 'Widget', undefined, 'GadgetList'));
    const kindClash = await settled('gadgets.example.com');
    expect(findCondition(conditionsOf(kindClash), 'NamesAccepted')).toMatchObject({ status: 'False', reason: 'KindConflict', message: '"Widget" is already in use' });
    expect(findCondition(conditionsOf(kindClash), 'Established')).toMatchObject({ status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
    // The names that are free are accepted even so.
    expect((kindClash.status as { acceptedNames: unknown }).acceptedNames).toMatchObject({ plural: 'gadgets', listKind: 'GadgetList' });

    // Kind and list kind both taken: like upstream, the condition reports the last conflict checked.
    await cluster.api.create(refs.crds, crd('doohickeys', 'Widget'));
    const both = await settled('doohickeys.example.com');
    expect(findCondition(conditionsOf(both), 'NamesAccepted')).toMatchObject({ reason: 'ListKindConflict', message: '"WidgetList" is already in use' });

    await cluster.api.create(refs.crds, crd('gizmos', 'Gizmo', ['wd']));
    const shortClash = await settled('gizmos.example.com');
    expect(findCondition(conditionsOf(shortClash), 'NamesAccepted')).toMatchObject({ status: 'False', reason: 'ShortNamesConflict', message: '"wd" is already in use' });
  });

  it('accepts the names once the CRD holding them is gone', async () => {
    cluster = await startTestCluster();
    await cluster.api.create(refs.crds, crd('widgets', 'Widget'));
    await settled('widgets.example.com');
    await cluster.api.create(refs.crds, crd('gadgets', 'Widget'));
    const blocked = await settled('gadgets.example.com');
    expect(findCondition(conditionsOf(blocked), 'Established')?.status).toBe('False');
    await cluster.api.delete(refs.crds, undefined, 'widgets.example.com');
    await eventually('gadgets to be established', async () => {
      const got = await cluster!.api.get(refs.crds, undefined, 'gadgets.example.com');
      return findCondition(conditionsOf(got), 'Established')?.status === 'True';
    });
  });
});
