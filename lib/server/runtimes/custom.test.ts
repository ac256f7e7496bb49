// SPDX-License-Identifier: Apache-2.0
// Your own model: TypeScript and JavaScript modules loaded through tsx, the export chosen by name
// or by default, constructor parameters, and the errors a learner meets first.
import { afterAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { startModelServer, type ModelServer } from '../server.js';
import { postJson, raw } from '../testing/http.js';
import { CustomModelError, loadCustomModel, pickExport } from './custom.js';

const fixture = (name: string): string => fromRoot('lib', 'server', 'runtimes', 'fixtures', name);
const servers: ModelServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('loadCustomModel', () => {
  it('serves a TypeScript class with its optional methods', async () => {
    const model = await loadCustomModel({ modulePath: fixture('iris-model.ts'), parameters: { threshold: 2 } });
    const server = await startModelServer({ model, name: 'iris', port: 0, host: '127.0.0.1', unit: { unitId: 'iris', image: 'me/iris:1' }, log: { info() {}, warn() {}, error() {} } });
    servers.push(server);
    const res = await postJson(`${server.url}/api/v1.0/predictions`, { data: { ndarray: [[1], [3]] } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      data: { names: ['small', 'large'], ndarray: [[0.75, 0.25], [0.25, 0.75]] },
      meta: { metrics: [{ key: 'iris_predictions', type: 'COUNTER', value: 1 }], requestPath: { iris: 'me/iris:1' } },
    });
    expect(JSON.parse((await raw(`${server.url}/metadata`)).body)).toMatchObject({ name: 'iris-custom', platform: 'typescript' });
    expect((await raw(`${server.url}/prometheus`)).body).toMatch(/^iris_predictions\{.*\} 1$/m);
  });

  it('serves the class named by --model-class from a JavaScript module', async () => {
    const model = await loadCustomModel({ modulePath: fixture('two-models.mjs'), className: 'Negator' });
    expect(model.predict([[1, -2]], [])).toEqual([[-1, 2]]);
  });

  it('explains a missing file, an ambiguous module, a wrong class name and a class without predict', async () => {
    await expect(loadCustomModel({ modulePath: './no/such/model.ts' })).rejects.toThrow(/Model module \.\/no\/such\/model\.ts not found/);
    await expect(loadCustomModel({ modulePath: fixture('two-models.mjs') })).rejects.toThrow(/exports several models \(Doubler, Negator\); choose one with --model-class/);
    await expect(loadCustomModel({ modulePath: fixture('two-models.mjs'), className: 'Tripler' })).rejects.toThrow(/exports no Tripler; it exports Doubler, Negator, version/);
    await expect(loadCustomModel({ modulePath: fixture('no-predict.ts') })).rejects.toThrow(CustomModelError);
    await expect(loadCustomModel({ modulePath: fixture('no-predict.ts'), className: 'Forgetful' })).rejects.toThrow(/Forgetful in .* has no predict\(X, names, meta\) method/);
  });
});

describe('pickExport', () => {
  class A {
    predict(): number[] {
      return [];
    }
  }
  it('prefers the default export, then the only model, then the one named like the file', () => {
    expect(pickExport({ default: A, B: A }, undefined, '/x/m.ts').name).toBe('default export');
    expect(pickExport({ helper: 1, Only: A }, undefined, '/x/m.ts').name).toBe('Only');
    expect(pickExport({ Other: A, MyModel: A }, undefined, '/x/MyModel.ts').name).toBe('MyModel');
    const instance = { predict: () => [1] };
    expect(pickExport({ model: instance }, undefined, '/x/m.ts').value).toBe(instance);
  });
});
