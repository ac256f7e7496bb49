// SPDX-License-Identifier: Apache-2.0
// The hand-written model of lesson 07: its rules, its parameters, its errors, and that the kit's
// server loads it from its file (as `seldon-lab serve --model-module` does) and serves it over
// Seldon's protocol and V2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, MicroserviceError, parseSeldonParameters, startModelServer, type ModelServer } from '../../../lib/server/index.js';
import { IrisRules } from './iris-rules.js';

// One flower of each species from the iris data set, then the seed's [1,2,3,4].
const SETOSA = [5.1, 3.5, 1.4, 0.2];
const VERSICOLOR = [5.9, 3.0, 4.2, 1.5];
const VIRGINICA = [6.3, 3.3, 6.0, 2.5];
const SEED = [1, 2, 3, 4];

describe('IrisRules', () => {
  it('sorts one flower of each species, and the seed row, into one-hot rows', () => {
    const model = new IrisRules();
    expect(model.predict([SETOSA, VERSICOLOR, VIRGINICA, SEED], [])).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, 1],
    ]);
    expect(model.classNames()).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('puts a flower exactly on a cut on the lower side, as a decision tree does', () => {
    const model = new IrisRules();
    expect(model.predict([[5, 3, 2.45, 0.2], [6, 3, 4.5, 1.75]], [])).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('takes its cuts from the node parameters, typed as Seldon types them', () => {
    const parameters = parseSeldonParameters('[{"name":"petal_width_cut","value":"1.4","type":"DOUBLE"}]');
    const model = new IrisRules(parameters as { petal_width_cut: number });
    expect(model.predict([VERSICOLOR], [])).toEqual([[0, 0, 1]]);
  });

  it.each([
    ['too few numbers', [[5.1, 3.5, 1.4]]],
    ['too many numbers', [[5.1, 3.5, 1.4, 0.2, 9]]],
    ['a string', [[5.1, 3.5, '1.4', 0.2]]],
    ['a NaN', [[5.1, 3.5, NaN, 0.2]]],
    ['a row that is no array', [5.1]],
  ])('refuses %s with a 400 that names the row and the expected columns', (_, X) => {
    const model = new IrisRules();
    let error: unknown;
    try {
      model.predict(X as number[][], []);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MicroserviceError);
    expect((error as MicroserviceError).httpStatus).toBe(400);
    expect((error as MicroserviceError).reason).toBe('MICROSERVICE_BAD_DATA');
    expect((error as Error).message).toMatch(/^row 0 must be 4 numbers \(sepal length, sepal width, petal length, petal width in cm\); got /);
  });
});

describe('IrisRules served from its file', () => {
  let server: ModelServer;

  beforeAll(async () => {
    const model = await createModel({ modelModule: 'cluster/models/custom/iris-rules.ts', parameters: { petal_length_cut: 2.45 } });
    server = await startModelServer({ model, name: 'iris-rules', host: '127.0.0.1', port: 0, unit: {}, log: { info: () => {}, warn: () => {}, error: () => {} } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = async (path: string, body: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  };

  it('answers Seldon protocol v1 with the species as column names', async () => {
    const { status, json } = await post('/api/v1.0/predictions', { data: { ndarray: [SETOSA, VIRGINICA] } });
    expect(status).toBe(200);
    expect(json).toEqual({ data: { names: ['setosa', 'versicolor', 'virginica'], ndarray: [[1, 0, 0], [0, 0, 1]] }, meta: {} });
  });

  it("answers bad input with Seldon's 400 body and the model's message", async () => {
    const { status, json } = await post('/api/v1.0/predictions', { data: { ndarray: [[1, 2, 3]] } });
    expect(status).toBe(400);
    expect(json).toEqual({
      status: { code: -1, info: 'row 0 must be 4 numbers (sepal length, sepal width, petal length, petal width in cm); got [1,2,3]', reason: 'MICROSERVICE_BAD_DATA', status: 1 },
    });
  });

  it('describes itself and answers over V2 with the output named in its metadata', async () => {
    const meta = await (await fetch(`${server.url}/v2/models/iris-rules`)).json();
    expect(meta).toMatchObject({ name: 'iris-rules', platform: 'typescript', inputs: [{ name: 'measurements', datatype: 'FP64', shape: [-1, 4] }] });
    const { status, json } = await post('/v2/models/iris-rules/infer', {
      id: 'lesson-07',
      inputs: [{ name: 'measurements', shape: [2, 4], datatype: 'FP64', data: [...VERSICOLOR, ...VIRGINICA] }],
    });
    expect(status).toBe(200);
    expect(json).toEqual({ model_name: 'iris-rules', id: 'lesson-07', outputs: [{ name: 'species', shape: [2, 3], datatype: 'INT64', data: [0, 1, 0, 0, 0, 1] }] });
  });
});
