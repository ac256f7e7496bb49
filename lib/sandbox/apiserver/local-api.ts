// SPDX-License-Identifier: Apache-2.0
// The in-process `ApiHandle` (api.ts) over the same core the HTTP server uses. The sandbox's
// controllers call it instead of going through HTTPS, and get the same answers: the same
// validation, defaults, resourceVersions, watch events and ApiErrors.
//
// Objects cross this boundary as copies, in both directions: a controller that edits an object it
// read cannot change what is stored, exactly as over the wire.
import type { ApiHandle, DeleteOptions, ListOptions, ObjectList, ResourceRef, WatchHandle, WatchOptions, WritableSubresource } from './api.js';
import { newContext, type ApiCore } from './core.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { KubeObject, ResourceType, WatchEvent } from './types.js';

export class LocalApi implements ApiHandle {
  constructor(private readonly core: ApiCore) {}

  private type(ref: ResourceRef): ResourceType {
    return this.core.resolve(ref.group, ref.version, ref.plural);
  }

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    return structuredClone(this.core.read(this.type(ref), namespace, name) as KubeObject);
  }

  async list(ref: ResourceRef, opts: ListOptions = {}): Promise<ObjectList> {
    const type = this.type(ref);
    const list = this.core.list(type, { namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
    // Built-in list items come without apiVersion and kind (as on the wire); give them back.
    const items = (list.items as KubeObject[]).map((item) => structuredClone(Object.assign({ apiVersion: list.apiVersion as string, kind: type.kind }, item)));
    return { items, resourceVersion: (list.metadata as { resourceVersion: string }).resourceVersion };
  }

  watch(ref: ResourceRef, opts: WatchOptions, onEvent: (event: WatchEvent) => void, onClose?: () => void): WatchHandle {
    const type = this.type(ref);
    const watcher = this.core.watch(
      {
        type,
        namespace: opts.namespace,
        labelSelector: parseLabelSelector(opts.labelSelector),
        fieldSelector: parseFieldSelector(opts.fieldSelector, ['metadata.name', 'metadata.namespace', ...(type.selectableFields ?? [])]),
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: opts.allowWatchBookmarks,
        // In-process watches live as long as their controller, not a request.
        timeoutSeconds: Infinity,
      },
      {
        send: (event) => {
          try {
            onEvent(structuredClone(event));
          } catch {
            // A throwing callback must not stop delivery to the others (api.ts: onEvent must not throw).
          }
        },
        close: () => onClose?.(),
      },
    );
    return { stop: () => watcher.stop() };
  }

  async create(ref: ResourceRef, obj: KubeObject, opts: { fieldManager?: string } = {}): Promise<KubeObject> {
    const type = this.type(ref);
    const result = this.core.create(type, obj.metadata?.namespace, obj, newContext({ fieldManager: opts.fieldManager ?? 'sandbox-controller' }));
    return structuredClone(result.object);
  }

  async update(ref: ResourceRef, obj: KubeObject, opts: { subresource?: WritableSubresource; fieldManager?: string } = {}): Promise<KubeObject> {
    const type = this.type(ref);
    const ctx = newContext({ fieldManager: opts.fieldManager ?? 'sandbox-controller' });
    const result = this.core.update(type, obj.metadata?.namespace, obj.metadata?.name ?? '', obj, ctx, opts.subresource);
    return structuredClone(result.object);
  }

  async patch(
    ref: ResourceRef, namespace: string | undefined, name: string, body: unknown, contentType: string,
    opts: { subresource?: WritableSubresource; fieldManager?: string; force?: boolean } = {},
  ): Promise<KubeObject> {
    const type = this.type(ref);
    const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const ctx = newContext({ fieldManager: opts.fieldManager ?? 'sandbox-controller', force: opts.force });
    return structuredClone(this.core.patch(type, namespace, name, raw, contentType, ctx, opts.subresource).object);
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    const outcome = this.core.delete(this.type(ref), namespace, name, opts, newContext({ fieldManager: 'sandbox-controller' }));
    return outcome.object ? structuredClone(outcome.object) : undefined;
  }
}
