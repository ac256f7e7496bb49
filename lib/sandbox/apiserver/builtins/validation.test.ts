// SPDX-License-Identifier: Apache-2.0
// The 422 causes of the built-in types, with the field paths and messages of a 1.30 API server.
// Each case starts from a valid, defaulted object (a Deployment as kubectl writes it) and breaks
// one thing.
import { describe, expect, it } from 'vitest';
import type { StatusCause } from '../status.js';
import { errors } from '../status.js';
import type { KubeObject } from '../types.js';
import { defaultBuiltin } from './defaults.js';
import { validateBuiltin, validateObjectMeta } from './validation.js';
import { kubectlCreateDeployment, kubectlCreateService, types } from '../patch/fixtures/types.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function deployment(edit: (d: J) => void = () => {}): KubeObject {
  const d = kubectlCreateDeployment() as J;
  d.metadata.namespace = 'default';
  edit(d);
  return defaultBuiltin(types.deployment, d as KubeObject);
}

function service(edit: (s: J) => void = () => {}): KubeObject {
  const s = kubectlCreateService() as J;
  s.metadata.namespace = 'default';
  edit(s);
  return defaultBuiltin(types.service, s as KubeObject);
}

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('validateBuiltin: valid objects', () => {
  it.each([
    ['a Deployment from kubectl create', () => validateBuiltin(types.deployment, deployment())],
    ['a Service from kubectl create', () => validateBuiltin(types.service, service())],
    ['a Namespace', () => validateBuiltin(types.namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'seldon-system' } })],
  ])('%s has no causes', (_name, run) => {
    expect(run()).toEqual([]);
  });
});

describe('validateBuiltin: Deployment', () => {
  it.each<[string, (d: J) => void, StatusCause[]]>([
    ['a name with capitals', (d) => (d.metadata.name = 'Web'), [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "Web": ${SUBDOMAIN}` }]],
    ['no selector', (d) => delete d.spec.selector, [{ reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' }]],
    [
      'an empty selector',
      (d) => (d.spec.selector = {}),
      [{ reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment' }],
    ],
    [
      'a selector that does not match the template labels',
      (d) => (d.spec.selector.matchLabels = { app: 'other' }),
      [{ reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: 'Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`' }],
    ],
    ['a container without image', (d) => delete d.spec.template.spec.containers[0].image, [{ reason: 'FieldValueRequired', field: 'spec.template.spec.containers[0].image', message: 'Required value' }]],
    ['a container without name', (d) => delete d.spec.template.spec.containers[0].name, [{ reason: 'FieldValueRequired', field: 'spec.template.spec.containers[0].name', message: 'Required value' }]],
    ['a container name with an underscore', (d) => (d.spec.template.spec.containers[0].name = 'my_app'), [{ reason: 'FieldValueInvalid', field: 'spec.template.spec.containers[0].name', message: `Invalid value: "my_app": ${LABEL}` }]],
    ['no containers', (d) => (d.spec.template.spec.containers = []), [{ reason: 'FieldValueRequired', field: 'spec.template.spec.containers', message: 'Required value' }]],
    ['negative replicas', (d) => (d.spec.replicas = -1), [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }]],
    ['a port out of range', (d) => (d.spec.template.spec.containers[0].ports[0].containerPort = 70000), [{ reason: 'FieldValueInvalid', field: 'spec.template.spec.containers[0].ports[0].containerPort', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive' }]],
    ['a lowercase protocol', (d) => (d.spec.template.spec.containers[0].ports[0].protocol = 'tcp'), [{ reason: 'FieldValueNotSupported', field: 'spec.template.spec.containers[0].ports[0].protocol', message: 'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"' }]],
    ['a bad pull policy', (d) => (d.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes'), [{ reason: 'FieldValueNotSupported', field: 'spec.template.spec.containers[0].imagePullPolicy', message: 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"' }]],
    ['a restartPolicy other than Always', (d) => (d.spec.template.spec.restartPolicy = 'Never'), [{ reason: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Never": supported values: "Always"' }]],
    ['a bad label value', (d) => { d.metadata.labels.app = 'a b'; }, [{
      reason: 'FieldValueInvalid',
      field: 'metadata.labels',
      message: "Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    }]],
    ['an env var starting with a digit', (d) => (d.spec.template.spec.containers[0].env = [{ name: '1X', value: 'v' }]), [{
      reason: 'FieldValueInvalid',
      field: 'spec.template.spec.containers[0].env[0].name',
      message: "Invalid value: \"1X\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    }]],
    ['maxSurge and maxUnavailable both 0', (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }), [{
      reason: 'FieldValueInvalid', field: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    }]],
    ['Recreate with rollingUpdate', (d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }), [{
      reason: 'FieldValueForbidden', field: 'spec.strategy.rollingUpdate', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'",
    }]],
  ])('%s', (_name, edit, causes) => {
    expect(validateBuiltin(types.deployment, deployment(edit))).toEqual(causes);
  });

  it('refuses a changed selector on update, after the template check, as apps/v1 does', () => {
    const old = deployment();
    const changed = deployment((d) => {
      d.spec.selector.matchLabels = { app: 'web2' };
      d.spec.template.metadata.labels = { app: 'web2' };
    });
    expect(validateBuiltin(types.deployment, changed, old)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable' },
    ]);
  });

  it('turns into the Status kubectl prints', () => {
    const causes = validateBuiltin(types.deployment, deployment((d) => delete d.spec.selector));
    expect(errors.invalid('Deployment', 'apps', 'nginx', causes).message).toBe('Deployment.apps "nginx" is invalid: spec.selector: Required value');
  });
});

describe('validateBuiltin: Service', () => {
  it.each<[string, (s: J) => void, StatusCause[]]>([
    ['a name that starts with a digit', (s) => (s.metadata.name = '1web'), [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "1web": ${DNS1035}` }]],
    ['no ports', (s) => (s.spec.ports = []), [{ reason: 'FieldValueRequired', field: 'spec.ports', message: 'Required value' }]],
    ['port 0', (s) => (s.spec.ports[0].port = 0), [{ reason: 'FieldValueInvalid', field: 'spec.ports[0].port', message: 'Invalid value: 0: must be between 1 and 65535, inclusive' }]],
    ['two ports without names', (s) => (s.spec.ports = [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 81, protocol: 'TCP', targetPort: 81 }]), [
      { reason: 'FieldValueRequired', field: 'spec.ports[0].name', message: 'Required value' },
      { reason: 'FieldValueRequired', field: 'spec.ports[1].name', message: 'Required value' },
    ]],
    ['a bad type', (s) => (s.spec.type = 'Internal'), [{ reason: 'FieldValueNotSupported', field: 'spec.type', message: 'Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' }]],
    ['a target port name that is too long', (s) => (s.spec.ports[0].targetPort = 'a-very-long-port-name'), [{ reason: 'FieldValueInvalid', field: 'spec.ports[0].targetPort', message: 'Invalid value: "a-very-long-port-name": must be no more than 15 characters' }]],
  ])('%s', (_name, edit, causes) => {
    expect(validateBuiltin(types.service, service(edit))).toEqual(causes);
  });

  it('refuses a changed cluster IP on update', () => {
    const old = service((s) => {
      s.spec.clusterIP = '10.96.0.10';
      s.spec.clusterIPs = ['10.96.0.10'];
    });
    const update = service((s) => {
      s.spec.clusterIP = '10.96.0.99';
      s.spec.clusterIPs = ['10.96.0.10'];
    });
    const next = defaultBuiltin(types.service, update, old);
    expect(validateBuiltin(types.service, next, old)).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: 'Invalid value: []string{"10.96.0.99"}: may not change once set' },
    ]);
  });
});

describe('validateBuiltin: metadata rules on every type', () => {
  it.each<[string, KubeObject, StatusCause[]]>([
    ['a Namespace name with a dot', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'my.ns' } }, [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "my.ns": ${LABEL}` }]],
    ['a ConfigMap without name', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default' } }, [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]],
    ['a ConfigMap without namespace', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, [{ reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' }]],
    ['a Namespace with a namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'b' } }, [{ reason: 'FieldValueForbidden', field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' }]],
    ['a ConfigMap key with a slash', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: { 'a/b': '1' } }, [{
      reason: 'FieldValueInvalid', field: 'data[a/b]', message: "Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    }]],
  ])('%s', (_name, obj, causes) => {
    const type = obj.kind === 'Namespace' ? types.namespace : types.configMap;
    expect(validateBuiltin(type, obj)).toEqual(causes);
  });

  it.each([
    ['name', { name: 'other' }, 'metadata.name: Invalid value: "other": field is immutable'],
    ['namespace', { namespace: 'kube-system' }, 'metadata.namespace: Invalid value: "kube-system": field is immutable'],
    ['uid', { uid: 'forged' }, 'metadata.uid: Invalid value: "forged": field is immutable'],
  ])('an update may not change metadata.%s', (_field, change, text) => {
    const old: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', uid: 'u1' } };
    const next: KubeObject = { ...old, metadata: { ...old.metadata, ...change } };
    const causes = validateBuiltin(types.configMap, next, old);
    expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([text]);
  });

  it('validateObjectMeta checks a custom resource name as a DNS subdomain', () => {
    expect(validateObjectMeta({ name: 'Iris', namespace: 'seldon' }, { namespaced: true })).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "Iris": ${SUBDOMAIN}` },
    ]);
    expect(validateObjectMeta({ name: 'iris', namespace: 'seldon', labels: { 'example.com/app': 'iris' } }, { namespaced: true })).toEqual([]);
  });

  it('checks label keys with a prefix', () => {
    const causes = validateObjectMeta({ name: 'x', namespace: 'y', labels: { 'Bad_Prefix/app': 'v' } }, { namespaced: true });
    expect(causes).toEqual([{ reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "Bad_Prefix/app": prefix part ${SUBDOMAIN}` }]);
  });
});
