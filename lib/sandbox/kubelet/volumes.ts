// SPDX-License-Identifier: Apache-2.0
// A pod's volumes as folders on this machine, laid out as the kubelet lays them out
// (`/var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>`), under the sandbox's own
// folder instead of /var/lib/kubelet:
//
//   emptyDir      an empty folder that lives as long as the pod (restarts keep its files)
//   configMap     one file per key (or per `items` entry), mode `defaultMode`/`mode`
//   secret        the same, with the values base64-decoded
//   downwardAPI   the pod's own fields: labels, annotations, name, namespace, uid, resources
//   projected     several of the above in one folder
//
// Files are written the kubelet's atomic way: into a fresh `..<time>` folder, then the `..data`
// symlink is switched to it in one rename, so a program never reads half an update. That matters
// because ConfigMap, Secret and downward API volumes follow their sources while the pod runs.
//
// Other volume types (hostPath, persistentVolumeClaim, ...) cannot be honoured here: the pod
// stays in ContainerCreating with a FailedMount event that says so, as on a node missing a driver.
import { chmod, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { V1DownwardAPIVolumeFile, V1KeyToPath, V1Volume } from '@kubernetes/client-node';
import type { KubeObject } from '../apiserver/types.js';
import { ContainerConfigError, fieldRefValue, type PodAddresses } from './env.js';
import { resourceFieldValue } from './quantity.js';

/** A volume could not be set up; the message is the FailedMount event's. */
export class VolumeSetupError extends Error {
  constructor(readonly volume: string, detail: string) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${detail}`);
    this.name = 'VolumeSetupError';
  }
}

export interface VolumeSources {
  configMap(namespace: string, name: string): KubeObject | undefined;
  secret(namespace: string, name: string): KubeObject | undefined;
  /**
   * the token written for `serviceAccountToken` projections: one for every pod, or the pod's own
   * (its ServiceAccount's; undefined when that ServiceAccount is gone, which fails the mount)
   */
  serviceAccountToken?: string | ((pod: KubeObject) => string | undefined);
}

/** file path inside the volume → content and mode */
type Payload = Map<string, { content: Buffer; mode: number }>;

const SUPPORTED = ['emptyDir', 'configMap', 'secret', 'downwardAPI', 'projected'] as const;

/** Where a volume lives on this machine. */
export function volumeDir(podDir: string, volume: V1Volume): string {
  const kind = SUPPORTED.find((k) => volume[k] !== undefined) ?? 'unsupported';
  const plugin = kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return join(podDir, 'volumes', `kubernetes.io~${plugin}`, volume.name);
}

function dataOf(obj: KubeObject, secret: boolean): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) out.set(k, secret ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8'));
  if (!secret) for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>)) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

/** The files of a ConfigMap or Secret source, honouring `items`, `defaultMode` and `optional`. */
function keyFiles(
  volume: string,
  kind: 'configmap' | 'secret',
  obj: KubeObject | undefined,
  source: { name?: string; items?: V1KeyToPath[]; optional?: boolean },
  defaultMode: number,
  into: Payload,
): void {
  if (!obj) {
    if (source.optional) return;
    throw new VolumeSetupError(volume, `${kind} "${source.name}" not found`);
  }
  const data = dataOf(obj, kind === 'secret');
  const items: V1KeyToPath[] = source.items ?? [...data.keys()].map((key) => ({ key, path: key }));
  for (const item of items) {
    const content = data.get(item.key);
    if (content === undefined) {
      if (source.optional) continue;
      throw new VolumeSetupError(volume, `${kind} references non-existent ${kind === 'secret' ? 'secret' : 'config'} key: ${item.key}`);
    }
    into.set(item.path, { content, mode: item.mode ?? defaultMode });
  }
}

function downwardFiles(pod: KubeObject, items: V1DownwardAPIVolumeFile[], defaultMode: number, addresses: PodAddresses, volume: string, into: Payload): void {
  const containers = ((pod.spec ?? {}) as { containers?: { name: string }[] }).containers ?? [];
  for (const item of items) {
    let text: string;
    try {
      if (item.fieldRef) text = fieldRefValue(pod, item.fieldRef, addresses);
      else if (item.resourceFieldRef) {
        const name = item.resourceFieldRef.containerName;
        const container = containers.find((c) => c.name === name) ?? (name ? undefined : containers[0]);
        if (!container) throw new Error(`container "${name}" not found in pod`);
        text = resourceFieldValue(container as never, item.resourceFieldRef);
      } else continue;
    } catch (error) {
      throw new VolumeSetupError(volume, (error as ContainerConfigError).message);
    }
    into.set(item.path, { content: Buffer.from(text, 'utf8'), mode: item.mode ?? defaultMode });
  }
}

/** What a volume's folder should hold, or undefined for an emptyDir (whose files are the program's). */
export function volumePayload(pod: KubeObject, volume: V1Volume, sources: VolumeSources, addresses: PodAddresses): Payload | undefined {
  const namespace = String(pod.metadata.namespace);
  const files: Payload = new Map();
  if (volume.emptyDir) return undefined;
  if (volume.configMap) {
    keyFiles(volume.name, 'configmap', sources.configMap(namespace, String(volume.configMap.name)), volume.configMap, volume.configMap.defaultMode ?? 0o644, files);
  } else if (volume.secret) {
    keyFiles(volume.name, 'secret', sources.secret(namespace, String(volume.secret.secretName)), { ...volume.secret, name: volume.secret.secretName }, volume.secret.defaultMode ?? 0o644, files);
  } else if (volume.downwardAPI) {
    downwardFiles(pod, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode ?? 0o644, addresses, volume.name, files);
  } else if (volume.projected) {
    const mode = volume.projected.defaultMode ?? 0o644;
    for (const source of volume.projected.sources ?? []) {
      if (source.configMap) keyFiles(volume.name, 'configmap', sources.configMap(namespace, String(source.configMap.name)), source.configMap, mode, files);
      else if (source.secret) keyFiles(volume.name, 'secret', sources.secret(namespace, String(source.secret.name)), source.secret, mode, files);
      else if (source.downwardAPI) downwardFiles(pod, source.downwardAPI.items ?? [], mode, addresses, volume.name, files);
      else if (source.serviceAccountToken && sources.serviceAccountToken) {
        const token = typeof sources.serviceAccountToken === 'function' ? sources.serviceAccountToken(pod) : sources.serviceAccountToken;
        const account = ((pod.spec ?? {}) as { serviceAccountName?: string }).serviceAccountName ?? 'default';
        if (token === undefined) throw new VolumeSetupError(volume.name, `failed to fetch token: serviceaccounts "${account}" not found`);
        files.set(source.serviceAccountToken.path, { content: Buffer.from(token), mode });
      }
    }
  } else {
    const kind = Object.keys(volume).find((k) => k !== 'name') ?? 'unknown';
    throw new VolumeSetupError(volume.name, `the sandbox cluster mounts ${SUPPORTED.join(', ')} volumes, not ${kind}`);
  }
  return files;
}

/** A path inside `root`, refusing anything that would land outside it (`../x`, `/etc/x`). */
function inside(root: string, relative: string, volume: string): string {
  const target = resolve(root, relative);
  if (relative.startsWith('/') || !target.startsWith(root + sep)) throw new VolumeSetupError(volume, `invalid path ${JSON.stringify(relative)}: must be relative and may not contain '..'`);
  return target;
}

/** Writes `payload` into `dir` atomically (the kubelet's AtomicWriter), removing files no longer in it. */
async function writeAtomically(dir: string, payload: Payload, volume: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stamp = `..${new Date().toISOString().replace(/[-:.TZ]/g, '_')}${process.hrtime.bigint() % 1000000n}`;
  const staging = join(dir, stamp);
  await mkdir(staging);
  const top = new Set<string>();
  for (const [path, file] of payload) {
    const target = inside(staging, path, volume);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    await chmod(target, file.mode);
    top.add(path.split('/')[0]);
  }
  const previous = await readlink(join(dir, '..data')).catch(() => undefined);
  await symlink(stamp, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('..')) continue;
    if (!top.has(entry)) await rm(join(dir, entry), { force: true, recursive: true });
  }
  for (const name of top) {
    await symlink(join('..data', name), join(dir, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  if (previous && previous !== stamp) await rm(join(dir, previous), { recursive: true, force: true });
}

/**
 * Sets up (or refreshes) every volume of the pod; returns volume name → folder. An emptyDir is
 * created once and never touched again. Throws a VolumeSetupError for the first volume that
 * cannot be set up.
 */
export async function setUpVolumes(pod: KubeObject, podDir: string, sources: VolumeSources, addresses: PodAddresses): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  for (const volume of ((pod.spec ?? {}) as { volumes?: V1Volume[] }).volumes ?? []) {
    const dir = volumeDir(podDir, volume);
    const payload = volumePayload(pod, volume, sources, addresses);
    if (payload === undefined) await mkdir(dir, { recursive: true, mode: 0o777 });
    else await writeAtomically(dir, payload, volume.name);
    dirs.set(volume.name, dir);
  }
  return dirs;
}

/** Whether a volume follows a ConfigMap or Secret of this name (so a change must refresh it). */
export function volumeUses(volume: V1Volume, kind: 'configmap' | 'secret', name: string): boolean {
  if (kind === 'configmap' && volume.configMap?.name === name) return true;
  if (kind === 'secret' && volume.secret?.secretName === name) return true;
  return (volume.projected?.sources ?? []).some((s) => (kind === 'configmap' ? s.configMap?.name : s.secret?.name) === name);
}
