// SPDX-License-Identifier: Apache-2.0
// The kubeconfig that points kubectl, helm and @kubernetes/client-node at the sandbox: one
// cluster (its URL and CA), one user (a bearer token), and the context `seldon-lab-sandbox`
// joining them. The file holds a credential, so it is written with mode 0600, and replaced
// atomically (write, then rename) so a reader never sees half of it.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export const CONTEXT = 'seldon-lab-sandbox';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  token: string;
  /** the namespace kubectl uses without `-n` (default: default) */
  namespace?: string;
}

export function kubeconfigYaml(options: KubeconfigOptions): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT, cluster: { server: options.server, 'certificate-authority-data': Buffer.from(options.caPem).toString('base64') } }],
    users: [{ name: CONTEXT, user: { token: options.token } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: CONTEXT, namespace: options.namespace ?? 'default' } }],
    'current-context': CONTEXT,
    preferences: {},
  };
  return stringify(config);
}

/** Writes the kubeconfig to `path` (mode 0600, atomically) and returns the path. */
export function writeKubeconfig(path: string, options: KubeconfigOptions): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, kubeconfigYaml(options), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}
