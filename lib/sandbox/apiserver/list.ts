// SPDX-License-Identifier: Apache-2.0
// LIST: a type's objects (one namespace or all), filtered by label and field selectors, in pages.
//
// Paging follows etcd's semantics, which clients rely on: every page of one list shows the store
// as it was at the first page's revision, even if objects change in between, because the
// `continue` token carries that revision and the store can undo later changes from its history.
// Once that history is compacted, the token has expired: 410, start a new list.
import type { ApiCore } from './core.js';
import { asServed, fieldValues } from './objects.js';
import { resourceKey } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { errors } from './status.js';
import type { KubeObject, ResourceType } from './types.js';
import { apiVersionOf } from './types.js';
import { parseResourceVersion, tooLargeResourceVersion } from './watch.js';

export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  /** the first key of the next page (the last key of this one plus a NUL byte) */
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string') throw new Error('unknown version');
    return token;
  } catch (e) {
    throw errors.badRequest(`invalid continue token: continue key is not valid: ${(e as Error).message}`);
  }
}

function forbiddenListOption(field: string, message: string): never {
  throw errors.invalid('ListOptions', 'meta.k8s.io', '', [{ reason: 'FieldValueForbidden', field, message: `Forbidden: ${message}` }]);
}

/** Built-in lists carry their items without apiVersion and kind (typed Go lists omit them). */
function asListItem(type: ResourceType, object: KubeObject): unknown {
  if (!type.builtin) return asServed(type, object);
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return rest;
}

export function listObjects(core: ApiCore, type: ResourceType, query: ListQuery): Record<string, unknown> {
  const labels = parseLabelSelector(query.labelSelector);
  const fields = parseFieldSelector(query.fieldSelector, ['metadata.name', 'metadata.namespace', ...(type.selectableFields ?? [])]);
  const namespace = type.namespaced ? query.namespace : undefined;
  const requested = parseResourceVersion(query.resourceVersion, type.plural, type.group);
  if (query.resourceVersionMatch && query.resourceVersion === undefined) {
    forbiddenListOption('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
  }
  if (query.continueToken && query.resourceVersion && query.resourceVersion !== '0') {
    forbiddenListOption('resourceVersion', 'specifying resource version is not allowed when using continue');
  }

  const key = resourceKey(type);
  const now = core.store.revision;
  let revision = now;
  let objects: KubeObject[] | undefined;
  let start = '';
  if (query.continueToken) {
    const token = decodeContinue(query.continueToken);
    revision = token.rv;
    start = token.start;
    objects = core.store.listAt(key, revision, namespace);
    if (!objects) {
      throw errors.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
  } else if (requested !== undefined) {
    if (requested > now) throw tooLargeResourceVersion(requested, now);
    if (query.resourceVersionMatch === 'Exact') {
      revision = requested;
      objects = core.store.listAt(key, revision, namespace);
      if (!objects) throw errors.expired('The resourceVersion for the provided list is too old.');
    }
  }
  objects ??= core.store.list(key, namespace);

  const filtered = labels.requirements.length > 0 || fields.requirements.length > 0;
  const matches = (o: KubeObject): boolean =>
    labels.matches(o.metadata.labels) && (fields.requirements.length === 0 || fields.matches(fieldValues(type, o)));
  const limit = query.limit && query.limit > 0 ? query.limit : undefined;
  const items: unknown[] = [];
  let i = 0;
  if (start) while (i < objects.length && `${objects[i].metadata.namespace ?? ''}/${objects[i].metadata.name}` < start) i++;
  let lastKey = '';
  for (; i < objects.length && (limit === undefined || items.length < limit); i++) {
    const o = objects[i];
    if (!filtered || matches(o)) items.push(asListItem(type, o));
    lastKey = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
  if (limit !== undefined && i < objects.length) {
    metadata.continue = encodeContinue({ v: 'meta.k8s.io/v1', rv: revision, start: `${lastKey}\u0000` });
    if (!filtered) metadata.remainingItemCount = objects.length - i;
  }
  return { kind: type.listKind, apiVersion: apiVersionOf(type), metadata, items };
}
