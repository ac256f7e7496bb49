// SPDX-License-Identifier: Apache-2.0
// gs://bucket/path model URIs, downloaded anonymously over HTTPS as Seldon's rclone initializer
// does (RCLONE_CONFIG_GS_ANONYMOUS=true): list the objects under the path with the Cloud Storage
// JSON API, then fetch each one with `alt=media`. No Google library, no credentials.
//
// The endpoint is https://storage.googleapis.com, or STORAGE_EMULATOR_HOST when set (the variable
// Google's own client libraries read to talk to a local fake), or the `gcsEndpoint` option.
import type { DownloadSession } from './download.js';
import { StorageError } from './download.js';

export const GCS_ENDPOINT = 'https://storage.googleapis.com';
const MAX_PAGES = 100;

/** The JSON API endpoint to use: an explicit one, the emulator's, or Google's. */
export function gcsEndpoint(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = explicit ?? env.STORAGE_EMULATOR_HOST ?? GCS_ENDPOINT;
  return (/^https?:\/\//.test(value) ? value : `http://${value}`).replace(/\/+$/, '');
}

interface ObjectList {
  items?: Array<{ name?: string; size?: string }>;
  nextPageToken?: string;
}

export async function fetchGcs(session: DownloadSession, bucket: string, path: string, dest: string, endpoint: string): Promise<void> {
  // rclone ignores leading and trailing slashes; so do we.
  const prefix = path.replace(/^\/+|\/+$/g, '');
  const objects: Array<{ name: string; relative: string; size?: number }> = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ prefix, fields: 'items(name,size),nextPageToken' });
    if (pageToken) query.set('pageToken', pageToken);
    const res = await session.get(`${endpoint}/storage/v1/b/${encodeURIComponent(bucket)}/o?${query}`, `the object list of gs://${bucket}/${prefix}`);
    let list: ObjectList;
    try {
      list = (await res.json()) as ObjectList;
    } catch (err) {
      throw new StorageError(session.uri, `the object list is not JSON (${(err as Error).message}); is ${endpoint} a Cloud Storage endpoint?`);
    }
    for (const item of list.items ?? []) {
      if (typeof item.name !== 'string' || item.name.endsWith('/')) continue;
      // `prefix` matches "iris" and "iris-old/...": keep the object itself and what is under "iris/".
      let relative: string | undefined;
      if (prefix === '') relative = item.name;
      else if (item.name === prefix) relative = prefix.slice(prefix.lastIndexOf('/') + 1);
      else if (item.name.startsWith(`${prefix}/`)) relative = item.name.slice(prefix.length + 1);
      if (relative) objects.push({ name: item.name, relative, size: item.size === undefined ? undefined : Number(item.size) });
    }
    pageToken = list.nextPageToken;
    if (!pageToken) break;
  }
  if (objects.length === 0) {
    throw new StorageError(session.uri, `no objects found under it at ${endpoint}; check the bucket and path (the bucket must be public), or put the files in the offline store`);
  }
  for (const object of objects) {
    const url = `${endpoint}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(object.name)}?alt=media`;
    await session.save(await session.get(url, object.relative), dest, object.relative, object.size);
  }
}
