// SPDX-License-Identifier: Apache-2.0
// The unit's names from Seldon's environment, and what they become in requestPath and labels.
import { describe, expect, it } from 'vitest';
import { requestPathOf, splitImage, unitFromEnv } from './unit.js';

describe('unitFromEnv', () => {
  it('reads the names the operator sets', () => {
    expect(unitFromEnv({ PREDICTIVE_UNIT_ID: 'classifier', PREDICTIVE_UNIT_IMAGE: 'seldonio/sklearnserver:1.11.0', PREDICTOR_ID: 'default', PREDICTOR_LABELS: '{"version":"default"}', SELDON_DEPLOYMENT_ID: 'iris-model' })).toEqual({
      unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0', predictorName: 'default', predictorVersion: 'default', deploymentName: 'iris-model',
    });
    expect(unitFromEnv({ PREDICTOR_LABELS: 'not json' }).predictorVersion).toBeUndefined();
  });

  it('gives requestPath only when the unit has an id, as Seldon does', () => {
    expect(requestPathOf({ unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0' })).toEqual({ classifier: 'seldonio/sklearnserver:1.11.0' });
    expect(requestPathOf({})).toEqual({});
  });

  it('splits an image into name and tag', () => {
    expect(splitImage('seldonio/sklearnserver:1.11.0')).toEqual(['seldonio/sklearnserver', '1.11.0']);
    expect(splitImage('localhost:5000/model')).toEqual(['localhost:5000/model', '']);
    expect(splitImage('localhost:5000/model:2')).toEqual(['localhost:5000/model', '2']);
  });
});
