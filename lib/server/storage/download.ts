// SPDX-License-Identifier: Apache-2.0
// Downloading model files safely: one budget of bytes, files and time for a whole model URI,
// progress reports, files written under their final name only once complete, and errors that
// name the URI and say what to do.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StorageLimits {
  /** All files of one URI together, in bytes (default 2 GiB). */
  maxBytes: number;
  /** Files in one URI (default 10,000). */
  maxFiles: number;
  /** The whole download, in milliseconds (default 10 minutes). */
  timeoutMs: number;
}

export const DEFAULT_STORAGE_LIMITS: StorageLimits = { maxBytes: 2 * 1024 ** 3, maxFiles: 10_000, timeoutMs: 10 * 60_000 };

/** One progress report: a file's bytes so far, and whether it is complete. */
export interface StorageProgress {
  uri: string;
  /** The file's path inside the model folder. */
  file: string;
  bytes: number;
  /** The file's size when the server said it, else undefined. */
  totalBytes?: number;
  done: boolean;
}

/** Fetching a model failed; the message names the URI and says what to try. */
export class StorageError extends Error {
  constructor(
    readonly uri: string,
    detail: string,
  ) {
    super(`Could not get the model at ${displayUri(uri)}: ${detail}`);
    this.name = 'StorageError';
  }
}

/**
 * A URI fit for logs and messages: without a password (`user:secret@`) or a query string, where
 * signed URLs carry their tokens.
 */
export function displayUri(uri: string): string {
  return uri.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/@]*@/, '$1').replace(/\?.*$/, '?...');
}

/** Any URLs inside a library's error text, made fit for messages the same way. */
function scrub(text: string): string {
  return text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^\s/@]*@/g, '$1').replace(/\?[^\s)]*/g, '?...');
}

/** What one resolve shares across its files: limits, the time budget, progress. */
export class DownloadSession {
  private bytes = 0;
  private files = 0;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly signal: AbortSignal;

  constructor(
    readonly uri: string,
    readonly limits: StorageLimits,
    private readonly onProgress?: (p: StorageProgress) => void,
    outer?: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.controller.abort(new StorageError(uri, `gave up after ${(limits.timeoutMs / 1000).toFixed(limits.timeoutMs < 10_000 ? 1 : 0)} s, the time limit; check the network, or raise the limit (--storage-timeout)`)), limits.timeoutMs);
    this.timer.unref();
    this.signal = outer ? AbortSignal.any([this.controller.signal, outer]) : this.controller.signal;
  }

  finish(): void {
    clearTimeout(this.timer);
  }

  /** Counts one more file against the file limit. */
  countFile(): void {
    if (++this.files > this.limits.maxFiles) {
      throw new StorageError(this.uri, `it holds more than ${this.limits.maxFiles} files, the limit; point the URI at the model's own folder`);
    }
  }

  /** GET `url` and fail with a clear message on network errors and non-2xx answers. */
  async get(url: string, what: string): Promise<Response> {
    let res: Response;
    try {
      // fetch refuses user:password@ in a URL; send them as Basic authentication instead.
      const target = new URL(url);
      const headers: Record<string, string> = {};
      if (target.username || target.password) {
        headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
        target.username = '';
        target.password = '';
      }
      res = await fetch(target, { signal: this.signal, redirect: 'follow', headers });
    } catch (err) {
      throw this.explain(err, `${what} (${displayUri(url)})`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const hint = res.status === 404 ? 'check the path' : res.status === 401 || res.status === 403 ? 'the files must be public: this kit downloads anonymously, as Seldon\'s rclone initializer does' : 'try again later';
      throw new StorageError(this.uri, `HTTP ${res.status} ${res.statusText} for ${what} (${displayUri(url)}); ${hint}`);
    }
    return res;
  }

  /** Streams `res`'s body to `dir/relative`, counting bytes against the limit. */
  async save(res: Response, dir: string, relative: string, totalBytes?: number): Promise<number> {
    this.countFile();
    const target = safeJoin(dir, relative, this.uri);
    const declared = Number(res.headers.get('content-length'));
    const size = totalBytes ?? (Number.isFinite(declared) && declared >= 0 ? declared : undefined);
    if (size !== undefined && this.bytes + size > this.limits.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw this.tooLarge();
    }
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.part`;
    let fileBytes = 0;
    const counter = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        fileBytes += chunk.length;
        this.bytes += chunk.length;
        if (this.bytes > this.limits.maxBytes) return done(this.tooLarge());
        this.onProgress?.({ uri: this.uri, file: relative, bytes: fileBytes, totalBytes: size, done: false });
        done(null, chunk);
      },
    });
    try {
      if (!res.body) throw new StorageError(this.uri, `the answer for ${relative} had no body`);
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), counter, createWriteStream(partial), { signal: this.signal });
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw this.explain(err, relative);
    }
    this.onProgress?.({ uri: this.uri, file: relative, bytes: fileBytes, totalBytes: size, done: true });
    return fileBytes;
  }

  private tooLarge(): StorageError {
    return new StorageError(this.uri, `it is larger than ${this.limits.maxBytes} bytes, the limit; raise it (--storage-max-bytes) if the model really is that big`);
  }

  /** Turns aborts and network errors into a StorageError naming the URI. */
  explain(err: unknown, what: string): StorageError {
    if (err instanceof StorageError) return err;
    const reason = this.signal.reason as unknown;
    if (this.signal.aborted && reason instanceof StorageError) return reason;
    if (this.signal.aborted) return new StorageError(this.uri, 'the download was cancelled');
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const detail = scrub(e.cause?.code ?? e.cause?.message ?? e.message);
    return new StorageError(this.uri, `${what} failed (${detail}); check the address and the network`);
  }
}

/**
 * `dir/relative`, refusing names that would land outside `dir` (`..`, absolute paths): object
 * names come from a remote listing, and must not choose where files are written.
 */
export function safeJoin(dir: string, relative: string, uri: string): string {
  const clean = normalize(relative.replace(/\\/g, '/'));
  if (relative === '' || isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`) || clean.split(sep).includes('..')) {
    throw new StorageError(uri, `refusing the file name ${JSON.stringify(relative)}: it would be written outside the model folder`);
  }
  return join(dir, clean);
}
