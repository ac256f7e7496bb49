// SPDX-License-Identifier: Apache-2.0
// How the kit's entry points (`seldon-lab serve`, `seldon-lab storage-init`) see the world when the
// sandbox kubelet runs them as local processes instead of containers.
//
// A container has its own network namespace and filesystem; a local process has neither. The
// sandbox kubelet (lib/sandbox/kubelet/runtime-env.ts) therefore passes two environment variables:
//
//   SELDON_LAB_BIND_ADDRESS  the pod's own IP (127.N.x.y): "listen everywhere" means listen there,
//                            so two pods' servers on port 9000 never meet.
//   SELDON_LAB_MOUNTS        JSON map of container path → host folder (one per volumeMount):
//                            `/mnt/models/model.joblib` opens under the pod's emptyDir folder.
//
// Outside the sandbox (a real container, a laptop) both are unset and nothing changes, so Seldon's
// pod spec (`args: [gs://..., /mnt/models]`, `model_uri=/mnt/models`) runs unchanged everywhere.
import { join, posix } from 'node:path';

export const BIND_ADDRESS_ENV = 'SELDON_LAB_BIND_ADDRESS';
export const MOUNTS_ENV = 'SELDON_LAB_MOUNTS';

/**
 * Where a program should open `path`: under the host folder of the mount that holds it (longest
 * mount path first), or `path` itself when no mount holds it or there is no mount table.
 */
export function hostPathFor(path: string, env: NodeJS.ProcessEnv = process.env): string {
  const table = env[MOUNTS_ENV];
  if (!table || !posix.isAbsolute(path)) return path;
  const mounts = JSON.parse(table) as Record<string, string>;
  const clean = posix.normalize(path);
  const mountPath = Object.keys(mounts)
    .filter((m) => clean === m || clean.startsWith(m === '/' ? '/' : `${m}/`))
    .sort((a, b) => b.length - a.length)[0];
  return mountPath === undefined ? path : join(mounts[mountPath], clean.slice(mountPath.length));
}

/** Where a server asked to listen on `host` should listen: "every address" means the pod's own. */
export function listenAddressFor(host: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const pod = env[BIND_ADDRESS_ENV];
  const everywhere = host === undefined || host === '' || host === '0.0.0.0' || host === '::';
  return everywhere ? pod || host || '0.0.0.0' : host;
}
