// SPDX-License-Identifier: Apache-2.0
// `metadata.managedFields`: who owns which fields. Every write records it: an Update (create,
// PUT, merge/JSON/strategic patch) moves the fields it changed to its manager; an Apply
// (server-side apply, apply.ts) replaces its manager's set with the fields it applied. A later
// Apply that would change a field someone else owns is a conflict.
//
// A manager is identified by name, operation, subresource and, for Updates, apiVersion (Go's
// BuildManagerIdentifier); entries are written sorted as the API server sorts them: Apply before
// Update, then by time, manager, apiVersion, subresource.
import { FieldSet, type Path } from './field-set.js';
import { compare } from './structured.js';
import type { TypeInfo } from './type-info.js';
import type { KubeObject, ManagedFieldsEntry, ResourceType } from '../types.js';

export interface ManagerState {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

export type Managers = Map<string, ManagerState>;

/** Go's manager identifier: the entry without fields and time (and without apiVersion for Apply). */
export function managerId(manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource?: string): string {
  return JSON.stringify({
    manager,
    operation,
    ...(operation === 'Update' ? { apiVersion } : {}),
    ...(subresource ? { subresource } : {}),
  });
}

export function decodeManagers(entries: ManagedFieldsEntry[] | undefined): Managers {
  const out: Managers = new Map();
  for (const e of entries ?? []) {
    if (!e || !e.manager) continue;
    const id = managerId(e.manager, e.operation, e.apiVersion, e.subresource);
    const set = FieldSet.fromFieldsV1((e.fieldsV1 ?? {}) as Record<string, unknown>);
    const known = out.get(id);
    out.set(id, {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      ...(e.time ? { time: e.time } : {}),
      ...(e.subresource ? { subresource: e.subresource } : {}),
      set: known ? known.set.union(set) : set,
    });
  }
  return out;
}

export function encodeManagers(managers: Managers): ManagedFieldsEntry[] | undefined {
  const states = [...managers.values()].filter((m) => !m.set.isEmpty());
  if (states.length === 0) return undefined;
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);
  states.sort(
    (a, b) =>
      (a.operation < b.operation ? -1 : a.operation > b.operation ? 1 : 0) ||
      seconds(a.time) - seconds(b.time) ||
      (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0) ||
      (a.apiVersion < b.apiVersion ? -1 : a.apiVersion > b.apiVersion ? 1 : 0) ||
      ((a.subresource ?? '') < (b.subresource ?? '') ? -1 : (a.subresource ?? '') > (b.subresource ?? '') ? 1 : 0),
  );
  return states.map((m) => ({
    manager: m.manager,
    operation: m.operation,
    apiVersion: m.apiVersion,
    ...(m.time ? { time: m.time } : {}),
    fieldsType: 'FieldsV1' as const,
    fieldsV1: m.set.toFieldsV1(),
    ...(m.subresource ? { subresource: m.subresource } : {}),
  }));
}

/** Fields nobody owns: identity and bookkeeping that only the server sets. */
const SERVER_OWNED: Path[] = [
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => [{ field: 'metadata' }, { field: f }],
  ),
];

function startsWith(path: Path, prefix: Path): boolean {
  return prefix.length <= path.length && prefix.every((pe, i) => JSON.stringify(pe) === JSON.stringify(path[i]));
}

/**
 * The part of a field set that a write through `subresource` can own: never the server's
 * bookkeeping; through /status only `status`; through the main resource everything but
 * `status` when the type has a status subresource (the API server resets those fields).
 */
export function ownable(set: FieldSet, type: Pick<ResourceType, 'subresources'>, subresource: string | undefined): FieldSet {
  const statusPath: Path = [{ field: 'status' }];
  return set.filter((p) => {
    if (SERVER_OWNED.some((s) => JSON.stringify(s) === JSON.stringify(p))) return false;
    if (subresource === 'status') return startsWith(p, statusPath);
    if (!subresource && type.subresources.status && startsWith(p, statusPath)) return false;
    return true;
  });
}

/** An empty `managedFields: []` or `[{}]` in a write means "reset ownership". */
function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && typeof entries[0] === 'object' && entries[0] !== null && Object.keys(entries[0]).length === 0;
}

export interface UpdateContext {
  type: Pick<ResourceType, 'subresources'>;
  info: TypeInfo | undefined;
  /** the object's zero value, compared against on create (see builtinZeroValue) */
  zero: Record<string, unknown>;
  manager: string;
  apiVersion: string;
  subresource?: string;
  /** RFC 3339 time of the write; entries keep no time when it is not given */
  now?: string;
}

/**
 * The managedFields after an Update by `manager` turned `prev` (undefined on create) into
 * `next`: the fields this write added or changed move to the manager, removed fields leave
 * every owner. A write may set managedFields itself (`[]` or `[{}]` clears them); writes
 * through a subresource cannot.
 */
export function updateManagedFields(prev: KubeObject | undefined, next: KubeObject, ctx: UpdateContext): ManagedFieldsEntry[] | undefined {
  const given = next.metadata.managedFields;
  let managers: Managers;
  if (!ctx.subresource && isReset(given)) managers = new Map();
  else if (!ctx.subresource && Array.isArray(given) && given.length > 0) managers = decodeManagers(given);
  else managers = decodeManagers(prev?.metadata.managedFields);
  if (managers.size === 0 && !ctx.subresource && !isReset(given)) managers = decodeManagers(prev?.metadata.managedFields);

  const strip = (o: KubeObject | Record<string, unknown>) => {
    const copy = structuredClone(o) as KubeObject;
    if (copy.metadata) delete copy.metadata.managedFields;
    return copy;
  };
  const cmp = compare(prev ? strip(prev) : ctx.zero, strip(next), ctx.info);
  const changed = cmp.added.union(cmp.modified);
  for (const m of managers.values()) m.set = m.set.difference(changed).difference(cmp.removed);

  const mine = ownable(changed.difference(cmp.removed), ctx.type, ctx.subresource);
  if (!mine.isEmpty()) {
    const id = managerId(ctx.manager, 'Update', ctx.apiVersion, ctx.subresource);
    const previous = managers.get(id);
    managers.set(id, {
      manager: ctx.manager,
      operation: 'Update',
      apiVersion: ctx.apiVersion,
      ...(ctx.now ? { time: ctx.now } : previous?.time ? { time: previous.time } : {}),
      ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
      set: previous ? previous.set.union(mine) : mine,
    });
  }
  return encodeManagers(managers);
}
