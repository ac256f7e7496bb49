// SPDX-License-Identifier: Apache-2.0
// lib/sandbox/kubelet: the sandbox's node agent. Pods bound to its node run as local processes of
// the kit's own programs (images.ts says which image is which program), each pod on its own
// loopback address, with volumes, environment, probes, restarts, graceful termination and logs
// as a real kubelet provides them.
//
//   const kubelet = await startKubelet(api, { timeScale: 0.02 });
//   const lines = await kubelet.readLog({ namespace: 'seldon', pod: 'iris-...', container: 'classifier', tailLines: 10 });
//   await kubelet.stop();   // every process is gone when this resolves
export { startKubelet, type Kubelet, type KubeletOptions } from './kubelet.js';
export type { PodLogOptions } from './logs.js';
export { kitImages, lookupImage, parseImageRef, TOYBOX_APPLETS, type ImageEntry, type ImageRef, type KitImages } from './images.js';
export { BIND_ADDRESS_ENV, MOUNTS_ENV, ROOTFS_ENV, TIME_SCALE_ENV, hostPathFor, listenAddressFor } from './runtime-env.js';
export { scaledMs } from './timing.js';
