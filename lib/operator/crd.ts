// SPDX-License-Identifier: Apache-2.0
// The SeldonDeployment CRD as code sees it: parsed from the one YAML file the Helm chart installs
// (cluster/charts/seldon-lab-operator/crds/), and a validator that answers as the API server would
// when that CRD is installed, so a lesson, a test or the operator can check a manifest offline.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { crdVersionSchema, validateCustomResource, type ValidateOptions } from '../kube/crd-validate.js';
import type { CustomResourceDefinition, JSONSchemaProps, StatusCause } from '../kube/crd-types.js';
import { fromRoot } from '../paths.js';

export const SELDON_GROUP = 'machinelearning.seldon.io';
export const SELDON_KIND = 'SeldonDeployment';

/** The CRD file, relative to the repository root. */
export const SELDON_CRD_PATH = 'cluster/charts/seldon-lab-operator/crds/seldondeployments.machinelearning.seldon.io.yaml';

let cached: CustomResourceDefinition | undefined;

/** The SeldonDeployment CRD, parsed from its YAML file (read once; each call returns a fresh copy). */
export function seldonDeploymentCrd(): CustomResourceDefinition {
  if (!cached) {
    const file = fromRoot(SELDON_CRD_PATH);
    const crd = parse(readFileSync(file, 'utf8')) as CustomResourceDefinition;
    if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.names?.kind !== SELDON_KIND) {
      throw new Error(`${file} does not hold the SeldonDeployment CustomResourceDefinition.`);
    }
    cached = crd;
  }
  return structuredClone(cached);
}

/** The versions' schemas are compiled once; they are keyed by these objects. */
const schemas = new Map<string, JSONSchemaProps>();

function schemaOf(version: string): JSONSchemaProps {
  let schema = schemas.get(version);
  if (!schema) {
    schema = crdVersionSchema(seldonDeploymentCrd(), version);
    schemas.set(version, schema);
  }
  return schema;
}

export interface SeldonValidation {
  valid: boolean;
  /** what the API server would answer (422 Invalid causes), with Seldon's messages for Seldon's rules */
  causes: StatusCause[];
  /** fields the CRD does not know (typos such as `modelURI`): refused by `kubectl apply`, else pruned */
  unknownFields: string[];
}

// #region validate
/**
 * Checks a SeldonDeployment manifest against the CRD, as the API server does on `kubectl apply`:
 * unknown fields, the OpenAPI schema, then the CEL rules that carry Seldon's webhook checks.
 */
export function validateSeldonDeployment(obj: unknown, version = 'v1', options: ValidateOptions = {}): SeldonValidation {
  const schema = schemaOf(version);
  const result = validateCustomResource(schema, obj, options);
  const causes = [...wrongKind(obj as Record<string, unknown>, version), ...result.causes];
  return { valid: result.valid && causes.length === result.causes.length, causes, unknownFields: result.unknownFields };
}
// #endregion validate

/** The API server routes by apiVersion and kind; a manifest of another kind never reaches this schema. */
function wrongKind(obj: Record<string, unknown>, version: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const apiVersion = `${SELDON_GROUP}/${version}`;
  if (obj.kind !== undefined && obj.kind !== SELDON_KIND) {
    causes.push({ reason: 'FieldValueNotSupported', field: 'kind', message: `Unsupported value: ${JSON.stringify(obj.kind)}: supported values: "${SELDON_KIND}"` });
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    causes.push({ reason: 'FieldValueNotSupported', field: 'apiVersion', message: `Unsupported value: ${JSON.stringify(obj.apiVersion)}: supported values: "${apiVersion}"` });
  }
  return causes;
}
