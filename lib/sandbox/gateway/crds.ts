// SPDX-License-Identifier: Apache-2.0
// Installs Emissary's CRDs (cluster/emissary/crds.yaml) into the sandbox, as Emissary's Helm chart
// does on a real cluster before its pods start: without them `kubectl apply` of a Mapping answers
// "no matches for kind Mapping in version getambassador.io/v3alpha1".
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { refs, type ApiHandle } from '../apiserver/api.js';
import type { KubeObject } from '../apiserver/types.js';
import { fromRoot } from '../../paths.js';

export const EMISSARY_CRDS_FILE = ['cluster', 'emissary', 'crds.yaml'] as const;

/** The CRDs as objects, from the YAML file in the repository. */
export function emissaryCrds(): KubeObject[] {
  const text = readFileSync(fromRoot(...EMISSARY_CRDS_FILE), 'utf8');
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((obj): obj is KubeObject => obj !== null && typeof obj === 'object');
}

/** Creates the CRDs that are missing; leaves existing ones alone (a learner may have installed their own). */
export async function installEmissaryCrds(api: ApiHandle): Promise<string[]> {
  const created: string[] = [];
  for (const crd of emissaryCrds()) {
    try {
      await api.get(refs.crds, undefined, String(crd.metadata.name));
      continue;
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
    }
    try {
      await api.create(refs.crds, crd, { fieldManager: 'emissary-ingress' });
      created.push(String(crd.metadata.name));
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error; // someone else created it meanwhile
    }
  }
  return created;
}
