// SPDX-License-Identifier: Apache-2.0
// Seldon protocol v1 through a real server on 127.0.0.1: the seed's exact answers, containers,
// names, meta, the other endpoints, and every kind of bad input the issue lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFloats } from '../../dtype.js';
import type { ModelOutput, NDArray, SeldonMeta, SeldonModel } from '../../model.js';
import { MicroserviceError } from '../../model.js';
import type { ModelServer, ModelServerOptions } from '../../server.js';
import { ConstantModel, EchoModel, IrisLinearModel } from '../../testing/models.js';
import { postJson, raw } from '../../testing/http.js';
import { startTestServer } from '../../testing/server.js';

const SEED_UNIT = { unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0', predictorName: 'default', predictorVersion: 'default', deploymentName: 'iris-model' };
const SEED_GOOD = '{"data":{"names":["t:0","t:1","t:2"],"ndarray":[[0.0006985194531162835,0.00366803903943666,0.995633441507447]]},"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.11.0"}}}\n';
const SEED_BAD = '{"status":{"code":-1,"info":"Unknown data type returned as payload (must be list or np array):None","reason":"MICROSERVICE_BAD_DATA","status":1}}\n';

const servers: ModelServer[] = [];
async function serve(model: SeldonModel, extra: Partial<ModelServerOptions> = {}): Promise<ModelServer> {
  const server = await startTestServer({ model, unit: SEED_UNIT, ...extra });
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A model like Seldon's SKLearnServer for the seed: the documented numbers for 4 features, None otherwise. */
class SeedLikeModel implements SeldonModel {
  predict(X: NDArray): ModelOutput {
    const row = (X as unknown[])[0];
    return Array.isArray(row) && row.length === 4 ? asFloats([[0.0006985194531162835, 0.00366803903943666, 0.995633441507447]]) : null;
  }
}

describe('the seed requests', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await serve(new SeedLikeModel());
  });

  it('answers the good request with the seed\'s exact bytes', async () => {
    const res = await postJson(`${server.url}/api/v1.0/predictions`, '{ "data": { "ndarray": [[1,2,3,4]] } }', { Origin: 'http://notebook.example' });
    expect(res.status).toBe(200);
    expect(res.body).toBe(SEED_GOOD);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['seldon-puid']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers the bad request with HTTP 400 and the seed\'s exact error', async () => {
    const res = await postJson(`${server.url}/api/v1.0/predictions`, '{ "data": { "ndarray": [[1,2,3,4,5]] } }');
    expect(res.status).toBe(400);
    expect(res.body).toBe(SEED_BAD);
  });

  it('serves the same on /predict, by form field and by query parameter', async () => {
    const json = encodeURIComponent('{"data":{"ndarray":[[1,2,3,4]]}}');
    const form = await raw(`${server.url}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `json=${json}` });
    expect(form.body).toBe(SEED_GOOD);
    const query = await raw(`${server.url}/predict?json=${json}`);
    expect(query.body).toBe(SEED_GOOD);
  });

  it('echoes the Seldon-Puid header it was sent', async () => {
    const res = await postJson(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 3, 4]] } }, { 'Seldon-Puid': 'abc-123' });
    expect(res.headers['seldon-puid']).toBe('abc-123');
  });
});

describe('response construction', () => {
  it('keeps the tensor container and writes shape and values', async () => {
    const server = await serve(new IrisLinearModel());
    const res = await postJson(`${server.url}/api/v1.0/predictions`, { data: { names: ['a', 'b', 'c', 'd'], tensor: { shape: [2, 4], values: [1, 2, 3, 4, 5.1, 3.5, 1.4, 0.2] } } });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { data: { names: string[]; tensor: { shape: number[]; values: number[] } } };
    expect(body.data.names).toEqual(['t:0', 't:1', 't:2']);
    expect(body.data.tensor.shape).toEqual([2, 3]);
    expect(body.data.tensor.values).toHaveLength(6);
    // The second row is an iris setosa: class 0 is by far the most likely.
    expect(body.data.tensor.values[3]).toBeGreaterThan(0.8);
  });

  it('writes 1-D answers with no names, and integer dtypes without .0', async () => {
    const server = await serve(new IrisLinearModel('predict'));
    const res = await postJson(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 3, 4]] } });
    expect(res.body).toBe('{"data":{"names":[],"ndarray":[2]},"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.11.0"}}}\n');
  });

  it('uses the model\'s classNames(), and answers a request without data in a tensor', async () => {
    const model = Object.assign(new ConstantModel(() => asFloats([[0.25, 0.75]])), { classNames: () => ['cat', 'dog'] });
    const server = await serve(model);
    const res = await postJson(`${server.url}/api/v1.0/predictions`, { jsonData: { any: 'thing' } });
    expect(res.body).toBe('{"data":{"names":["cat","dog"],"tensor":{"shape":[1,2],"values":[0.25,0.75]}},"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.11.0"}}}\n');
  });

  it('answers strings as strData, objects as jsonData, bytes as binData', async () => {
    const echo = new EchoModel();
    const server = await serve(echo);
    const str = await postJson(`${server.url}/api/v1.0/predictions`, { strData: '안녕' });
    expect(str.body).toBe('{"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.11.0"}},"strData":"\\uc548\\ub155"}\n');
    const json = await postJson(`${server.url}/api/v1.0/predictions`, { jsonData: { b: [1, 2.5], a: null } });
    expect(json.body).toBe('{"jsonData":{"a":null,"b":[1,2.5]},"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.11.0"}}}\n');
    const bin = await postJson(`${server.url}/api/v1.0/predictions`, { binData: Buffer.from([0, 1, 254, 255]).toString('base64') });
    expect(JSON.parse(bin.body).binData).toBe('AAH+/w==');
    expect(echo.last?.X).toEqual(new Uint8Array([0, 1, 254, 255]));
  });

  it('passes names and meta to the model, and copies puid, tags, metrics and requestPath', async () => {
    const echo = new EchoModel();
    const model = Object.assign(echo, {
      tags: () => ({ model: 'echo' }),
      metrics: (): SeldonMeta['metrics'] => [{ key: 'my_counter', type: 'COUNTER', value: 2, tags: { colour: 'red' } }],
    });
    const server = await serve(model);
    const meta = { puid: 'p-1', tags: { client: 'x' }, requestPath: { transformer: 'my/transformer:1', classifier: 'other:9' } };
    const res = await postJson(`${server.url}/api/v1.0/predictions`, { meta, data: { names: ['f1', 'f2'], ndarray: [[1, 2]] } });
    expect(echo.last?.names).toEqual(['f1', 'f2']);
    expect(echo.last?.meta).toEqual(meta);
    const body = JSON.parse(res.body) as { meta: Record<string, unknown> };
    expect(body.meta).toEqual({
      puid: 'p-1',
      tags: { client: 'x', model: 'echo' },
      metrics: [{ key: 'my_counter', type: 'COUNTER', value: 2, tags: { colour: 'red' } }],
      // The request's own entry for this unit wins, as in Seldon.
      requestPath: { transformer: 'my/transformer:1', classifier: 'other:9' },
    });
    const metrics = await raw(`${server.url}/prometheus`);
    expect(metrics.body).toMatch(/^my_counter\{.*colour="red".*model_name="classifier".*\} 2$/m);
  });

  it('leaves requestPath out when the unit has no PREDICTIVE_UNIT_ID', async () => {
    const server = await serve(new ConstantModel(() => 'ok'), { unit: {} });
    const res = await postJson(`${server.url}/api/v1.0/predictions`, { strData: 'x' });
    expect(res.body).toBe('{"meta":{},"strData":"ok"}\n');
  });

  it('writes NaN and Infinity as Python does when a model returns them', async () => {
    const server = await serve(new EchoModel());
    const res = await postJson(`${server.url}/api/v1.0/predictions`, '{"data":{"ndarray":[[NaN, Infinity, -Infinity, 0.5]]}}');
    expect(res.status).toBe(200);
    expect(res.body).toContain('"ndarray":[[NaN,Infinity,-Infinity,0.5]]');
  });
});

describe('the other v1 endpoints', () => {
  let server: ModelServer;
  const feedbackCalls: unknown[][] = [];
  beforeAll(async () => {
    const model = Object.assign(new IrisLinearModel(), {
      sendFeedback: (...args: unknown[]) => {
        feedbackCalls.push(args);
        return null;
      },
      metadata: () => ({ name: 'iris', versions: ['iris/v1'], platform: 'sklearn', inputs: [{ datatype: 'BYTES', name: 'input', shape: [4] }], outputs: [{ datatype: 'BYTES', name: 'output', shape: [3] }] }),
    });
    server = await serve(model);
  });

  it('answers pings, health, liveness and readiness', async () => {
    expect((await raw(`${server.url}/health/ping`)).body).toBe('pong');
    expect((await raw(`${server.url}/health/status`)).body).toBe('{"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.11.0"}},"strData":"healthy"}\n');
    expect((await raw(`${server.url}/live`)).status).toBe(200);
    expect((await raw(`${server.url}/ready`)).status).toBe(200);
  });

  it('serves the model\'s metadata over Seldon\'s defaults', async () => {
    const res = await raw(`${server.url}/api/v1.0/metadata`);
    expect(JSON.parse(res.body)).toEqual({
      name: 'iris', versions: ['iris/v1'], platform: 'sklearn', custom: {},
      inputs: [{ datatype: 'BYTES', name: 'input', shape: [4] }], outputs: [{ datatype: 'BYTES', name: 'output', shape: [3] }],
    });
    expect((await raw(`${server.url}/metadata`)).body).toBe(res.body);
  });

  it('answers 500 MICROSERVICE_BAD_METADATA when the model\'s metadata breaks Seldon\'s schema, and still predicts', async () => {
    const odd = await serve(Object.assign(new IrisLinearModel(), { metadata: () => ({ name: 'iris', inputs: 'four numbers' }) }) as unknown as SeldonModel);
    const res = await raw(`${odd.url}/metadata`);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).status).toMatchObject({ reason: 'MICROSERVICE_BAD_METADATA', info: 'Model metadata unavailable: metadata/inputs must be array' });
    expect((await postJson(`${odd.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 3, 4]] } })).status).toBe(200);
  });

  it('takes feedback, calls sendFeedback, and counts the reward', async () => {
    const fb = { request: { data: { names: ['a', 'b', 'c', 'd'], ndarray: [[1, 2, 3, 4]] } }, response: { meta: { routing: { classifier: 1 } } }, reward: 0.5, truth: { data: { ndarray: [[0, 0, 1]] } } };
    const res = await postJson(`${server.url}/api/v1.0/feedback`, fb);
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"data":{"ndarray":[]},"meta":{"requestPath":{"classifier":"seldonio/sklearnserver:1.11.0"}}}\n');
    expect(feedbackCalls).toEqual([[[[1, 2, 3, 4]], ['a', 'b', 'c', 'd'], 0.5, [[0, 0, 1]], 1]]);
    const metrics = (await raw(`${server.url}/prometheus`)).body;
    expect(metrics).toMatch(/^seldon_api_model_feedback_reward\{.*\} 0\.5$/m);
    expect(metrics).toMatch(/^seldon_api_model_feedback\{.*\} 1$/m);
    expect((await postJson(`${server.url}/api/v1.0/feedback`, { reward: 1, bogus: 1 })).body).toContain('has no field named \\"bogus\\"');
  });

  it('exports Seldon\'s request histogram with its labels', async () => {
    await postJson(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 3, 4]] } });
    const metrics = (await raw(`${server.url}/prometheus`)).body;
    expect(metrics).toContain('# TYPE seldon_api_executor_server_requests_seconds histogram');
    expect(metrics).toMatch(/^seldon_api_executor_server_requests_seconds_count\{deployment_name="iris-model",predictor_name="default",predictor_version="default",service="predictions",method="post",code="200"\} \d+$/m);
    expect(metrics).toMatch(/^seldon_api_executor_client_requests_seconds_count\{.*model_name="classifier",model_image="seldonio\/sklearnserver",model_version="1.11.0".*\} \d+$/m);
  });
});

describe('bad input', () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await serve(new IrisLinearModel(), { maxBodyBytes: 4096, maxDepth: 16 });
  });
  const predict = (body: string, headers: Record<string, string> = {}): ReturnType<typeof postJson> => postJson(`${server.url}/api/v1.0/predictions`, body, headers);
  const info = (body: string): string => (JSON.parse(body) as { status: { info: string } }).status.info;

  it('refuses malformed JSON with Seldon\'s "Invalid JSON"', async () => {
    const res = await predict('{"data": {"ndarray": [[1,2,3,4]]');
    expect(res.status).toBe(400);
    expect(info(res.body)).toMatch(/^Invalid JSON: /);
    expect(JSON.parse(res.body).status.reason).toBe('MICROSERVICE_BAD_DATA');
  });

  it('refuses a message without a payload, and one that is not an object', async () => {
    expect(info((await predict('{"meta": {}}')).body)).toMatch(/^Invalid request data type: /);
    expect(info((await predict('[1, 2, 3]')).body)).toMatch(/^Invalid request data type: \[1,2,3\]/);
    expect((await predict('null')).status).toBe(400);
    expect(info((await predict('{"data": 5}')).body)).toContain('data must be an object');
  });

  it('gives the wrong feature count to the model, which answers None: the seed\'s 400', async () => {
    const res = await predict('{"data":{"ndarray":[[1,2,3]]}}');
    expect(res.body).toBe(SEED_BAD);
  });

  it('refuses strings and nulls in a tensor, and a shape that does not fit its values', async () => {
    expect(info((await predict('{"data":{"tensor":{"shape":[1,4],"values":[1,"2",3,4]}}}')).body)).toContain('values[1] is 2; tensor values must be numbers');
    expect(info((await predict('{"data":{"tensor":{"shape":[1,4],"values":[1,null,3,4]}}}')).body)).toContain('values[1] is None');
    expect(info((await predict('{"data":{"tensor":{"shape":[2,4],"values":[1,2,3,4]}}}')).body)).toContain('needs 8 values but 4 were sent');
    expect(info((await predict('{"data":{"tensor":{"shape":[1,-4],"values":[1,2,3,4]}}}')).body)).toContain('must be a whole number');
  });

  it('hands strings, nulls, NaN and Infinity in an ndarray to the model, which refuses them', async () => {
    for (const body of ['{"data":{"ndarray":[[1,"a",3,4]]}}', '{"data":{"ndarray":[[1,null,3,4]]}}', '{"data":{"ndarray":[[NaN,2,3,4]]}}', '{"data":{"ndarray":[[Infinity,2,3,4]]}}']) {
      const res = await predict(body);
      expect(res.status, body).toBe(400);
      expect(res.body).toBe(SEED_BAD);
    }
  });

  it('refuses nesting deeper than the limit', async () => {
    const res = await predict(`{"data":{"ndarray":${'['.repeat(40)}1${']'.repeat(40)}}}`);
    expect(res.status).toBe(400);
    expect(info(res.body)).toContain('more than 16 levels');
  });

  it('refuses a body over the limit with 413, and keeps answering', async () => {
    const big = JSON.stringify({ data: { ndarray: [Array.from({ length: 2000 }, () => 1.5)] } });
    const res = await predict(big);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).status.info).toContain('limit of 4096 bytes');
    // Without Content-Length (chunked), the limit holds too.
    const chunked = await raw(`${server.url}/api/v1.0/predictions`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, body: big });
    expect(chunked.status).toBe(413);
    expect((await predict('{"data":{"ndarray":[[1,2,3,4]]}}')).status).toBe(200);
  });

  it('refuses a body that is not sent as JSON', async () => {
    const res = await raw(`${server.url}/api/v1.0/predictions`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"data":{"ndarray":[[1,2,3,4]]}}' });
    expect(res.status).toBe(400);
    expect(info(res.body)).toMatch(/^Can't find JSON in data/);
    const noType = await raw(`${server.url}/api/v1.0/predictions`, { method: 'POST', body: '{"data":{"ndarray":[[1,2,3,4]]}}' });
    expect(noType.status).toBe(400);
  });

  it('turns a model that throws into 500 MICROSERVICE_INTERNAL_ERROR, and a MicroserviceError into its own answer', async () => {
    let mode = 'throw';
    const failing = await serve({
      predict: () => {
        if (mode === 'throw') throw new TypeError('cannot read the weights');
        throw new MicroserviceError('feature 3 must be positive', 422, 'MICROSERVICE_BAD_DATA');
      },
    });
    const res = await postJson(`${failing.url}/api/v1.0/predictions`, { data: { ndarray: [[1]] } });
    expect(res.status).toBe(500);
    expect(res.body).toBe('{"status":{"code":-1,"info":"TypeError: cannot read the weights","reason":"MICROSERVICE_INTERNAL_ERROR","status":1}}\n');
    mode = 'refuse';
    const refused = await postJson(`${failing.url}/api/v1.0/predictions`, { data: { ndarray: [[1]] } });
    expect(refused.status).toBe(422);
    expect(info(refused.body)).toBe('feature 3 must be positive');
  });
});
