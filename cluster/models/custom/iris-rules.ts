// SPDX-License-Identifier: Apache-2.0
// A model written by hand: iris species from two rules a botanist could check with a ruler.
//
// This is Seldon's language-wrapper idea in TypeScript (lesson 07). A model is any class with
// predict(X, names); the server that runs SKLEARN_SERVER and XGBOOST_SERVER serves it too:
//
//   npx seldon-lab serve --model-module cluster/models/custom/iris-rules.ts --name iris-rules
//
// The rules are the two splits of the textbook iris decision tree (depth 2): a short petal means
// setosa; among the rest, a narrow petal means versicolor and a wide one virginica. They get 144
// of the 150 iris flowers right. No file is read: the "model" is the code itself.
import type { ModelMetadata, NDArray } from '../../../lib/server/model.js';
import { MicroserviceError } from '../../../lib/server/model.js';

// #region iris-rules
const SPECIES = ['setosa', 'versicolor', 'virginica'];

export class IrisRules {
  private readonly petalLengthCut: number;
  private readonly petalWidthCut: number;

  /** The graph node's `parameters`, already typed (a DOUBLE arrives as a number). */
  constructor(parameters: { petal_length_cut?: number; petal_width_cut?: number } = {}) {
    this.petalLengthCut = parameters.petal_length_cut ?? 2.45;
    this.petalWidthCut = parameters.petal_width_cut ?? 1.75;
  }

  /** Rows of [sepal length, sepal width, petal length, petal width] in cm -> one-hot species rows. */
  predict(X: NDArray, _names: string[]): number[][] {
    return (X as unknown[]).map((row, i) => {
      if (!Array.isArray(row) || row.length !== 4 || !row.every(Number.isFinite)) {
        // A MicroserviceError becomes Seldon's 400 answer with this text as its `info`.
        throw new MicroserviceError(`row ${i} must be 4 numbers (sepal length, sepal width, petal length, petal width in cm); got ${JSON.stringify(row)}`);
      }
      const [, , petalLength, petalWidth] = row as number[];
      const species = petalLength <= this.petalLengthCut ? 0 : petalWidth <= this.petalWidthCut ? 1 : 2;
      return SPECIES.map((_, k) => (k === species ? 1 : 0));
    });
  }

  /** The names of the answer's columns (the server writes t:0, t:1, t:2 without them). */
  classNames(): string[] {
    return SPECIES;
  }

  /** What GET /v2/models/<name> (and /api/v1.0/metadata) says about this model. */
  metadata(): Partial<ModelMetadata> {
    return {
      platform: 'typescript',
      inputs: [{ name: 'measurements', datatype: 'FP64', shape: [-1, 4] }],
      outputs: [{ name: 'species', datatype: 'INT64', shape: [-1, 3] }],
    };
  }
}
// #endregion iris-rules
