// SPDX-License-Identifier: Apache-2.0
// The storage initializer: a model URI in, a local folder of model files out.
//
// In a Seldon pod an init container (rclone) copies `modelUri` to /mnt/models before the model
// server starts; `seldon-lab storage-init <uri> <dest>` is that container, and the server calls
// the same code when given --model-uri. Schemes:
//
//   /path, ./path, file:///path   a local file or folder (used in place, or copied to `dest`)
//   gs://bucket/path              Google Cloud Storage, anonymously (see gcs.ts)
//   http(s)://host/file           one file; http(s)://host/folder/ a folder index page (see http.ts)
//   pvc://claim/path              a mounted PersistentVolumeClaim (see pvc.ts)
//
// For every remote scheme the offline store (offline-store.ts) is tried first.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STORAGE_LIMITS, displayUri, DownloadSession, StorageError, type StorageLimits, type StorageProgress } from './download.js';
import { fetchGcs, gcsEndpoint } from './gcs.js';
import { fetchHttp } from './http.js';
import { findInStore, storeRoot } from './offline-store.js';
import { hostPathFor } from '../container-env.js';
import { pvcPath, pvcRoot } from './pvc.js';

export { StorageError, DEFAULT_STORAGE_LIMITS, displayUri, type StorageLimits, type StorageProgress } from './download.js';
export { gcsEndpoint, GCS_ENDPOINT } from './gcs.js';
export { folderLinks } from './http.js';
export { findInStore, storeRoot } from './offline-store.js';
export { pvcRoot, DEFAULT_PVC_ROOT } from './pvc.js';

export interface ResolveOptions {
  /** Put the files here (created if missing). Without it, local paths are used in place and
   * remote files go to a new temporary folder. */
  dest?: string;
  limits?: Partial<StorageLimits>;
  onProgress?: (progress: StorageProgress) => void;
  /** One line about what is happening ("using the offline store copy at ..."). */
  onInfo?: (message: string) => void;
  /** The offline store folder, or false for none (default: SELDON_LAB_MODEL_STORE or the repository's). */
  storeRoot?: string | false;
  /** The Cloud Storage endpoint (default STORAGE_EMULATOR_HOST or https://storage.googleapis.com). */
  gcsEndpoint?: string;
  /** Where pvc:// claims are mounted (default SELDON_LAB_PVC_ROOT or /mnt/pvc). */
  pvcRoot?: string;
  signal?: AbortSignal;
}

/** What a URI says: its scheme and, for remote ones, bucket (or host) and path. */
export interface ParsedUri {
  scheme: 'file' | 'gs' | 'http' | 'https' | 'pvc' | string;
  bucket: string;
  path: string;
}

export function parseModelUri(uri: string): ParsedUri {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(uri);
  if (!match) return { scheme: 'file', bucket: '', path: resolve(uri) };
  const scheme = match[1].toLowerCase();
  if (scheme === 'file') return { scheme, bucket: '', path: fileURLToPath(uri) };
  if (scheme === 'http' || scheme === 'https') {
    const url = new URL(uri);
    return { scheme, bucket: url.hostname, path: decodeURIComponent(url.pathname) };
  }
  const rest = match[2];
  const slash = rest.indexOf('/');
  return { scheme, bucket: slash < 0 ? rest : rest.slice(0, slash), path: slash < 0 ? '' : rest.slice(slash + 1) };
}

/**
 * Resolves `uri` to a local folder holding the model files, and returns that folder. Fails with
 * a StorageError whose message names the URI.
 */
export async function resolveModelUri(uri: string, options: ResolveOptions = {}): Promise<string> {
  if (!uri) throw new StorageError('(empty)', 'no model URI was given; pass --model-uri or the model_uri parameter');
  const parsed = parseModelUri(uri);
  const info = options.onInfo ?? (() => {});
  // In the sandbox, absolute container paths (/mnt/models, /mnt/pvc) live in the pod's volume folders.
  if (parsed.scheme === 'file') return useLocal(uri, hostPathFor(parsed.path), options);
  if (parsed.scheme === 'pvc') return useLocal(uri, hostPathFor(pvcPath(uri, parsed.bucket, parsed.path, pvcRoot(options.pvcRoot))), options);

  const stored = findInStore(storeRoot(options.storeRoot), parsed.scheme, parsed.bucket, parsed.path);
  if (stored) {
    info(`Using the offline store's copy of ${displayUri(uri)}: ${stored}`);
    return useLocal(uri, stored, options);
  }
  if (parsed.scheme !== 'gs' && parsed.scheme !== 'http' && parsed.scheme !== 'https') {
    throw new StorageError(uri, `the scheme ${parsed.scheme}:// is not supported; use gs://, http(s)://, pvc://, a local path, or put the files in the offline store (cluster/models/store/${parsed.scheme}/${parsed.bucket}/${parsed.path})`);
  }
  const dest = options.dest ? resolve(hostPathFor(options.dest)) : await mkdtemp(join(tmpdir(), 'seldon-lab-model-'));
  await mkdir(dest, { recursive: true });
  const session = new DownloadSession(uri, withDefaults(options.limits), options.onProgress, options.signal);
  try {
    if (parsed.scheme === 'gs') {
      const endpoint = gcsEndpoint(options.gcsEndpoint);
      info(`Downloading ${displayUri(uri)} from ${endpoint} into ${dest}`);
      await fetchGcs(session, parsed.bucket, parsed.path, dest, endpoint);
    } else {
      info(`Downloading ${displayUri(uri)} into ${dest}`);
      await fetchHttp(session, uri, dest);
    }
  } catch (err) {
    // A temporary folder of ours holds only a failed download: leave nothing behind.
    if (!options.dest) await rm(dest, { recursive: true, force: true });
    throw err;
  } finally {
    session.finish();
  }
  return dest;
}

/** The limits asked for, with the defaults in place of any left unset (or undefined). */
function withDefaults(limits: Partial<StorageLimits> = {}): StorageLimits {
  return {
    maxBytes: limits.maxBytes ?? DEFAULT_STORAGE_LIMITS.maxBytes,
    maxFiles: limits.maxFiles ?? DEFAULT_STORAGE_LIMITS.maxFiles,
    timeoutMs: limits.timeoutMs ?? DEFAULT_STORAGE_LIMITS.timeoutMs,
  };
}

/** A local file or folder: used in place, or copied into `dest`. A lone file gets a folder. */
async function useLocal(uri: string, path: string, options: ResolveOptions): Promise<string> {
  if (!existsSync(path)) throw new StorageError(uri, `${path} does not exist; check the path`);
  const isFile = statSync(path).isFile();
  if (!options.dest && !isFile) return path;
  const dest = options.dest ? resolve(hostPathFor(options.dest)) : join(tmpdir(), `seldon-lab-model-${randomBytes(6).toString('hex')}`);
  await mkdir(dest, { recursive: true });
  const target = isFile ? join(dest, basename(path)) : dest;
  if (resolve(path) !== target) await cp(path, target, { recursive: true, dereference: true });
  if (options.onProgress) {
    for (const file of isFile ? [basename(path)] : await listFiles(dest)) {
      options.onProgress({ uri, file, bytes: statSync(join(dest, file)).size, done: true });
    }
  }
  return dest;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}
