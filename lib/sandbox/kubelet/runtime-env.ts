// SPDX-License-Identifier: Apache-2.0
// The contract between the sandbox kubelet and the programs it runs: what stands in for the
// container's own network and filesystem.
//
// A container has its own network namespace (so every pod can listen on port 9000) and its own
// filesystem (so `/mnt/models` is the pod's volume). A local process has neither, so the kubelet
// tells the program, in four environment variables, how to see the world as a container would:
//
//   SELDON_LAB_BIND_ADDRESS  the pod's IP (127.1.x.y). A server asked to listen on every address
//                            (0.0.0.0, ::, or no host at all) listens on this address instead,
//                            so two pods' servers on port 9000 never meet.
//   SELDON_LAB_MOUNTS        JSON: container path → host folder, one entry per volumeMount, e.g.
//                            {"/mnt/models":"/tmp/seldon-lab-kubelet-x/pods/<uid>/volumes/kubernetes.io~empty-dir/models"}.
//                            A program opening an absolute path under a mount path opens the
//                            same relative path under the host folder (the longest mount path
//                            wins). It keeps showing the container path in its messages.
//   SELDON_LAB_ROOTFS        a host folder that stands for `/` (the container's writable layer):
//                            any other absolute path lands there. Only the toybox uses it; the
//                            kit's programs read their own code and data from the repository.
//   SELDON_LAB_TIME_SCALE    the sandbox clock (see timing.ts); only the toybox's `sleep` uses it.
//
// The toybox honours all four. The kit's `seldon-lab serve` and `seldon-lab storage-init` honour
// SELDON_LAB_BIND_ADDRESS and SELDON_LAB_MOUNTS (lib/server/container-env.ts), so that Seldon's pod, with its `args: [gs://..., /mnt/models]` and
// `model_uri=/mnt/models`, runs unchanged and prints the paths it was given: nothing here is then
// visible to a lesson, and `kubectl logs` shows `/mnt/models`. Outside the sandbox (a container on
// minikube, a laptop) the variables are unset and both functions change nothing.
import { mkdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { expand } from './expansion.js';

// The two variables the kit's own programs honour are defined with them, in lib/server.
import { BIND_ADDRESS_ENV, MOUNTS_ENV } from '../../server/container-env.js';
export { BIND_ADDRESS_ENV, MOUNTS_ENV, hostPathFor, listenAddressFor } from '../../server/container-env.js';
export const ROOTFS_ENV = 'SELDON_LAB_ROOTFS';
export const TIME_SCALE_ENV = 'SELDON_LAB_TIME_SCALE';

/** A volumeMount that names no volume of the pod: the container cannot be created. */
export class MountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MountError';
  }
}

/**
 * The container's mount table: container path → host folder. `subPath` (and `subPathExpr`, whose
 * $(VAR) refer to the container's environment) mounts a folder inside the volume, created when
 * missing as the kubelet does.
 */
export async function mountTable(container: V1Container, volumeDirs: Map<string, string>, env: Map<string, string>): Promise<Record<string, string>> {
  const table: Record<string, string> = {};
  for (const mount of container.volumeMounts ?? []) {
    const dir = volumeDirs.get(mount.name);
    if (!dir) throw new MountError(`volumeMount "${mount.name}" of container "${container.name}" names no volume of the pod`);
    const sub = mount.subPathExpr !== undefined ? expand(mount.subPathExpr, (n) => env.get(n)) : mount.subPath;
    let host = dir;
    if (sub) {
      const clean = posix.normalize(sub);
      if (clean.startsWith('/') || clean.startsWith('..')) throw new MountError(`subPath ${JSON.stringify(sub)} of volumeMount "${mount.name}" must be a relative path inside the volume`);
      host = join(dir, clean);
      await mkdir(host, { recursive: true });
    }
    table[posix.normalize(mount.mountPath).replace(/(.)\/$/, '$1')] = host;
  }
  return table;
}

/** The variables that carry the contract above. */
export function runtimeEnv(podIP: string, mounts: Record<string, string>, rootfs: string, timeScale: number): Record<string, string> {
  return {
    [BIND_ADDRESS_ENV]: podIP,
    [MOUNTS_ENV]: JSON.stringify(mounts),
    [ROOTFS_ENV]: rootfs,
    [TIME_SCALE_ENV]: String(timeScale),
  };
}


