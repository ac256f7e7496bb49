// SPDX-License-Identifier: Apache-2.0
// The gateway's default port, in a file of its own: `seldon-lab sandbox` prints it in its usage,
// and the sandbox's start reads it, without loading the gateway itself (lib/sandbox/start.ts
// loads the gateway only once the API server answers).

/** Seldon's documented ingress port (`kubectl port-forward ... 8003:8080`). */
export const DEFAULT_INGRESS_PORT = 8003;
