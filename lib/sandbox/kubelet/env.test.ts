// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { V1Container } from '@kubernetes/client-node';
import type { KubeObject } from '../apiserver/types.js';
import { containerEnv, formatMap, serviceEnv, type EnvSources } from './env.js';
import { parseQuantity, resourceFieldValue } from './quantity.js';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'iris-0', namespace: 'seldon', uid: 'u-1', labels: { app: 'iris' }, annotations: { note: 'a "quoted" one' } },
  spec: { nodeName: 'sandbox', serviceAccountName: 'runner' },
};
const addresses = { podIP: '127.1.0.7', hostIP: '127.0.0.1' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

function sources(extra: Partial<EnvSources> = {}): EnvSources {
  const configMaps: Record<string, KubeObject> = {
    settings: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { LEVEL: 'debug', 'bad=name': 'x', URL: 'http://$(HOST)' } },
  };
  const secrets: Record<string, KubeObject> = { creds: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { TOKEN: b64('s3cret') } } };
  return {
    configMap: (_ns, name) => configMaps[name],
    secret: (_ns, name) => secrets[name],
    services: (ns) =>
      ns === 'seldon'
        ? [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'iris-default' }, spec: { clusterIP: '10.96.3.4', ports: [{ name: 'http', port: 8000 }, { name: 'grpc', port: 5001 }] } },
           { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: '10.96.3.5', ports: [{ port: 80 }] } },
           { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }]
        : [],
    apiServer: { host: '127.0.0.1', port: 6443 },
    ...extra,
  };
}

const env = (container: Partial<V1Container>, s = sources()) => Object.fromEntries(containerEnv(pod, { name: 'c', ...container } as V1Container, s, addresses));

describe('service links', () => {
  it("are Docker-link variables pointing where the sandbox serves the Service", () => {
    expect(serviceEnv({ name: 'iris-default', clusterIP: '127.96.3.4', ports: [{ name: 'http', port: 8000 }] })).toEqual([
      ['IRIS_DEFAULT_SERVICE_HOST', '127.96.3.4'],
      ['IRIS_DEFAULT_SERVICE_PORT', '8000'],
      ['IRIS_DEFAULT_SERVICE_PORT_HTTP', '8000'],
      ['IRIS_DEFAULT_PORT', 'tcp://127.96.3.4:8000'],
      ['IRIS_DEFAULT_PORT_8000_TCP', 'tcp://127.96.3.4:8000'],
      ['IRIS_DEFAULT_PORT_8000_TCP_PROTO', 'tcp'],
      ['IRIS_DEFAULT_PORT_8000_TCP_PORT', '8000'],
      ['IRIS_DEFAULT_PORT_8000_TCP_ADDR', '127.96.3.4'],
    ]);
    const vars = env({});
    expect(vars.IRIS_DEFAULT_SERVICE_HOST).toBe('127.96.3.4');
    expect(vars.IRIS_DEFAULT_SERVICE_PORT_GRPC).toBe('5001');
    // Port 80 is served at 10080 in the sandbox; the variable names keep the Service's port.
    expect(vars.WEB_PORT_80_TCP).toBe('tcp://127.96.3.5:10080');
    expect(Object.keys(vars).some((k) => k.startsWith('HEADLESS_'))).toBe(false);
    expect(vars.KUBERNETES_SERVICE_HOST).toBe('127.0.0.1');
    expect(vars.KUBERNETES_SERVICE_PORT).toBe('6443');
  });

  it('are left out with enableServiceLinks: false, except the API server', () => {
    const vars = Object.fromEntries(containerEnv({ ...pod, spec: { enableServiceLinks: false } }, { name: 'c' }, sources(), addresses));
    expect(vars.IRIS_DEFAULT_SERVICE_HOST).toBeUndefined();
    expect(vars.KUBERNETES_SERVICE_HOST).toBe('127.0.0.1');
  });
});

describe('env and envFrom', () => {
  it('reads ConfigMaps and Secrets, with prefixes, skipping keys that cannot be names', () => {
    const vars = env({ envFrom: [{ configMapRef: { name: 'settings' } }, { prefix: 'APP_', secretRef: { name: 'creds' } }] });
    expect(vars).toMatchObject({ LEVEL: 'debug', APP_TOKEN: 's3cret', URL: 'http://$(HOST)' });
    expect(vars['bad=name']).toBeUndefined();
  });

  it('expands $(VAR) from earlier variables and service links; later entries win', () => {
    const vars = env({
      envFrom: [{ configMapRef: { name: 'settings' } }],
      env: [
        { name: 'HOST', value: 'localhost' },
        { name: 'TARGET', value: '$(IRIS_DEFAULT_SERVICE_HOST):$(IRIS_DEFAULT_SERVICE_PORT)' },
        { name: 'LATER', value: '$(NOT_YET)' },
        { name: 'NOT_YET', value: 'x' },
        { name: 'LEVEL', value: 'info' },
        { name: 'ESCAPED', value: '$$(HOST)' },
      ],
    });
    expect(vars).toMatchObject({ TARGET: '127.96.3.4:8000', LATER: '$(NOT_YET)', LEVEL: 'info', ESCAPED: '$(HOST)' });
  });

  it('resolves the downward API and resource fields', () => {
    const vars = env({
      resources: { limits: { memory: '1Gi' }, requests: { cpu: '250m' } },
      env: [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'TOKEN' } } },
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'LEVEL' } } },
        { name: 'OPTIONAL', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x', optional: true } } },
      ],
    });
    expect(vars).toMatchObject({ POD: 'iris-0', NS: 'seldon', IP: '127.1.0.7', APP: 'iris', SA: 'runner', MEM_MI: '1024', CPU_M: '250', CPU: '1', TOKEN: 's3cret', LEVEL: 'debug' });
    expect('OPTIONAL' in vars).toBe(false);
  });

  it("stops a container whose ConfigMap, Secret or key is missing, with the kubelet's message", () => {
    expect(() => env({ envFrom: [{ configMapRef: { name: 'nope' } }] })).toThrow('configmap "nope" not found');
    expect(() => env({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] })).toThrow('secret "nope" not found');
    expect(() => env({ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'k' } } }] })).toThrow("couldn't find key k in ConfigMap seldon/settings");
  });
});

describe('quantities', () => {
  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity('1.5k')).toBe(1500);
    expect(() => parseQuantity('lots')).toThrow(/quantities must match/);
  });

  it('fills a missing limit with what the node can give', () => {
    expect(resourceFieldValue({ name: 'c' }, { resource: 'limits.cpu' }, { cpu: 8, memory: 2 ** 33, ephemeralStorage: 0 })).toBe('8');
  });
});

it('writes labels as the downward API does', () => {
  expect(formatMap({ b: '2', a: 'x "y"' })).toBe('a="x \\"y\\""\nb="2"');
});
