// SPDX-License-Identifier: Apache-2.0
// pvc://<claim>/<path> model URIs: files on a PersistentVolumeClaim. Seldon's operator mounts the
// claim into the initializer container at /mnt/pvc, so the URI means the local path
// /mnt/pvc/<path>. Outside a pod (the sandbox, a laptop) the root is configurable: the `pvcRoot`
// option or SELDON_LAB_PVC_ROOT.
import { join } from 'node:path';
import { StorageError } from './download.js';

export const DEFAULT_PVC_ROOT = '/mnt/pvc';

export function pvcRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.SELDON_LAB_PVC_ROOT ?? DEFAULT_PVC_ROOT;
}

/** The local path of `pvc://claim/path` under `root`. */
export function pvcPath(uri: string, claim: string, path: string, root: string): string {
  const clean = path.replace(/^\/+/, '');
  if (!claim) throw new StorageError(uri, 'a pvc:// URI needs a claim name: pvc://<claim>/<path>');
  if (clean.split('/').includes('..')) throw new StorageError(uri, 'the path must stay inside the claim (no ..)');
  return join(root, clean);
}
