// SPDX-License-Identifier: Apache-2.0
// SeldonClient against a small fake Seldon server on 127.0.0.1: what goes on the wire (URL, headers,
// body) and what comes back (success, msg, response, the printed text), errors included.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SeldonClient, SeldonClientException, SeldonClientFeedback, type SeldonClientOptions } from './index.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Reply = (req: Seen, res: ServerResponse) => void;

// The seed tutorial's XGBoost answer, byte for byte.
const SEED_ANSWER = '{"data":{"names":[],"ndarray":[2.0]},"meta":{"requestPath":{"classifier":"seldonio/xgboostserver:1.11.0"}}}';
const json = (status: number, body: string, reason?: string): Reply => (_req, res) => {
  res.statusCode = status;
  if (reason) res.statusMessage = reason;
  res.setHeader('Content-Type', 'application/json');
  res.end(body);
};

/** A fake Seldon gateway: records each request and answers with the current `reply`. */
class FakeSeldon {
  readonly seen: Seen[] = [];
  reply: Reply = json(200, SEED_ANSWER);
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      this.seen.push(seen);
      this.reply(seen, res);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get endpoint(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get last(): Seen {
    return this.seen[this.seen.length - 1];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const fake = new FakeSeldon();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reply = json(200, SEED_ANSWER);
});

const client = (options: SeldonClientOptions = {}) =>
  new SeldonClient({ gatewayEndpoint: fake.endpoint, microserviceEndpoint: fake.endpoint, ...options });

describe("the seed tutorial's call", () => {
  it('sends what the Python client sends and prints what it printed', async () => {
    const sc = client({ gateway: 'ambassador', transport: 'rest', namespace: 'seldon' });
    const r = await sc.predict({ data: [[1, 2, 3, 4]], deploymentName: 'iris-model', names: ['text'], payloadType: 'ndarray' });

    expect(fake.last.method).toBe('POST');
    expect(fake.last.url).toBe('/seldon/seldon/iris-model/api/v1.0/predictions');
    expect(fake.last.headers['content-type']).toBe('application/json');
    expect(fake.last.body).toBe('{"meta": {}, "data": {"names": ["text"], "ndarray": [[1.0, 2.0, 3.0, 4.0]]}}');

    expect(r.success).toBe(true);
    expect(r.msg).toBe('');
    expect(r.response).toEqual({ data: { names: [], ndarray: [2] }, meta: { requestPath: { classifier: 'seldonio/xgboostserver:1.11.0' } } });
    // The seed tutorial's printed output, line for line.
    const seedOutput = [
      'Success:True message:',
      'Request:',
      'meta {',
      '}',
      'data {',
      '  names: "text"',
      '  ndarray {',
      '    values {',
      '      list_value {',
      '        values {',
      '          number_value: 1.0',
      '        }',
      '        values {',
      '          number_value: 2.0',
      '        }',
      '        values {',
      '          number_value: 3.0',
      '        }',
      '        values {',
      '          number_value: 4.0',
      '        }',
      '      }',
      '    }',
      '  }',
      '}',
      '',
      'Response:',
      "{'data': {'names': [], 'ndarray': [2.0]}, 'meta': {'requestPath': {'classifier': 'seldonio/xgboostserver:1.11.0'}}}",
    ].join('\n');
    expect(r.toString()).toBe(seedOutput);
    expect(String(r)).toBe(seedOutput);
    expect(inspect(r)).toBe(seedOutput); // what console.log(r) prints
  });

  it('keeps the result JSON-serialisable', async () => {
    const r = await client({ namespace: 'seldon', deploymentName: 'iris-model' }).predict({ data: [[1, 2, 3, 4]] });
    expect(JSON.parse(JSON.stringify(r))).toMatchObject({ success: true, msg: '', response: { data: { ndarray: [2] } } });
  });
});

describe('URLs per gateway', () => {
  it.each([
    [{ gateway: 'ambassador', namespace: 'seldon' }, '/seldon/seldon/iris-model/api/v1.0/predictions'],
    [{ gateway: 'istio', namespace: 'seldon' }, '/seldon/seldon/iris-model/api/v1.0/predictions'],
    [{ gateway: 'ambassador' }, '/seldon/iris-model/api/v1.0/predictions'],
    [{ gateway: 'seldon' }, '/api/v0.1/predictions'],
    [{ gatewayPrefix: '/custom/prefix' }, '/custom/prefix/api/v1.0/predictions'],
  ] as const)('%j posts to %s', async (options, path) => {
    await client({ deploymentName: 'iris-model', ...options }).predict({ data: [[1]] });
    expect(fake.last.url).toBe(path);
  });

  it('posts to httpPath under the deployment', async () => {
    await client({ namespace: 'seldon', deploymentName: 'iris-model' }).predict({ data: [[1]], httpPath: '/api/v1.0/predictions?x=1' });
    expect(fake.last.url).toBe('/seldon/seldon/iris-model/api/v1.0/predictions?x=1');
  });

  it('leaves out the empty meta when talking to the orchestrator directly, as Python does', async () => {
    const r = await client({ gateway: 'seldon' }).predict({ data: [[1]] });
    expect(fake.last.body).toBe('{"data": {"tensor": {"shape": [1, 1], "values": [1.0]}}}');
    expect(r.toString()).toContain('Request:\ndata {\n  tensor {\n    shape: 1\n    shape: 1\n    values: 1.0\n  }\n}\n\nResponse:');
  });
});

describe('headers', () => {
  it("sends the caller's headers and the token as X-Auth-Token", async () => {
    const sc = client({ deploymentName: 'd', callCredentials: { token: 'secret-token' }, ssl: false });
    await sc.predict({ data: [[1]], headers: { 'Seldon-Puid': 'abc', 'X-Custom': '1' } });
    expect(fake.last.headers['x-auth-token']).toBe('secret-token');
    expect(fake.last.headers['seldon-puid']).toBe('abc');
    expect(fake.last.headers['x-custom']).toBe('1');
  });

  it('sends a bearer token as Authorization: Bearer', async () => {
    await client({ deploymentName: 'd', callCredentials: { bearerToken: 'abc.def' }, ssl: false }).predict({ data: [[1]] });
    expect(fake.last.headers.authorization).toBe('Bearer abc.def');
    expect(fake.last.headers['x-auth-token']).toBeUndefined();
  });

  it('hides the tokens when the client itself is printed', () => {
    const sc = client({ callCredentials: { token: 'secret-token', bearerToken: 'bearer-secret' } });
    const text = inspect(sc);
    expect(text).toContain("gateway: 'ambassador'");
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('bearer-secret');
  });

  it('logs requests in debug mode without the secrets', async () => {
    const lines: string[] = [];
    const sc = client({ deploymentName: 'd', callCredentials: { token: 'secret-token', bearerToken: 'bearer-secret' }, ssl: false, debug: true, log: (l) => lines.push(l) });
    await sc.predict({ data: [[1]] });
    const log = lines.join('\n');
    expect(log).toContain(`POST http://${fake.endpoint}/seldon/d/api/v1.0/predictions`);
    expect(log).toContain('HTTP 200');
    expect(log).not.toContain('secret-token');
    expect(log).not.toContain('bearer-secret');
  });
});

describe('payloads', () => {
  const sc = () => client({ namespace: 'seldon', deploymentName: 'iris-model' });

  it('sends a tensor by default, row-major with its shape', async () => {
    await sc().predict({ data: [[1, 2], [3, 4.5]], names: ['a', 'b'] });
    expect(fake.last.body).toBe('{"meta": {}, "data": {"names": ["a", "b"], "tensor": {"shape": [2, 2], "values": [1.0, 2.0, 3.0, 4.5]}}}');
  });

  it('sends random data of `shape` when there is no data', async () => {
    const r = await sc().predict({ shape: [2, 3] });
    const sent = JSON.parse(fake.last.body) as { data: { tensor: { shape: number[]; values: number[] } } };
    expect(sent.data.tensor.shape).toEqual([2, 3]);
    expect(sent.data.tensor.values).toHaveLength(6);
    for (const v of sent.data.tensor.values) expect(v >= 0 && v < 1).toBe(true);
    expect(r.request.data?.tensor?.values).toEqual(sent.data.tensor.values);
  });

  it('uses the given random source, so a lesson can print the same numbers every run', async () => {
    const r = await client({ deploymentName: 'd', random: () => 0.71309135369705 }).predict();
    expect(r.toString()).toContain('data {\n  tensor {\n    shape: 1\n    shape: 1\n    values: 0.71309135369705\n  }\n}\n');
  });

  it('sends strData, jsonData and binData, and meta as meta.tags', async () => {
    await sc().predict({ strData: '안녕', meta: { user: 'alice', n: 1 } });
    expect(fake.last.body).toBe('{"meta": {"tags": {"user": "alice", "n": 1.0}}, "strData": "\\uc548\\ub155"}');
    await sc().predict({ jsonData: { a: [1, 2] } });
    expect(fake.last.body).toBe('{"jsonData": {"a": [1.0, 2.0]}}');
    await sc().predict({ binData: Buffer.from('hi') });
    expect(fake.last.body).toBe('{"meta": {}, "binData": "aGk="}');
  });

  it('lets each call override the configuration', async () => {
    const base = client({ namespace: 'seldon', deploymentName: 'a', payloadType: 'tensor' });
    await base.predict({ data: [[1]], deploymentName: 'b', payloadType: 'ndarray', namespace: undefined });
    expect(fake.last.url).toBe('/seldon/seldon/b/api/v1.0/predictions');
    expect(fake.last.body).toBe('{"meta": {}, "data": {"ndarray": [[1.0]]}}');
    await base.predict({ data: [[1]] });
    expect(fake.last.url).toBe('/seldon/seldon/a/api/v1.0/predictions');
  });
});

describe('errors', () => {
  const sc = () => client({ namespace: 'seldon', deploymentName: 'iris-model' });

  it("gives success false, msg '<code>:<reason>' and the parsed body for an HTTP error", async () => {
    const body = '{"status":{"code":-1,"info":"Unknown data type returned as payload (must be list or np array):None","reason":"MICROSERVICE_BAD_DATA","status":1}}';
    fake.reply = json(400, body);
    const r = await sc().predict({ data: [[1, 2, 3, 4, 5]], payloadType: 'ndarray' });
    expect(r.success).toBe(false);
    expect(r.msg).toBe('400:Bad Request');
    expect(r.response).toEqual(JSON.parse(body));
    expect(r.toString()).toMatch(/^Success:False message:400:Bad Request\nRequest:\n/);
    expect(r.toString().endsWith("\nResponse:\n{'status': {'code': -1, 'info': 'Unknown data type returned as payload (must be list or np array):None', 'reason': 'MICROSERVICE_BAD_DATA', 'status': 1}}")).toBe(true);
  });

  it("uses the server's own reason phrase", async () => {
    fake.reply = json(503, '{}', 'Model Not Ready');
    expect((await sc().predict({ data: [[1]] })).msg).toBe('503:Model Not Ready');
  });

  it('gives response null (None) when the body is not JSON or empty', async () => {
    fake.reply = json(500, '<html>oops</html>');
    const r = await sc().predict({ data: [[1]] });
    expect(r).toMatchObject({ success: false, msg: '500:Internal Server Error', response: null });
    expect(r.toString().endsWith('\nResponse:\nNone')).toBe(true);
    fake.reply = json(200, '');
    expect(await sc().predict({ data: [[1]] })).toMatchObject({ success: true, msg: '', response: null });
  });

  it('names the endpoint when nothing listens there', async () => {
    const dead = new FakeSeldon();
    await dead.start();
    const endpoint = dead.endpoint;
    await dead.stop();
    const r = await new SeldonClient({ gatewayEndpoint: endpoint, deploymentName: 'd' }).predict({ data: [[1]] });
    expect(r.success).toBe(false);
    expect(r.response).toBeNull();
    expect(r.msg).toMatch(/^ECONNREFUSED: nothing is listening at 127\.0\.0\.1:\d+/);
    expect(r.msg).toContain(endpoint);
  });

  it('gives up after timeoutMs and says so', async () => {
    fake.reply = () => undefined; // never answers
    const r = await client({ deploymentName: 'd', timeoutMs: 200 }).predict({ data: [[1]] });
    expect(r.success).toBe(false);
    expect(r.msg).toMatch(/^timeout: no answer from 127\.0\.0\.1:\d+ within 200 ms/);
  });

  it('rejects mistakes in the call with the Python messages', async () => {
    const ok = client({ deploymentName: 'd' });
    await expect(ok.predict({ gateway: 'nginx' as never })).rejects.toThrow("Valid values for gateway are 'ambassador', 'istio', or 'seldon'");
    await expect(ok.predict({ data: 'not an array' })).rejects.toThrow('Valid values for data are None or numpy array');
    await expect(ok.predict({ transport: 'grpc' as never })).rejects.toThrow(/not supported in this kit/);
    await expect(ok.microservice({ method: 'train' as never })).rejects.toThrow(SeldonClientException);
    await expect(client().predict({ data: [[1]] })).rejects.toThrow(/deployment_name is required/);
    expect(() => client({ payloadType: 'tftensor' as never })).toThrow(/'tftensor' is not supported/);
  });
});

describe('feedback', () => {
  it('posts request, response and reward to /api/v1.0/feedback and prints the Feedback message', async () => {
    const sc = client({ namespace: 'seldon', deploymentName: 'iris-model' });
    const p = await sc.predict({ data: [[1, 2, 3, 4]], payloadType: 'ndarray' });
    fake.reply = json(200, '{"data":{"names":[],"ndarray":[]},"meta":{}}');
    const f = await sc.feedback({ predictionRequest: p.request, predictionResponse: p.response ?? undefined, reward: 1 });
    expect(f).toBeInstanceOf(SeldonClientFeedback);
    expect(fake.last.url).toBe('/seldon/seldon/iris-model/api/v1.0/feedback');
    // As protobuf re-encodes it: fields in field-number order, the empty `names` dropped, doubles as floats.
    expect(fake.last.body).toBe(
      '{"request": {"meta": {}, "data": {"ndarray": [[1.0, 2.0, 3.0, 4.0]]}}, ' +
        '"response": {"meta": {"requestPath": {"classifier": "seldonio/xgboostserver:1.11.0"}}, "data": {"ndarray": [2.0]}}, ' +
        '"reward": 1.0}',
    );
    expect(f.success).toBe(true);
    expect(f.toString()).toMatch(/^Success:True message:\nRequest:\nrequest \{\n {2}meta \{\n {2}\}\n {2}data \{\n/);
    expect(f.toString()).toContain('\nreward: 1.0\n\nResponse:\n');
  });
});

describe('explain', () => {
  it("posts to the explainer and prints the request as the dict Python sent", async () => {
    fake.reply = json(200, '{"explanation":{"anchor":["petal width (cm) > 1.80"]}}');
    const r = await client({ namespace: 'seldon', deploymentName: 'iris-model' }).explain({ data: [[1, 2, 3, 4]], predictor: 'default' });
    expect(fake.last.url).toBe('/seldon/seldon/iris-model-explainer/default/api/v1.0/explain');
    expect(r.toString()).toBe(
      "Success:True message:\nRequest:\n{'data': {'tensor': {'shape': [1, 4], 'values': [1.0, 2.0, 3.0, 4.0]}}}\n" +
        "Response:\n{'explanation': {'anchor': ['petal width (cm) > 1.80']}}",
    );
  });
});

describe('microservice', () => {
  const form = (body: string) => new URLSearchParams(body).get('json');

  it.each(['predict', 'route', 'transform-input', 'transform-output'] as const)(
    "posts %s as the form field json=, as the Python client does",
    async (method) => {
      await client().microservice({ method, data: [[1, 2]], names: ['a', 'b'] });
      expect(fake.last.url).toBe(`/${method}`);
      expect(fake.last.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(form(fake.last.body)).toBe('{"data": {"names": ["a", "b"], "tensor": {"shape": [1, 2], "values": [1.0, 2.0]}}}');
    },
  );

  it('sends one message per payload to /aggregate', async () => {
    const r = await client({ random: () => 0.5 }).microservice({ method: 'aggregate', datas: [[[1]], 'text', undefined] });
    expect(fake.last.url).toBe('/aggregate');
    expect(form(fake.last.body)).toBe(
      '{"seldonMessages": [{"data": {"tensor": {"shape": [1, 1], "values": [1.0]}}}, {"strData": "text"}, ' +
        '{"data": {"tensor": {"shape": [1, 1], "values": [0.5]}}}]}',
    );
    expect(r.toString()).toContain('Request:\nseldonMessages {\n  data {\n');
    await client().microservice({ method: 'aggregate', ndatas: 3 });
    expect((JSON.parse(form(fake.last.body) as string) as { seldonMessages: unknown[] }).seldonMessages).toHaveLength(3);
  });

  it('sends feedback to /send-feedback', async () => {
    const r = await client().microservice({ method: 'send-feedback', predictionRequest: { data: { ndarray: [[1]] } }, reward: 0.5 });
    expect(r).toBeInstanceOf(SeldonClientFeedback);
    expect(fake.last.url).toBe('/send-feedback');
    expect(form(fake.last.body)).toBe('{"request": {"data": {"ndarray": [[1.0]]}}, "reward": 0.5}');
  });

  it('reports HTTP errors the same way', async () => {
    fake.reply = json(400, '{"status":{"code":-1,"info":"Invalid JSON","reason":"MICROSERVICE_BAD_DATA","status":1}}');
    const r = await client().microservice({ data: [[1]] });
    expect(r).toMatchObject({ success: false, msg: '400:Bad Request' });
  });
});
