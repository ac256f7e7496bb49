// SPDX-License-Identifier: Apache-2.0
// render(): exact fields for the seed's sample.yaml, invariants for every variation (labels match
// selectors, owner references, names within 63 characters, no mutation, same output twice), and
// every object checked against Kubernetes' own schemas (kubernetes-models, Kubernetes 1.33) and the
// Mapping against Emissary's CRD schema.
import fc from 'fast-check';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import type { V1Container, V1Deployment, V1Service } from '@kubernetes/client-node';
import { crdVersionSchema, validateCustomResource } from '../kube/crd-validate.js';
import { SEED_CLASSIFIER_ENV } from '../server/testing/seed-env.js';
import { defaultOperatorConfig, type OperatorConfig } from './config.js';
import { emissaryMappingCrd } from './mapping-crd.js';
import { render, SeldonValidationError, type DesiredState } from './render.js';
import { canary, customContainer, longNames, sampleManifest, stored } from './testing/fixtures.js';
import type { KubeObject, SeldonDeployment } from './types.js';

const config = defaultOperatorConfig();
const withConfig = (patch: Partial<OperatorConfig>): OperatorConfig => ({ ...defaultOperatorConfig(), ...patch });

function container(d: V1Deployment, name: string): V1Container {
  const c = d.spec!.template.spec!.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name} in ${d.metadata!.name}`);
  return c;
}

const env = (c: V1Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));

describe('render(sample.yaml): what Seldon creates for the seed tutorial', () => {
  const sdep = stored(sampleManifest());
  const out = render(sdep, config);
  const [deployment] = out.deployments;

  it('makes one Deployment, two Services and one Mapping, named as Seldon names them', () => {
    expect(out.deployments.map((d) => d.metadata!.name)).toEqual(['iris-model-default-0-classifier']);
    expect(out.services.map((s) => s.metadata!.name)).toEqual(['iris-model-default', 'iris-model-default-classifier']);
    expect(out.mappings.map((m) => m.metadata.name)).toEqual(['seldon-seldon-iris-model-default-rest']);
    expect(out.primaryDeployment).toBe('iris-model-default-0-classifier');
    expect(out.address).toBe('http://iris-model-default.seldon.svc.cluster.local:8000/api/v1.0/predictions');
  });

  it('labels the Deployment with Seldon\'s labels and selects on its three ids', () => {
    expect(deployment.metadata!.labels).toEqual({
      'seldon-deployment-id': 'iris-model',
      app: 'iris-model-default-0-classifier',
      fluentd: 'true',
      version: 'default',
      'seldon-app-svc': 'iris-model-default-classifier',
      'seldon.io/model': 'true',
      'app.kubernetes.io/managed-by': 'seldon-core',
      'seldon-app': 'iris-model-default',
    });
    expect(deployment.spec!.selector.matchLabels).toEqual({
      'seldon-deployment-id': 'iris-model',
      'seldon-app-svc': 'iris-model-default-classifier',
      'seldon-app': 'iris-model-default',
    });
    expect(deployment.spec!.replicas).toBe(1);
    expect(deployment.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } });
    expect(deployment.spec!.template.metadata!.annotations).toMatchObject({ 'prometheus.io/path': '/prometheus', 'prometheus.io/scrape': 'true' });
  });

  it('copies the model with the storage initializer into an emptyDir at /mnt/models', () => {
    const pod = deployment.spec!.template.spec!;
    expect(pod.initContainers).toHaveLength(1);
    const init = pod.initContainers![0];
    expect(init.name).toBe('classifier-model-initializer');
    expect(init.image).toBe('seldonio/rclone-storage-initializer:1.11.0');
    expect(init.args).toEqual(['gs://seldon-models/v1.11.0-dev/sklearn/iris', '/mnt/models']);
    expect(init.volumeMounts).toContainEqual({ name: 'classifier-provision-location', mountPath: '/mnt/models' });
    expect(init.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m', memory: '100Mi' } });
    expect(pod.volumes).toContainEqual({ name: 'classifier-provision-location', emptyDir: {} });
    expect(container(deployment, 'classifier').volumeMounts).toContainEqual({ name: 'classifier-provision-location', mountPath: '/mnt/models', readOnly: true });
  });

  it('runs Seldon\'s SKLearn server image with Seldon\'s environment contract', () => {
    const c = container(deployment, 'classifier');
    expect(c.image).toBe('seldonio/sklearnserver:1.11.0');
    expect(c.ports).toEqual([
      { name: 'metrics', containerPort: 6000, protocol: 'TCP' },
      { name: 'http', containerPort: 9000, protocol: 'TCP' },
    ]);
    // Exactly the environment the model server's own tests configure it from.
    expect(env(c)).toEqual(SEED_CLASSIFIER_ENV);
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/ready', port: 9000, scheme: 'HTTP' });
    expect(c.livenessProbe?.tcpSocket).toEqual({ port: 9000 });
    expect(c.livenessProbe?.initialDelaySeconds).toBe(60);
  });

  it('runs as Seldon\'s non-root user 8888, read-only, without privilege escalation', () => {
    const pod = deployment.spec!.template.spec!;
    expect(pod.securityContext).toMatchObject({ runAsUser: 8888, runAsNonRoot: true });
    for (const c of [...pod.initContainers!, ...pod.containers]) {
      expect(c.securityContext).toMatchObject({ runAsUser: 8888, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    // A read-only root needs somewhere to write: /tmp is an emptyDir.
    expect(container(deployment, 'classifier').volumeMounts).toContainEqual({ name: 'seldon-tmp', mountPath: '/tmp' });
    expect(container(deployment, 'classifier').resources).toEqual(config.modelResources);
  });

  it('sends the predictor Service\'s port 8000 to the model container, and the container Service\'s 9000 too', () => {
    const [predictor, unit] = out.services;
    expect(predictor.spec).toEqual({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      selector: { 'seldon-app': 'iris-model-default' },
      ports: [{ name: 'http', port: 8000, targetPort: 9000, protocol: 'TCP' }],
    });
    expect(unit.spec!.selector).toEqual({ 'seldon-app-svc': 'iris-model-default-classifier' });
    expect(unit.spec!.ports).toEqual([{ name: 'http', port: 9000, targetPort: 9000, protocol: 'TCP' }]);
    expect(out.serviceStatus).toEqual({
      'iris-model-default': { svcName: 'iris-model-default', httpEndpoint: 'iris-model-default.seldon:8000' },
      'iris-model-default-classifier': { svcName: 'iris-model-default-classifier', httpEndpoint: 'iris-model-default-classifier.seldon:9000' },
    });
  });

  it('routes /seldon/seldon/iris-model/ through an Emissary v3alpha1 Mapping', () => {
    expect(out.mappings[0]).toMatchObject({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { namespace: 'seldon', labels: { 'seldon-deployment-id': 'iris-model' } },
      spec: { hostname: '*', prefix: '/seldon/seldon/iris-model/', rewrite: '/', service: 'iris-model-default.seldon:8000', timeout_ms: 3000 },
    });
    expect(out.mappings[0].spec).not.toHaveProperty('weight');
  });

  it('makes the SeldonDeployment the controlling owner of everything', () => {
    for (const obj of all(out)) {
      expect(obj.metadata.ownerReferences).toEqual([
        { apiVersion: 'machinelearning.seldon.io/v1', kind: 'SeldonDeployment', name: 'iris-model', uid: sdep.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
  });
});

function all(out: DesiredState): KubeObject[] {
  return [...out.deployments, ...out.services, ...out.mappings] as KubeObject[];
}

const variations: [string, () => SeldonDeployment][] = [
  ['sample.yaml', sampleManifest],
  ['canary and shadow', canary],
  ['a container of the user\'s own', customContainer],
  ['names over 63 characters', longNames],
];

describe.each(variations)('render invariants: %s', (_name, make) => {
  const sdep = stored(make());
  const out = render(sdep, config);

  it('is pure: the same output twice, and the input untouched', () => {
    const before = structuredClone(sdep);
    expect(render(sdep, config)).toEqual(out);
    expect(sdep).toEqual(before);
  });

  it('selects exactly the pods it templates, and every Service finds a serving pod', () => {
    for (const d of out.deployments) {
      expect(d.spec!.template.metadata!.labels).toMatchObject(d.spec!.selector.matchLabels!);
    }
    for (const svc of out.services) {
      const selector = svc.spec!.selector!;
      const serving = out.deployments.filter((d) => Object.entries(selector).every(([k, v]) => d.spec!.template.metadata!.labels![k] === v));
      expect(serving, `${svc.metadata!.name} selects no pod`).toHaveLength(1);
      const ports = serving[0].spec!.template.spec!.containers.flatMap((c) => c.ports ?? []).map((p) => p.containerPort);
      expect(ports).toContain(svc.spec!.ports![0].targetPort);
    }
  });

  it('keeps names and label values within Kubernetes\' 63 characters', () => {
    for (const obj of [...out.deployments, ...out.services]) {
      expect(obj.metadata!.name!.length).toBeLessThanOrEqual(63);
      for (const value of Object.values(obj.metadata!.labels ?? {})) expect(value.length).toBeLessThanOrEqual(63);
    }
    for (const d of out.deployments) {
      const pod = d.spec!.template.spec!;
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) expect(c.name.length).toBeLessThanOrEqual(63);
      for (const v of pod.volumes ?? []) expect(v.name.length).toBeLessThanOrEqual(63);
    }
  });

  it('gives every object the SeldonDeployment as controlling owner', () => {
    for (const obj of all(out)) {
      expect(obj.metadata.ownerReferences).toHaveLength(1);
      expect(obj.metadata.ownerReferences![0]).toMatchObject({ kind: 'SeldonDeployment', uid: sdep.metadata.uid, controller: true, blockOwnerDeletion: true });
      expect(obj.metadata.namespace).toBe(sdep.metadata.namespace);
    }
  });

  it('passes Kubernetes\' schemas (kubernetes-models, Kubernetes 1.33)', () => {
    for (const d of out.deployments) expect(() => new Deployment(d as never).validate()).not.toThrow();
    for (const s of out.services) expect(() => new Service(s as never).validate()).not.toThrow();
  });

  it('writes Mappings that Emissary\'s CRD schema accepts (no unknown fields)', () => {
    const crd = emissaryMappingCrd();
    for (const mapping of out.mappings) {
      const version = mapping.apiVersion.split('/')[1];
      const result = validateCustomResource(crdVersionSchema(crd, version), mapping, { fieldValidation: 'Strict' });
      expect(result.causes).toEqual([]);
      expect(result.unknownFields).toEqual([]);
    }
  });
});

describe('render: Seldon\'s other features', () => {
  it('weights the canary and mirrors to the shadow, leaving the first predictor unweighted', () => {
    const out = render(stored(canary()), config);
    const specs = Object.fromEntries(out.mappings.map((m) => [m.metadata.name, m.spec as Record<string, unknown>]));
    expect(specs['seldon-seldon-iris-model-default-rest']).not.toHaveProperty('weight');
    expect(specs['seldon-seldon-iris-model-canary-rest']).toMatchObject({ weight: 25, service: 'iris-model-canary.seldon:8000', prefix: '/seldon/seldon/iris-model/' });
    expect(specs['seldon-seldon-iris-model-mirror-rest']).toMatchObject({ weight: 0, shadow: true });
    const mirror = out.deployments.find((d) => d.metadata!.name === 'iris-model-mirror-0-classifier')!;
    expect(mirror.metadata!.labels).toMatchObject({ 'seldon.io/shadow': 'true', version: 'mirror' });
    // The address is always the first predictor's.
    expect(out.address).toBe('http://iris-model-default.seldon.svc.cluster.local:8000/api/v1.0/predictions');
  });

  it('writes getambassador.io/v2 Mappings (no hostname) when configured, and none for ingress "none"', () => {
    const v2 = render(stored(sampleManifest()), withConfig({ ingress: 'ambassador-v2' })).mappings[0];
    expect(v2.apiVersion).toBe('getambassador.io/v2');
    expect(v2.spec).not.toHaveProperty('hostname');
    expect(render(stored(sampleManifest()), withConfig({ ingress: 'none' })).mappings).toEqual([]);
  });

  it('takes replicas from the componentSpec, then the predictor, then the spec, and none under an HPA', () => {
    const sdep = stored(sampleManifest());
    const replicas = (s: SeldonDeployment) => render(s, config).deployments[0].spec!.replicas;
    delete sdep.spec.predictors[0].replicas; // the sample sets 1
    expect(replicas(sdep)).toBe(1);
    sdep.spec.replicas = 5;
    expect(replicas(sdep)).toBe(5);
    sdep.spec.predictors[0].replicas = 3;
    expect(replicas(sdep)).toBe(3);
    sdep.spec.predictors[0].componentSpecs = [{ replicas: 2, spec: { containers: [{ name: 'classifier' }] } }];
    expect(replicas(sdep)).toBe(2);
    sdep.spec.predictors[0].componentSpecs[0].hpaSpec = { maxReplicas: 4 };
    expect(replicas(sdep)).toBeUndefined();
  });

  it('keeps the user\'s container, adding Seldon\'s ports, environment and probes around it', () => {
    const out = render(stored(customContainer()), config);
    const [d] = out.deployments;
    expect(d.metadata!.name).toBe('my-model-main-0-scorer-sidecar');
    const scorer = container(d, 'scorer');
    expect(scorer.image).toBe('example.com/scorer:1.0');
    expect(scorer.resources).toEqual({ requests: { cpu: '0.5', memory: '256Mi' } });
    expect(env(scorer).PREDICTIVE_UNIT_PARAMETERS).toBe('[{"name":"threshold","value":"0.5","type":"FLOAT"}]');
    expect(scorer.readinessProbe).toBeDefined();
    expect(scorer.securityContext).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(container(d, 'sidecar')).toMatchObject({ name: 'sidecar', image: 'example.com/sidecar:1.0' });
    expect(container(d, 'sidecar').env).toBeUndefined();
    expect(d.spec!.template.spec!.initContainers).toBeUndefined();
    expect(d.spec!.replicas).toBe(2);
  });

  it('hashes names over 63 characters as Seldon does: seldon-<md5>', () => {
    const out = render(stored(longNames()), config);
    expect(out.deployments[0].metadata!.name).toMatch(/^seldon-[0-9a-f]{32}$/);
    expect(out.services[1].metadata!.name).toMatch(/^seldon-[0-9a-f]{32}$/);
    // <sdep>-<predictor> is 78 characters: hashed too, and the Mapping points at the hashed name.
    expect(out.services[0].metadata!.name).toMatch(/^seldon-[0-9a-f]{32}$/);
    expect(out.mappings[0].spec).toMatchObject({ service: `${out.services[0].metadata!.name}.seldon:8000` });
    expect(render(stored(longNames()), config).deployments[0].metadata!.name).toBe(out.deployments[0].metadata!.name);
  });

  it('mounts a pvc:// model\'s claim at /mnt/pvc and copies from there', () => {
    const sdep = stored(sampleManifest());
    sdep.spec.predictors[0].graph.modelUri = 'pvc://model-store/sklearn/iris';
    const [d] = render(sdep, config).deployments;
    const pod = d.spec!.template.spec!;
    expect(pod.initContainers![0].args).toEqual(['/mnt/pvc/sklearn/iris', '/mnt/models']);
    expect(pod.volumes).toContainEqual({ name: 'kfserving-pvc-source', persistentVolumeClaim: { claimName: 'model-store' } });
    expect(pod.initContainers![0].volumeMounts).toContainEqual({ name: 'kfserving-pvc-source', mountPath: '/mnt/pvc', readOnly: true });
  });

  it('takes the image map from the configuration, not from code', () => {
    const custom = withConfig({
      predictorServers: { SKLEARN_SERVER: { protocols: { seldon: { image: 'seldon-lab/model-server', defaultImageVersion: '0.1.0', command: ['seldon-lab', 'serve'] } } } },
    });
    const c = container(render(stored(sampleManifest()), custom).deployments[0], 'classifier');
    expect(c.image).toBe('seldon-lab/model-server:0.1.0');
    expect(c.command).toEqual(['seldon-lab', 'serve']);
    expect(env(c).PREDICTIVE_UNIT_IMAGE).toBe('seldon-lab/model-server:0.1.0');
  });

  it('refuses what Seldon refuses, with Seldon\'s message', () => {
    const sdep = stored(sampleManifest());
    sdep.spec.predictors[0].graph.implementation = 'MLFLOW_SERVER';
    expect(() => render(sdep, config)).toThrow(SeldonValidationError);
    expect(() => render(sdep, config)).toThrow('No entry in predictors map for MLFLOW_SERVER');
  });
});

describe('render: properties over generated names', () => {
  const dnsLabel = fc.stringMatching(/^[a-z]([a-z0-9-]{0,40}[a-z0-9])?$/);
  it('always selects its own pods, within 63 characters, whatever the names', () => {
    fc.assert(
      fc.property(dnsLabel, dnsLabel, dnsLabel, dnsLabel, (name, namespace, predictor, node) => {
        const sdep = stored(sampleManifest());
        sdep.metadata.name = name;
        sdep.metadata.namespace = namespace;
        sdep.spec.predictors[0].name = predictor;
        sdep.spec.predictors[0].graph.name = node;
        const out = render(sdep, config);
        const d = out.deployments[0] as V1Deployment;
        const svc = out.services[0] as V1Service;
        expect(d.metadata!.name!.length).toBeLessThanOrEqual(63);
        expect(Object.values(d.metadata!.labels!).every((v) => v.length <= 63)).toBe(true);
        expect(d.spec!.template.metadata!.labels).toMatchObject(svc.spec!.selector!);
        expect(d.spec!.template.metadata!.labels).toMatchObject(d.spec!.selector.matchLabels!);
        expect(out.mappings[0].spec).toMatchObject({ prefix: `/seldon/${namespace}/${name}/` });
      }),
      { numRuns: 200 },
    );
  });
});
