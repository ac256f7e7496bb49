// SPDX-License-Identifier: Apache-2.0
// An ApiHandle decorator for tests: it passes every call through to a real handle, records each
// write request (whether or not the server changed anything, which is what "a controller writes
// only when something changed" must count), and can fail the next matching requests, as a busy
// or conflicting server would.
import type { ApiHandle, DeleteOptions, ListOptions, ObjectList, ResourceRef, WatchHandle, WatchOptions } from '../../apiserver/api.js';
import type { ApiError } from '../../apiserver/status.js';
import type { KubeObject, WatchEvent } from '../../apiserver/types.js';

type Verb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

export interface WriteRecord {
  verb: Exclude<Verb, 'get' | 'list'>;
  resource: string;
  name: string;
  subresource?: string;
}

export class RecordingApi implements ApiHandle {
  readonly writes: WriteRecord[] = [];
  private readonly faults: { verb: Verb; plural: string; error: ApiError; count: number }[] = [];

  constructor(readonly inner: ApiHandle) {}

  /** The next `count` requests with this verb on this resource (plural) fail with `error`. */
  failNext(verb: Verb, plural: string, error: ApiError, count = 1): void {
    this.faults.push({ verb, plural, error, count });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    this.fault('get', ref);
    return this.inner.get(ref, namespace, name);
  }

  async list(ref: ResourceRef, opts?: ListOptions): Promise<ObjectList> {
    this.fault('list', ref);
    return this.inner.list(ref, opts);
  }

  watch(ref: ResourceRef, opts: WatchOptions, onEvent: (event: WatchEvent) => void, onClose?: () => void): WatchHandle {
    return this.inner.watch(ref, opts, onEvent, onClose);
  }

  async create(ref: ResourceRef, obj: KubeObject, opts?: { fieldManager?: string }): Promise<KubeObject> {
    this.record('create', ref, String(obj.metadata.name ?? obj.metadata.generateName));
    return this.inner.create(ref, obj, opts);
  }

  async update(ref: ResourceRef, obj: KubeObject, opts?: Parameters<ApiHandle['update']>[2]): Promise<KubeObject> {
    this.record('update', ref, String(obj.metadata.name), opts?.subresource);
    return this.inner.update(ref, obj, opts);
  }

  async patch(
    ref: ResourceRef, namespace: string | undefined, name: string, body: unknown, contentType: string, opts?: Parameters<ApiHandle['patch']>[5],
  ): Promise<KubeObject> {
    this.record('patch', ref, name, opts?.subresource);
    return this.inner.patch(ref, namespace, name, body, contentType, opts);
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | undefined> {
    this.record('delete', ref, name);
    return this.inner.delete(ref, namespace, name, opts);
  }

  private record(verb: WriteRecord['verb'], ref: ResourceRef, name: string, subresource?: string): void {
    this.fault(verb, ref);
    this.writes.push({ verb, resource: ref.plural, name, ...(subresource ? { subresource } : {}) });
  }

  private fault(verb: Verb, ref: ResourceRef): void {
    const i = this.faults.findIndex((f) => f.verb === verb && f.plural === ref.plural);
    if (i < 0) return;
    const fault = this.faults[i];
    if (--fault.count <= 0) this.faults.splice(i, 1);
    throw fault.error;
  }
}
