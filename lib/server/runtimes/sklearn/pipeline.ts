// SPDX-License-Identifier: Apache-2.0
// sklearn.pipeline.Pipeline: transformers in a row, then a final estimator.
//
// `steps` is a list of (name, estimator) pairs. Every method of the pipeline runs X through the
// `transform` of each step but the last, then calls the last step's method of the same name, so
// the pipeline has exactly the methods its final step has. A step may be "passthrough" or None,
// which leaves X as it is. Seldon's iris model is a one-step pipeline: [("clf", LogisticRegression)].

import type { Estimator, LabelDType, Matrix } from './estimator.js';
import { State, UnsupportedModelError } from './state.js';

/** Builds an estimator from an object of the file (the registry's `estimatorFrom`). */
export type BuildEstimator = (value: unknown, where: string) => Estimator;

export class Pipeline implements Estimator {
  readonly className = 'Pipeline';
  readonly steps: ReadonlyArray<{ name: string; estimator: Estimator | null }>;
  private readonly final: Estimator;
  declare readonly predict?: Estimator['predict'];
  declare readonly predictProba?: Estimator['predictProba'];
  declare readonly decisionFunction?: Estimator['decisionFunction'];
  declare readonly transform?: Estimator['transform'];

  constructor(state: State, build: BuildEstimator) {
    const steps = state.list('steps');
    if (steps.length > 1000) throw new UnsupportedModelError(`Pipeline has ${steps.length} steps; the limit is 1000`);
    this.steps = steps.map((step, i) => {
      if (!Array.isArray(step) || step.length !== 2 || typeof step[0] !== 'string') {
        throw new UnsupportedModelError(`Pipeline.steps[${i}] should be a (name, estimator) pair`);
      }
      const [name, value] = step as [string, unknown];
      const skip = value === null || value === 'passthrough';
      return { name, estimator: skip ? null : build(value, `Pipeline step ${JSON.stringify(name)}`) };
    });
    const last = this.steps[this.steps.length - 1]?.estimator;
    if (!last) throw new UnsupportedModelError('Pipeline has no final estimator');
    this.final = last;
    for (const { name, estimator } of this.steps.slice(0, -1)) {
      if (estimator && !estimator.transform) {
        throw new UnsupportedModelError(`Pipeline step ${JSON.stringify(name)} (${estimator.className}) has no transform`);
      }
    }
    // Like Python's `available_if`: the pipeline has a method only when its final step has it.
    const through = <R>(method: ((X: Matrix) => R) | undefined) =>
      method && ((X: Matrix) => method.call(last, this.prepare(X)));
    if (last.predict) this.predict = through(last.predict);
    if (last.predictProba) this.predictProba = through(last.predictProba);
    if (last.decisionFunction) this.decisionFunction = through(last.decisionFunction);
    if (last.transform) this.transform = through(last.transform);
  }

  get nFeaturesIn(): number | undefined {
    return this.steps.find((s) => s.estimator)?.estimator?.nFeaturesIn;
  }

  get labelDType(): LabelDType {
    return this.final.labelDType;
  }

  /** X through every step but the last. */
  private prepare(X: Matrix): Matrix {
    let Xt = X;
    for (const { estimator } of this.steps.slice(0, -1)) if (estimator?.transform) Xt = estimator.transform(Xt);
    return Xt;
  }
}
