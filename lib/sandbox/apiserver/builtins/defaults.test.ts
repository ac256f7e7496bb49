// SPDX-License-Identifier: Apache-2.0
// The defaults a 1.30 API server adds, checked on objects as kubectl writes them. The expected
// values are the fields `kubectl get -o yaml` shows on a real cluster for the same manifests.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../types.js';
import { defaultBuiltin } from './defaults.js';
import { kubectlCreateDeployment, kubectlCreateService, types } from '../patch/fixtures/types.js';

const asObject = (o: Record<string, unknown>) => o as unknown as KubeObject;

describe('defaultBuiltin: Deployment', () => {
  const out = defaultBuiltin(types.deployment, asObject(kubectlCreateDeployment()));
  const spec = out.spec as Record<string, unknown> & { template: { metadata: unknown; spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };

  it('fills the Deployment spec', () => {
    expect(spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
  });

  it('fills the pod template as a real server returns it', () => {
    expect(spec.template.metadata).toEqual({ creationTimestamp: null, labels: { app: 'nginx' } });
    expect(spec.template.spec).toEqual({
      containers: [{
        image: 'nginx:1.25',
        imagePullPolicy: 'IfNotPresent',
        name: 'nginx',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      }],
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
  });

  it('starts with an empty status on create, and leaves status alone on update', () => {
    expect(out.status).toEqual({});
    const withStatus = { ...out, status: { replicas: 1 } };
    expect(defaultBuiltin(types.deployment, withStatus, out).status).toEqual({ replicas: 1 });
  });

  it('keeps what the user set and does not touch its input', () => {
    const input = kubectlCreateDeployment();
    (input.spec as Record<string, unknown>).replicas = 0;
    (input.spec as Record<string, unknown>).strategy = { type: 'Recreate' };
    const copy = structuredClone(input);
    const result = defaultBuiltin(types.deployment, asObject(input));
    expect(result.spec).toMatchObject({ replicas: 0, strategy: { type: 'Recreate' } });
    expect((result.spec as { strategy: object }).strategy).not.toHaveProperty('rollingUpdate');
    expect(input).toEqual(copy);
  });
});

describe('defaultBuiltin: containers and probes', () => {
  const podWith = (container: Record<string, unknown>) =>
    defaultBuiltin(types.pod, asObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', ...container }] } }));
  const first = (o: KubeObject) => (o.spec as { containers: Record<string, unknown>[] }).containers[0];

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/seldon/server', 'Always'],
    ['localhost:5000/seldon/server:0.1', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ])('image %s → imagePullPolicy %s', (image, policy) => {
    expect(first(podWith({ image })).imagePullPolicy).toBe(policy);
  });

  it('fills probe timings and the httpGet scheme and path', () => {
    const c = first(podWith({ image: 'x:1', readinessProbe: { httpGet: { port: 9000 } }, livenessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 5 } }));
    expect(c.readinessProbe).toEqual({ httpGet: { port: 9000, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 9000 }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 });
  });

  it('defaults requests to limits in a Pod', () => {
    const c = first(podWith({ image: 'x:1', resources: { limits: { cpu: '1', memory: '1Gi' } } }));
    expect(c.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
  });
});

describe('defaultBuiltin: Pod create path and admission', () => {
  const pod = defaultBuiltin(types.pod, asObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }));

  it('adds the admission defaults of a new Pod', () => {
    expect(pod.spec).toMatchObject({
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
  });

  it('is Pending with a QoS class', () => {
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const guaranteed = defaultBuiltin(types.pod, asObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } }));
    expect(guaranteed.status).toMatchObject({ qosClass: 'Guaranteed' });
    const burstable = defaultBuiltin(types.pod, asObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100m' } } }] } }));
    expect(burstable.status).toMatchObject({ qosClass: 'Burstable' });
  });

  it('does not add tolerations the pod already has', () => {
    const p = defaultBuiltin(types.pod, asObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }], tolerations: [{ operator: 'Exists' }] } }));
    expect((p.spec as { tolerations: unknown[] }).tolerations).toEqual([{ operator: 'Exists' }]);
  });
});

describe('defaultBuiltin: Service', () => {
  it('fills a ClusterIP Service as kubectl create service writes it', () => {
    const svc = defaultBuiltin(types.service, asObject(kubectlCreateService()));
    expect(svc.spec).toEqual({
      ports: [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'web' },
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(svc.status).toEqual({ loadBalancer: {} });
  });

  it('defaults targetPort to port and protocol to TCP', () => {
    const svc = defaultBuiltin(types.service, asObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 9000 }] } }));
    expect((svc.spec as { ports: unknown[] }).ports).toEqual([{ port: 9000, protocol: 'TCP', targetPort: 9000 }]);
  });

  it('fills NodePort and LoadBalancer policies', () => {
    const lb = defaultBuiltin(types.service, asObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }));
    expect(lb.spec).toMatchObject({ externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true });
  });

  it('keeps the allocated cluster IP when an update leaves it out', () => {
    const old = asObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80 }] } });
    const update = asObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 81 }] } });
    expect(defaultBuiltin(types.service, update, old).spec).toMatchObject({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
  });

  it('follows a changed clusterIP into clusterIPs (validation then refuses the change)', () => {
    const old = asObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] } });
    const update = asObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.10'] } });
    expect(defaultBuiltin(types.service, update, old).spec).toMatchObject({ clusterIPs: ['10.96.0.99'] });
  });
});

describe('defaultBuiltin: other kinds', () => {
  it('Namespace: Active, the kubernetes finalizer and its name label', () => {
    const ns = defaultBuiltin(types.namespace, asObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'seldon' } }));
    expect(ns).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'seldon', labels: { 'kubernetes.io/metadata.name': 'seldon' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });

  it('Secret: type Opaque', () => {
    expect(defaultBuiltin(types.secret, asObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: {} })).type).toBe('Opaque');
  });

  it('ReplicaSet: replicas 1 and a status with replicas 0', () => {
    const rs = defaultBuiltin(types.replicaSet, asObject({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } } }));
    expect(rs.spec).toMatchObject({ replicas: 1 });
    expect(rs.status).toEqual({ replicas: 0 });
  });

  it('types without defaults come back unchanged', () => {
    const cm = asObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
    expect(defaultBuiltin(types.configMap, cm)).toEqual(cm);
  });
});
