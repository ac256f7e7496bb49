// SPDX-License-Identifier: Apache-2.0
// The shapes of a CustomResourceDefinition as it is written in YAML (apiextensions.k8s.io/v1), and of
// the validation answers the API server gives. Field names are the wire names, so a CRD parsed from
// YAML fits these types as it is (client-node's generated models rename `x-kubernetes-*` fields).

/** One node of a structural schema: Kubernetes' subset of OpenAPI v3, plus its `x-kubernetes-*` extensions. */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  nullable?: boolean;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  multipleOf?: number;
  minProperties?: number;
  maxProperties?: number;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/** A CEL rule in `x-kubernetes-validations`. */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: CauseReason;
  /** where to report a failure, relative to the node holding the rule, e.g. `.predictors` */
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** `details.causes[].reason` of a 422 Invalid answer. */
export type CauseReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueTypeInvalid'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden';

/** One `details.causes[]` entry: what is wrong, where, worded as the API server words it. */
export interface StatusCause {
  reason: CauseReason;
  /** e.g. `spec.predictors[0].graph.name`; `<nil>` for a cause about the whole object */
  field: string;
  /** e.g. `Required value`, or `Unsupported value: "x": supported values: "a", "b"` */
  message: string;
}

/** A CEL rule and where it sits in the schema (`spec.predictors[*].graph`; `[*]` = any item). */
export interface RuleSite {
  path: string;
  /** the schema type of the node the rule is on, which the API server prints as the "value" */
  type: string;
  rule: ValidationRule;
}

/** One entry of `spec.versions` of a CRD. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema: JSONSchemaProps };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: { name: string; type: string; jsonPath: string; format?: string; description?: string; priority?: number }[];
}

/** An apiextensions.k8s.io/v1 CustomResourceDefinition, as written in YAML. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: CrdVersion[];
    conversion?: { strategy: 'None' | 'Webhook' };
  };
}
