// SPDX-License-Identifier: Apache-2.0
// XGBOOST_SERVER as the model server sees it: loading a model folder, predicting, failing clearly.
import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedDType } from '../../dtype.js';
import { MicroserviceError } from '../../model.js';
import { fromRoot } from '../../../paths.js';
import { loadXGBoostModel, XGBoostServer } from './index.js';

const fixtures = fromRoot('cluster/models/fixtures');
const store = fromRoot('cluster/models/store/gs/seldon-models/xgboost/iris');
let scratch: string;
let folders = 0;

/** A fresh folder holding the given files: [name in the folder, fixture file or bytes]. */
async function folder(files: Array<[string, string | Uint8Array]>): Promise<string> {
  const dir = join(scratch, `m${folders++}`);
  await mkdir(dir);
  for (const [name, from] of files) {
    if (typeof from === 'string') await copyFile(join(fixtures, from), join(dir, name));
    else await writeFile(join(dir, name), from);
  }
  return dir;
}

async function loadError(dir: string): Promise<string> {
  try {
    await loadXGBoostModel(dir);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected loading to fail');
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'xgboost-runtime-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('loadXGBoostModel', () => {
  it("serves the offline store's iris model (gs://seldon-models/xgboost/iris) with the seed's answer", async () => {
    const model = await loadXGBoostModel(store);
    const answer = await model.predict([[1, 2, 3, 4]], []);
    expect(answer).toEqual([2]);
    expect(markedDType(answer)).toBe('float32'); // so the server writes [2.0], as Seldon does
    expect(model.summary()).toEqual({
      file: join(store, 'model.bst'),
      format: 'legacy-binary',
      objective: 'multi:softmax',
      booster: 'gbtree',
      features: 4,
      outputGroups: 10,
      trees: 100,
      writtenBy: '1.7',
    });
  });

  it('answers a 2-D list for multi:softprob (Seldon names its columns t:0..t:2)', async () => {
    const model = await loadXGBoostModel(await folder([['model.json', 'xgboost-iris-softprob/model.json']]));
    const out = (await model.predict([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], [])) as number[][];
    expect(out.map((row) => row.length)).toEqual([3, 3]);
    expect(out.map((row) => row.indexOf(Math.max(...row)))).toEqual([0, 2]);
  });

  it('looks for model.bst, then model.json, then model.ubj', async () => {
    const file = async (files: Array<[string, string]>) => (await loadXGBoostModel(await folder(files))).summary()?.file ?? '';
    expect(await file([['model.json', 'xgboost-binary/model.json'], ['model.bst', 'xgboost-iris/model.bst']])).toMatch(/model\.bst$/);
    expect(await file([['model.ubj', 'xgboost-binary/model.ubj'], ['model.json', 'xgboost-iris/model.json']])).toMatch(/model\.json$/);
    expect(await file([['model.ubj', 'xgboost-binary/model.ubj']])).toMatch(/model\.ubj$/);
  });

  it('reads model.bst by its content: XGBoost 2.1+ writes UBJSON there, and JSON works too', async () => {
    for (const [from, format] of [['xgboost-iris/model.ubj', 'ubjson'], ['xgboost-iris/model.json', 'json']]) {
      const model = await loadXGBoostModel(await folder([['model.bst', from]]));
      expect(model.summary()?.format).toBe(format);
      expect(await model.predict([[1, 2, 3, 4]], [])).toEqual([2]);
    }
  });

  it('fails with a message naming the folder or the file', async () => {
    const missing = join(scratch, 'no-such-folder');
    expect(await loadError(missing)).toBe(`XGBoost model folder ${missing} does not exist or is not a folder.`);

    const empty = await folder([]);
    expect(await loadError(empty)).toBe(
      `No XGBoost model in ${empty}: expected model.bst, model.json, model.ubj (looked for in that order). ` +
        "Save one with booster.save_model('model.json').",
    );

    const blank = await folder([['model.bst', new Uint8Array()]]);
    expect(await loadError(blank)).toBe(`The XGBoost model ${join(blank, 'model.bst')} is empty: it was not saved or not copied completely.`);

    const badJson = await folder([['model.json', new TextEncoder().encode('{"learner": ')]]);
    expect(await loadError(badJson)).toMatch(
      new RegExp(`^Cannot load the XGBoost model ${join(badJson, 'model.json')} \\(JSON\\): it is not valid JSON`),
    );

    const ubj = await readFile(join(fixtures, 'xgboost-iris/model.ubj'));
    const cut = await folder([['model.ubj', ubj.subarray(0, 5000)]]);
    expect(await loadError(cut)).toMatch(/^Cannot load the XGBoost model .*model\.ubj \(UBJSON\): truncated: .*copied completely\.$/);

    const bst = await readFile(join(fixtures, 'xgboost-iris/model.bst'));
    const cutBst = await folder([['model.bst', bst.subarray(0, 1000)]]);
    expect(await loadError(cutBst)).toMatch(/^Cannot load the XGBoost model .*model\.bst \(legacy binary format\): the file is truncated/);
  });

  it('refuses deeply nested files, JSON or UBJSON, without exhausting the stack', async () => {
    const depth = 100_000;
    const json = await folder([['model.json', new TextEncoder().encode('['.repeat(depth) + ']'.repeat(depth))]]);
    expect(await loadError(json)).toMatch(/model\.json \(JSON\): the model should be an object, got a list/);
    const ubj = await folder([['model.ubj', new TextEncoder().encode('{' + 'i\u0001a{'.repeat(depth))]]);
    expect(await loadError(ubj)).toMatch(/model\.ubj \(UBJSON\): containers nest deeper than 64 levels/);
  });

  it('refuses a file too large to be a model before reading it', async () => {
    const dir = await folder([['model.json', new Uint8Array()]]);
    await truncate(join(dir, 'model.json'), 600 * 1024 * 1024); // sparse: takes no disk space
    expect(await loadError(dir)).toMatch(/is 629145600 bytes, more than the 536870912 this runtime loads/);
  });
});

describe('XGBoostServer', () => {
  it("loads on the first predict if nobody called load(), as Seldon's server does", async () => {
    const server = new XGBoostServer(store);
    expect(server.summary()).toBeUndefined();
    expect(await server.predict([[1, 2, 3, 4]], [])).toEqual([2]);
    // Once loaded, predict answers without a promise.
    expect(server.predict([[5.1, 3.5, 1.4, 0.2]], [])).toEqual([0]);
  });

  it('lets errors through as plain Errors, which the protocol layer answers with HTTP 500', async () => {
    const model = await loadXGBoostModel(store);
    let error: unknown;
    try {
      model.predict([[1, 2, 3, 4, 5]], []);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(MicroserviceError);
    expect((error as Error).message).toBe(
      'Number of columns does not match number of features in booster: the model has 4 features, the request has 5.',
    );
  });

  it('can retry a failed load once the file is fixed', async () => {
    const dir = await folder([]);
    const server = new XGBoostServer(dir);
    await expect(server.load()).rejects.toThrow(/No XGBoost model/);
    await copyFile(join(fixtures, 'xgboost-iris/model.json'), join(dir, 'model.json'));
    await server.load();
    expect(server.predict([[1, 2, 3, 4]], [])).toEqual([2]);
  });

  it("reads metadata.yaml as Seldon's server does: {} when absent or not YAML", async () => {
    const dir = await folder([['model.json', 'xgboost-iris/model.json']]);
    const server = await loadXGBoostModel(dir);
    expect(await server.metadata()).toEqual({});
    await writeFile(join(dir, 'metadata.yaml'), 'name: iris\nversions: [iris/v1]\nplatform: xgboost\n');
    expect(await server.metadata()).toEqual({ name: 'iris', versions: ['iris/v1'], platform: 'xgboost' });
    await writeFile(join(dir, 'metadata.yaml'), 'name: [unclosed\n');
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      expect(await server.metadata()).toEqual({});
    } finally {
      console.error = original;
    }
    expect(String(logged[0])).toMatch(/metadata\.yaml present but does not contain valid yaml/);
  });
});
