// SPDX-License-Identifier: Apache-2.0
// The storage initializer against local files, the offline store, a node:http server and a fake
// Cloud Storage JSON API, all on this machine (never the internet).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../paths.js';
import { startFakeGcs, type FakeGcs } from '../testing/fake-gcs.js';
import { folderLinks, parseModelUri, resolveModelUri, StorageError, type StorageProgress } from './index.js';

const work = mkdtempSync(join(tmpdir(), 'seldon-lab-storage-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(work, `dest-${++n}`);
/** An endpoint nothing listens on (a port just freed): proves a resolve made no network call. */
let NOWHERE = '';
beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  NOWHERE = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
});

function files(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  ).sort();
}

describe('local paths', () => {
  const model = join(work, 'local-model');
  beforeAll(() => {
    mkdirSync(join(model, 'sub'), { recursive: true });
    writeFileSync(join(model, 'model.joblib'), 'weights');
    writeFileSync(join(model, 'sub', 'extra.txt'), 'x');
  });

  it('uses a folder in place, by path or file:// URL', async () => {
    expect(await resolveModelUri(model)).toBe(model);
    expect(await resolveModelUri(pathToFileURL(model).href)).toBe(model);
  });

  it('copies into dest, and gives a lone file a folder of its own', async () => {
    const dest = fresh();
    const progress: StorageProgress[] = [];
    expect(await resolveModelUri(model, { dest, onProgress: (p) => progress.push(p) })).toBe(dest);
    expect(files(dest)).toEqual(['model.joblib', 'sub/extra.txt']);
    expect(progress.map((p) => p.file).sort()).toEqual(['model.joblib', 'sub/extra.txt']);
    const single = await resolveModelUri(join(model, 'model.joblib'));
    expect(files(single)).toEqual(['model.joblib']);
    rmSync(single, { recursive: true });
  });

  it('fails with a message naming the URI when the path does not exist', async () => {
    await expect(resolveModelUri(join(work, 'missing'))).rejects.toThrow(/Could not get the model at .*missing: .* does not exist/);
  });

  it('reads pvc://claim/path under the mount root', async () => {
    expect(await resolveModelUri('pvc://my-claim/local-model', { pvcRoot: work })).toBe(model);
    await expect(resolveModelUri('pvc://my-claim/../etc', { pvcRoot: work })).rejects.toThrow(/inside the claim/);
  });
});

describe('the offline store', () => {
  it('answers the seed\'s gs://seldon-models/v1.11.0-dev/sklearn/iris from the repository, with no network', async () => {
    const dir = await resolveModelUri('gs://seldon-models/v1.11.0-dev/sklearn/iris', { gcsEndpoint: NOWHERE });
    expect(dir).toBe(fromRoot('cluster', 'models', 'store', 'gs', 'seldon-models', 'v1.11.0-dev', 'sklearn', 'iris'));
    expect(existsSync(join(dir, 'model.joblib'))).toBe(true);
  });

  it('is tried first for every remote scheme, and copies into dest when asked', async () => {
    const store = join(work, 'store');
    mkdirSync(join(store, 'https', 'models.example', 'iris'), { recursive: true });
    writeFileSync(join(store, 'https', 'models.example', 'iris', 'model.json'), '{}');
    const dest = fresh();
    const infos: string[] = [];
    expect(await resolveModelUri('https://models.example/iris/model.json', { storeRoot: store, dest, onInfo: (m) => infos.push(m) })).toBe(dest);
    expect(files(dest)).toEqual(['model.json']);
    expect(infos[0]).toContain('offline store');
  });

  it('refuses schemes it cannot fetch, pointing at the store', async () => {
    await expect(resolveModelUri('s3://bucket/iris', { storeRoot: false })).rejects.toThrow(/s3:\/\/ is not supported.*cluster\/models\/store\/s3\/bucket\/iris/);
  });
});

describe('gs:// through a fake Cloud Storage JSON API', () => {
  let gcs: FakeGcs;
  beforeAll(async () => {
    gcs = await startFakeGcs(
      {
        models: {
          'iris/model.joblib': 'joblib bytes',
          'iris/metadata.yaml': 'name: iris',
          'iris/nested/deep.txt': 'deep',
          'iris/': '',
          'iris-old/model.joblib': 'not this one',
          'single/model.bst': 'bst',
          'evil/../../escape': 'x',
        },
        private: { 'iris/model.joblib': 'secret' },
      },
      { pageSize: 2, forbidden: ['private'] },
    );
  });
  afterAll(() => gcs.close());
  const options = (extra: object = {}): object => ({ gcsEndpoint: gcs.endpoint, storeRoot: false, ...extra });

  it('downloads every object under the path, across pages, with progress', async () => {
    const dest = fresh();
    const progress: StorageProgress[] = [];
    expect(await resolveModelUri('gs://models/iris', options({ dest, onProgress: (p: StorageProgress) => progress.push(p) }))).toBe(dest);
    expect(files(dest)).toEqual(['metadata.yaml', 'model.joblib', 'nested/deep.txt']);
    expect(readFileSync(join(dest, 'model.joblib'), 'utf8')).toBe('joblib bytes');
    expect(progress.filter((p) => p.done).map((p) => [p.file, p.bytes, p.totalBytes])).toContainEqual(['model.joblib', 12, 12]);
    expect(gcs.requests.some((r) => r.includes('pageToken='))).toBe(true);
  });

  it('downloads a single object, and finds the endpoint in STORAGE_EMULATOR_HOST', async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = gcs.endpoint.replace('http://', '');
    try {
      const dir = await resolveModelUri('gs://models/single/model.bst', { storeRoot: false });
      expect(files(dir)).toEqual(['model.bst']);
      rmSync(dir, { recursive: true });
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });

  it('explains a private bucket, an empty path and an unreachable endpoint', async () => {
    await expect(resolveModelUri('gs://private/iris', options())).rejects.toThrow(/gs:\/\/private\/iris: HTTP 403.*must be public/);
    await expect(resolveModelUri('gs://models/nothing-here', options())).rejects.toThrow(/no objects found/);
    await expect(resolveModelUri('gs://models/iris', { storeRoot: false, gcsEndpoint: NOWHERE })).rejects.toThrow(/Could not get the model at gs:\/\/models\/iris: .*ECONNREFUSED/);
  });

  it('refuses object names that would escape the model folder', async () => {
    const dest = fresh();
    await expect(resolveModelUri('gs://models/evil', options({ dest }))).rejects.toThrow(/outside the model folder/);
    expect(existsSync(join(dest, '..', 'escape'))).toBe(false);
  });

  it('stops at the size limit, leaving no partial file', async () => {
    const dest = fresh();
    await expect(resolveModelUri('gs://models/iris', options({ dest, limits: { maxBytes: 15 } }))).rejects.toThrow(/larger than 15 bytes, the limit/);
    expect(files(dest).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});

describe('http(s)://', () => {
  let server: Server;
  let base: string;
  const big = Buffer.alloc(64 * 1024, 7);
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '/';
      const page = (links: string[]): void => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<html><body><a href="?C=N;O=D">Name</a><a href="../">Parent</a>${links.map((l) => `<a href="${l}">${l}</a>`).join('')}<a href="http://elsewhere.example/x">x</a></body></html>`);
      };
      if (url === '/models/iris/') return page(['model.joblib', 'metadata.yaml', 'sub/', '/models/other/secret']);
      if (url === '/models/iris/sub/') return page(['extra%20file.txt']);
      if (url === '/models/iris/model.joblib') return res.end('weights');
      if (url === '/models/iris/metadata.yaml') return res.end('name: iris');
      if (url === '/models/iris/sub/extra%20file.txt') return res.end('extra');
      if (url === '/models/big.bin') return res.end(big);
      if (url === '/models/plain/') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('[]');
      }
      if (url === '/private/model.bin') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('user:pa ss').toString('base64')}`;
        res.writeHead(ok ? 200 : 401);
        return res.end(ok ? 'private weights' : 'who are you?');
      }
      if (url === '/hang/model.bin') return; // never answers
      res.writeHead(404);
      res.end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('downloads a single file under its own name', async () => {
    const dir = await resolveModelUri(`${base}/models/iris/model.joblib`, { storeRoot: false });
    expect(files(dir)).toEqual(['model.joblib']);
    expect(readFileSync(join(dir, 'model.joblib'), 'utf8')).toBe('weights');
    rmSync(dir, { recursive: true });
  });

  it('sends user:password@ of the URL as Basic authentication', async () => {
    const dir = await resolveModelUri(`${base.replace('http://', 'http://user:pa%20ss@')}/private/model.bin`, { storeRoot: false });
    expect(readFileSync(join(dir, 'model.bin'), 'utf8')).toBe('private weights');
    rmSync(dir, { recursive: true });
    await expect(resolveModelUri(`${base}/private/model.bin`, { storeRoot: false })).rejects.toThrow(/HTTP 401/);
  });

  it('follows a folder\'s index page into subfolders, ignoring links that leave it', async () => {
    const dest = fresh();
    await resolveModelUri(`${base}/models/iris/`, { storeRoot: false, dest });
    expect(files(dest)).toEqual(['metadata.yaml', 'model.joblib', 'sub/extra file.txt']);
  });

  it('explains a missing file, a folder URL that is not an index page, a time-out and the size limit', async () => {
    await expect(resolveModelUri(`${base}/models/missing.joblib`, { storeRoot: false })).rejects.toThrow(/HTTP 404 Not Found for missing.joblib.*check the path/);
    await expect(resolveModelUri(`${base}/models/plain/`, { storeRoot: false })).rejects.toThrow(/not a folder listing/);
    await expect(resolveModelUri(`${base}/hang/model.bin`, { storeRoot: false, limits: { timeoutMs: 300 } })).rejects.toThrow(/gave up after 0.3 s, the time limit/);
    const err = await resolveModelUri(`${base}/models/big.bin`, { storeRoot: false, limits: { maxBytes: 1000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).message).toContain(`Could not get the model at ${base}/models/big.bin`);
  });
});

describe('messages', () => {
  it('never show a password or a signed URL\'s token', async () => {
    const err = (await resolveModelUri(`${NOWHERE.replace('http://', 'http://user:s3cret@')}/m/model.bin?X-Goog-Signature=abc`, { storeRoot: false }).catch((e: Error) => e)) as Error;
    expect(err.message).toContain(`Could not get the model at ${NOWHERE}/m/model.bin?...`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toMatch(/s3cret|abc/);
  });
});

describe('parsing', () => {
  it('splits URIs into scheme, bucket and path', () => {
    expect(parseModelUri('gs://seldon-models/v1.11.0-dev/sklearn/iris')).toEqual({ scheme: 'gs', bucket: 'seldon-models', path: 'v1.11.0-dev/sklearn/iris' });
    expect(parseModelUri('pvc://claim/a/b')).toEqual({ scheme: 'pvc', bucket: 'claim', path: 'a/b' });
    expect(parseModelUri('https://host:8443/a%20b/c')).toEqual({ scheme: 'https', bucket: 'host', path: '/a b/c' });
    expect(parseModelUri('/mnt/models').scheme).toBe('file');
  });

  it('reads links of an index page', () => {
    const folder = new URL('http://h/m/');
    const links = folderLinks('<a href="a.bin">a</a> <a href=\'b/\'>b</a> <a href="/m/c.txt">c</a> <a href="/x/d">d</a> <a href="b/deeper/">no</a>', folder);
    expect(links.files.map((u) => u.pathname)).toEqual(['/m/a.bin', '/m/c.txt']);
    expect(links.folders.map((u) => u.pathname)).toEqual(['/m/b/']);
  });
});
