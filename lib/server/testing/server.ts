// SPDX-License-Identifier: Apache-2.0
// The model server as tests start it: on a free loopback port, with no unit read from the
// environment (a test names its own), and logging nothing (the assertions say what matters).
import { startModelServer, type ModelServer, type ModelServerOptions } from '../server.js';

/** A logger that drops everything. */
export const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** `startModelServer()` for a test: port 0 on 127.0.0.1, `unit: {}` and `quiet`, unless `options` says otherwise. */
export function startTestServer(options: ModelServerOptions): Promise<ModelServer> {
  return startModelServer({ port: 0, host: '127.0.0.1', unit: {}, log: quiet, ...options });
}
