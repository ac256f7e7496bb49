// SPDX-License-Identifier: Apache-2.0
// The runtime registry: implementations by name, the model folder they need, and the dtype marks
// that make a prepackaged server's answers byte-for-byte Seldon's.
import { describe, expect, it } from 'vitest';
import { markedDType } from '../dtype.js';
import { resolveModelUri } from '../storage/index.js';
import { createModel, markOutputs } from './index.js';

describe('createModel', () => {
  it('serves XGBOOST_SERVER from the offline store, answering float32 arrays', async () => {
    const dir = await resolveModelUri('gs://seldon-models/v1.11.0-dev/xgboost/iris');
    const model = await createModel({ implementation: 'XGBOOST_SERVER', modelDir: dir });
    const out = await model.predict([[1, 2, 3, 4]], []);
    expect(out).toEqual([2]);
    expect(markedDType(out)).toBe('float32');
  });

  it('explains what is missing or unknown', async () => {
    await expect(createModel({})).rejects.toThrow(/No model to serve/);
    await expect(createModel({ implementation: 'TENSORFLOW_SERVER', modelDir: '/tmp' })).rejects.toThrow(/Unknown implementation TENSORFLOW_SERVER/);
    await expect(createModel({ implementation: 'SKLEARN_SERVER' })).rejects.toThrow(/needs a model folder/);
    await expect(createModel({ implementation: 'SKLEARN_SERVER', modelDir: '/tmp', parameters: { method: 'transform' } })).rejects.toThrow(/method transform; use one of predict_proba, predict, decision_function/);
  });
});

describe('markOutputs', () => {
  it('marks unmarked arrays, sync or async, and leaves a runtime\'s own marks alone', async () => {
    const sync = markOutputs({ predict: () => [1, 0] }, 'float64');
    expect(markedDType(sync.predict([], []))).toBe('float64');
    const async = markOutputs({ predict: async () => [1] }, 'float32');
    expect(markedDType(await async.predict([], []))).toBe('float32');
  });
});
