// SPDX-License-Identifier: Apache-2.0
// A fake Google Cloud Storage JSON API on 127.0.0.1, for tests: the two calls an anonymous
// download makes (list objects by prefix, with pages; get one object with alt=media), serving
// objects from memory. Point the storage code at it with `gcsEndpoint` or STORAGE_EMULATOR_HOST.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGcs {
  endpoint: string;
  /** Every request path seen, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeGcs(buckets: Record<string, Record<string, string | Buffer>>, options: { pageSize?: number; forbidden?: string[] } = {}): Promise<FakeGcs> {
  const requests: string[] = [];
  const pageSize = options.pageSize ?? 1000;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname + url.search);
    const match = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    const bucket = match ? buckets[decodeURIComponent(match[1])] : undefined;
    if (!match || !bucket) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 404, message: 'The specified bucket does not exist.' } }));
      return;
    }
    if (options.forbidden?.includes(decodeURIComponent(match[1]))) {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 403, message: 'Anonymous caller does not have storage.objects.list access.' } }));
      return;
    }
    if (match[2] !== undefined) {
      const data = bucket[decodeURIComponent(match[2])];
      if (data === undefined || url.searchParams.get('alt') !== 'media') {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 404, message: 'No such object' } }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(data);
      return;
    }
    const prefix = url.searchParams.get('prefix') ?? '';
    const names = Object.keys(bucket).filter((n) => n.startsWith(prefix)).sort();
    const start = Number(url.searchParams.get('pageToken') ?? 0);
    const page = names.slice(start, start + pageSize);
    const body: Record<string, unknown> = { kind: 'storage#objects', items: page.map((name) => ({ name, size: String(Buffer.byteLength(bucket[name])) })) };
    if (start + pageSize < names.length) body.nextPageToken = String(start + pageSize);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
