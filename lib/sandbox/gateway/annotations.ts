// SPDX-License-Identifier: Apache-2.0
// Ambassador 1.x's oldest way of being configured, and the one Seldon Core 1.11 uses: YAML
// documents in a Service's `getambassador.io/config` annotation. Each document is a resource
// without metadata; its `name` is at the top level and it lives in the Service's namespace
// (unless it says `namespace:`).
//
//   metadata:
//     annotations:
//       getambassador.io/config: |
//         ---
//         apiVersion: ambassador/v1
//         kind: Mapping
//         name: seldon_seldon_iris-model_default_rest_mapping
//         prefix: /seldon/seldon/iris-model/
//         rewrite: /
//         service: iris-model-default.seldon:8000
//         timeout_ms: 3000
//
// Emissary 2.x dropped annotations; the sandbox still reads them so Seldon 1.11's output routes.
import { parseAllDocuments } from 'yaml';

export const CONFIG_ANNOTATION = 'getambassador.io/config';

const API_VERSIONS = new Set(['ambassador/v0', 'ambassador/v1', 'ambassador/v2', 'getambassador.io/v1', 'getambassador.io/v2', 'getambassador.io/v3alpha1']);

export interface AnnotationMapping {
  name: string;
  namespace: string;
  /** the document's fields, which are a Mapping spec plus apiVersion/kind/name */
  spec: Record<string, unknown>;
}

export interface AnnotationParse {
  mappings: AnnotationMapping[];
  /** documents that could not be used, each with the reason */
  problems: string[];
}

/** Reads the Mapping documents of one Service's `getambassador.io/config` annotation. */
export function parseConfigAnnotation(text: string, service: { namespace: string; name: string }): AnnotationParse {
  const where = `Service ${service.namespace}/${service.name} annotation ${CONFIG_ANNOTATION}`;
  const mappings: AnnotationMapping[] = [];
  const problems: string[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch (error) {
    return { mappings, problems: [`${where}: not YAML: ${(error as Error).message}`] };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      problems.push(`${where}, document ${i + 1}: not YAML: ${doc.errors[0].message}`);
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document, e.g. after a leading ---
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${where}, document ${i + 1}: expected a mapping of fields`);
      return;
    }
    const fields = value as Record<string, unknown>;
    if (fields.kind !== 'Mapping') return; // Modules, TLSContexts, ...: not the gateway's business here
    if (typeof fields.apiVersion !== 'string' || !API_VERSIONS.has(fields.apiVersion)) {
      problems.push(`${where}, document ${i + 1}: apiVersion ${JSON.stringify(fields.apiVersion)} is not an Ambassador API version (ambassador/v1)`);
      return;
    }
    if (typeof fields.name !== 'string' || fields.name === '') {
      problems.push(`${where}, document ${i + 1}: a Mapping needs a name`);
      return;
    }
    const namespace = typeof fields.namespace === 'string' && fields.namespace ? fields.namespace : service.namespace;
    mappings.push({ name: fields.name, namespace, spec: fields });
  });
  return { mappings, problems };
}
