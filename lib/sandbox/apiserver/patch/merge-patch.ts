// SPDX-License-Identifier: Apache-2.0
// JSON merge patch (RFC 7386), `application/merge-patch+json`: the patch is a partial object; a
// key set to null is deleted, an object is merged key by key, anything else (arrays included)
// replaces the old value whole. That last rule is why merge-patching `containers` replaces the
// whole list, the classic surprise that strategic merge patch exists to avoid.
//
// Nulls inside a value that is added (rather than merged) are dropped too, as the API server's
// JSON patch library (evanphx/json-patch) does; nulls inside arrays are kept.

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function pruneNulls(value: Json): Json {
  if (Array.isArray(value)) return value.map((item) => (isObject(item) || Array.isArray(item) ? pruneNulls(item) : item));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = pruneNulls(v);
  return out;
}

/** Merge `patch` into `target`; neither argument is modified. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  if (!isObject(target)) return pruneNulls(patch);
  const out: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (out[key] === undefined || out[key] === null) out[key] = pruneNulls(value);
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
