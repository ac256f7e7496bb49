// SPDX-License-Identifier: Apache-2.0
// Protobuf request bodies: the `k8s\0` envelope, and DeleteOptions as typed clients (helm's Secret
// driver) send it with a DELETE.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../index.js';
import { raw } from '../testing.js';
import { decodeProtobuf, PROTOBUF } from './protobuf.js';

/** A `k8s\0` + runtime.Unknown{typeMeta, raw} envelope around `inner`. */
function envelope(apiVersion: string, kind: string, inner: Uint8Array): Buffer {
  const unknown = new BinaryWriter();
  unknown.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string(apiVersion).uint32((2 << 3) | 2).string(kind).join();
  unknown.uint32((2 << 3) | 2).bytes(inner);
  return Buffer.concat([Buffer.from('k8s\u0000', 'latin1'), Buffer.from(unknown.finish())]);
}

/** DeleteOptions{gracePeriodSeconds, preconditions{uid}, propagationPolicy, dryRun}. */
function deleteOptions(opts: { gracePeriodSeconds?: number; uid?: string; propagationPolicy?: string; dryRun?: string[] }): Uint8Array {
  const w = new BinaryWriter();
  if (opts.gracePeriodSeconds !== undefined) w.uint32((1 << 3) | 0).int64(opts.gracePeriodSeconds);
  if (opts.uid !== undefined) w.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 2).string(opts.uid).join();
  if (opts.propagationPolicy !== undefined) w.uint32((4 << 3) | 2).string(opts.propagationPolicy);
  for (const d of opts.dryRun ?? []) w.uint32((5 << 3) | 2).string(d);
  return w.finish();
}

describe('protobuf DeleteOptions', () => {
  it('decodes under any group version, keeping a zero grace period', () => {
    const body = envelope('v1', 'DeleteOptions', deleteOptions({ gracePeriodSeconds: 0, uid: 'u-1', propagationPolicy: 'Foreground' }));
    expect(decodeProtobuf(body)).toEqual({
      apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'u-1' }, propagationPolicy: 'Foreground',
    });
    expect(decodeProtobuf(envelope('meta.k8s.io/v1', 'DeleteOptions', deleteOptions({})))).toEqual({ apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions' });
  });

  describe('at the wire', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ controllers: false });
    });
    afterAll(async () => {
      await sandbox?.stop();
    });

    it('deletes with them, honouring preconditions and dryRun', async () => {
      const SECRETS = '/api/v1/namespaces/default/secrets';
      const created = await raw(sandbox, 'POST', SECRETS, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sh.helm.release.v1.x.v1' } } });
      const uid = created.json<{ metadata: { uid: string } }>().metadata.uid;
      const del = (opts: Parameters<typeof deleteOptions>[0]) =>
        raw(sandbox, 'DELETE', `${SECRETS}/sh.helm.release.v1.x.v1`, { body: envelope('v1', 'DeleteOptions', deleteOptions(opts)), contentType: PROTOBUF });
      expect((await del({ uid: 'someone-else' })).status).toBe(409);
      expect((await del({ uid, dryRun: ['All'] })).status).toBe(200);
      expect((await raw(sandbox, 'GET', `${SECRETS}/sh.helm.release.v1.x.v1`)).status).toBe(200);
      const gone = await del({ uid, propagationPolicy: 'Background' });
      expect(gone.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'sh.helm.release.v1.x.v1', kind: 'secrets', uid } });
      expect((await raw(sandbox, 'GET', `${SECRETS}/sh.helm.release.v1.x.v1`)).status).toBe(404);
    });
  });
});
