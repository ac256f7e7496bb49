// SPDX-License-Identifier: Apache-2.0
// Seldon's validation at reconcile time, with Seldon's own messages.
//
// Seldon Core checked these rules in a validating admission webhook (seldondeployment_webhook.go),
// so `kubectl apply` itself failed. Most of them are CEL rules in our CRD now and still fail at
// `kubectl apply`. The rest need what the API server cannot see (the implementation -> image map
// is operator configuration) or walk a whole graph, so the operator checks them here and answers
// with `status.state: Failed` and Seldon's message in `status.description`. The CEL rules are
// checked again too: a cluster older than Kubernetes 1.25 ignores them, and the operator must
// not build children from a SeldonDeployment Seldon would have refused.
//
// A second list says what this kit does not do (yet) that Seldon did: gRPC, Kafka, multi-node
// graphs. Those get a plain message that says so and what to do instead.
import { serverImageFor, type OperatorConfig } from './config.js';
import { BUILTIN_IMPLEMENTATIONS, findContainer, graphNodes, isPrepackaged, protocolOf } from './defaults.js';
import type { PredictiveUnit, PredictorSpec, SeldonDeployment } from './types.js';

/** One problem, shaped like Kubernetes' field.Error: Seldon's webhook built its messages from these. */
export interface FieldError {
  /** e.g. `spec.predictors[0].graph` */
  field: string;
  /** the offending value (Seldon usually shows the node or predictor name) */
  value: string | number | boolean;
  /** Seldon's message, or the kit's for what it does not support */
  message: string;
}

/** `spec.predictors[0].graph: Invalid value: "classifier": Can't find container for Predictive Unit` (Go's field.Error format). */
export function formatFieldError(e: FieldError): string {
  const value = typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
  return `${e.field}: Invalid value: ${value}: ${e.message}`;
}

/** Several errors as Go's errors.Aggregate prints them: one alone, or `[a, b]`. */
export function formatFieldErrors(errors: FieldError[]): string {
  const unique = [...new Set(errors.map(formatFieldError))];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

const PREPACKAGED_WITHOUT_TENSORFLOW = ['SKLEARN_SERVER', 'XGBOOST_SERVER', 'MLFLOW_SERVER'];
const KAFKA_ENVS = ['KAFKA_BROKER', 'KAFKA_INPUT_TOPIC', 'KAFKA_OUTPUT_TOPIC'];

/**
 * Seldon's webhook rules (ValidateSeldonDeployment), in Seldon's order, on the SeldonDeployment as
 * the user wrote it (before defaulting, as the webhook saw it). Empty when Seldon would accept it.
 */
export function validateSeldonRules(sdep: SeldonDeployment, config: OperatorConfig): FieldError[] {
  const spec = sdep.spec ?? ({ predictors: [] } as SeldonDeployment['spec']);
  const predictors = spec.predictors ?? [];
  const errors: FieldError[] = [];
  const invalid = (field: string, value: FieldError['value'], message: string) => errors.push({ field, value, message });

  if (spec.protocol && !['seldon', 'tensorflow', 'kfserving', 'v2'].includes(spec.protocol)) invalid('spec', spec.protocol, 'Invalid protocol');
  if (spec.transport && !['rest', 'grpc'].includes(spec.transport)) invalid('spec', spec.transport, 'Invalid transport');
  if (spec.serverType && !['rpc', 'kafka'].includes(spec.serverType)) invalid('spec', spec.serverType, 'Invalid serverType');

  if (spec.serverType === 'kafka') {
    predictors.forEach((p, i) => {
      const names = (p.svcOrchSpec?.env ?? []).map((e) => e.name);
      if (KAFKA_ENVS.filter((n) => names.includes(n)).length < 3) {
        invalid(`spec.predictors[${i}]`, p.name, 'For kafka please supply svcOrchSpec envs KAFKA_BROKER, KAFKA_INPUT_TOPIC, KAFKA_OUTPUT_TOPIC');
      }
    });
  }
  if (predictors.length === 1 && predictors[0].shadow) invalid('spec.predictors[0]', predictors[0].name, 'Shadow can not exist as only predictor');
  if (predictors.length === 0) invalid('spec', spec.transport ?? '', 'Graph contains no predictors');

  const transports = new Set<string>();
  const names = new Set<string>();
  predictors.forEach((p, i) => {
    for (const unit of graphNodes(p.graph)) if (unit.endpoint?.type) transports.add(unit.endpoint.type);
    if (p.annotations && 'seldon.io/no-engine' in p.annotations && graphNodes(p.graph).length > 1) {
      invalid(`spec.predictors[${i}]`, p.name, 'Running without engine only valid for single element graphs');
    }
    if (names.has(p.name)) invalid(`spec.predictors[${i}]`, p.name, 'Duplicate predictor name');
    names.add(p.name);
    checkUnits(p.graph, p, `spec.predictors[${i}].graph`);
  });

  function checkUnits(unit: PredictiveUnit, p: PredictorSpec, field: string): void {
    if (!unit.implementation || unit.implementation === 'UNKNOWN_IMPLEMENTATION') {
      if (!findContainer(p, unit.name)) invalid(field, unit.name, "Can't find container for Predictive Unit");
      if (unit.type === 'UNKNOWN_TYPE' && !(unit.methods?.length)) {
        invalid(field, unit.name, 'Predictive Unit has no implementation methods defined. Change to a known type or add what methods it defines');
      }
    } else if (isPrepackaged(unit)) {
      if (!unit.modelUri) invalid(field, unit.name, 'Predictive unit modelUri required when using standalone servers');
      if (spec.protocol === 'tensorflow' && PREPACKAGED_WITHOUT_TENSORFLOW.includes(unit.implementation)) {
        invalid(field, unit.name, `Prepackaged server does not handle tensorflow protocol ${unit.implementation}`);
      }
      const where = findContainer(p, unit.name);
      const container = where?.podSpec.spec?.containers.find((c) => c.name === unit.name);
      if (!container?.image) {
        if (!config.predictorServers[unit.implementation]) {
          invalid(field, unit.name, `No entry in predictors map for ${unit.implementation}`);
        } else if (!serverImageFor(config, unit.implementation, protocolOf(sdep))) {
          // Seldon 1.11 found no image here and failed later; the kit says which protocol is missing.
          invalid(field, unit.name, `No entry in predictors map for ${unit.implementation} with protocol ${protocolOf(sdep)}`);
        }
      }
    }
    if (unit.logger && !unit.logger.mode) invalid(field, unit.logger.mode ?? '', 'No logger mode specified');
    // Seldon indexes the node's own path for its children (`graph[0]`), and so do we.
    (unit.children ?? []).forEach((child, i) => checkUnits(child, p, `${field}[${i}]`));
  }

  if (transports.size > 1) {
    invalid('spec', '', 'Multiple endpoint.types found - can only have 1 type in graph. Please use spec.transport');
  } else if (transports.size === 1 && spec.transport) {
    const [type] = [...transports];
    if ((type === 'REST' && spec.transport !== 'rest') || (type === 'GRPC' && spec.transport !== 'grpc')) {
      invalid('spec', '', 'Mixed transport types found. Remove graph endpoint.types if transport set at deployment level');
    }
  }

  let trafficSum = 0;
  let shadows = 0;
  for (const p of predictors) {
    if (p.shadow) {
      shadows++;
      if (shadows > 1) invalid('spec', p.name, 'Multiple shadows are not allowed');
      if ((p.traffic ?? 0) < 0 || (p.traffic ?? 0) > 100) invalid('spec', p.name, 'shadow traffic is illegal, the traffic number should be between [0, 100]');
    } else {
      trafficSum += p.traffic ?? 0;
    }
  }
  if (trafficSum !== 100 && predictors.length - shadows > 1) invalid('spec', predictors[0].name, 'Traffic must sum to 100 for multiple predictors');
  if (trafficSum > 0 && trafficSum < 100 && predictors.length === 1) invalid('spec', predictors[0].name, 'Traffic must sum be 100 for a single predictor when set');
  return errors;
}

/**
 * What Seldon accepts but this kit cannot run, each with what to do instead. Checked after
 * Seldon's rules, on the same input.
 */
export function validateKitSupport(sdep: SeldonDeployment): FieldError[] {
  const errors: FieldError[] = [];
  const spec = sdep.spec;
  if (spec.transport === 'grpc') {
    errors.push({ field: 'spec.transport', value: 'grpc', message: 'seldon-lab serves REST only; remove spec.transport or set it to "rest"' });
  }
  if (spec.serverType === 'kafka') {
    errors.push({ field: 'spec.serverType', value: 'kafka', message: 'seldon-lab does not run Kafka servers; remove spec.serverType or set it to "rpc"' });
  }
  const timeout = spec.annotations?.['seldon.io/rest-timeout'] ?? sdep.metadata.annotations?.['seldon.io/rest-timeout'];
  if (timeout !== undefined && !/^\d+$/.test(timeout)) {
    errors.push({ field: 'metadata.annotations[seldon.io/rest-timeout]', value: timeout, message: 'must be a whole number of milliseconds, e.g. "3000"' });
  }
  spec.predictors.forEach((p, i) => {
    const nodes = graphNodes(p.graph);
    if (nodes.length > 1) {
      errors.push({
        field: `spec.predictors[${i}].graph`,
        value: p.graph.name,
        message: `seldon-lab serves single-node graphs (this one has ${nodes.length} nodes): it has no graph orchestrator yet; serve each model in a predictor or SeldonDeployment of its own`,
      });
    }
    for (const unit of nodes) {
      if ((BUILTIN_IMPLEMENTATIONS as readonly string[]).includes(unit.implementation ?? '')) {
        errors.push({
          field: `spec.predictors[${i}].graph`,
          value: unit.name,
          message: `implementation ${unit.implementation} runs inside Seldon's executor, which seldon-lab does not have; use a prepackaged server such as SKLEARN_SERVER or a container of your own`,
        });
      }
      if (unit.endpoint?.type === 'GRPC') {
        errors.push({ field: `spec.predictors[${i}].graph`, value: unit.name, message: 'seldon-lab serves REST only; remove endpoint.type or set it to REST' });
      }
    }
    if (p.explainer) {
      errors.push({ field: `spec.predictors[${i}].explainer`, value: p.name, message: 'seldon-lab has no explainers; remove the explainer' });
    }
  });
  return errors;
}

/** Both lists: Seldon's rules first, then (only if Seldon would accept it) the kit's limits. */
export function validateForReconcile(sdep: SeldonDeployment, config: OperatorConfig): FieldError[] {
  const seldon = validateSeldonRules(sdep, config);
  return seldon.length > 0 ? seldon : validateKitSupport(sdep);
}
