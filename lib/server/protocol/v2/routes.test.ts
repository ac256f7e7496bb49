// SPDX-License-Identifier: Apache-2.0
// The Open Inference Protocol (V2) through a real server: health, metadata, typed inference,
// shape checks and the protocol's error bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedDType } from '../../dtype.js';
import type { ModelServer } from '../../server.js';
import { EchoModel, IrisLinearModel } from '../../testing/models.js';
import { postJson, raw } from '../../testing/http.js';
import { roundToFloat16 } from './tensor.js';
import { startTestServer } from '../../testing/server.js';

let iris: ModelServer;
let echoServer: ModelServer;
const echo = new EchoModel();

beforeAll(async () => {
  const model = Object.assign(new IrisLinearModel(), {
    metadata: () => ({ name: 'iris', versions: ['v1'], platform: 'sklearn', inputs: [{ name: 'input', datatype: 'FP64', shape: [-1, 4] }], outputs: [{ name: 'probabilities', datatype: 'FP64', shape: [-1, 3] }] }),
  });
  iris = await startTestServer({ model, name: 'iris' });
  echoServer = await startTestServer({ model: echo, name: 'echo' });
});
afterAll(async () => {
  await Promise.all([iris.close(), echoServer.close()]);
});

const infer = (server: ModelServer, body: unknown, path = `/v2/models/${server.context.name}/infer`): ReturnType<typeof postJson> => postJson(`${server.url}${path}`, body);
const errorOf = (body: string): string => (JSON.parse(body) as { error: string }).error;

describe('health and metadata', () => {
  it('answers live and ready with 200 and an empty body', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready', '/v2/models/iris/ready', '/v2/models/iris/versions/v1/ready']) {
      const res = await raw(`${iris.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.body).toBe('');
    }
  });

  it('describes the server and the model', async () => {
    expect(JSON.parse((await raw(`${iris.url}/v2`)).body)).toEqual({ name: 'seldon-lab', version: '1.0', extensions: [] });
    const meta = JSON.parse((await raw(`${iris.url}/v2/models/iris`)).body);
    expect(meta).toEqual({
      name: 'iris', versions: ['v1'], platform: 'sklearn',
      inputs: [{ name: 'input', datatype: 'FP64', shape: [-1, 4] }], outputs: [{ name: 'probabilities', datatype: 'FP64', shape: [-1, 3] }],
    });
    expect((await raw(`${iris.url}/v2/models/iris/versions/v1`)).status).toBe(200);
  });

  it('answers 404 with an error body for another model or version', async () => {
    const other = await raw(`${iris.url}/v2/models/resnet`);
    expect(other.status).toBe(404);
    expect(errorOf(other.body)).toBe('Model resnet not found; this server serves iris');
    const version = await raw(`${iris.url}/v2/models/iris/versions/v9/ready`);
    expect(version.status).toBe(404);
    expect(errorOf(version.body)).toContain('version v9 not found');
    expect((await raw(`${iris.url}/v2/nothing/here`)).status).toBe(404);
  });
});

describe('inference', () => {
  it('answers typed outputs named after the model\'s metadata, with the request\'s id and parameters', async () => {
    const res = await infer(iris, { id: 'req-1', parameters: { trace: true }, inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP64', data: [1, 2, 3, 4, 5.1, 3.5, 1.4, 0.2] }] });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(Object.keys(body)).toEqual(['model_name', 'id', 'parameters', 'outputs']);
    expect(body).toMatchObject({ model_name: 'iris', id: 'req-1', parameters: { trace: true } });
    expect(body.outputs[0]).toMatchObject({ name: 'probabilities', shape: [2, 3], datatype: 'FP64' });
    expect(body.outputs[0].data).toHaveLength(6);
    // Same numbers as the v1 protocol gives for the same rows.
    const v1 = await postJson(`${iris.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 3, 4]] } });
    expect(JSON.parse(v1.body).data.ndarray[0]).toEqual(body.outputs[0].data.slice(0, 3));
  });

  it('accepts nested data, generates an id, and names the version it was asked for', async () => {
    const res = await infer(iris, { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [[1, 2, 3, 4]] }] }, '/v2/models/iris/versions/v1/infer');
    const body = JSON.parse(res.body);
    expect(body.model_version).toBe('v1');
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('hands the model nested arrays of the datatype, rounded as the type stores them', async () => {
    await infer(echoServer, { inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [0.1, 0.2, 0.3, 0.4] }] });
    expect(echo.last?.X).toEqual([[Math.fround(0.1), Math.fround(0.2)], [Math.fround(0.3), Math.fround(0.4)]]);
    expect(markedDType(echo.last?.X)).toBe('float32');
    const res = await infer(echoServer, { inputs: [{ name: 'x', shape: [3], datatype: 'INT8', data: [-128, 0, 127] }] });
    expect(JSON.parse(res.body).outputs[0]).toEqual({ name: 'output-0', shape: [3], datatype: 'INT8', data: [-128, 0, 127] });
    const bools = await infer(echoServer, { inputs: [{ name: 'x', shape: [2], datatype: 'BOOL', data: [true, false] }] });
    expect(JSON.parse(bools.body).outputs[0]).toMatchObject({ datatype: 'BOOL', data: [true, false] });
    const bytes = await infer(echoServer, { inputs: [{ name: 'x', shape: [1, 2], datatype: 'BYTES', data: ['a', 'b'] }] });
    expect(JSON.parse(bytes.body).outputs[0]).toMatchObject({ datatype: 'BYTES', shape: [1, 2], data: ['a', 'b'] });
    const fp16 = await infer(echoServer, { inputs: [{ name: 'x', shape: [1], datatype: 'FP16', data: [0.1] }] });
    expect(JSON.parse(fp16.body).outputs[0]).toMatchObject({ datatype: 'FP16', data: [0.0999755859375] });
  });

  it('reads several column inputs as one table with named columns', async () => {
    const res = await infer(echoServer, { inputs: [{ name: 'a', shape: [2], datatype: 'FP64', data: [1.5, 2.5] }, { name: 'b', shape: [2, 1], datatype: 'FP64', data: [[3.5], [4.5]] }] });
    expect(res.status).toBe(200);
    expect(echo.last?.X).toEqual([[1.5, 3.5], [2.5, 4.5]]);
    expect(echo.last?.names).toEqual(['a', 'b']);
  });

  it('selects outputs by name, and refuses an output the model does not make', async () => {
    expect((await infer(echoServer, { inputs: [{ name: 'x', shape: [1], datatype: 'FP64', data: [1] }], outputs: [{ name: 'output-0' }] })).status).toBe(200);
    const res = await infer(echoServer, { inputs: [{ name: 'x', shape: [1], datatype: 'FP64', data: [1] }], outputs: [{ name: 'logits' }] });
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toBe('Output logits is not produced by model echo; it produces output-0');
  });
});

describe('bad requests', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no inputs', { id: 'x' }, /needs "inputs"/],
    ['unknown datatype', { inputs: [{ name: 'x', shape: [1], datatype: 'FP128', data: [1] }] }, /datatype FP128 is not one of/],
    ['shape and data disagree', { inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3] }] }, /\[2,2\] needs 4 values but 3 were sent/],
    ['a negative dimension', { inputs: [{ name: 'x', shape: [-1], datatype: 'FP32', data: [1] }] }, /must not contain -1/],
    ['INT8 out of range', { inputs: [{ name: 'x', shape: [1], datatype: 'INT8', data: [128] }] }, /element 0 is 128, but a INT8 element must be a whole number from -128 to 127/],
    ['a string in FP32', { inputs: [{ name: 'x', shape: [2], datatype: 'FP32', data: [1, 'two'] }] }, /element 1 is two, but a FP32 element must be a number/],
    ['a null in INT64', { inputs: [{ name: 'x', shape: [1], datatype: 'INT64', data: [null] }] }, /element 0 is None/],
    ['a number in BOOL', { inputs: [{ name: 'x', shape: [1], datatype: 'BOOL', data: [1] }] }, /must be true or false/],
    ['columns of different lengths', { inputs: [{ name: 'a', shape: [2], datatype: 'FP64', data: [1, 2] }, { name: 'b', shape: [3], datatype: 'FP64', data: [1, 2, 3] }] }, /each needs shape \[2\]/],
  ];
  for (const [what, body, message] of cases) {
    it(`answers 400 with an error body for ${what}`, async () => {
      const res = await infer(echoServer, body);
      expect(res.status).toBe(400);
      expect(errorOf(res.body)).toMatch(message);
    });
  }

  it('answers malformed JSON, a wrong method and a wrong content type with error bodies', async () => {
    const broken = await infer(echoServer, '{"inputs": [');
    expect(broken.status).toBe(400);
    expect(errorOf(broken.body)).toMatch(/^Invalid JSON: /);
    const get = await raw(`${echoServer.url}/v2/models/echo/infer`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const text = await raw(`${echoServer.url}/v2/models/echo/infer`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: '1,2' });
    expect(text.status).toBe(400);
  });

  it('passes the sklearn-style refusal (None) through as 400', async () => {
    const res = await infer(iris, { inputs: [{ name: 'input', shape: [1, 5], datatype: 'FP64', data: [1, 2, 3, 4, 5] }] });
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toBe('Unknown data type returned as payload (must be list or np array):None');
  });
});

describe('roundToFloat16', () => {
  it('rounds to the nearest half-precision value, ties to even', () => {
    expect(roundToFloat16(1)).toBe(1);
    expect(roundToFloat16(65504)).toBe(65504);
    expect(roundToFloat16(65520)).toBe(Infinity);
    expect(roundToFloat16(1 + 2 ** -11)).toBe(1); // a tie between 1 and 1+2^-10: even wins
    expect(roundToFloat16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(roundToFloat16(2 ** -24)).toBe(2 ** -24); // the smallest subnormal
    expect(roundToFloat16(2 ** -26)).toBe(0);
    expect(roundToFloat16(-0.1)).toBe(-0.0999755859375);
  });
});
