// SPDX-License-Identifier: Apache-2.0
// SeldonDeployments for the operator's tests: the seed's sample.yaml as the API server would hand
// it over (with a uid and a generation), and variations that exercise Seldon's other features.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fromRoot } from '../../paths.js';
import type { SeldonDeployment } from '../types.js';

/** cluster/samples/sample.yaml, the seed tutorial's manifest, unchanged. */
export function sampleManifest(): SeldonDeployment {
  return parse(readFileSync(fromRoot('cluster', 'samples', 'sample.yaml'), 'utf8')) as SeldonDeployment;
}

/** A manifest as stored by the API server: uid, generation and resourceVersion filled in. */
export function stored(sdep: SeldonDeployment, uid = '6f1c2a4e-0000-4000-8000-000000000001'): SeldonDeployment {
  const out = structuredClone(sdep);
  out.metadata = { namespace: 'default', ...out.metadata, uid, generation: 1, resourceVersion: '100' };
  return out;
}

/** The sample with a second predictor (canary, 25 %) and a shadow. */
export function canary(): SeldonDeployment {
  const sdep = sampleManifest();
  const graph = sdep.spec.predictors[0].graph;
  sdep.spec.predictors[0].traffic = 75;
  sdep.spec.predictors.push({ name: 'canary', traffic: 25, graph: { ...graph } });
  sdep.spec.predictors.push({ name: 'mirror', shadow: true, graph: { ...graph } });
  return sdep;
}

/** A model in a container of the user's own (no implementation): Seldon's "language wrapper" case. */
export function customContainer(): SeldonDeployment {
  return {
    apiVersion: 'machinelearning.seldon.io/v1',
    kind: 'SeldonDeployment',
    metadata: { name: 'my-model', namespace: 'models' },
    spec: {
      predictors: [
        {
          name: 'main',
          replicas: 2,
          graph: { name: 'scorer', type: 'MODEL', parameters: [{ name: 'threshold', value: '0.5', type: 'FLOAT' }] },
          componentSpecs: [
            {
              spec: {
                containers: [
                  { name: 'scorer', image: 'example.com/scorer:1.0', resources: { requests: { cpu: '0.5', memory: '256Mi' } } },
                  { name: 'sidecar', image: 'example.com/sidecar:1.0' },
                ],
              },
            },
          ],
        },
      ],
    },
  };
}

/** Names long enough that Seldon's md5 rule must kick in. */
export function longNames(): SeldonDeployment {
  const sdep = sampleManifest();
  sdep.metadata.name = 'a-seldon-deployment-with-a-rather-long-name-for-a-course';
  sdep.spec.predictors[0].name = 'the-default-predictor';
  sdep.spec.predictors[0].graph.name = 'the-iris-classifier-container';
  return sdep;
}
