// SPDX-License-Identifier: Apache-2.0
// lib/sandbox/network: the sandbox's cluster network. Services get a loopback address that
// really forwards to ready pods (kube-proxy's job), Service DNS names resolve for the kit's own
// programs, and `kubectl port-forward` reaches pods through the API server.
//
//   const network = await startNetwork(sandbox.api);   // follows Services and Endpoints
//   network.table.pick('seldon', 'iris-default', 8000); // the DNAT decision, for the gateway
//   await network.stop();
import type { ApiHandle } from '../apiserver/api.js';
import { silentLogger, type Logger } from '../controllers/controller.js';
import type { InformerFactory } from '../controllers/informer.js';
import { registerLocalServiceTable } from './resolve.js';
import { ServiceProxy } from './service-proxy.js';
import { ServiceTable } from './service-table.js';

export {
  FIRST_UNPRIVILEGED_PORT, PRIVILEGED_PORT_OFFSET, isIPv4, parseServiceHost, serviceLoopbackAddress, serviceLoopbackPort,
  type ServiceName,
} from './address.js';
export { ServiceTable, buildView, type Backend, type NoBackend, type PickResult, type ServicePortView, type ServiceView } from './service-table.js';
export { ServiceProxy, type ServiceProxyOptions } from './service-proxy.js';
export {
  resolveServiceAddress, resolveServiceHost, resolveServiceUrl, registerLocalServiceTable, ServiceResolveError, type ResolveOptions,
} from './resolve.js';
export { handlePortForward, type PortForwardTarget } from './portforward/handler.js';

export interface Network {
  table: ServiceTable;
  proxy: ServiceProxy;
  stop(): Promise<void>;
}

export interface NetworkOptions {
  /** share the informers of the controllers (one watch per type); default: its own */
  informers?: InformerFactory;
  log?: Logger;
}

/** Starts the Service table and the Service proxy; resolves once Services are being served. */
export async function startNetwork(api: ApiHandle, options: NetworkOptions = {}): Promise<Network> {
  const log = options.log ?? silentLogger;
  const table = new ServiceTable(api, { informers: options.informers, log });
  await table.start();
  const proxy = new ServiceProxy(table, { log });
  await proxy.start();
  const unregister = registerLocalServiceTable(table);
  return {
    table,
    proxy,
    async stop() {
      unregister();
      await proxy.stop();
      table.stop();
    },
  };
}
