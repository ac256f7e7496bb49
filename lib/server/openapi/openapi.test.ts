// SPDX-License-Identifier: Apache-2.0
// The API page: the OpenAPI document is valid (checked by a real OpenAPI validator), the page and
// its Swagger UI files are served, and real answers of the server match the document's schemas.
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelServer } from '../server.js';
import { IrisLinearModel } from '../testing/models.js';
import { postJson, raw } from '../testing/http.js';
import { seldonOpenApi } from './seldon.js';
import { startTestServer } from '../testing/server.js';

let server: ModelServer;
beforeAll(async () => {
  server = await startTestServer({ model: new IrisLinearModel(), unit: { unitId: 'classifier', image: 'seldonio/sklearnserver:1.11.0' } });
});
afterAll(async () => {
  await server.close();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3 document', async () => {
    const api = await SwaggerParser.validate(structuredClone(seldonOpenApi()) as never);
    expect((api as { openapi?: string }).openapi).toMatch(/^3\.0\./);
  });

  it('describes every route the server answers', () => {
    const paths = Object.keys(seldonOpenApi().paths as object);
    for (const path of ['/api/v1.0/predictions', '/api/v1.0/feedback', '/api/v1.0/metadata', '/health/ping', '/health/status', '/live', '/ready', '/prometheus', '/v2/health/ready', '/v2/models/{model_name}/infer']) {
      expect(paths).toContain(path);
    }
  });
});

describe('the page', () => {
  it('serves Swagger UI at /api/v1.0/doc/ with its files and the document', async () => {
    const page = await raw(`${server.url}/api/v1.0/doc/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('./swagger-ui-bundle.js');
    expect(page.body).toContain("url: './seldon.json'");
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png']) {
      const res = await raw(`${server.url}/api/v1.0/doc/${asset}`);
      expect(res.status, asset).toBe(200);
      expect(Number(res.headers['content-length'])).toBeGreaterThan(100);
    }
    const doc = await raw(`${server.url}/api/v1.0/doc/seldon.json`);
    expect(JSON.parse(doc.body)).toEqual(seldonOpenApi());
  });

  it('redirects the folder without its slash, and serves nothing else from the package', async () => {
    const redirect = await raw(`${server.url}/api/v1.0/doc`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('doc/');
    for (const path of ['/api/v1.0/doc/package.json', '/api/v1.0/doc/../../package.json', '/api/v1.0/doc/%2e%2e/package.json', '/api/v1.0/doc/index.js']) {
      expect((await raw(`${server.url}${path}`)).status, path).toBe(404);
    }
  });
});

describe('answers match the documented schemas', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ ...seldonOpenApi(), $id: 'api' }, 'api');
  const check = (schema: string, body: string): void => {
    const validate = ajv.getSchema(`api#/components/schemas/${schema}`)!;
    const value: unknown = JSON.parse(body);
    expect(validate(value), `${schema}: ${JSON.stringify(validate.errors)}\n${body}`).toBe(true);
  };

  it('for Seldon v1', async () => {
    check('SeldonMessage', (await postJson(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2, 3, 4]] } })).body);
    check('SeldonMessage', (await postJson(`${server.url}/api/v1.0/predictions`, { meta: { puid: 'x' }, data: { tensor: { shape: [1, 4], values: [1, 2, 3, 4] } } })).body);
    check('SeldonError', (await postJson(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1, 2]] } })).body);
    check('SeldonError', (await postJson(`${server.url}/api/v1.0/predictions`, '{')).body);
    check('SeldonMessage', (await postJson(`${server.url}/api/v1.0/feedback`, { request: { data: { ndarray: [[1, 2, 3, 4]] } }, reward: 1 })).body);
    check('SeldonModelMetadata', (await raw(`${server.url}/api/v1.0/metadata`)).body);
    check('SeldonMessage', (await raw(`${server.url}/health/status`)).body);
  });

  it('for V2', async () => {
    check('InferenceResponse', (await postJson(`${server.url}/v2/models/classifier/infer`, { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] })).body);
    check('V2Error', (await postJson(`${server.url}/v2/models/classifier/infer`, { inputs: [] })).body);
    check('MetadataModelResponse', (await raw(`${server.url}/v2/models/classifier`)).body);
    check('MetadataServerResponse', (await raw(`${server.url}/v2`)).body);
  });
});
