// SPDX-License-Identifier: Apache-2.0
// Small models for tests, notebooks and the benchmark: they stand in for the real runtimes so
// the protocol layer can be exercised on its own.
import type { ModelOutput, NDArray, SeldonMeta, SeldonModel } from '../model.js';
import { asFloats, asInts } from '../dtype.js';

/**
 * Seldon's iris classifier (one-vs-rest logistic regression), with the coefficients of Seldon's
 * model. Behaves like SKLearnServer: `predict_proba` rows for 4-feature rows, and on bad input it
 * logs nothing and returns null, which the server turns into Seldon's 400.
 */
export class IrisLinearModel implements SeldonModel {
  static readonly W = [
    [0.41021712519841486, 1.4641621652467667, -2.2600326613110684, -1.0210350909174157],
    [0.427508695245226, -1.6121160505132803, 0.5758172977133083, -1.4061732496682098],
    [-1.7075152644316733, -1.534277675405618, 2.4709675499020363, 2.555370406343742],
  ];
  static readonly b = [0.2642185299173253, 1.0939246713654722, -1.214709165924617];

  constructor(private readonly method: 'predict_proba' | 'predict' = 'predict_proba') {}

  predict(X: NDArray): ModelOutput {
    if (!Array.isArray(X) || X.length === 0) return null;
    const out: number[][] = [];
    const classes: number[] = [];
    for (const row of X) {
      if (!Array.isArray(row) || row.length !== 4) return null;
      const [x0, x1, x2, x3] = row as unknown[];
      if (typeof x0 !== 'number' || typeof x1 !== 'number' || typeof x2 !== 'number' || typeof x3 !== 'number') return null;
      if (!Number.isFinite(x0 + x1 + x2 + x3)) return null;
      const p = IrisLinearModel.W.map((w, k) => 1 / (1 + Math.exp(-(((x0 * w[0] + x1 * w[1]) + (x2 * w[2] + x3 * w[3])) + IrisLinearModel.b[k]))));
      const sum = p[0] + p[1] + p[2];
      const probs = [p[0] / sum, p[1] / sum, p[2] / sum];
      out.push(probs);
      classes.push(probs.indexOf(Math.max(...probs)));
    }
    return this.method === 'predict' ? asInts(classes) : asFloats(out);
  }
}

/** Answers with fixed values, whatever it is asked: the seed's documented probabilities by default. */
export class ConstantModel implements SeldonModel {
  constructor(private readonly answer: () => ModelOutput = () => asFloats([[0.0006985194531162835, 0.00366803903943666, 0.995633441507447]])) {}
  predict(): ModelOutput {
    return this.answer();
  }
}

/** Returns what it was given; records the last call. */
export class EchoModel implements SeldonModel {
  last?: { X: unknown; names: string[]; meta?: SeldonMeta };
  predict(X: NDArray, names: string[], meta?: SeldonMeta): ModelOutput {
    this.last = { X, names, meta };
    return X as ModelOutput;
  }
}
