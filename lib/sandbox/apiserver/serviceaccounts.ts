// SPDX-License-Identifier: Apache-2.0
// ServiceAccounts: how a program in a pod proves who it is to the API server.
//
// On a cluster two pieces work together, and the sandbox has both:
//
// 1. The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount) changes every new
//    Pod before it is stored: it fills in `serviceAccountName: default`, refuses a pod whose
//    ServiceAccount does not exist (403), and, unless `automountServiceAccountToken: false` (on the
//    pod, else on the ServiceAccount), adds a projected volume `kube-api-access-<random>` and mounts
//    it read-only in every container at /var/run/secrets/kubernetes.io/serviceaccount:
//
//        token       a token for the pod's ServiceAccount (serviceAccountToken projection)
//        ca.crt      the cluster CA, from the namespace's ConfigMap kube-root-ca.crt
//        namespace   the pod's namespace (downward API)
//
//    `kubectl get pod -o yaml` shows that volume in the sandbox as on minikube.
// 2. The kubelet writes the files; client libraries read them (client-node's `loadFromCluster()`,
//    client-go's `rest.InClusterConfig()`) together with KUBERNETES_SERVICE_HOST/PORT.
//
// The tokens (ServiceAccountTokens below) are JSON Web Tokens with the claims a real one carries
// (issuer, `system:serviceaccount:<ns>:<name>` subject, the ServiceAccount's uid), signed with a key
// derived from the sandbox's own bearer token. What is simpler than on a cluster, and the lessons
// say so: there is one token per ServiceAccount, it does not expire, and it is not bound to the pod;
// and the API server checks only that the ServiceAccount still exists (same uid). What the token
// may then do is what RBAC grants the ServiceAccount (authz.ts), as on a cluster.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApiCore } from './core.js';
import { generatedName } from './objects.js';
import { errors } from './status.js';
import { objectKey } from './store.js';
import type { KubeObject } from './types.js';

/** Where the credentials appear in every container. */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The prefix of the volume's name; the admission plugin adds five random characters. */
export const SERVICE_ACCOUNT_VOLUME_PREFIX = 'kube-api-access-';
/** The lifetime the admission plugin asks for (an hour, plus 7 s that mark a kubelet-refreshed token). */
const TOKEN_EXPIRATION_SECONDS = 3607;
/** The issuer a kube-apiserver names by default. */
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const listAt = (obj: Json, key: string): Json[] => (Array.isArray(obj[key]) ? (obj[key] as unknown[]).filter(isObject) : []);

/** The projected volume the admission plugin adds (the same fields, in the same order, as 1.30's). */
export function serviceAccountVolume(name: string): Json {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/**
 * The ServiceAccount admission plugin, on a Pod being created. Leaves the pod alone when its
 * namespace is missing or terminating: the namespace check (core.ts `admit`) answers for that.
 */
export function admitServiceAccount(core: ApiCore, pod: KubeObject): void {
  if (!isObject(pod.spec)) return;
  const spec = pod.spec;
  const namespace = pod.metadata.namespace ?? '';
  const ns = core.store.get('/namespaces', objectKey(undefined, namespace));
  if (!ns || ns.metadata.deletionTimestamp) return;

  if (typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName === '') {
    spec.serviceAccountName = typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '' ? spec.serviceAccount : 'default';
  }
  const saName = spec.serviceAccountName as string;
  const sa = core.store.get('/serviceaccounts', objectKey(namespace, saName));
  if (!sa) {
    throw errors.forbidden(`pods "${pod.metadata.name ?? ''}" is forbidden: error looking up service account ${namespace}/${saName}: serviceaccount "${saName}" not found`, {
      name: pod.metadata.name, kind: 'pods',
    });
  }

  const automount = typeof spec.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken : sa.automountServiceAccountToken !== false;
  if (!automount) return;

  const volumes = listAt(spec, 'volumes');
  const existing = volumes.find((v) => typeof v.name === 'string' && v.name.startsWith(SERVICE_ACCOUNT_VOLUME_PREFIX));
  const volumeName = existing ? String(existing.name) : generatedName(SERVICE_ACCOUNT_VOLUME_PREFIX);
  let needed = false;
  // Every container gets the mount, except one that already mounts something at that path.
  for (const list of ['initContainers', 'containers']) {
    for (const container of listAt(spec, list)) {
      const mounts = listAt(container, 'volumeMounts');
      if (mounts.some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
      container.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
      needed = true;
    }
  }
  if (needed && !existing) spec.volumes = [...volumes, serviceAccountVolume(volumeName)];
}

/** Who a valid ServiceAccount token speaks for. */
export interface ServiceAccountIdentity {
  namespace: string;
  name: string;
  uid: string;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * Issues and checks ServiceAccount tokens: HS256 JSON Web Tokens signed with a key derived from
 * the sandbox's bearer token, so the tokens of a sandbox kept in `--data-dir` stay valid across
 * restarts, and no other sandbox accepts them.
 */
export class ServiceAccountTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('seldon-lab serviceaccount tokens').digest();
  }

  /** The token of a ServiceAccount (the same one every time: one per ServiceAccount). */
  issue(sa: ServiceAccountIdentity): string {
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const claims = base64url(JSON.stringify({
      iss: ISSUER,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
      aud: [ISSUER],
      'kubernetes.io': { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } },
    }));
    return `${header}.${claims}.${this.sign(`${header}.${claims}`)}`;
  }

  /** The token of the ServiceAccount `namespace/name` as stored now, or undefined when there is none. */
  issueFor(core: ApiCore, namespace: string, name: string): string | undefined {
    const sa = core.store.get('/serviceaccounts', objectKey(namespace, name));
    return sa ? this.issue({ namespace, name, uid: String(sa.metadata.uid) }) : undefined;
  }

  /** Who the token speaks for, if it is one of ours and its ServiceAccount still exists with the same uid. */
  verify(core: ApiCore, token: string): ServiceAccountIdentity | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let identity: ServiceAccountIdentity;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { 'kubernetes.io'?: { namespace?: string; serviceaccount?: { name?: string; uid?: string } } };
      const k = claims['kubernetes.io'];
      identity = { namespace: String(k?.namespace), name: String(k?.serviceaccount?.name), uid: String(k?.serviceaccount?.uid) };
    } catch {
      return undefined;
    }
    const sa = core.store.get('/serviceaccounts', objectKey(identity.namespace, identity.name));
    return sa && sa.metadata.uid === identity.uid ? identity : undefined;
  }

  private sign(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}
