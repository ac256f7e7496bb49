// SPDX-License-Identifier: Apache-2.0
// Strategic merge patch, `application/strategic-merge-patch+json`: what `kubectl apply`, `edit`,
// `set image` and client-node's default patch send for built-in types. It is a JSON merge patch
// that knows, per field, whether a list is merged by a key (containers by `name`, ports by
// `containerPort`), merged as a set (finalizers) or replaced (tolerations), plus directives that
// the client computes:
//
//   {"$patch": "replace" | "delete"}        in a map: replace it whole / delete it
//   [{"name": "x", "$patch": "delete"}]     in a merged list: delete the item with that key
//   [{"$patch": "replace"}, ...items]       in a merged list: replace the list with the items
//   "$setElementOrder/containers": [...]    the order the merged list must end up in
//   "$deleteFromPrimitiveList/finalizers"   scalars to remove from a merged list of scalars
//   "$retainKeys": [...]                    drop every key of this map not in the list
//
// This follows the server side of k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch),
// including its quirks (e.g. `$deleteFromPrimitiveList` on a list that does not exist adds the
// items), written from its behaviour. Errors carry the same messages and the HTTP codes the API
// server's patch handler gives them.
import { childInfo, type TypeInfo } from './type-info.js';
import { goValue } from './go-format.js';

type Json = unknown;
type JsonMap = Record<string, Json>;

/** An error of the merge, with the HTTP code the API server answers it with. */
export class SmpError extends Error {
  constructor(
    message: string,
    /** 400 BadRequest, 422 (generic Invalid) or 500 (an error the server does not classify) */
    readonly code: 400 | 422 | 500,
  ) {
    super(message);
    this.name = 'SmpError';
  }
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

const badPrimitiveList = () => new SmpError('invalid patch format of primitive list', 400);
const badRetainKeys = () => new SmpError('invalid patch format of retainKeys', 400);
const badSetElementOrder = () => new SmpError('invalid patch format of setElementOrder list', 400);
const noListOfLists = () => new SmpError('lists of lists are not supported', 422);
const noMergeKey = (m: Json, key: string) => new SmpError(`map: ${goValue(m)} does not contain declared merge key: ${key}`, 500);
const badPatchType = (t: Json, m: Json) => new SmpError(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`, 500);
const badArgType = (expected: string, actual: Json) => new SmpError(`expected a ${expected}, but received a ${goTypeOf(actual)}`, 500);

const isMap = (v: Json): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's reflect type name of a decoded JSON value, for ErrBadArgType messages. */
function goTypeOf(v: Json): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

/** The JSON kind used to decide "same type, recurse" versus "different type, replace". */
function kindOf(v: Json): string {
  if (Array.isArray(v)) return 'slice';
  if (isMap(v)) return 'map';
  return typeof v;
}

interface FieldMeta {
  type: TypeInfo | undefined;
  strategy: string;
  mergeKey: string;
}

function lookup(t: TypeInfo | undefined, key: string): FieldMeta {
  const type = childInfo(t, key);
  return { type, strategy: type?.patchStrategy ?? '', mergeKey: type?.patchMergeKey ?? '' };
}

/** Apply `patch` to `original` (both decoded JSON objects); returns the result, inputs untouched. */
export function strategicMergePatch(original: JsonMap, patch: JsonMap, type: TypeInfo | undefined): JsonMap {
  return mergeMap(structuredClone(original), structuredClone(patch), type);
}

function mergeMap(original: JsonMap | undefined, patch: JsonMap, t: TypeInfo | undefined): JsonMap {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return patch;
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }
  const target = original ?? {};
  applyRetainKeys(target, patch);
  mergeOrderedLists(target, patch, t);

  for (const rawKey of Object.keys(patch)) {
    const patchValue = patch[rawKey];
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchValue === null) {
      delete target[key];
      continue;
    }
    if (!(key in target)) {
      // Not in the original: take the patch value as it is. (For a `$deleteFromPrimitiveList`
      // this adds the items that were meant to be removed: the API server does the same.)
      target[key] = patchValue;
      continue;
    }
    if (kindOf(target[key]) !== kindOf(patchValue)) {
      target[key] = patchValue;
      continue;
    }
    const meta = lookup(t, key);
    if (isMap(patchValue)) {
      target[key] = meta.strategy === 'replace' ? patchValue : mergeMap(target[key] as JsonMap, patchValue, meta.type);
    } else if (Array.isArray(patchValue)) {
      target[key] = mergeSliceHandler(target[key] as Json[], patchValue, meta, isDeleteList);
    } else {
      target[key] = patchValue;
    }
  }
  return target;
}

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === DELETE_FROM_PRIMITIVE_LIST ? badPrimitiveList() : badSetElementOrder();
  }
  return key.slice(slash + 1);
}

/** `$retainKeys`: every key of the patch must be listed; keys of the original that are not, go. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!(RETAIN_KEYS in patch)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRetainKeys();
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<list>`: merge that list now (with its patch list, if any) and put the result
 * in the order given; items only on the server keep their relative place.
 */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, t: TypeInfo | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
    const key = extractKey(directiveKey, SET_ELEMENT_ORDER);
    const foundOriginal = key in original;
    const foundPatch = key in patch;
    const originalList = foundOriginal ? original[key] : undefined;
    const patchList = foundPatch ? patch[key] : undefined;
    if (foundOriginal && !Array.isArray(originalList)) throw badArgType('[]interface {}', originalList);
    if (foundPatch && !Array.isArray(patchList)) throw badArgType('[]interface {}', patchList);
    const originalItems = (originalList as Json[] | undefined) ?? [];
    const patchItemsIn = (patchList as Json[] | undefined) ?? [];
    const meta = lookup(t, key);
    validateAgainstOrder(patchItemsIn, order, meta.mergeKey);

    let merged: Json[];
    if (foundOriginal && !foundPatch) merged = originalItems;
    else if (!foundOriginal && foundPatch) merged = patchItemsIn;
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalItems, patchItemsIn, meta, false);
    else continue;

    const [inPatch, serverOnly] = meta.mergeKey
      ? partitionMaps(merged, order, meta.mergeKey)
      : partitionScalars(merged, order);
    const kind = elementKind(originalItems, patchItemsIn);
    original[key] = normalizeElementOrder(inPatch, serverOnly, order, originalItems, meta.mergeKey, kind);
    delete patch[key];
  }
}

/** The items of the patch list must appear in `$setElementOrder` in the same relative order. */
function validateAgainstOrder(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? splitDeletes(patchList)[0] : patchList;
  let p = 0;
  let o = 0;
  while (p < nonDelete.length && o < order.length) {
    if (isMap(nonDelete[p]) && DIRECTIVE in (nonDelete[p] as JsonMap)) {
      p++;
      continue;
    }
    if (mergeKeyEqual(nonDelete[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < nonDelete.length && o >= order.length) {
    throw new SmpError(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(order)}\n`, 500);
  }
}

function mergeKeyEqual(left: Json, right: Json, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isMap(left)) throw badArgType('map[string]interface {}', left);
  if (!isMap(right)) throw badArgType('map[string]interface {}', right);
  if (!(mergeKey in left)) throw noMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function mergeSliceHandler(original: Json[], patch: Json[], meta: FieldMeta, isDeleteList: boolean): Json[] {
  if (meta.strategy !== 'merge') return patch;
  return mergeSlice(original, patch, meta.type?.items, meta.mergeKey, isDeleteList);
}

/** 'map' or 'scalar': lists must not mix kinds, and lists of lists are not supported. */
function elementKind(...lists: Json[][]): 'map' | 'scalar' {
  let kind: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const k = kindOf(item);
      if (kind === undefined) {
        if (k === 'slice') throw noListOfLists();
        kind = k;
      } else if (k !== kind) {
        throw new SmpError(`list element types are not identical: ${lists.map(goValue).join(' ')}`, 500);
      }
    }
  }
  if (kind === undefined) throw new SmpError('no elements in any of the given slices', 500);
  return kind === 'map' ? 'map' : 'scalar';
}

function mergeSlice(original: Json[], patch: Json[], itemType: TypeInfo | undefined, mergeKey: string, isDeleteList: boolean): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: Json[];
  let base = original;
  let patchItems: Json[] = patch;
  if (kind !== 'map') {
    if (isDeleteList) {
      const remove = new Set(patch);
      return original.filter((v) => !remove.has(v));
    }
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw new SmpError('cannot merge lists without merge key for type struct', 500);
    [base, patchItems] = applyListDirectives(original, patch, mergeKey);
    merged = mergeByKey(base, patchItems, mergeKey, itemType);
  }
  const [inPatch, serverOnly] = mergeKey ? partitionMaps(merged, patchItems, mergeKey) : partitionScalars(merged, patchItems);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, base, mergeKey, kind);
}

/** `$patch` items of a merged list: delete by key, or replace the whole list. */
function applyListDirectives(original: Json[], patch: Json[], mergeKey: string): [Json[], Json[]] {
  const plain: Json[] = [];
  let replace = false;
  let base = original;
  for (const item of patch) {
    const m = item as JsonMap;
    if (!(DIRECTIVE in m)) {
      plain.push(item);
      continue;
    }
    const directive = m[DIRECTIVE];
    if (directive === 'delete') {
      if (!(mergeKey in m)) throw noMergeKey(m, mergeKey);
      base = base.filter((o) => !(isMap(o) && mergeKey in o && o[mergeKey] === m[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new SmpError('merging lists cannot yet be specified in the patch', 500);
    } else {
      throw badPatchType(directive, m);
    }
  }
  return replace ? [plain, []] : [base, plain];
}

function mergeByKey(original: Json[], patch: Json[], mergeKey: string, itemType: TypeInfo | undefined): Json[] {
  const out = [...original];
  for (const item of patch) {
    const m = item as JsonMap;
    if (!(mergeKey in m)) throw noMergeKey(m, mergeKey);
    const index = findByKey(out, mergeKey, m[mergeKey]);
    if (index >= 0) out[index] = mergeMap(out[index] as JsonMap, m, itemType);
    else out.push(item);
  }
  return out;
}

function findByKey(list: Json[], mergeKey: string, value: Json): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isMap(item)) throw new SmpError(`value for key ${i} is not a map.`, 500);
    if (mergeKey in item && item[mergeKey] === value) return i;
  }
  return -1;
}

function dedupe(list: Json[]): Json[] {
  const out: Json[] = [];
  for (const v of list) if (!out.includes(v)) out.push(v);
  return out;
}

function partitionScalars(list: Json[], by: Json[]): [Json[], Json[]] {
  const present = new Set(by);
  return [list.filter((v) => present.has(v)), list.filter((v) => !present.has(v))];
}

function partitionMaps(list: Json[], by: Json[], mergeKey: string): [Json[], Json[]] {
  const inPatch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const item of list) {
    if (!isMap(item)) throw badArgType('map[string]interface {}', item);
    if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
    (findByKey(by, mergeKey, item[mergeKey]) >= 0 ? inPatch : serverOnly).push(item);
  }
  return [inPatch, serverOnly];
}

function splitDeletes(list: Json[]): [Json[], Json[]] {
  const keep: Json[] = [];
  const deletes: Json[] = [];
  for (const item of list) {
    if (!isMap(item)) throw badArgType('map[string]interface {}', item);
    (item[DIRECTIVE] === 'delete' ? deletes : keep).push(item);
  }
  return [keep, deletes];
}

function indexIn(list: Json[], value: Json, mergeKey: string, kind: 'map' | 'scalar'): number {
  const key = (v: Json) => (kind === 'map' ? (isMap(v) ? v[mergeKey] : undefined) : v);
  const wanted = key(value);
  return list.findIndex((v) => key(v) === wanted);
}

/** Sort `items` by their position in `order` (stable; items not in `order` keep their place). */
function sortByOrder(items: Json[], order: Json[], mergeKey: string, kind: 'map' | 'scalar'): Json[] {
  let deletes: Json[] = [];
  let toSort = items;
  if (kind === 'map') {
    for (const list of [items, order]) {
      for (const item of list) {
        if (!isMap(item)) throw badArgType('map[string]interface {}', item);
        if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
      }
    }
    [toSort, deletes] = splitDeletes(items);
  }
  const sorted = [...toSort].sort((a, b) => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = indexIn(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia - ib : 0;
  });
  return [...sorted, ...deletes];
}

/**
 * Interleave the items the patch mentions (in patch order) with the items only the server has
 * (in their old order), keeping each group's relative order.
 */
function normalizeElementOrder(inPatch: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: 'map' | 'scalar'): Json[] {
  const right = sortByOrder(inPatch, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
