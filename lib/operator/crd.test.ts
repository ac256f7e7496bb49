// SPDX-License-Identifier: Apache-2.0
// The SeldonDeployment CRD: its shape, the bounds that keep its CEL rules within the API server's cost
// budget, the seed's sample, and each of Seldon's validation rules with Seldon's message.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkCelRulesParse } from '../kube/crd-cel.js';
import type { JSONSchemaProps } from '../kube/crd-types.js';
import { fromRoot } from '../paths.js';
import { SELDON_CRD_PATH, seldonDeploymentCrd, validateSeldonDeployment } from './crd.js';

type Doc = { apiVersion: string; kind: string; metadata: object; spec: Record<string, unknown> & { predictors: Record<string, unknown>[] } };
const readYaml = (...path: string[]): Doc => parse(readFileSync(fromRoot(...path), 'utf8')) as Doc;
const sample = (): Doc => readYaml('cluster', 'samples', 'sample.yaml');
const v1Schema = (): JSONSchemaProps => seldonDeploymentCrd().spec.versions[0].schema!.openAPIV3Schema;
const graphOf = (s: JSONSchemaProps) => s.properties!.spec.properties!.predictors.items!.properties!.graph;

/** A predictor serving the iris model, named `name`. */
const iris = (name: string, extra: Record<string, unknown> = {}) => ({
  name, ...extra,
  graph: { name: 'classifier', implementation: 'SKLEARN_SERVER', modelUri: 'gs://seldon-models/v1.11.0-dev/sklearn/iris' },
});
const withSpec = (spec: Record<string, unknown>): Doc => {
  const doc = sample();
  doc.spec = { ...doc.spec, ...spec } as Doc['spec'];
  return doc;
};
const causes = (doc: unknown) => validateSeldonDeployment(doc).causes.map((c) => `${c.field}: ${c.message}`);

describe('the CRD', () => {
  const crd = seldonDeploymentCrd();

  it('has Seldon 1.x names, scope and versions', () => {
    expect(crd.metadata.name).toBe('seldondeployments.machinelearning.seldon.io');
    expect(crd.spec.group).toBe('machinelearning.seldon.io');
    expect(crd.spec.names).toEqual({
      kind: 'SeldonDeployment', listKind: 'SeldonDeploymentList', plural: 'seldondeployments',
      singular: 'seldondeployment', shortNames: ['sdep'],
    });
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([
      ['v1', true, true], ['v1alpha2', true, false], ['v1alpha3', true, false],
    ]);
  });

  it('serves every version with the same schema, status and scale subresources, and printer columns', () => {
    const [v1, ...older] = crd.spec.versions;
    for (const v of older) {
      expect(v.schema).toEqual(v1.schema);
      expect(v.subresources).toEqual(v1.subresources);
      expect(v.additionalPrinterColumns).toEqual(v1.additionalPrinterColumns);
    }
    expect(v1.subresources).toEqual({ status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } });
    expect(v1.additionalPrinterColumns!.map((c) => `${c.name} ${c.type} ${c.jsonPath}`)).toEqual([
      'State string .status.state', 'Replicas integer .status.replicas',
      'Address string .status.address.url', 'Age date .metadata.creationTimestamp',
    ]);
  });

  it('types the graph ten levels of children deep, each level like the root node, and no deeper', () => {
    const strip = (node: JSONSchemaProps): JSONSchemaProps => {
      const { description: _d, 'x-kubernetes-validations': _r, properties, ...rest } = node;
      const props = Object.fromEntries(Object.entries(properties!)
        .filter(([k]) => k !== 'children')
        .map(([k, v]) => [k, (({ description: _x, ...p }) => p)(v)]));
      return { ...rest, properties: props };
    };
    const root = graphOf(v1Schema());
    let node = root;
    let depth = 0;
    while (node.properties!.children.maxItems !== 0) {
      expect(node.properties!.children.maxItems, `children bound at level ${depth}`).toBe(8);
      node = node.properties!.children.items!;
      depth += 1;
      expect(strip(node), `level ${depth}`).toEqual(strip(root));
      expect(node['x-kubernetes-validations'] ?? [], `rules at level ${depth}`).toEqual(depth <= 3 ? root['x-kubernetes-validations'] : []);
    }
    expect(depth).toBe(10);
  });

  it('bounds every list above a CEL rule, so the API server can estimate the rule cost', () => {
    // The API server multiplies a rule's cost by how often it can run: the product of maxItems of
    // the lists above it. A list without maxItems makes that unbounded and the CRD is refused.
    const sites: { path: string; runs: number }[] = [];
    const walk = (s: JSONSchemaProps, path: string, runs: number) => {
      if (s['x-kubernetes-validations']) sites.push({ path, runs });
      for (const [k, sub] of Object.entries(s.properties ?? {})) walk(sub, `${path}.${k}`, runs);
      if (s.items) walk(s.items, `${path}[*]`, s.maxItems === undefined ? Infinity : runs * Math.max(s.maxItems, 1));
      if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${path}[*]`, s.maxProperties === undefined ? Infinity : runs * s.maxProperties);
    };
    walk(v1Schema(), '', 1);
    // The most-run rules sit on the fourth level of graph nodes: 16 predictors x 8^3 nodes.
    for (const site of sites) expect(site.runs, site.path).toBeLessThanOrEqual(16 * 8 ** 3);
    expect(sites.find((s) => s.runs === 16 * 8 ** 3)?.path).toBe('.spec.predictors[*].graph.children[*].children[*].children[*]');
  });

  it('holds CEL rules that all parse', () => {
    expect(checkCelRulesParse(v1Schema())).toBe(4 * 3 + 2 + 6 + 3 + 2);
  });

  it('is read from its YAML file, and each call returns a copy', () => {
    expect(existsSync(fromRoot(SELDON_CRD_PATH))).toBe(true);
    const a = seldonDeploymentCrd();
    a.spec.names.kind = 'Changed';
    expect(seldonDeploymentCrd().spec.names.kind).toBe('SeldonDeployment');
  });
});

describe('validateSeldonDeployment: the seed sample', () => {
  const seed = fromRoot('..', 'shared', 'seed', 'seldon-core-tutorial.ko.md');

  it.skipIf(!existsSync(seed))('keeps sample.yaml exactly as the seed tutorial prints it', () => {
    const text = readFileSync(seed, 'utf8');
    const block = /```yaml\n(\s*apiVersion: machinelearning[\s\S]*?)\n\s*```/.exec(text)![1];
    const unindented = block.split('\n').map((line) => line.slice(4)).join('\n') + '\n';
    expect(readFileSync(fromRoot('cluster', 'samples', 'sample.yaml'), 'utf8')).toBe(unindented);
  });

  it('accepts the seed sample in every served version', () => {
    expect(validateSeldonDeployment(sample())).toEqual({ valid: true, causes: [], unknownFields: [] });
    for (const version of ['v1alpha2', 'v1alpha3']) {
      const doc = { ...sample(), apiVersion: `machinelearning.seldon.io/${version}` };
      expect(validateSeldonDeployment(doc, version).valid).toBe(true);
    }
  });

  it('keeps everything the operator writes into status', () => {
    const doc = {
      ...sample(),
      status: {
        state: 'Available', description: '', replicas: 1, observedGeneration: 2,
        address: { url: 'http://iris-model-default.seldon.svc.cluster.local:8000/api/v1.0/predictions' },
        deploymentStatus: { 'iris-model-default-0-classifier': { name: 'iris-model-default-0-classifier', replicas: 1, availableReplicas: 1, status: 'Available' } },
        serviceStatus: { 'iris-model-default': { svcName: 'iris-model-default', httpEndpoint: 'iris-model-default.seldon:8000', grpcEndpoint: 'iris-model-default.seldon:5001' } },
        conditions: [{ type: 'DeploymentsReady', status: 'True', reason: 'Deployments are ready', lastTransitionTime: '2026-11-26T06:00:00Z' }],
      },
    };
    expect(validateSeldonDeployment(doc)).toEqual({ valid: true, causes: [], unknownFields: [] });
    expect(causes({ ...doc, status: { state: 'Ready' } })).toEqual([
      'status.state: Unsupported value: "Ready": supported values: "Creating", "Available", "Failed"',
      '<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('explains a wrong kind, apiVersion or version', () => {
    expect(causes({ ...sample(), kind: 'Deployment' })).toEqual(['kind: Unsupported value: "Deployment": supported values: "SeldonDeployment"']);
    expect(causes({ ...sample(), apiVersion: 'machinelearning.seldon.io/v2' }))
      .toEqual(['apiVersion: Unsupported value: "machinelearning.seldon.io/v2": supported values: "machinelearning.seldon.io/v1"']);
    expect(() => validateSeldonDeployment(sample(), 'v2')).toThrow('has no version "v2"; it serves: v1, v1alpha2, v1alpha3');
  });
});

describe('validateSeldonDeployment: the schema', () => {
  it('answers the invalid-schema sample with each mistake, and skips the rules', () => {
    expect(validateSeldonDeployment(readYaml('cluster', 'samples', 'invalid-schema.yaml'))).toEqual({
      valid: false,
      unknownFields: [],
      causes: [
        { reason: 'FieldValueRequired', field: 'spec.predictors[0].graph.name', message: 'Required value' },
        {
          reason: 'FieldValueNotSupported', field: 'spec.predictors[0].graph.type',
          message: 'Unsupported value: "MODLE": supported values: "UNKNOWN_TYPE", "ROUTER", "COMBINER", "MODEL", "TRANSFORMER", "OUTPUT_TRANSFORMER"',
        },
        {
          reason: 'FieldValueTypeInvalid', field: 'spec.predictors[0].replicas',
          message: 'Invalid value: "string": spec.predictors[0].replicas in body must be of type integer: "string"',
        },
        { reason: 'FieldValueInvalid', field: '<nil>', message: expect.stringContaining('some validation rules were not checked') },
      ],
    });
  });

  it('requires spec, predictors, and name/type/value of parameters', () => {
    expect(causes({ ...sample(), spec: undefined })).toContain('spec: Required value');
    expect(causes(withSpec({ predictors: undefined }))).toContain('spec.predictors: Required value');
    const params = withSpec({ predictors: [{ ...iris('default'), graph: { ...iris('x').graph, parameters: [{ name: 'method', type: 'STR' }] } }] });
    expect(causes(params)).toEqual([
      'spec.predictors[0].graph.parameters[0].value: Required value',
      'spec.predictors[0].graph.parameters[0].type: Unsupported value: "STR": supported values: "INT", "FLOAT", "DOUBLE", "STRING", "BOOL"',
      expect.stringMatching(/^<nil>: /),
    ]);
  });

  it('refuses a graph deeper than Seldon types it', () => {
    let graph: Record<string, unknown> = { name: 'leaf', implementation: 'SIMPLE_MODEL' };
    for (let i = 0; i < 11; i += 1) graph = { name: `n${i}`, implementation: 'SIMPLE_MODEL', children: [graph] };
    const deepest = `spec.predictors[0].graph${'.children[0]'.repeat(10)}.children`;
    expect(causes(withSpec({ predictors: [{ name: 'default', graph }] }))[0]).toBe(`${deepest}: Too many: 1: must have at most 0 items`);
  });

  it('reports typos as unknown fields, refused by default and pruned when asked', () => {
    const doc = withSpec({ predictors: [{ ...iris('default'), replica: 2 }] });
    expect(validateSeldonDeployment(doc)).toEqual({ valid: false, causes: [], unknownFields: ['spec.predictors[0].replica'] });
    expect(validateSeldonDeployment(doc, 'v1', { fieldValidation: 'Ignore' }).valid).toBe(true);
  });
});

describe("validateSeldonDeployment: Seldon's webhook rules as CEL", () => {
  it('answers the invalid-seldon-rules sample with three of them', () => {
    expect(validateSeldonDeployment(readYaml('cluster', 'samples', 'invalid-seldon-rules.yaml'))).toEqual({
      valid: false,
      unknownFields: ['spec.predictors[1].graph.modelURI'],
      causes: [
        { reason: 'FieldValueInvalid', field: 'spec.predictors', message: 'Invalid value: "array": Duplicate predictor name' },
        { reason: 'FieldValueInvalid', field: 'spec.predictors', message: 'Invalid value: "array": Traffic must sum to 100 for multiple predictors' },
        { reason: 'FieldValueInvalid', field: 'spec.predictors[1].graph', message: 'Invalid value: "object": Predictive unit modelUri required when using standalone servers' },
      ],
    });
  });

  const model = (extra: Record<string, unknown>) => ({ name: 'classifier', implementation: 'SKLEARN_SERVER', modelUri: 'gs://m', ...extra });
  const kafkaEnv = ['KAFKA_BROKER', 'KAFKA_INPUT_TOPIC', 'KAFKA_OUTPUT_TOPIC'].map((name) => ({ name, value: 'x' }));
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['an unknown protocol', { protocol: 'grpc' }, ['spec.protocol: Invalid value: "string": Invalid protocol']],
    ['an unknown transport', { transport: 'http' }, ['spec.transport: Invalid value: "string": Invalid transport']],
    ['an unknown serverType', { serverType: 'batch' }, ['spec.serverType: Invalid value: "string": Invalid serverType']],
    ['kafka without its env vars', { serverType: 'kafka' },
      ['spec.predictors: Invalid value: "object": For kafka please supply svcOrchSpec envs KAFKA_BROKER, KAFKA_INPUT_TOPIC, KAFKA_OUTPUT_TOPIC']],
    ['no predictors', { predictors: [] }, ['spec.predictors: Invalid value: "array": Graph contains no predictors']],
    ['a shadow as the only predictor', { predictors: [iris('shadow', { shadow: true })] },
      ['spec.predictors: Invalid value: "array": Shadow can not exist as only predictor']],
    ['two shadows', { predictors: [iris('main'), iris('s1', { shadow: true }), iris('s2', { shadow: true })] },
      ['spec.predictors: Invalid value: "array": Multiple shadows are not allowed']],
    ['shadow traffic over 100', { predictors: [iris('main'), iris('s', { shadow: true, traffic: 150 })] },
      ['spec.predictors[1]: Invalid value: "object": shadow traffic is illegal, the traffic number should be between [0, 100]']],
    ['traffic that does not add up', { predictors: [iris('a', { traffic: 50 }), iris('b', { traffic: 40 })] },
      ['spec.predictors: Invalid value: "array": Traffic must sum to 100 for multiple predictors']],
    ['partial traffic on a single predictor', { predictors: [iris('default', { traffic: 50 })] },
      ['spec.predictors: Invalid value: "array": Traffic must sum be 100 for a single predictor when set']],
    ['no-engine with a graph of several nodes',
      { predictors: [{ name: 'default', annotations: { 'seldon.io/no-engine': 'true' }, graph: model({ children: [model({ name: 'c' })] }) }] },
      ['spec.predictors[0]: Invalid value: "object": Running without engine only valid for single element graphs']],
    ['a prepackaged child without modelUri', { predictors: [{ name: 'default', graph: model({ children: [{ name: 'c', implementation: 'XGBOOST_SERVER' }] }) }] },
      ['spec.predictors[0].graph.children[0]: Invalid value: "object": Predictive unit modelUri required when using standalone servers']],
    ['an UNKNOWN_TYPE node without methods', { predictors: [{ name: 'default', graph: { name: 'classifier', type: 'UNKNOWN_TYPE' } }] },
      ['spec.predictors[0].graph: Invalid value: "object": Predictive Unit has no implementation methods defined. Change to a known type or add what methods it defines']],
    ['a logger without a mode', { predictors: [{ name: 'default', graph: model({ logger: { url: 'http://logger' } }) }] },
      ['spec.predictors[0].graph: Invalid value: "object": No logger mode specified']],
    ['the tensorflow protocol on an sklearn server', { protocol: 'tensorflow' },
      ['spec.predictors: Invalid value: "object": Prepackaged server does not handle tensorflow protocol SKLEARN_SERVER']],
  ];
  it.each(cases)('refuses %s with Seldon\'s message', (_name, spec, expected) => {
    expect(causes(withSpec(spec))).toEqual(expected);
  });

  const fine: [string, Record<string, unknown>][] = [
    ['each protocol Seldon knows, v2 included', { protocol: 'v2', transport: 'grpc', serverType: 'rpc' }],
    ['kafka with its three env vars', { serverType: 'kafka', predictors: [iris('default', { svcOrchSpec: { env: kafkaEnv } })] }],
    ['a canary whose traffic adds up', { predictors: [iris('main', { traffic: 75 }), iris('canary', { traffic: 25 })] }],
    ['a shadow beside a main predictor', { predictors: [iris('main', { traffic: 100 }), iris('shadow', { shadow: true })] }],
    ['a single predictor at 100', { predictors: [iris('default', { traffic: 100 })] }],
    ['a built-in implementation without modelUri', { predictors: [{ name: 'default', graph: { name: 'm', implementation: 'SIMPLE_MODEL' } }] }],
    ['an UNKNOWN_TYPE node with methods', { predictors: [{ name: 'default', graph: { name: 'c', type: 'UNKNOWN_TYPE', methods: ['TRANSFORM_INPUT'] } }] }],
    ['a logger with a mode', { predictors: [{ name: 'default', graph: model({ logger: { mode: 'all' } }) }] }],
  ];
  it.each(fine)('accepts %s', (_name, spec) => {
    expect(causes(withSpec(spec))).toEqual([]);
  });
});
