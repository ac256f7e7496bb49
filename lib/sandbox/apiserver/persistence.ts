// SPDX-License-Identifier: Apache-2.0
// `--data-dir`: the store on disk, so the sandbox survives a restart (or a crash) with its objects
// and its revision counter intact.
//
// Two files, the way databases make writes crash-safe:
//   wal.jsonl      an append-only log, one JSON line per committed change, flushed to disk
//                  (fdatasync) before the write is answered;
//   snapshot.json  every object at one revision, written to a temporary file, synced, then renamed
//                  over the old one (a rename is atomic, so a crash leaves the old or the new file,
//                  never half of one).
// Loading reads the snapshot and replays the log lines after its revision. A crash in the middle
// of an append leaves a torn last line: it is dropped, because that write was never answered.
// Every thousand changes the log is folded into a new snapshot and emptied.
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Change, Store } from './store.js';
import type { KubeObject } from './types.js';

interface SnapshotFile {
  format: 'seldon-lab-sandbox/v1';
  revision: number;
  objects: { resource: string; key: string; object: KubeObject }[];
}

interface LogLine {
  revision: number;
  type: Change['type'];
  resource: string;
  key: string;
  object: KubeObject;
}

/** What was on disk: the revision to continue from and the objects to restore. */
export interface LoadedState {
  revision: number;
  objects: { resource: string; key: string; object: KubeObject }[];
}

const CHECKPOINT_EVERY = 1000;

export class Persistence {
  private readonly snapshotPath: string;
  private readonly logPath: string;
  private logFd: number | undefined;
  private linesSinceSnapshot = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.snapshotPath = join(dir, 'snapshot.json');
    this.logPath = join(dir, 'wal.jsonl');
  }

  /** Reads the snapshot and the log; cuts a torn last line off the log. */
  load(): LoadedState {
    const objects = new Map<string, { resource: string; key: string; object: KubeObject }>();
    let revision = 0;
    if (existsSync(this.snapshotPath)) {
      const snapshot = JSON.parse(readFileSync(this.snapshotPath, 'utf8')) as SnapshotFile;
      if (snapshot.format !== 'seldon-lab-sandbox/v1') {
        throw new Error(`${this.snapshotPath} is not a seldon-lab sandbox snapshot; use another --data-dir or remove this one.`);
      }
      revision = snapshot.revision;
      for (const entry of snapshot.objects) objects.set(`${entry.resource} ${entry.key}`, entry);
    }
    if (existsSync(this.logPath)) {
      const text = readFileSync(this.logPath, 'utf8');
      let goodBytes = 0;
      for (const line of text.split('\n')) {
        if (line === '') break;
        let entry: LogLine;
        try {
          entry = JSON.parse(line) as LogLine;
        } catch {
          break; // a torn write: everything from here on never reached a client
        }
        goodBytes += Buffer.byteLength(line) + 1;
        if (entry.revision <= revision) continue; // already in the snapshot
        revision = entry.revision;
        const id = `${entry.resource} ${entry.key}`;
        if (entry.type === 'DELETED') objects.delete(id);
        else objects.set(id, { resource: entry.resource, key: entry.key, object: entry.object });
        this.linesSinceSnapshot++;
      }
      if (goodBytes < Buffer.byteLength(text)) {
        const fd = openSync(this.logPath, 'r+');
        ftruncateSync(fd, goodBytes);
        fsyncSync(fd);
        closeSync(fd);
      }
    }
    return { revision, objects: [...objects.values()] };
  }

  /** Appends one change and flushes it to disk before returning. */
  append(change: Change, store: Store): void {
    if (this.logFd === undefined) this.logFd = openSync(this.logPath, 'a', 0o600);
    const line: LogLine = { revision: change.revision, type: change.type, resource: change.resource, key: change.key, object: change.object };
    writeSync(this.logFd, JSON.stringify(line) + '\n');
    fdatasyncSync(this.logFd);
    if (++this.linesSinceSnapshot >= CHECKPOINT_EVERY) this.checkpoint(store);
  }

  /** Writes a snapshot of the whole store, then empties the log. */
  checkpoint(store: Store): void {
    const snapshot: SnapshotFile = { format: 'seldon-lab-sandbox/v1', revision: store.revision, objects: [] };
    for (const resource of store.resources()) {
      for (const object of store.list(resource)) {
        const key = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
        snapshot.objects.push({ resource, key, object });
      }
    }
    const tmp = `${this.snapshotPath}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    writeSync(fd, JSON.stringify(snapshot));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.snapshotPath);
    syncDirectory(this.dir);
    // Only now may the log be emptied: a crash before this line replays lines the snapshot
    // already holds, which load() skips by revision.
    if (this.logFd === undefined) this.logFd = openSync(this.logPath, 'a', 0o600);
    ftruncateSync(this.logFd, 0);
    fsyncSync(this.logFd);
    this.linesSinceSnapshot = 0;
  }

  close(store: Store): void {
    this.checkpoint(store);
    if (this.logFd !== undefined) closeSync(this.logFd);
    this.logFd = undefined;
  }
}

/** Makes a rename in `dir` durable (POSIX needs the directory itself synced). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot open or sync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
