// SPDX-License-Identifier: Apache-2.0
// What the patch engines need to know about an object's shape, and nothing more: which lists are
// merged by key (and by which key), which are sets, which are replaced whole, and which maps are
// "atomic". Strategic merge patch reads this from Go struct tags (`patchStrategy`,
// `patchMergeKey`); server-side apply reads it from the OpenAPI extensions
// (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`). One tree of
// `TypeInfo` carries both, for the built-in types (builtin-types.ts) and for custom resources
// (derived from the CRD's openAPIV3Schema, below).
//
// A field the tree does not describe is treated the way both engines treat an untagged field:
// objects merge key by key, lists are replaced whole (atomic).

export type ListType = 'atomic' | 'set' | 'map';

export interface TypeInfo {
  /** known fields of a struct (or of an object in a CRD schema) */
  fields?: Record<string, TypeInfo>;
  /** the type of a map's values (labels, data, ...) or of a list's items */
  items?: TypeInfo;
  /** lists: how server-side apply identifies items */
  listType?: ListType;
  /** lists with listType 'map': the fields that identify an item */
  listMapKeys?: string[];
  /** defaults of key fields (a container port without `protocol` is the item `protocol: TCP`) */
  listKeyDefaults?: Record<string, unknown>;
  /** maps and structs: 'atomic' means owned and replaced as a whole by server-side apply */
  mapType?: 'atomic' | 'granular';
  /** strategic merge patch: 'merge' merges lists by patchMergeKey (or as sets of scalars) */
  patchStrategy?: 'merge' | 'replace';
  /** strategic merge patch: the field that identifies an item of a merged list of objects */
  patchMergeKey?: string;
  /** strategic merge patch: the `retainKeys` strategy (Deployment strategy, volumes) */
  retainKeys?: boolean;
}

/** The description of `key` inside `info`: a known field, else the map/list item type. */
export function childInfo(info: TypeInfo | undefined, key: string): TypeInfo | undefined {
  if (!info) return undefined;
  return info.fields?.[key] ?? info.items;
}

/** The description of a list's items. */
export function itemInfo(info: TypeInfo | undefined): TypeInfo | undefined {
  return info?.items;
}

/** How server-side apply treats a list: an explicit list type, else derived from the SMP tags. */
export function listTypeOf(info: TypeInfo | undefined): { type: ListType; keys: string[] } {
  if (info?.listType === 'map') return { type: 'map', keys: info.listMapKeys ?? (info.patchMergeKey ? [info.patchMergeKey] : []) };
  if (info?.listType) return { type: info.listType, keys: [] };
  // Built-in lists without a list-type marker but with `patchStrategy: merge` become associative
  // lists keyed by their patchMergeKey (or sets, for scalars), as kube-openapi converts them.
  if (info?.patchStrategy === 'merge') {
    return info.patchMergeKey ? { type: 'map', keys: [info.patchMergeKey] } : { type: 'set', keys: [] };
  }
  return { type: 'atomic', keys: [] };
}

type Schema = Record<string, unknown>;

/**
 * The TypeInfo of a custom resource, from its CRD version's openAPIV3Schema. Arrays are atomic
 * unless the schema says `x-kubernetes-list-type` (the CRD default, unlike built-ins). Strategic
 * merge patch is refused for custom resources, so only the apply-related markers matter here.
 */
export function typeInfoFromSchema(schema: Schema | undefined): TypeInfo | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const info: TypeInfo = {};
  const mapType = schema['x-kubernetes-map-type'];
  if (mapType === 'atomic' || mapType === 'granular') info.mapType = mapType;
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties) {
    info.fields = {};
    for (const [name, sub] of Object.entries(properties)) {
      const child = typeInfoFromSchema(sub);
      if (child) info.fields[name] = child;
    }
  }
  const additional = schema.additionalProperties;
  if (additional && typeof additional === 'object') info.items = typeInfoFromSchema(additional as Schema);
  if (schema.type === 'array') {
    const listType = schema['x-kubernetes-list-type'];
    info.listType = listType === 'set' || listType === 'map' ? listType : 'atomic';
    const keys = schema['x-kubernetes-list-map-keys'];
    const itemSchema = schema.items as Schema | undefined;
    if (Array.isArray(keys)) {
      info.listMapKeys = keys.map(String);
      const itemProperties = (itemSchema?.properties ?? {}) as Record<string, Schema>;
      for (const key of info.listMapKeys) {
        if (itemProperties[key]?.default !== undefined) (info.listKeyDefaults ??= {})[key] = itemProperties[key].default;
      }
    }
    info.items = typeInfoFromSchema(itemSchema);
  }
  return info;
}
