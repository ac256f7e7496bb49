// SPDX-License-Identifier: Apache-2.0
// What the API server does with a custom resource on create or update, in its order:
//   1. unknown fields: refused (fieldValidation=Strict, kubectl's default) or silently pruned;
//   2. defaults from the schema;
//   3. the OpenAPI schema;
//   4. the CEL rules, only if the schema found nothing (else one `<nil>` cause says they were skipped).
// One function for lessons, the operator's tests and the sandbox API server.
import { CEL_NOT_CHECKED } from './crd-causes.js';
import { checkCelRulesParse, evaluateCelRules } from './crd-cel.js';
import { compileCrdSchema } from './crd-schema.js';
import type { CustomResourceDefinition, JSONSchemaProps, StatusCause } from './crd-types.js';

/** How unknown fields are treated, as the `fieldValidation` query parameter of a write. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface ValidateOptions {
  /** default `Strict`, what `kubectl apply` asks for since Kubernetes 1.27 */
  fieldValidation?: FieldValidation;
}

export interface ValidationResult {
  /** true when the API server would accept the object */
  valid: boolean;
  /** the 422 Invalid causes, in the API server's wording */
  causes: StatusCause[];
  /** fields the schema does not declare: a 400 under Strict, pruned under Warn and Ignore */
  unknownFields: string[];
  /** the object as it would be stored: pruned and defaulted */
  object: unknown;
}

/** The `openAPIV3Schema` of one version of a CRD; says which versions exist when `version` is not one. */
export function crdVersionSchema(crd: CustomResourceDefinition, version: string): JSONSchemaProps {
  const found = crd.spec.versions.find((v) => v.name === version);
  if (!found) {
    const names = crd.spec.versions.map((v) => v.name).join(', ');
    throw new Error(`${crd.metadata.name} has no version "${version}"; it serves: ${names}.`);
  }
  if (!found.schema?.openAPIV3Schema) {
    throw new Error(`Version "${version}" of ${crd.metadata.name} has no openAPIV3Schema to validate against.`);
  }
  return found.schema.openAPIV3Schema;
}

const parsedRules = new WeakSet<JSONSchemaProps>();

/** Validates `obj` against one version schema of a CRD, as the API server would on create. */
export function validateCustomResource(schema: JSONSchemaProps, obj: unknown, options: ValidateOptions = {}): ValidationResult {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new TypeError(`A custom resource must be a JSON object (parsed YAML), not ${Array.isArray(obj) ? 'an array' : String(obj)}.`);
  }
  const compiled = compileCrdSchema(schema);
  if (!parsedRules.has(schema)) {
    checkCelRulesParse(schema);
    parsedRules.add(schema);
  }
  const { object: pruned, unknownFields } = compiled.prune(obj);
  const object = compiled.applyDefaults(pruned);
  const causes = compiled.validate(object);
  if (causes.length > 0 && compiled.celRules.length > 0) causes.push(CEL_NOT_CHECKED);
  else if (causes.length === 0) causes.push(...evaluateCelRules(schema, object));
  const strict = (options.fieldValidation ?? 'Strict') === 'Strict';
  return { valid: causes.length === 0 && !(strict && unknownFields.length > 0), causes, unknownFields, object };
}
