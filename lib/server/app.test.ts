// SPDX-License-Identifier: Apache-2.0
// Routing, CORS, unknown paths, malformed HTTP, draining, and a property test: whatever body a
// client sends, the answer is well-formed JSON with a 2xx/4xx/5xx status, and the server goes on.
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFloats } from './dtype.js';
import type { ModelOutput, NDArray } from './model.js';
import type { ModelServer } from './server.js';
import { EchoModel, IrisLinearModel } from './testing/models.js';
import { postJson, raw } from './testing/http.js';
import { startTestServer } from './testing/server.js';

let server: ModelServer;

beforeAll(async () => {
  server = await startTestServer({ model: new IrisLinearModel(), unit: { unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0' } });
});
afterAll(async () => {
  await server.close();
});

describe('routing', () => {
  it('answers unknown paths with a JSON 404 (Seldon\'s status body, or {"error"} under /v2)', async () => {
    const res = await raw(`${server.url}/api/v1.0/prediction`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body).status).toMatchObject({ code: -1, reason: 'NOT_FOUND', status: 1 });
    expect(JSON.parse(res.body).status.info).toContain('Not found: GET /api/v1.0/prediction');
    const v2 = await raw(`${server.url}/v2/models/classifier/explain`, { method: 'POST' });
    expect(v2.status).toBe(404);
    expect(JSON.parse(v2.body).error).toContain('Not found');
  });

  it('answers a wrong method with 405, an Allow header and a JSON body', async () => {
    const res = await raw(`${server.url}/api/v1.0/predictions`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(JSON.parse(res.body).status.reason).toBe('METHOD_NOT_ALLOWED');
  });

  it('sends CORS headers to browser requests (with an Origin) only', async () => {
    const browser = await raw(`${server.url}/health/ping`, { headers: { Origin: 'http://site.example' } });
    expect(browser.headers['access-control-allow-origin']).toBe('*');
    expect(browser.headers['access-control-expose-headers']).toBe('Seldon-Puid');
    const curl = await raw(`${server.url}/health/ping`);
    expect(curl.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers CORS preflights on any path', async () => {
    const res = await raw(`${server.url}/api/v1.0/predictions`, { method: 'OPTIONS', headers: { Origin: 'http://site.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-token' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toBe('content-type,x-token');
  });

  it('allows only the configured origins when CORS origins are given', async () => {
    const strict = await startTestServer({ model: new EchoModel(), corsOrigins: ['http://a.example', 'http://b.example'] });
    try {
      const b = await raw(`${strict.url}/health/ping`, { headers: { Origin: 'http://b.example' } });
      expect(b.headers['access-control-allow-origin']).toBe('http://b.example');
      expect(b.headers.vary).toBe('Origin');
      const other = await raw(`${strict.url}/health/ping`, { headers: { Origin: 'http://evil.example' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await strict.close();
    }
  });

  it('answers an HTTP request Node cannot parse with a JSON 400', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket: Socket = connect(Number(new URL(server.url).port), '127.0.0.1', () => socket.write('THIS IS NOT HTTP\r\n\r\n'));
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)).status.reason).toBe('MICROSERVICE_BAD_DATA');
  });
});

describe('close()', () => {
  it('stops accepting, lets the request in flight finish, then resolves', async () => {
    let release!: () => void;
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = {
      async predict(X: NDArray): Promise<ModelOutput> {
        started();
        await gate;
        return asFloats(X as number[][]);
      },
    };
    const s = await startTestServer({ model: slow });
    const pending = postJson(`${s.url}/api/v1.0/predictions`, { data: { ndarray: [[1.5]] } });
    await inFlight;
    const closed = s.close();
    expect(s.context.state.draining).toBe(true);
    // New connections are refused while the old request is still running.
    await expect(raw(`${s.url}/health/ping`, { agent: false })).rejects.toThrow(/ECONNREFUSED/);
    release();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toContain('"ndarray":[[1.5]]');
    expect(res.headers.connection).toBe('close');
    expect(await closed).toEqual({ forced: false });
  });
});

describe('any request body (property)', () => {
  // Bodies that are JSON of any shape, SeldonMessage-like JSON, or not JSON at all.
  const seldonish = fc.record(
    {
      data: fc.oneof(
        fc.record({ ndarray: fc.array(fc.oneof(fc.array(fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)), { maxLength: 6 }), fc.double()), { maxLength: 4 }), names: fc.array(fc.string(), { maxLength: 5 }) }, { requiredKeys: [] }),
        fc.record({ tensor: fc.record({ shape: fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 3 }), values: fc.array(fc.oneof(fc.double(), fc.string()), { maxLength: 12 }) }, { requiredKeys: [] }) }),
        fc.jsonValue(),
      ),
      meta: fc.oneof(fc.record({ puid: fc.oneof(fc.string(), fc.integer()), tags: fc.jsonValue(), requestPath: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())) }, { requiredKeys: [] }), fc.jsonValue()),
      jsonData: fc.jsonValue(),
      strData: fc.oneof(fc.string(), fc.integer()),
      binData: fc.oneof(fc.base64String(), fc.string()),
    },
    { requiredKeys: [] },
  );
  const bodies = fc.oneof(
    seldonish.map((v) => JSON.stringify(v)),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string(),
    fc.array(fc.constantFrom('{', '}', '[', ']', '"', ',', ':', 'NaN', '-Infinity', '1e999', 'null', '"data"', '"ndarray"'), { maxLength: 40 }).map((parts) => parts.join('')),
  );
  const paths = fc.constantFrom('/api/v1.0/predictions', '/predict', '/api/v1.0/feedback', '/v2/models/classifier/infer', '/v2/models/infer');

  it('always answers well-formed JSON with a 2xx, 4xx or 5xx status, and keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, paths, async (body, path) => {
        const res = await postJson(`${server.url}${path}`, body);
        expect(res.status === 200 || (res.status >= 400 && res.status < 600)).toBe(true);
        // Python's json may legitimately write NaN/Infinity (an echoed NaN); refuse anything else.
        expect(() => JSON.parse(res.body.replace(/\bNaN\b|-?\bInfinity\b/g, 'null'))).not.toThrow();
        expect(res.headers['content-type']).toBe('application/json');
      }),
      { numRuns: 300 },
    );
    expect((await postJson(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 3, 4]] } })).status).toBe(200);
  });
});
