// SPDX-License-Identifier: Apache-2.0
// Seldon's defaulting (defaults.go), applied in memory on every reconcile and never written back:
// Seldon 1.11 had no mutating webhook, so `kubectl get sdep -o yaml` shows what the user wrote,
// while the operator works from the filled-in copy made here.
//
//   - the namespace defaults to "default";
//   - each predictor gets the label `version: <predictor name>` unless it has one;
//   - a graph node with no type, methods or implementation is a MODEL; no implementation means
//     UNKNOWN_IMPLEMENTATION (a container of the node's name runs it); a prepackaged server is a MODEL;
//   - each distinct container of the graph gets its ports: HTTP from 9000 and metrics from 6000;
//   - a prepackaged node without a container gets one, `{name: <node name>, image: <from the
//     server map>}`, appended to componentSpecs[0] (created when there is none).
import { serverImageFor, type OperatorConfig, type ServerImage } from './config.js';
import { containerServiceName } from './names.js';
import type { PredictiveUnit, PredictorSpec, Protocol, SeldonDeployment, SeldonPodSpec } from './types.js';

/** Seldon's built-in units: they run inside its executor, not in a container of their own. */
export const BUILTIN_IMPLEMENTATIONS = ['SIMPLE_MODEL', 'SIMPLE_ROUTER', 'RANDOM_ABTEST', 'AVERAGE_COMBINER'] as const;

/** True for a prepackaged server such as SKLEARN_SERVER (Seldon's IsPrepack). */
export function isPrepackaged(unit: PredictiveUnit): boolean {
  const impl = unit.implementation;
  return !!impl && impl !== 'UNKNOWN_IMPLEMENTATION' && !(BUILTIN_IMPLEMENTATIONS as readonly string[]).includes(impl);
}

/** Every node of a graph, root first, depth first (the order Seldon numbers ports in). */
export function graphNodes(root: PredictiveUnit): PredictiveUnit[] {
  return [root, ...(root.children ?? []).flatMap(graphNodes)];
}

/** The container named `name` in any of the predictor's componentSpecs, with where it is. */
export function findContainer(predictor: PredictorSpec, name: string): { podSpec: SeldonPodSpec; index: number } | undefined {
  const specs = predictor.componentSpecs ?? [];
  for (let index = 0; index < specs.length; index++) {
    if ((specs[index].spec?.containers ?? []).some((c) => c.name === name)) return { podSpec: specs[index], index };
  }
  return undefined;
}

/** `spec.protocol`, with Seldon's default. */
export function protocolOf(sdep: SeldonDeployment): Protocol {
  return (sdep.spec.protocol || 'seldon') as Protocol;
}

/** The server-map entry (image, optional entry point) of a prepackaged node, for the SeldonDeployment's protocol. */
export function serverEntry(sdep: SeldonDeployment, unit: PredictiveUnit, config: OperatorConfig): ServerImage | undefined {
  return unit.implementation ? serverImageFor(config, unit.implementation, protocolOf(sdep)) : undefined;
}

/** The ports Seldon assigns to the graph's `i`-th distinct container. */
export function unitPorts(config: OperatorConfig, i: number): { http: number; metrics: number } {
  return { http: config.ports.http + i, metrics: config.ports.metrics + i };
}

/** A defaulted deep copy of `sdep`: the input is never changed. */
export function applyDefaults(sdep: SeldonDeployment, config: OperatorConfig): SeldonDeployment {
  const out = structuredClone(sdep);
  out.metadata.namespace ||= 'default';
  const protocol = protocolOf(out);
  for (const predictor of out.spec.predictors ?? []) {
    predictor.labels = { version: predictor.name, ...predictor.labels };
    const seen = new Map<string, number>();
    for (const unit of graphNodes(predictor.graph)) {
      if (!unit.type && !unit.methods && !unit.implementation) unit.type = 'MODEL';
      unit.implementation ||= 'UNKNOWN_IMPLEMENTATION';
      if (isPrepackaged(unit)) {
        unit.type = 'MODEL';
        addPrepackagedContainer(predictor, unit, config, protocol);
      }
      if (!seen.has(unit.name)) seen.set(unit.name, seen.size);
      const ports = unitPorts(config, seen.get(unit.name)!);
      const where = findContainer(predictor, unit.name);
      // componentSpecs[0] shares a pod with Seldon's orchestrator; here it is the pod that serves
      // the predictor, so "localhost" keeps Seldon's meaning of "in the serving pod".
      const host = where?.index === 0 ? 'localhost' : `${containerServiceName(out, predictor, unit.name)}.${out.metadata.namespace}.svc.cluster.local.`;
      unit.endpoint = {
        type: 'REST',
        service_host: host,
        service_port: ports.http,
        httpPort: ports.http,
        ...unit.endpoint,
      };
    }
  }
  return out;
}

function addPrepackagedContainer(predictor: PredictorSpec, unit: PredictiveUnit, config: OperatorConfig, protocol: Protocol): void {
  const existing = findContainer(predictor, unit.name);
  const server = serverImageFor(config, unit.implementation!, protocol);
  if (existing) {
    // The user gave the container (for resources, say) but maybe not its image: Seldon fills it in.
    const container = existing.podSpec.spec!.containers.find((c) => c.name === unit.name)!;
    if (!container.image && server) container.image = server.image;
    return;
  }
  predictor.componentSpecs ??= [];
  if (predictor.componentSpecs.length === 0) predictor.componentSpecs.push({});
  const first = predictor.componentSpecs[0];
  first.spec ??= { containers: [] };
  first.spec.containers ??= [];
  first.spec.containers.push({ name: unit.name, ...(server ? { image: server.image } : {}) });
}
