// SPDX-License-Identifier: Apache-2.0
// Every scikit-learn fixture (cluster/models/fixtures/sklearn-*, written by
// cluster/models/make_sklearn_models.py) served by SKLEARN_SERVER, for every method, against the
// answers scikit-learn itself gave (expected.json): trees exactly, linear models to 1e-12.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { markedDType } from '../../dtype.js';
import type { PredictMethod } from '../../model.js';
import { fromRoot } from '../../../paths.js';
import { SklearnServer } from './sklearn-server.js';

interface Expected {
  description: string;
  tolerance: number;
  unsupported: PredictMethod[];
  inputs: number[][];
  outputs: Partial<Record<PredictMethod, unknown[]>>;
  dtypes: Partial<Record<PredictMethod, string>>;
  float32_sensitive_rows: number | null;
}

const root = fromRoot('cluster', 'models', 'fixtures');
const modelFixtures = readdirSync(root)
  .filter((d) => d.startsWith('sklearn-') && !['sklearn-hostile', 'sklearn-numpy-dtypes'].includes(d))
  .map((d) => [d, JSON.parse(readFileSync(`${root}/${d}/expected.json`, 'utf8')) as Expected] as const);
const METHODS: PredictMethod[] = ['predict_proba', 'decision_function', 'predict'];

/** Compares nested answers: numbers to `tolerance` (relative above 1, absolute below), the rest exactly. */
function expectClose(actual: unknown, expected: unknown, tolerance: number, path = 'output'): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} should be an array`).toBe(true);
    expect((actual as unknown[]).length, `${path} length`).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, tolerance, `${path}[${i}]`));
  } else if (typeof expected === 'number' && tolerance > 0) {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), path).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
  } else {
    expect(actual, path).toBe(expected);
  }
}

describe.each(modelFixtures)('%s', (name, expected) => {
  const quiet = { error: vi.fn(), warn: vi.fn() };

  it.each(METHODS)('%s matches scikit-learn', async (method) => {
    const server = new SklearnServer(`${root}/${name}`, { method, log: quiet });
    await server.load();
    quiet.error.mockClear();
    const output = server.predict(expected.inputs, []);
    if (expected.unsupported.includes(method)) {
      // Seldon's SKLearnServer swallows the AttributeError and returns None -> HTTP 400.
      expect(output).toBe(null);
      expect(quiet.error).toHaveBeenCalledWith(expect.stringContaining(`has no attribute '${method}'`));
      return;
    }
    expect(quiet.error).not.toHaveBeenCalled();
    expectClose(output, expected.outputs[method], expected.tolerance);
  });

  it.each(METHODS)('marks the %s answer with numpy\'s dtype (so the server writes 2 or 2.0 as Python would)', async (method) => {
    if (expected.unsupported.includes(method)) return;
    const server = new SklearnServer(`${root}/${name}`, { method, log: quiet });
    await server.load();
    expect(markedDType(server.predict(expected.inputs.slice(0, 2), []))).toBe(expected.dtypes[method]);
  });
});

describe('the fixtures themselves', () => {
  it('cover every estimator, and rows on tree thresholds where float32 matters', () => {
    expect(modelFixtures.length).toBeGreaterThanOrEqual(16);
    const sensitive = modelFixtures.filter(([n]) => n === 'sklearn-tree-classifier' || n === 'sklearn-forest-classifier');
    for (const [, e] of sensitive) expect(e.float32_sensitive_rows).toBeGreaterThan(0);
  });
});
