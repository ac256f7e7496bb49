// SPDX-License-Identifier: Apache-2.0
// Server-side apply (`application/apply-patch+yaml`, what `kubectl apply --server-side` and helm 4
// send). The body is the manager's whole intent for the fields it cares about. The server:
//
// 1. merges the intent into the live object (keyed lists item by item, see structured.ts);
// 2. removes what this manager applied last time but no longer applies, unless another manager
//    owns it too ("pruning": deleting a line from your manifest deletes the field);
// 3. looks for conflicts: a field this apply changes that another manager owns. Without `force`
//    that is a 409 listing them; with `force` the fields change hands;
// 4. records the manager's new field set in metadata.managedFields.
//
// Simplified on purpose (documented in patch.ts): no conversion between versions, nulls in the
// intent mean "not set", and a struct left empty by pruning is dropped only when nobody owns it.
import { ApiError, errors } from '../status.js';
import type { KubeObject, ResourceType } from '../types.js';
import { FieldSet, pathString } from './field-set.js';
import { decodeManagers, encodeManagers, managerId, ownable, type ManagerState } from './field-managers.js';
import { checkConfig, compare, fieldSetOf, mergeApplied, removePaths, StructureError } from './structured.js';
import type { TypeInfo } from './type-info.js';

type JsonMap = Record<string, unknown>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyContext {
  type: ResourceType;
  info: TypeInfo | undefined;
  /** `group/version, Kind=Kind`, as Go prints a GroupVersionKind in messages */
  gvk: string;
  apiVersion: string;
  manager: string;
  force: boolean;
  subresource?: string;
  now?: string;
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

/** Go's printManager: "kubectl", or "kubectl-create" using apps/v1 for an Update manager. */
function describeManager(m: ManagerState): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

function conflictError(conflicts: { manager: ManagerState; paths: string[] }[]): ApiError {
  const causes = conflicts.flatMap((c) =>
    c.paths.map((p) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: p })),
  );
  let message: string;
  if (causes.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].manager)}: ${conflicts[0].paths[0]}`;
  } else {
    const ordered = [...conflicts].sort((a, b) => {
      const ka = managerId(a.manager.manager, a.manager.operation, a.manager.apiVersion, a.manager.subresource);
      const kb = managerId(b.manager.manager, b.manager.operation, b.manager.apiVersion, b.manager.subresource);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    const lines = ordered.flatMap((c) => [`conflicts with ${describeManager(c.manager)}:`, ...c.paths.map((p) => `- ${p}`)]);
    message = `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** Drop maps that pruning emptied, when nobody owns them as a whole. */
function dropEmptied(before: unknown, after: unknown, owned: FieldSet): unknown {
  if (typeof after !== 'object' || after === null || Array.isArray(after)) return after;
  const out: JsonMap = {};
  const old = (typeof before === 'object' && before !== null ? before : {}) as JsonMap;
  for (const [k, v] of Object.entries(after as JsonMap)) {
    const inner = dropEmptied(old[k], v, owned.childSet({ field: k }));
    const wasFull = typeof old[k] === 'object' && old[k] !== null && Object.keys(old[k] as object).length > 0;
    const isEmpty = typeof inner === 'object' && inner !== null && !Array.isArray(inner) && Object.keys(inner).length === 0;
    if (wasFull && isEmpty && !owned.hasMember({ field: k })) continue;
    out[k] = inner;
  }
  return out;
}

/** Apply `config` (already decoded and checked to be this type) to `live` (undefined: create). */
export function serverSideApply(live: KubeObject | undefined, config: JsonMap, ctx: ApplyContext): KubeObject {
  if ((config.metadata as JsonMap | undefined)?.managedFields !== undefined) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  const intent = withoutNulls(config) as JsonMap;
  try {
    checkConfig(intent, ctx.info);
  } catch (e) {
    if (e instanceof StructureError) throw errors.unknown(`failed to create typed patch object (${ctx.gvk}): ${e.message}`);
    throw e;
  }

  const base: JsonMap = live ? structuredClone(live) : {};
  let merged = mergeApplied(base, intent, ctx.info) as JsonMap;

  const managers = decodeManagers(live?.metadata.managedFields);
  const applied = fieldSetOf(intent, ctx.info);
  const id = managerId(ctx.manager, 'Apply', ctx.apiVersion, ctx.subresource);
  const previous = managers.get(id);

  // Pruning: what this manager applied before and dropped now goes, unless someone still owns it.
  if (previous) {
    let owned = applied;
    for (const [otherId, m] of managers) if (otherId !== id) owned = owned.union(m.set);
    const dropped = previous.set.difference(owned);
    const pruned = removePaths(merged, dropped, ctx.info) as JsonMap;
    merged = dropEmptied(merged, pruned, owned) as JsonMap;
  }

  const cmp = live ? compare(base, merged, ctx.info) : undefined;
  if (cmp) {
    const changed = cmp.added.union(cmp.modified);
    const conflicts: { manager: ManagerState; paths: string[]; set: FieldSet }[] = [];
    for (const [otherId, m] of managers) {
      if (otherId === id) continue;
      const overlap = m.set.intersection(changed);
      if (!overlap.isEmpty()) conflicts.push({ manager: m, paths: overlap.paths().map(pathString), set: overlap });
    }
    if (conflicts.length > 0 && !ctx.force) throw conflictError(conflicts);
    for (const c of conflicts) c.manager.set = c.manager.set.difference(c.set);
    for (const [otherId, m] of managers) if (otherId !== id) m.set = m.set.difference(cmp.removed);
  }

  const mine = ownable(applied, ctx.type, ctx.subresource);
  const objectChanged = !cmp || !cmp.added.isEmpty() || !cmp.modified.isEmpty() || !cmp.removed.isEmpty();
  const setChanged = !previous || JSON.stringify(previous.set.toFieldsV1()) !== JSON.stringify(mine.toFieldsV1());
  const time = objectChanged || setChanged ? ctx.now : previous?.time;
  managers.set(id, {
    manager: ctx.manager,
    operation: 'Apply',
    apiVersion: ctx.apiVersion,
    ...(time ? { time } : {}),
    ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
    set: mine,
  });

  const result = merged as KubeObject;
  result.metadata = { ...(result.metadata ?? {}) };
  const encoded = encodeManagers(managers);
  if (encoded) result.metadata.managedFields = encoded;
  else delete result.metadata.managedFields;

  // `kubectl apply --server-side` keeps a client-side-apply annotation in step, so that going
  // back to client-side apply later computes the right patch (the API server does this only for
  // the manager named "kubectl", and only when the annotation is already there).
  const annotations = live?.metadata.annotations;
  if (ctx.manager === 'kubectl' && annotations && LAST_APPLIED in annotations) {
    result.metadata.annotations = { ...(result.metadata.annotations ?? {}), [LAST_APPLIED]: lastAppliedOf(config) };
  }
  return result;
}

/** The last-applied annotation of an applied configuration: sorted JSON without the annotation. */
function lastAppliedOf(config: JsonMap): string {
  const copy = structuredClone(config);
  const meta = copy.metadata as JsonMap | undefined;
  const annotations = meta?.annotations as Record<string, string> | undefined;
  if (annotations) {
    delete annotations[LAST_APPLIED];
    if (Object.keys(annotations).length === 0) delete meta!.annotations;
  }
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as JsonMap)[k])]));
  };
  return `${JSON.stringify(sorted(copy))}\n`;
}
