// SPDX-License-Identifier: Apache-2.0
// The Tables `kubectl get` prints: columns and cells per type, ages as the server formats them,
// the SeldonDeployment CRD's printer columns, and the JSONPath subset they use.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types.js';
import { defaultBuiltin } from './defaults.js';
import { humanDuration, toTable } from './tables.js';
import { evaluateJsonPath } from './tables/jsonpath.js';
import { kubectlCreateDeployment, kubectlCreateService, seldonType, types } from '../patch/fixtures/types.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const created = (ago: number) => new Date(NOW.getTime() - ago * 1000).toISOString().replace('.000', '');
const names = (t: ReturnType<typeof toTable>) => t.columnDefinitions.map((c) => c.name);
const visible = (t: ReturnType<typeof toTable>) => t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase());

describe('humanDuration (kubectl ages)', () => {
  it.each([
    [-5000, '<invalid>'], [-500, '0s'], [0, '0s'], [5_000, '5s'], [119_000, '119s'], [120_000, '2m'], [182_000, '3m2s'],
    [600_000, '10m'], [179 * 60_000, '179m'], [3 * 3600_000, '3h'], [3 * 3600_000 + 5 * 60_000, '3h5m'], [8 * 3600_000, '8h'],
    [47 * 3600_000, '47h'], [51 * 3600_000, '2d3h'], [8 * 86400_000, '8d'], [400 * 86400_000, '400d'], [(2 * 365 + 3) * 86400_000, '2y3d'],
    [9 * 365 * 86400_000, '9y'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('toTable: built-in types', () => {
  it('Namespace: NAME STATUS AGE', () => {
    const ns = defaultBuiltin(types.namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'seldon', creationTimestamp: created(5) } });
    const t = toTable(types.namespace, [ns], { now: NOW });
    expect(visible(t)).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(t.rows[0].cells).toEqual(['seldon', 'Active', '5s']);
    expect(t.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: ns.metadata });
  });

  it('Deployment: NAME READY UP-TO-DATE AVAILABLE AGE (+ wide CONTAINERS IMAGES SELECTOR)', () => {
    const d = defaultBuiltin(types.deployment, kubectlCreateDeployment() as unknown as KubeObject);
    d.metadata.creationTimestamp = created(182);
    d.status = { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 };
    const t = toTable(types.deployment, [d], { now: NOW });
    expect(visible(t)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(names(t).slice(5)).toEqual(['Containers', 'Images', 'Selector']);
    expect(t.rows[0].cells).toEqual(['nginx', '1/1', 1, 1, '3m2s', 'nginx', 'nginx:1.25', 'app=nginx']);
  });

  it('ReplicaSet: NAME DESIRED CURRENT READY AGE', () => {
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'nginx-5d8f', creationTimestamp: created(60) }, spec: { replicas: 2, selector: { matchLabels: { app: 'nginx' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } }, status: { replicas: 2, readyReplicas: 1 } };
    const t = toTable(types.replicaSet, [rs], { now: NOW });
    expect(visible(t)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(t.rows[0].cells).toEqual(['nginx-5d8f', 2, 2, 1, '60s', 'nginx', 'nginx:1.25', 'app=nginx']);
  });

  it('Service: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE', () => {
    const svc = defaultBuiltin(types.service, kubectlCreateService() as unknown as KubeObject);
    Object.assign(svc.spec as object, { clusterIP: '10.96.12.7', clusterIPs: ['10.96.12.7'] });
    svc.metadata.creationTimestamp = created(3 * 86400 + 7200);
    const lb = structuredClone(svc);
    Object.assign(lb.spec as object, { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] });
    const t = toTable(types.service, [svc, lb], { now: NOW });
    expect(visible(t)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['web', 'ClusterIP', '10.96.12.7', '<none>', '80/TCP', '3d2h', 'app=web'],
      ['web', 'LoadBalancer', '10.96.12.7', '<pending>', '80:31000/TCP', '3d2h', 'app=web'],
    ]);
  });

  it.each([
    ['Pending, no containers started', { phase: 'Pending' }, ['0/1', 'Pending', '0']],
    ['Running and ready', {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: { startedAt: created(30) } } }],
      podIPs: [{ ip: '10.244.0.5' }],
    }, ['1/1', 'Running', '0']],
    ['crash-looping', {
      phase: 'Running',
      containerStatuses: [{ name: 'c', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: created(65) } } }],
    }, ['0/1', 'CrashLoopBackOff', '4 (65s ago)']],
    ['waiting for its image', { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } }] }, ['0/1', 'ErrImagePull', '0']],
  ])('Pod: %s', (_name, status, cells) => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: created(90) }, spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'sandbox' }, status };
    const t = toTable(types.pod, [pod], { now: NOW });
    expect(visible(t)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(t.rows[0].cells.slice(1, 4)).toEqual(cells);
    expect(t.rows[0].cells[4]).toBe('90s');
    expect(t.rows[0].cells[6]).toBe('sandbox');
  });

  it('shows a deleted Pod as Terminating', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: created(5), deletionTimestamp: created(1) }, spec: { containers: [] }, status: { phase: 'Running' } };
    expect(toTable(types.pod, [pod], { now: NOW }).rows[0].cells[2]).toBe('Terminating');
  });

  it.each([
    [types.configMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: created(1) }, data: { a: '1', b: '2' } }, ['NAME', 'DATA', 'AGE'], ['c', 2, '1s']],
    [types.secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', creationTimestamp: created(1) }, type: 'Opaque', data: { a: 'MQ==' } }, ['NAME', 'TYPE', 'DATA', 'AGE'], ['s', 'Opaque', 1, '1s']],
    [types.endpoints, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', creationTimestamp: created(1) },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }],
    }, ['NAME', 'ENDPOINTS', 'AGE'], ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...', '1s']],
    [types.lease, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'op', creationTimestamp: created(1) }, spec: { holderIdentity: 'operator-1' } }, ['NAME', 'HOLDER', 'AGE'], ['op', 'operator-1', '1s']],
  ])('%s', (type, obj, columns, cells) => {
    const t = toTable(type, [obj as KubeObject], { now: NOW });
    expect(visible(t)).toEqual(columns);
    expect(t.rows[0].cells.slice(0, cells.length)).toEqual(cells);
  });

  it('Event: LAST SEEN TYPE REASON OBJECT MESSAGE', () => {
    const ev = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'web.17a', creationTimestamp: created(10) },
      involvedObject: { kind: 'Deployment', name: 'web' }, reason: 'ScalingReplicaSet', type: 'Normal',
      message: 'Scaled up replica set web-5d8f to 1 ', source: { component: 'deployment-controller' },
      firstTimestamp: created(10), lastTimestamp: created(4), count: 2,
    };
    const t = toTable(types.event, [ev], { now: NOW });
    expect(visible(t)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(t.rows[0].cells).toEqual(['4s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up replica set web-5d8f to 1', '10s', 2, 'web.17a']);
  });

  it('types without a printer (CRDs, Roles): NAME and CREATED AT as a raw timestamp', () => {
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'seldondeployments.machinelearning.seldon.io', creationTimestamp: '2024-05-01T11:00:00Z' } };
    const t = toTable(types.crd, [crd], { now: NOW });
    expect(t.columnDefinitions.map((c) => [c.name, c.type])).toEqual([['Name', 'string'], ['Created At', 'date']]);
    expect(t.rows[0].cells).toEqual(['seldondeployments.machinelearning.seldon.io', '2024-05-01T11:00:00Z']);
  });

  it('includeObject None and Object, and the list metadata', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(toTable(types.configMap, [cm], { now: NOW, includeObject: 'None' }).rows[0].object).toBeNull();
    expect(toTable(types.configMap, [cm], { now: NOW, includeObject: 'Object' }).rows[0].object).toEqual(cm);
    expect(toTable(types.configMap, [], { now: NOW, resourceVersion: '42' })).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '42' }, rows: [] });
  });
});

describe('toTable: custom resources', () => {
  const sdep = (status: Record<string, unknown> | undefined) => ({
    apiVersion: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment', metadata: { name: 'iris', namespace: 'seldon', creationTimestamp: created(3600) },
    spec: { predictors: [] }, ...(status ? { status } : {}),
  });

  it('uses the SeldonDeployment CRD\'s additionalPrinterColumns, dates sent as ages', () => {
    const t = toTable(seldonType(), [sdep({ state: 'Available', replicas: 1, address: { url: 'http://iris-default.seldon.svc.cluster.local:8000/api/v1.0/predictions' } }), sdep(undefined)], { now: NOW });
    expect(t.columnDefinitions.map((c) => [c.name, c.type])).toEqual([['Name', 'string'], ['State', 'string'], ['Replicas', 'integer'], ['Address', 'string'], ['Age', 'date']]);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['iris', 'Available', 1, 'http://iris-default.seldon.svc.cluster.local:8000/api/v1.0/predictions', '60m'],
      ['iris', null, null, null, '60m'],
    ]);
  });

  it('shows NAME and AGE for a CRD without printer columns', () => {
    const type = { ...seldonType(), printerColumns: undefined };
    const t = toTable(type, [sdep(undefined)], { now: NOW });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(t.rows[0].cells).toEqual(['iris', '60m']);
  });

  it('evaluates filters, indexes and quoted keys in column JSONPaths', () => {
    const type = {
      ...seldonType(),
      printerColumns: [
        { name: 'Ready', type: 'string' as const, jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: 'First', type: 'string' as const, jsonPath: '.spec.predictors[0].name' },
        { name: 'Label', type: 'string' as const, jsonPath: ".metadata.labels['app.kubernetes.io/name']" },
        { name: 'Predictors', type: 'string' as const, jsonPath: '.spec.predictors' },
      ],
    };
    const obj = {
      apiVersion: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment',
      metadata: { name: 'iris', labels: { 'app.kubernetes.io/name': 'iris' } },
      spec: { predictors: [{ name: 'default' }] },
      status: { conditions: [{ type: 'Progressing', status: 'False' }, { type: 'Ready', status: 'True' }] },
    };
    expect(toTable(type, [obj], { now: NOW }).rows[0].cells).toEqual(['iris', 'True', 'default', 'iris', '[{"name":"default"}]']);
  });
});

describe('evaluateJsonPath', () => {
  const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, 'x.y': 3 };
  it.each([
    ['.a.b[0].c', [1]],
    ['{.a.b[1].c}', [2]],
    ['.a.b[*].c', [1, 2]],
    ['.a.b[-1].c', [2]],
    ["['x.y']", [3]],
    ['.a.missing', []],
    ['.a.b[?(@.c==2)].c', [2]],
  ])('%s', (path, result) => {
    expect(evaluateJsonPath(doc, path)).toEqual(result);
  });

  it('throws on syntax it does not support, with the path in the message', () => {
    expect(() => evaluateJsonPath(doc, '.a..b')).toThrow(/unrecognized JSONPath "\.a\.\.b"/);
  });
});
