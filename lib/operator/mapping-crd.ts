// SPDX-License-Identifier: Apache-2.0
// Emissary-ingress's Mapping CRD, for tests and for clusters without Emissary: read from the kit's
// one copy of Emissary's CRDs (cluster/emissary/crds.yaml, trimmed to the fields the kit uses),
// which the sandbox's gateway installs too. On minikube, Emissary's own Helm chart installs the
// complete CRDs.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { CustomResourceDefinition } from '../kube/crd-types.js';
import { fromRoot } from '../paths.js';

export const EMISSARY_CRDS_PATH = 'cluster/emissary/crds.yaml';
const MAPPING_CRD = 'mappings.getambassador.io';

let cached: CustomResourceDefinition | undefined;

/** The Mapping CRD (getambassador.io v2 and v3alpha1), parsed once; each call returns a fresh copy. */
export function emissaryMappingCrd(): CustomResourceDefinition {
  if (!cached) {
    const file = fromRoot(EMISSARY_CRDS_PATH);
    const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as CustomResourceDefinition | null);
    cached = docs.find((d) => d?.metadata?.name === MAPPING_CRD) ?? undefined;
    if (!cached) throw new Error(`${file} holds no ${MAPPING_CRD} CustomResourceDefinition.`);
  }
  return structuredClone(cached);
}
