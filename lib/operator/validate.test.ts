// SPDX-License-Identifier: Apache-2.0
// Seldon's webhook rules at reconcile time: each case gets Seldon's own message, in Go's
// field-error format; where the CRD's CEL rules check the same thing, both say the same words.
import { describe, expect, it } from 'vitest';
import { defaultOperatorConfig } from './config.js';
import { validateSeldonDeployment } from './crd.js';
import { sampleManifest } from './testing/fixtures.js';
import type { SeldonDeployment } from './types.js';
import { formatFieldError, formatFieldErrors, validateForReconcile, validateKitSupport, validateSeldonRules } from './validate.js';

const config = defaultOperatorConfig();

function edit(change: (s: SeldonDeployment) => void): SeldonDeployment {
  const sdep = sampleManifest();
  change(sdep);
  return sdep;
}

const graph = () => sampleManifest().spec.predictors[0].graph;

/** [case, manifest, Seldon's message, does the CRD's CEL check it too?] */
const cases: [string, SeldonDeployment, string, boolean][] = [
  ['an unknown protocol', edit((s) => (s.spec.protocol = 'grpcx' as never)), 'Invalid protocol', true],
  ['an unknown transport', edit((s) => (s.spec.transport = 'http' as never)), 'Invalid transport', true],
  ['an unknown serverType', edit((s) => (s.spec.serverType = 'batch' as never)), 'Invalid serverType', true],
  ['kafka without its variables', edit((s) => (s.spec.serverType = 'kafka')), 'For kafka please supply svcOrchSpec envs KAFKA_BROKER, KAFKA_INPUT_TOPIC, KAFKA_OUTPUT_TOPIC', true],
  ['a shadow as the only predictor', edit((s) => (s.spec.predictors[0].shadow = true)), 'Shadow can not exist as only predictor', true],
  ['no predictors', edit((s) => (s.spec.predictors = [])), 'Graph contains no predictors', true],
  ['two predictors of one name', edit((s) => {
    s.spec.predictors[0].traffic = 50;
    s.spec.predictors.push({ name: 'default', traffic: 50, graph: graph() });
  }), 'Duplicate predictor name', true],
  ['a node with neither implementation nor container', edit((s) => delete s.spec.predictors[0].graph.implementation), "Can't find container for Predictive Unit", false],
  ['UNKNOWN_TYPE without methods', edit((s) => {
    const g = s.spec.predictors[0].graph;
    delete g.implementation;
    g.type = 'UNKNOWN_TYPE';
    s.spec.predictors[0].componentSpecs = [{ spec: { containers: [{ name: 'classifier', image: 'me/model:1' }] } }];
  }), 'Predictive Unit has no implementation methods defined. Change to a known type or add what methods it defines', true],
  ['a prepackaged server without modelUri', edit((s) => delete s.spec.predictors[0].graph.modelUri), 'Predictive unit modelUri required when using standalone servers', true],
  ['SKLEARN_SERVER with the tensorflow protocol', edit((s) => (s.spec.protocol = 'tensorflow')), 'Prepackaged server does not handle tensorflow protocol SKLEARN_SERVER', true],
  ['an implementation missing from the server map', edit((s) => (s.spec.predictors[0].graph.implementation = 'MLFLOW_SERVER')), 'No entry in predictors map for MLFLOW_SERVER', false],
  ['a logger without mode', edit((s) => (s.spec.predictors[0].graph.logger = { url: 'http://logger' })), 'No logger mode specified', true],
  ['REST and GRPC nodes in one graph', edit((s) => {
    const g = s.spec.predictors[0].graph;
    g.endpoint = { type: 'REST' };
    g.children = [{ name: 'second', implementation: 'SKLEARN_SERVER', modelUri: 'gs://m', endpoint: { type: 'GRPC' } }];
  }), 'Multiple endpoint.types found - can only have 1 type in graph. Please use spec.transport', false],
  ['endpoint types against spec.transport', edit((s) => {
    s.spec.transport = 'grpc';
    s.spec.predictors[0].graph.endpoint = { type: 'REST' };
  }), 'Mixed transport types found. Remove graph endpoint.types if transport set at deployment level', false],
  ['two shadows', edit((s) => {
    s.spec.predictors.push({ name: 'a', shadow: true, graph: graph() }, { name: 'b', shadow: true, graph: graph() });
  }), 'Multiple shadows are not allowed', true],
  ['shadow traffic over 100', edit((s) => s.spec.predictors.push({ name: 'a', shadow: true, traffic: 150, graph: graph() })), 'shadow traffic is illegal, the traffic number should be between [0, 100]', true],
  ['traffic of several predictors not adding up to 100', edit((s) => {
    s.spec.predictors[0].traffic = 60;
    s.spec.predictors.push({ name: 'canary', traffic: 30, graph: graph() });
  }), 'Traffic must sum to 100 for multiple predictors', true],
  ['a single predictor with traffic below 100', edit((s) => (s.spec.predictors[0].traffic = 40)), 'Traffic must sum be 100 for a single predictor when set', true],
  ['no-engine with a graph of two nodes', edit((s) => {
    s.spec.predictors[0].annotations = { 'seldon.io/no-engine': 'true' };
    s.spec.predictors[0].graph.children = [{ name: 'second', implementation: 'SKLEARN_SERVER', modelUri: 'gs://m' }];
  }), 'Running without engine only valid for single element graphs', true],
];

describe('validateSeldonRules: Seldon\'s webhook rules, Seldon\'s messages', () => {
  it('accepts the seed\'s sample.yaml', () => {
    expect(validateSeldonRules(sampleManifest(), config)).toEqual([]);
    expect(validateForReconcile(sampleManifest(), config)).toEqual([]);
  });

  it.each(cases)('refuses %s', (_name, sdep, message) => {
    const errors = validateSeldonRules(sdep, config);
    expect(errors.map((e) => e.message)).toContain(message);
  });

  it.each(cases.filter(([, , , cel]) => cel))('says what the CRD says for %s', (_name, sdep, message) => {
    // The API server words a CEL failure as `Invalid value: "object": <the rule's message>`.
    const messages = validateSeldonDeployment(sdep).causes.map((c) => c.message);
    expect(messages.some((m) => m.endsWith(`: ${message}`)), messages.join('\n')).toBe(true);
  });

  it('points at the field and value as Seldon did', () => {
    const sdep = edit((s) => (s.spec.predictors[0].graph.implementation = 'MLFLOW_SERVER'));
    expect(formatFieldErrors(validateSeldonRules(sdep, config))).toBe(
      'spec.predictors[0].graph: Invalid value: "classifier": No entry in predictors map for MLFLOW_SERVER',
    );
    const noContainer = edit((s) => delete s.spec.predictors[0].graph.implementation);
    expect(formatFieldErrors(validateSeldonRules(noContainer, config))).toBe(
      'spec.predictors[0].graph: Invalid value: "classifier": Can\'t find container for Predictive Unit',
    );
  });

  it('prints several errors as Go\'s aggregate does, each once', () => {
    const e = { field: 'spec', value: 'x', message: 'Invalid protocol' };
    expect(formatFieldErrors([e, e])).toBe(formatFieldError(e));
    expect(formatFieldErrors([e, { ...e, message: 'Invalid transport' }])).toBe('[spec: Invalid value: "x": Invalid protocol, spec: Invalid value: "x": Invalid transport]');
  });

  it('finds the container of a node in any componentSpec', () => {
    const sdep = edit((s) => {
      delete s.spec.predictors[0].graph.implementation;
      s.spec.predictors[0].componentSpecs = [{ spec: { containers: [{ name: 'other', image: 'x' }] } }, { spec: { containers: [{ name: 'classifier', image: 'me/model:1' }] } }];
    });
    expect(validateSeldonRules(sdep, config)).toEqual([]);
  });

  it('names the protocol when the map knows the server but not for that protocol', () => {
    const sdep = edit((s) => (s.spec.protocol = 'kfserving'));
    expect(validateSeldonRules(sdep, config).map((e) => e.message)).toEqual(['No entry in predictors map for SKLEARN_SERVER with protocol kfserving']);
  });
});

describe('validateKitSupport: what Seldon runs and this kit does not', () => {
  const messages = (sdep: SeldonDeployment) => validateKitSupport(sdep).map((e) => e.message).join('\n');

  it('says REST only for gRPC', () => {
    expect(messages(edit((s) => (s.spec.transport = 'grpc')))).toContain('seldon-lab serves REST only');
  });

  it('says single-node graphs only, and what to do instead', () => {
    const sdep = edit((s) => (s.spec.predictors[0].graph.children = [{ name: 'b', implementation: 'SKLEARN_SERVER', modelUri: 'gs://m' }]));
    expect(messages(sdep)).toMatch(/single-node graphs \(this one has 2 nodes\).*serve each model/);
  });

  it('explains that SIMPLE_MODEL lives in Seldon\'s executor', () => {
    expect(messages(edit((s) => (s.spec.predictors[0].graph.implementation = 'SIMPLE_MODEL')))).toContain("runs inside Seldon's executor");
  });

  it('refuses a rest-timeout annotation that is not a number', () => {
    expect(messages(edit((s) => (s.metadata.annotations = { 'seldon.io/rest-timeout': '3s' })))).toContain('whole number of milliseconds');
  });

  it('reports Seldon\'s errors first, and the kit\'s only for a manifest Seldon accepts', () => {
    const both = edit((s) => {
      s.spec.transport = 'grpc';
      s.spec.predictors[0].graph.implementation = 'MLFLOW_SERVER';
    });
    expect(validateForReconcile(both, config).map((e) => e.message)).toEqual(['No entry in predictors map for MLFLOW_SERVER']);
  });
});
