// SPDX-License-Identifier: Apache-2.0
// SKLEARN_SERVER as Seldon's SKLearnServer behaves: the seed's iris numbers from the offline
// store, the method parameter, bad requests answered with null (-> HTTP 400) and a log line
// without data, and model folders that cannot be served failing load() with the file named.

import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { markedDType } from '../../dtype.js';
import { MicroserviceError } from '../../model.js';
import { fromRoot } from '../../../paths.js';
import { ModelLoadError } from './model-file.js';
import { SklearnServer, loadSklearnModel } from './sklearn-server.js';

const store = (version: string) => fromRoot('cluster', 'models', 'store', 'gs', 'seldon-models', version, 'sklearn', 'iris');
const fixture = (name: string, file = 'model.joblib') => fromRoot('cluster', 'models', 'fixtures', `sklearn-${name}`, file);
const SEED = [0.0006985194531162835, 0.00366803903943666, 0.995633441507447];

const temp: string[] = [];
afterAll(() => temp.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A model folder holding `files` (name -> source path or text). */
function folder(files: Record<string, { copy: string } | { text: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sklearn-server-'));
  temp.push(dir);
  for (const [name, source] of Object.entries(files)) {
    if ('copy' in source) copyFileSync(source.copy, join(dir, name));
    else writeFileSync(join(dir, name), source.text);
  }
  return dir;
}

function quietLog() {
  return { error: vi.fn<(message: string) => void>(), warn: vi.fn<(message: string) => void>() };
}

describe("the seed's iris model", () => {
  it.each(['v1.11.0-dev', 'v1.11.0', ''])('gs://seldon-models/%s/sklearn/iris answers the seed\'s numbers to 1e-12', async (version) => {
    const model = await loadSklearnModel(store(version));
    const [row] = model.predict([[1, 2, 3, 4]], []) as number[][];
    expect(row).toHaveLength(3);
    row.forEach((p, i) => expect(Math.abs(p - SEED[i])).toBeLessThan(1e-12));
  });

  it('answers the other documented rows', async () => {
    const model = await loadSklearnModel(store('v1.11.0-dev'));
    const [setosa, virginica] = model.predict([[5.1, 3.5, 1.4, 0.2], [1, 2, 5, 6]], []) as number[][];
    expect(setosa[0]).toBeCloseTo(0.87803, 5);
    expect(setosa[2]).toBeCloseTo(1.08e-5, 7);
    expect(virginica[2]).toBeCloseTo(0.9993, 4);
  });

  it('serves metadata.yaml as Seldon publishes it', async () => {
    const model = await loadSklearnModel(store('v1.11.0-dev'));
    expect(await model.metadata!()).toEqual({
      name: 'iris',
      versions: ['iris/v1'],
      platform: 'sklearn',
      inputs: [{ datatype: 'BYTES', name: 'input', shape: [4] }],
      outputs: [{ datatype: 'BYTES', name: 'output', shape: [3] }],
    });
  });

  it('answers class ids with method=predict, and scores with decision_function', async () => {
    const predict = await loadSklearnModel(store('v1.11.0-dev'), { method: 'predict' });
    const labels = predict.predict([[1, 2, 3, 4], [5.1, 3.5, 1.4, 0.2]], []);
    expect(labels).toEqual([2, 0]);
    expect(markedDType(labels)).toBe('int64');
    const scores = await loadSklearnModel(store('v1.11.0-dev'), { method: 'decision_function' });
    const answer = scores.predict([[1, 2, 3, 4]], []) as number[][];
    expect(answer[0][2]).toBeGreaterThan(answer[0][0]);
    expect(markedDType(answer)).toBe('float64');
  });
});

describe('bad requests: logged, answered with null (HTTP 400 upstream), never thrown', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["the seed's 5 features for a 4-feature model", [[1, 2, 3, 4, 5]], /X has 5 features, but LogisticRegression is expecting 4 features as input/],
    ['strings', [['a', 'b', 'c', 'd']], /not compatible with arrays of bytes\/strings/],
    ['a 1-D array', [1, 2, 3, 4], /Expected 2D array, got 1D array/],
    ['ragged rows', [[1, 2, 3, 4], [1, 2]], /inhomogeneous shape/],
    ['null in a row', [[1, null, 3, 4]], /null/],
    ['NaN', [[1, NaN, 3, 4]], /contains NaN/],
    ['Infinity', [[1, Infinity, 3, 4]], /contains infinity/],
    ['no features', [[]], /0 feature\(s\)/],
    ['3-D input', [[[1, 2, 3, 4]]], /dim 3/],
    ['an empty array', [], /Expected 2D array/],
  ];

  it.each(cases)('%s', async (_, X, reason) => {
    const log = quietLog();
    const model = new SklearnServer(store('v1.11.0-dev'), { log });
    await model.load();
    expect(model.predict(X as never, [])).toBe(null);
    expect(log.error).toHaveBeenCalledTimes(1);
    const line = log.error.mock.calls[0][0];
    expect(line).toMatch(reason);
    expect(line).toMatch(/^SKLearnServer: predict_proba failed on input of shape/);
  });

  it('never writes the data into the log, only its shape', async () => {
    const log = quietLog();
    const model = new SklearnServer(store('v1.11.0-dev'), { log });
    await model.load();
    model.predict([[1234.5678, 'secret-value', 3, 4, 5]] as never, []);
    model.predict([[1234.5678, 8765.4321, 3, 4, 5]], []);
    for (const [line] of log.error.mock.calls) {
      expect(line).not.toMatch(/1234|8765|secret/);
      expect(line).toMatch(/shape \(1, 5\)/);
    }
  });

  it('warns at load when the estimator lacks the chosen method, and then answers null', async () => {
    const log = quietLog();
    const model = new SklearnServer(fixture('tree-classifier').replace(/\/model\.joblib$/, ''), { method: 'decision_function', log });
    await model.load();
    expect(log.warn).toHaveBeenCalledWith(expect.stringMatching(/DecisionTreeClassifier has no decision_function/));
    expect(model.predict([[1, 2, 3, 4]], [])).toBe(null);
  });

  it('refuses to predict before load() with a 500', () => {
    const model = new SklearnServer(store('v1.11.0-dev'));
    expect(() => model.predict([[1, 2, 3, 4]], [])).toThrow(MicroserviceError);
  });
});

describe('model folders', () => {
  it('falls back to model.pkl when there is no model.joblib', async () => {
    const dir = folder({ 'model.pkl': { copy: fixture('pickle-protocol2', 'model.pkl') } });
    const model = await loadSklearnModel(dir);
    expect(Math.abs((model.predict([[1, 2, 3, 4]], []) as number[][])[0][2] - SEED[2])).toBeLessThan(1e-12);
    expect(await model.metadata!()).toEqual({});
  });

  it('names the folder when it or its model file is missing', async () => {
    await expect(loadSklearnModel('/nonexistent/models')).rejects.toThrow(/The model folder \/nonexistent\/models does not exist/);
    const empty = folder({ 'README.md': { text: 'no model here' } });
    await expect(loadSklearnModel(empty)).rejects.toThrow(/No model file in .*: SKLEARN_SERVER expects model\.joblib or model\.pkl/);
  });

  it('refuses a pickle that would run a command, naming the file and the function', async () => {
    const dir = folder({ 'model.joblib': { copy: fixture('hostile', 'pipeline-with-payload.pkl') } });
    const error = await loadSklearnModel(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain(join(dir, 'model.joblib'));
    expect((error as Error).message).toContain('refused to load posix.system');
  });

  it('names the file when it is truncated', async () => {
    const dir = folder({ 'model.joblib': { copy: fixture('hostile', 'truncated.joblib') } });
    await expect(loadSklearnModel(dir)).rejects.toThrow(new RegExp(`Cannot load ${join(dir, 'model.joblib')}: .*(ends too early|frame runs past)`));
  });

  it('names the class when the estimator is not one it serves', async () => {
    // A plain numpy data file: valid, safe, but no estimator.
    const dir = folder({ 'model.pkl': { copy: fromRoot('cluster', 'models', 'fixtures', 'sklearn-numpy-dtypes', 'arrays-p4.pkl') } });
    await expect(loadSklearnModel(dir)).rejects.toThrow(/holds plain data, not a scikit-learn estimator/);
  });

  it('logs an invalid metadata.yaml and serves without it, like SKLearnServer', async () => {
    const log = quietLog();
    const dir = folder({ 'model.joblib': { copy: fixture('iris') }, 'metadata.yaml': { text: 'name: [unclosed' } });
    const model = new SklearnServer(dir, { log });
    await model.load();
    expect(model.metadata()).toEqual({});
    expect(log.error).toHaveBeenCalledWith(expect.stringMatching(/present but does not contain valid yaml/));
  });

  it('loads once, and can retry after a failure', async () => {
    const dir = folder({});
    const model = new SklearnServer(dir);
    await expect(model.load()).rejects.toThrow(ModelLoadError);
    copyFileSync(fixture('iris'), join(dir, 'model.joblib'));
    await model.load();
    expect(model.load()).toBe(model.load());
    expect(model.health()).toBe(true);
  });
});
