// SPDX-License-Identifier: Apache-2.0
// The structured view of an object that server-side apply works on: which paths a value sets
// (its field set), how two versions of an object differ path by path, how an applied
// configuration merges into the live object, and how owned paths are removed again. Keyed lists
// are walked item by item (`containers[name="nginx"]`), sets value by value, and atomic lists
// and maps as one leaf, following structured-merge-diff's typed values.
//
// `null` is treated as "not set": Go's typed objects cannot hold a null field, so the apiserver
// never stores one outside the few fields Go prints as null (creationTimestamp).
import { isDeepStrictEqual } from 'node:util';
import { FieldSet, pathString, type Path, type PathElement } from './field-set.js';
import { childInfo, listTypeOf, type TypeInfo } from './type-info.js';

type Json = unknown;
type JsonMap = Record<string, Json>;

const isMap = (v: Json): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A configuration that structured-merge-diff refuses (duplicate or incomplete list keys). */
export class StructureError extends Error {
  constructor(path: Path, detail: string) {
    super(`${pathString(path)}: ${detail}`);
    this.name = 'StructureError';
  }
}

function isAtomic(info: TypeInfo | undefined): boolean {
  return info?.mapType === 'atomic';
}

/** The step that names `item` inside a keyed list or a set, or undefined when it has no key. */
function itemElement(item: Json, list: TypeInfo | undefined): PathElement | undefined {
  const { type, keys } = listTypeOf(list);
  if (type === 'set') return { value: item };
  if (type !== 'map' || !isMap(item)) return undefined;
  const key: Record<string, unknown> = {};
  for (const k of keys) {
    const v = item[k] ?? list?.listKeyDefaults?.[k];
    if (v === undefined || v === null) return undefined;
    key[k] = v;
  }
  return { key };
}

/** Index a list's items by their step; list items without a key are left out. */
function indexItems(list: Json[], info: TypeInfo | undefined): Map<string, { element: PathElement; item: Json }> {
  const out = new Map<string, { element: PathElement; item: Json }>();
  for (const item of list) {
    const element = itemElement(item, info);
    if (!element) continue;
    const id = JSON.stringify(FieldSet.fromPaths([[element]]).toFieldsV1());
    if (!out.has(id)) out.set(id, { element, item });
  }
  return out;
}

/**
 * Check an applied configuration the way structured-merge-diff does before using it: every item
 * of a keyed list has its key fields, and no two items share a key.
 */
export function checkConfig(value: Json, info: TypeInfo | undefined, path: Path = []): void {
  if (Array.isArray(value)) {
    const { type, keys } = listTypeOf(info);
    if (type === 'atomic') return;
    const seen = new Set<string>();
    for (const item of value) {
      if (type === 'map') {
        if (!isMap(item)) throw new StructureError(path, `expected map, got ${JSON.stringify(item)}`);
        for (const k of keys) {
          if ((item[k] === undefined || item[k] === null) && info?.listKeyDefaults?.[k] === undefined) {
            throw new StructureError(path, `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
          }
        }
      }
      const element = itemElement(item, info)!;
      const id = JSON.stringify(FieldSet.fromPaths([[element]]).toFieldsV1());
      if (seen.has(id)) {
        throw new StructureError(path, `duplicate entries for key ${pathString([element])}`);
      }
      seen.add(id);
      if (type === 'map') checkConfig(item, info?.items, [...path, element]);
    }
    return;
  }
  if (isMap(value) && !isAtomic(info)) {
    for (const [k, v] of Object.entries(value)) checkConfig(v, childInfo(info, k), [...path, { field: k }]);
  }
}

/** The paths a configuration sets: its leaves, and every item of its keyed lists and sets. */
export function fieldSetOf(value: Json, info: TypeInfo | undefined): FieldSet {
  const set = new FieldSet();
  const walk = (v: Json, i: TypeInfo | undefined, path: Path) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) {
      const { type } = listTypeOf(i);
      if (type === 'atomic') {
        set.insert(path);
        return;
      }
      for (const item of v) {
        const element = itemElement(item, i);
        if (!element) continue;
        set.insert([...path, element]);
        if (type === 'map') walk(item, i?.items, [...path, element]);
      }
      return;
    }
    if (isMap(v)) {
      if (isAtomic(i)) {
        set.insert(path);
        return;
      }
      for (const [k, child] of Object.entries(v)) walk(child, childInfo(i, k), [...path, { field: k }]);
      return;
    }
    set.insert(path);
  };
  if (isMap(value)) walk(value, info, []);
  return set;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * How `rhs` differs from `lhs`, path by path. A container (map, keyed list item) that appears is
 * itself "added" along with everything in it; a leaf (scalar, atomic list or map) that changes
 * value is "modified".
 */
export function compare(lhs: Json, rhs: Json, info: TypeInfo | undefined): Comparison {
  const result: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const walk = (l: Json, r: Json, i: TypeInfo | undefined, path: Path) => {
    if (l === undefined && r === undefined) return;
    // Both sides must be the same kind of container (or missing, or null = an empty container)
    // for the walk to descend; anything else changes as one leaf.
    const shapeOf = (v: Json) => (v === undefined || v === null ? 'none' : isMap(v) ? 'map' : Array.isArray(v) ? 'list' : 'scalar');
    const shapes = new Set([shapeOf(l), shapeOf(r)]);
    shapes.delete('none');
    const container = shapes.size === 1 ? [...shapes][0] : 'leaf';
    const listType = container === 'list' ? listTypeOf(i).type : undefined;
    const granular = (container === 'map' && !isAtomic(i)) || (container === 'list' && listType !== 'atomic');
    if (!granular) {
      if (path.length === 0) return;
      if (l === undefined) result.added.insert(path);
      else if (r === undefined) result.removed.insert(path);
      else if (!isDeepStrictEqual(l, r)) result.modified.insert(path);
      return;
    }
    if (path.length > 0) {
      if (l === undefined) result.added.insert(path);
      else if (r === undefined) result.removed.insert(path);
    }
    if (container === 'map') {
      const lm = isMap(l) ? l : {};
      const rm = isMap(r) ? r : {};
      for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) walk(lm[k], rm[k], childInfo(i, k), [...path, { field: k }]);
      return;
    }
    const li = indexItems(Array.isArray(l) ? l : [], i);
    const ri = indexItems(Array.isArray(r) ? r : [], i);
    for (const id of new Set([...li.keys(), ...ri.keys()])) {
      const element = (li.get(id) ?? ri.get(id))!.element;
      const itemPath = [...path, element];
      if (listType === 'set') {
        if (!li.has(id)) result.added.insert(itemPath);
        else if (!ri.has(id)) result.removed.insert(itemPath);
        continue;
      }
      walk(li.get(id)?.item, ri.get(id)?.item, i?.items, itemPath);
    }
  };
  walk(lhs, rhs, info, []);
  return result;
}

/**
 * Merge an applied configuration into the live object: maps merge key by key, keyed lists and
 * sets merge item by item (applied items keep the applied order, live-only items keep their
 * place), atomic values and scalars are replaced.
 */
export function mergeApplied(live: Json, config: Json, info: TypeInfo | undefined): Json {
  if (config === undefined) return live;
  if (live === undefined || live === null) return config;
  if (isMap(config) && isMap(live) && !isAtomic(info)) {
    const out: JsonMap = { ...live };
    for (const [k, v] of Object.entries(config)) out[k] = mergeApplied(live[k], v, childInfo(info, k));
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live) && listTypeOf(info).type !== 'atomic') {
    return mergeLists(live, config, info);
  }
  return config;
}

function mergeLists(live: Json[], config: Json[], info: TypeInfo | undefined): Json[] {
  const { type } = listTypeOf(info);
  const idOf = (item: Json): string | undefined => {
    const element = itemElement(item, info);
    return element ? JSON.stringify(FieldSet.fromPaths([[element]]).toFieldsV1()) : undefined;
  };
  const liveIds = live.map(idOf);
  const configIds = config.map(idOf);
  const liveById = new Map<string, Json>();
  live.forEach((item, n) => {
    const id = liveIds[n];
    if (id !== undefined && !liveById.has(id)) liveById.set(id, item);
  });
  const inConfig = new Set(configIds.filter((id): id is string => id !== undefined));
  const merge = (id: string | undefined, item: Json) => {
    const old = id === undefined ? undefined : liveById.get(id);
    return type === 'map' && old !== undefined ? mergeApplied(old, item, info?.items) : item;
  };
  // Items in both lists follow the configuration's order; items only in the live list stay next
  // to the neighbours they had; new items appear where the configuration puts them.
  const shared = configIds.filter((id): id is string => id !== undefined && liveById.has(id));
  let nextShared = 0;
  const merged = new Set<string>();
  const out: Json[] = [];
  let l = 0;
  let c = 0;
  while (l < live.length || c < config.length) {
    const liveId = liveIds[l];
    if (l < live.length && c < config.length) {
      if (liveId !== undefined && liveId === configIds[c]) {
        out.push(merge(liveId, config[c]));
        merged.add(liveId);
        if (shared[nextShared] === liveId) nextShared++;
        l++;
        c++;
        continue;
      }
      if (liveId !== undefined && inConfig.has(liveId) && nextShared < shared.length && shared[nextShared] !== liveId) {
        l++; // shared, but not the shared item due next: it is emitted at its configured place
        continue;
      }
    }
    if (l < live.length) {
      if (liveId === undefined || !inConfig.has(liveId)) {
        out.push(live[l++]);
        continue;
      }
      if (merged.has(liveId)) {
        l++;
        continue;
      }
    }
    if (c < config.length) {
      const id = configIds[c];
      out.push(merge(id, config[c]));
      if (id !== undefined) {
        merged.add(id);
        if (shared[nextShared] === id) nextShared++;
      }
      c++;
    }
  }
  return out;
}

/**
 * Remove the paths in `remove` from `value`. A removed container goes with everything in it; a
 * map or keyed list item that only lost children stays.
 */
export function removePaths(value: Json, remove: FieldSet, info: TypeInfo | undefined): Json {
  if (remove.isEmpty()) return value;
  if (isMap(value) && !isAtomic(info)) {
    const out: JsonMap = {};
    for (const [k, v] of Object.entries(value)) {
      const element: PathElement = { field: k };
      if (remove.hasMember(element)) continue;
      out[k] = removePaths(v, remove.childSet(element), childInfo(info, k));
    }
    return out;
  }
  if (Array.isArray(value) && listTypeOf(info).type !== 'atomic') {
    const out: Json[] = [];
    for (const item of value) {
      const element = itemElement(item, info);
      if (!element) {
        out.push(item);
        continue;
      }
      if (remove.hasMember(element)) continue;
      out.push(listTypeOf(info).type === 'map' ? removePaths(item, remove.childSet(element), info?.items) : item);
    }
    return out;
  }
  return value;
}
