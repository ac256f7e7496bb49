// SPDX-License-Identifier: Apache-2.0
// Property-based test (fast-check): damaged model files, from the unpickler through the rebuilt
// estimator to a prediction. Whatever the damage, loading fails with one of our errors
// (PickleError, UnsupportedModelError) or gives an estimator whose methods answer or raise
// InputError. No TypeError, RangeError or endless loop from a file, however it was changed.

import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../../paths.js';
import { PickleError, loadPickle, pickleStreamOf } from '../../pickle/index.js';
import { InputError, type Estimator } from './estimator.js';
import { estimatorFrom, sklearnClasses } from './registry.js';
import { UnsupportedModelError } from './state.js';

const root = fromRoot('cluster', 'models', 'fixtures');
const seeds = readdirSync(root)
  .filter((d) => d.startsWith('sklearn-') && !['sklearn-hostile', 'sklearn-numpy-dtypes'].includes(d))
  .flatMap((d) => readdirSync(`${root}/${d}`).filter((f) => /^model\.(joblib|pkl)$/.test(f)).map((f) => `${root}/${d}/${f}`))
  // Plain Uint8Array copies: Buffer.slice() would be a view, and damage would leak into the seed.
  .map((path) => new Uint8Array(pickleStreamOf(readFileSync(path), 1 << 24)));

const OURS = [PickleError, UnsupportedModelError, InputError];
const isOurs = (error: unknown) => OURS.some((type) => error instanceof type);

function exercise(estimator: Estimator): void {
  const width = estimator.nFeaturesIn ?? 4;
  const X = [Array.from({ length: width }, (_, i) => i * 0.7 - 1), Array.from({ length: width }, () => 3.25)];
  for (const method of [estimator.predictProba, estimator.decisionFunction, estimator.predict]) {
    if (!method) continue;
    try {
      method.call(estimator, X);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
  }
}

describe('damaged model files', () => {
  it('load and predict, or fail with our own errors', () => {
    const position = fc.noBias(fc.nat());
    const damage = fc.array(
      fc.oneof(
        fc.record({ at: position, set: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ at: position, add: fc.constantFrom(1, -1) }),
      ),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(fc.noBias(fc.constantFrom(...seeds)), damage, (seed, changes) => {
        const bytes = seed.slice();
        for (const c of changes) {
          const at = c.at % bytes.length;
          bytes[at] = 'set' in c ? c.set : bytes[at] + c.add;
        }
        let estimator: Estimator;
        try {
          estimator = estimatorFrom(loadPickle(bytes, { classes: sklearnClasses }));
        } catch (error) {
          if (!isOurs(error)) throw error;
          return;
        }
        exercise(estimator);
      }),
      { numRuns: 1500 },
    );
  });

  it('starts from seeds that load and predict cleanly', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(16);
    for (const seed of seeds) exercise(estimatorFrom(loadPickle(seed, { classes: sklearnClasses })));
  });
});
