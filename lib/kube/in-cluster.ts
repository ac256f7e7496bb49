// SPDX-License-Identifier: Apache-2.0
// In-cluster configuration: how a program running in a pod (the operator, say) finds the API server
// and proves who it is, without a kubeconfig.
//
// Kubernetes gives every pod two things (lib/sandbox/apiserver/serviceaccounts.ts shows how):
//
//   KUBERNETES_SERVICE_HOST / _PORT                 where the API server is (the `kubernetes` Service)
//   /var/run/secrets/kubernetes.io/serviceaccount/  token (its ServiceAccount's), ca.crt, namespace
//
// client-node's `KubeConfig.loadFromCluster()` reads exactly those paths. In a container that is
// right; in the sandbox, where a pod is a local process, the folder is a volume somewhere under the
// kubelet's own folder, and the kubelet says where in SELDON_LAB_MOUNTS (the mount table that
// `hostPathFor()` reads, lib/server/container-env.ts). So the kit's programs load in-cluster
// configuration here: the same files, each opened through the mount table. Outside the sandbox
// there is no mount table and this is `loadFromCluster()`, path for path.
import { existsSync, readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { hostPathFor } from '../server/container-env.js';

/** Where Kubernetes mounts a pod's ServiceAccount credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The files of the credentials, as this program must open them (through the sandbox's mount table). */
export function serviceAccountFiles(env: NodeJS.ProcessEnv = process.env): { token: string; ca: string; namespace: string } {
  return {
    token: hostPathFor(`${SERVICE_ACCOUNT_DIR}/token`, env),
    ca: hostPathFor(`${SERVICE_ACCOUNT_DIR}/ca.crt`, env),
    namespace: hostPathFor(`${SERVICE_ACCOUNT_DIR}/namespace`, env),
  };
}

/** True in a pod that has its ServiceAccount's credentials: KUBERNETES_SERVICE_HOST is set and the token is there. */
export function runsInCluster(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(serviceAccountFiles(env).token);
}

/**
 * Loads the in-cluster configuration into `kc` (as `kc.loadFromCluster()` does, with each file
 * opened through the mount table) and returns it. Throws, saying what is missing, outside a pod.
 *
 *   const kc = loadInClusterConfig(new KubeConfig());
 */
export function loadInClusterConfig(kc: KubeConfig, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error('KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: this program is not running in a pod. Give it a kubeconfig instead (KUBECONFIG or --kubeconfig).');
  }
  const files = serviceAccountFiles(env);
  if (!existsSync(files.token)) {
    throw new Error(`no ServiceAccount token at ${SERVICE_ACCOUNT_DIR}/token: the pod was created with automountServiceAccountToken: false, or its ServiceAccount's token could not be mounted (kubectl describe pod says why).`);
  }
  // client-node's rules: plain HTTP only on the ports a proxy would use; IPv6 addresses in brackets.
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const server = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const namespace = existsSync(files.namespace) ? readFileSync(files.namespace, 'utf8').trim() : undefined;
  kc.loadFromOptions({
    clusters: [{ name: 'inCluster', server, caFile: files.ca, skipTLSVerify: false }],
    // The `tokenFile` provider reads the file again every minute, as the kubelet may rotate it.
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: files.token } } }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', ...(namespace ? { namespace } : {}) }],
    currentContext: 'inClusterContext',
  });
  return kc;
}
