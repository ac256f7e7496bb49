// SPDX-License-Identifier: Apache-2.0
// XGBoost's objectives at prediction time: where the sum starts, and what the sum becomes.
//
// Trees add up to a *margin*. Each objective says two things:
//   - how `base_score`, which the file stores in the objective's output space, becomes the
//     margin every sum starts from (XGBoost's ProbToMargin): a logit for binary:logistic, the
//     value itself for the others. XGBoost 1.x and 2.x agree on this; 2.x only differs in
//     choosing base_score from the training labels when you give none, so it is rarely 0.5;
//   - how margins become the answer of `booster.predict(DMatrix(X))` (PredTransform), and its
//     shape: one number per row, except multi:softprob, which gives a row of probabilities.
// Each step copies XGBoost's float32 operations one by one, so answers agree to the bit.
import { expf, f32, logf } from './float32.js';

export const SUPPORTED_OBJECTIVES = ['multi:softmax', 'multi:softprob', 'binary:logistic', 'reg:squarederror'] as const;
export type Objective = (typeof SUPPORTED_OBJECTIVES)[number];

export function isSupportedObjective(name: string): name is Objective {
  return (SUPPORTED_OBJECTIVES as readonly string[]).includes(name);
}

/** Fails with a message that names the objective and what is supported. */
export function checkObjective(name: string): Objective {
  if (isSupportedObjective(name)) return name;
  throw new Error(
    `objective ${JSON.stringify(name)} is not supported by this XGBoost runtime; ` +
      `it serves ${SUPPORTED_OBJECTIVES.join(', ')}. Retrain with one of them, or serve the model with XGBoost itself.`,
  );
}

/** Whether the objective predicts several classes (one output group per class). */
export function isMultiClass(objective: Objective): boolean {
  return objective === 'multi:softmax' || objective === 'multi:softprob';
}

/** XGBoost's ProbToMargin: the margin each row's sum starts from. */
export function baseMargin(objective: Objective, baseScore: number): number {
  if (objective !== 'binary:logistic') return baseScore;
  if (!(baseScore > 0 && baseScore < 1)) {
    throw new Error(`base_score must be in (0,1) for logistic loss, got: ${baseScore}`);
  }
  // -logf(1.0f / base_score - 1.0f), every step in float32.
  return -logf(f32(f32(1 / baseScore) - 1));
}

/** 1e-16 as a float32: XGBoost adds it to sigmoid's denominator (it never changes a sum ≥ 1). */
const SIGMOID_EPS = f32(1e-16);
const SIGMOID_CLAMP = f32(88.7);

/** XGBoost's float32 sigmoid: the exponent is capped at 88.7, so a very negative margin gives ~3e-39, not 0. */
export function sigmoid(margin: number): number {
  const x = Math.min(-margin, SIGMOID_CLAMP);
  const denominator = f32(f32(expf(x) + 1) + SIGMOID_EPS);
  return f32(1 / denominator);
}

/** XGBoost's softmax over one row of margins: float32 exponentials of (x − max), summed in float64. */
export function softmax(margins: Float32Array): number[] {
  let max = margins[0];
  for (let i = 1; i < margins.length; i++) max = Math.max(margins[i], max);
  const e = new Float32Array(margins.length);
  let sum = 0; // a double in XGBoost too
  for (let i = 0; i < margins.length; i++) {
    e[i] = expf(f32(margins[i] - max));
    sum += e[i];
  }
  const total = f32(sum);
  return Array.from(e, (v) => f32(v / total));
}

/** The first class with the largest margin, as a float (XGBoost answers 2.0, not 2). */
export function argmax(margins: Float32Array): number {
  let best = 0;
  for (let i = 1; i < margins.length; i++) if (margins[i] > margins[best]) best = i;
  return best;
}

/** The answer for one row, from its margins: a number, or for multi:softprob a row of numbers. */
export function transform(objective: Objective, margins: Float32Array): number | number[] {
  switch (objective) {
    case 'multi:softprob':
      return softmax(margins);
    case 'multi:softmax':
      return argmax(margins);
    case 'binary:logistic':
      return sigmoid(margins[0]);
    case 'reg:squarederror':
      return margins[0];
  }
}
