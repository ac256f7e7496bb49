// SPDX-License-Identifier: Apache-2.0
// The offline model store: copies of the models the course uses, kept in the repository at
// cluster/models/store/<scheme>/<bucket or host>/<path>, e.g.
//   gs://seldon-models/v1.11.0-dev/sklearn/iris -> cluster/models/store/gs/seldon-models/v1.11.0-dev/sklearn/iris
// It is consulted before any network, so the seed's sample.yaml works in a classroom with no
// internet (and the public bucket need not still exist). Another folder can stand in for it
// (the `storeRoot` option or SELDON_LAB_MODEL_STORE), and `storeRoot: false` turns it off.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../paths.js';

/** The store folder: explicit, from SELDON_LAB_MODEL_STORE, or the repository's; undefined when none. */
export function storeRoot(explicit?: string | false, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit === false) return undefined;
  if (explicit) return explicit;
  if (env.SELDON_LAB_MODEL_STORE) return env.SELDON_LAB_MODEL_STORE;
  try {
    return fromRoot('cluster', 'models', 'store');
  } catch {
    // Not inside the repository (a bare container): no store, only the network.
    return undefined;
  }
}

/** The store's copy of `scheme://bucket/path`, if it has one. */
export function findInStore(root: string | undefined, scheme: string, bucket: string, path: string): string | undefined {
  if (!root || !bucket) return undefined;
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.includes('..') || bucket.includes('..') || bucket.includes('/')) return undefined;
  const candidate = join(root, scheme, bucket, ...parts);
  return existsSync(candidate) ? candidate : undefined;
}
