// SPDX-License-Identifier: Apache-2.0
// Strategic merge patch cases, each an original object, a patch and the object the API server
// ends up with (the expectations follow the documented semantics of each directive and the
// patch tags of the Go types).
import { describe, expect, it } from 'vitest';
import { builtinTypeInfo } from './builtin-types.js';
import { SmpError, strategicMergePatch } from './strategic.js';
import type { TypeInfo } from './type-info.js';

const deployment = builtinTypeInfo('apps', 'Deployment');
const service = builtinTypeInfo('', 'Service');
const pod = builtinTypeInfo('', 'Pod');

type J = Record<string, unknown>;
const podSpec = (spec: J): J => ({ spec: { template: { spec } } });

describe('strategicMergePatch', () => {
  it.each<[string, TypeInfo, J, J, J]>([
    [
      'merges containers by name: only the named container changes',
      deployment,
      podSpec({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
      podSpec({ containers: [{ name: 'b', image: 'b:2' }] }),
      podSpec({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2' }] }),
    ],
    [
      // Without $setElementOrder the items the patch names come first, as in the kubectl patch
      // task page of the Kubernetes docs (patch-demo-ctr-2 ends up before patch-demo-ctr).
      'adds a container that was not there, ahead of the existing ones',
      deployment,
      podSpec({ containers: [{ name: 'a', image: 'a:1' }] }),
      podSpec({ containers: [{ name: 'sidecar', image: 's:1' }] }),
      podSpec({ containers: [{ name: 'sidecar', image: 's:1' }, { name: 'a', image: 'a:1' }] }),
    ],
    [
      'deletes a container with $patch: delete',
      deployment,
      podSpec({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
      podSpec({ containers: [{ name: 'a', $patch: 'delete' }] }),
      podSpec({ containers: [{ name: 'b', image: 'b:1' }] }),
    ],
    [
      'replaces a merged list with $patch: replace',
      deployment,
      podSpec({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
      podSpec({ containers: [{ $patch: 'replace' }, { name: 'c', image: 'c:1' }] }),
      podSpec({ containers: [{ name: 'c', image: 'c:1' }] }),
    ],
    [
      'merges env by name and ports by containerPort inside a container',
      deployment,
      podSpec({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80, protocol: 'TCP' }] }] }),
      podSpec({ containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }], ports: [{ containerPort: 80, name: 'http' }, { containerPort: 9000 }] }] }),
      podSpec({
        containers: [{
          name: 'a',
          env: [{ name: 'Y', value: '2' }, { name: 'X', value: '1' }],
          ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 9000 }],
        }],
      }),
    ],
    [
      'merges volumeMounts by mountPath',
      deployment,
      podSpec({ containers: [{ name: 'a', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }),
      podSpec({ containers: [{ name: 'a', volumeMounts: [{ name: 'models', mountPath: '/mnt/models' }] }] }),
      podSpec({ containers: [{ name: 'a', volumeMounts: [{ name: 'models', mountPath: '/mnt/models' }, { name: 'data', mountPath: '/data' }] }] }),
    ],
    [
      'replaces tolerations whole (no patch strategy)',
      deployment,
      podSpec({ tolerations: [{ key: 'a', operator: 'Exists' }] }),
      podSpec({ tolerations: [{ key: 'b', operator: 'Exists' }] }),
      podSpec({ tolerations: [{ key: 'b', operator: 'Exists' }] }),
    ],
    [
      'replaces args whole',
      deployment,
      podSpec({ containers: [{ name: 'a', args: ['--x', '--y'] }] }),
      podSpec({ containers: [{ name: 'a', args: ['--z'] }] }),
      podSpec({ containers: [{ name: 'a', args: ['--z'] }] }),
    ],
    [
      'deletes a field with null',
      deployment,
      { spec: { replicas: 3, paused: true } },
      { spec: { paused: null } },
      { spec: { replicas: 3 } },
    ],
    [
      'merges service ports by port',
      service,
      { spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'grpc', port: 5000, protocol: 'TCP' }] } },
      { spec: { ports: [{ port: 80, targetPort: 9000 }] } },
      { spec: { ports: [{ name: 'http', port: 80, targetPort: 9000, protocol: 'TCP' }, { name: 'grpc', port: 5000, protocol: 'TCP' }] } },
    ],
    [
      'merges finalizers as a set and removes with $deleteFromPrimitiveList',
      deployment,
      { metadata: { finalizers: ['a', 'b'] } },
      { metadata: { finalizers: ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
      { metadata: { finalizers: ['c', 'a'] } },
    ],
    [
      'merges ownerReferences by uid',
      deployment,
      { metadata: { ownerReferences: [{ uid: '1', name: 'x', kind: 'K', apiVersion: 'v1' }] } },
      { metadata: { ownerReferences: [{ uid: '2', name: 'y', kind: 'K', apiVersion: 'v1' }] } },
      { metadata: { ownerReferences: [{ uid: '2', name: 'y', kind: 'K', apiVersion: 'v1' }, { uid: '1', name: 'x', kind: 'K', apiVersion: 'v1' }] } },
    ],
    [
      'merges status conditions by type',
      deployment,
      { status: { conditions: [{ type: 'Available', status: 'False' }, { type: 'Progressing', status: 'True' }] } },
      { status: { conditions: [{ type: 'Available', status: 'True' }] } },
      { status: { conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] } },
    ],
    [
      'orders a merged list by $setElementOrder',
      deployment,
      podSpec({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
      podSpec({ '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'a:2' }] }),
      podSpec({ containers: [{ name: 'b', image: 'b:1' }, { name: 'a', image: 'a:2' }] }),
    ],
    [
      'drops keys not in $retainKeys (switching a volume source)',
      pod,
      { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
      { spec: { volumes: [{ name: 'v', configMap: { name: 'cm' }, $retainKeys: ['configMap', 'name'] }] } },
      { spec: { volumes: [{ name: 'v', configMap: { name: 'cm' } }] } },
    ],
    [
      'switches a Deployment to Recreate and drops rollingUpdate with $retainKeys',
      deployment,
      { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } },
      { spec: { strategy: { type: 'Recreate', rollingUpdate: null, $retainKeys: ['type'] } } },
      { spec: { strategy: { type: 'Recreate' } } },
    ],
    [
      'replaces a map with $patch: replace',
      deployment,
      { metadata: { labels: { a: '1', b: '2' } } },
      { metadata: { labels: { c: '3', $patch: 'replace' } } },
      { metadata: { labels: { c: '3' } } },
    ],
    [
      'replaces a value of another type',
      deployment,
      { spec: { strategy: { rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { rollingUpdate: { maxSurge: '50%' } } } },
      { spec: { strategy: { rollingUpdate: { maxSurge: '50%' } } } },
    ],
  ])('%s', (_name, type, original, patch, expected) => {
    const before = structuredClone(original);
    expect(strategicMergePatch(original, patch, type)).toEqual(expected);
    expect(original).toEqual(before); // the input is not modified
  });

  it.each<[string, J, J, number, string]>([
    [
      'an item without its merge key',
      podSpec({ containers: [{ name: 'a' }] }),
      podSpec({ containers: [{ image: 'x' }] }),
      500,
      'map: map[image:x] does not contain declared merge key: name',
    ],
    ['$retainKeys that is not a list', { spec: { strategy: {} } }, { spec: { strategy: { $retainKeys: 'type' } } }, 400, 'invalid patch format of retainKeys'],
    ['a patch key missing from $retainKeys', { spec: { strategy: {} } }, { spec: { strategy: { type: 'Recreate', $retainKeys: [] } } }, 400, 'invalid patch format of retainKeys'],
    ['a $deleteFromPrimitiveList without a list name', { metadata: {} }, { metadata: { $deleteFromPrimitiveList: ['x'] } }, 400, 'invalid patch format of primitive list'],
    ['$patch: merge in a list', podSpec({ containers: [{ name: 'a' }] }), podSpec({ containers: [{ $patch: 'merge' }] }), 500, 'merging lists cannot yet be specified in the patch'],
    ['an unknown $patch directive', { metadata: { labels: { a: '1' } } }, { metadata: { labels: { $patch: 'explode' } } }, 500, 'unknown patch type: explode in map: map[$patch:explode]'],
    ['a list of lists', { metadata: { finalizers: [['a']] } }, { metadata: { finalizers: [['b']] } }, 422, 'lists of lists are not supported'],
  ])('refuses %s', (_name, original, patch, code, message) => {
    let error: unknown;
    try {
      strategicMergePatch(original, patch, deployment);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SmpError);
    expect((error as SmpError).code).toBe(code);
    expect((error as SmpError).message).toBe(message);
  });
});
