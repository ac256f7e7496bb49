// SPDX-License-Identifier: Apache-2.0
// http(s):// model URIs.
//
// A URL naming a file (`https://host/models/iris/model.joblib`) is downloaded into the model
// folder under its own name. A URL ending in `/` names a folder: like rclone's http backend, we
// read the server's index page (the HTML listing that Apache, nginx's autoindex or
// `python3 -m http.server` write), download every file it links to in that folder, and descend
// into linked subfolders (at most 5 levels). Links that leave the folder are ignored.
import type { DownloadSession } from './download.js';
import { StorageError } from './download.js';

const MAX_FOLDER_DEPTH = 5;

export async function fetchHttp(session: DownloadSession, url: string, dest: string): Promise<void> {
  const parsed = new URL(url);
  if (!parsed.pathname.endsWith('/')) {
    const name = decodeURIComponent(parsed.pathname.slice(parsed.pathname.lastIndexOf('/') + 1));
    if (!name) throw new StorageError(session.uri, 'the URL names no file; end it with a file name, or with / for a folder listing');
    const res = await session.get(url, name);
    await session.save(res, dest, name);
    return;
  }
  await fetchFolder(session, parsed, parsed, dest, 0);
}

async function fetchFolder(session: DownloadSession, base: URL, folder: URL, dest: string, depth: number): Promise<void> {
  const res = await session.get(folder.href, `the folder listing ${folder.pathname}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('html')) {
    await res.body?.cancel().catch(() => undefined);
    throw new StorageError(session.uri, `${folder.href} is not a folder listing (it answered ${type || 'no Content-Type'}, not an HTML index page); give the URL of a single file instead`);
  }
  const links = folderLinks(await res.text(), folder);
  if (depth === 0 && links.files.length === 0 && links.folders.length === 0) {
    throw new StorageError(session.uri, 'the folder listing links to no files');
  }
  for (const file of links.files) {
    const relative = decodeURIComponent(file.pathname.slice(base.pathname.length));
    await session.save(await session.get(file.href, relative), dest, relative);
  }
  if (depth + 1 > MAX_FOLDER_DEPTH && links.folders.length > 0) {
    throw new StorageError(session.uri, `the folder nests more than ${MAX_FOLDER_DEPTH} levels deep; point the URI at the model's own folder`);
  }
  for (const sub of links.folders) await fetchFolder(session, base, sub, dest, depth + 1);
}

/** The files and subfolders an index page links to inside `folder` (no parents, no other hosts). */
export function folderLinks(html: string, folder: URL): { files: URL[]; folders: URL[] } {
  const files = new Map<string, URL>();
  const folders = new Map<string, URL>();
  for (const match of html.matchAll(/href\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
    const href = (match[1] ?? match[2]).replace(/&amp;/g, '&');
    if (href === '' || href.startsWith('?') || href.startsWith('#')) continue;
    let target: URL;
    try {
      target = new URL(href, folder);
    } catch {
      continue;
    }
    target.search = '';
    target.hash = '';
    // Only what lies below this folder: sort links, parent links and other sites are skipped.
    if (target.origin !== folder.origin || !target.pathname.startsWith(folder.pathname) || target.pathname === folder.pathname) continue;
    const rest = target.pathname.slice(folder.pathname.length);
    if (rest.endsWith('/')) {
      if (!rest.slice(0, -1).includes('/')) folders.set(target.href, target);
    } else if (!rest.includes('/')) files.set(target.href, target);
  }
  return { files: [...files.values()], folders: [...folders.values()] };
}
