// SPDX-License-Identifier: Apache-2.0
// "Does the cluster already hold what we want?" and "what is the smallest write that makes it so?"
//
// Comparing a rendered object with the stored one for equality would never say yes: the API server
// adds fields (clusterIP, defaults such as `protocol: TCP`, `dnsPolicy`), other controllers add
// annotations (`deployment.kubernetes.io/revision`), and it normalises values (`0.5` CPU is stored
// as `500m`; a Go `false` or `0` is often dropped). So for the children the operator asks whether
// every field it wants is already there with the same meaning (`covers`), and when it is not, it
// sends its desired fields as a JSON merge patch, which leaves everybody else's fields alone.
//
// A status, and a Mapping's spec, belong to the operator alone: for those `mergePatch` computes an
// exact RFC 7386 diff, with `null` for fields that must go.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's zero values, which the API server's JSON encoding drops (`omitempty`). */
function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("500m", "1Gi", "1e3") as a number; undefined if it is not one. */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|([numkMGTPE]|[KMGTPE]i)?)$/.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  return m[2] ? base * 10 ** Number(m[2].slice(1)) : base * SUFFIX[m[3] ?? ''];
}

function sameQuantity(a: unknown, b: unknown): boolean {
  if ((typeof a !== 'string' && typeof a !== 'number') || (typeof b !== 'string' && typeof b !== 'number')) return false;
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return a === b;
  return Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y), 1);
}

/**
 * True when `observed` already holds every field of `desired` with the same meaning. Objects may
 * have extra keys; lists must have the same length, element by element; resource quantities
 * compare by value; a zero value (false, 0, "", [], {}) matches a missing field.
 */
export function covers(observed: unknown, desired: unknown, path: string[] = []): boolean {
  if (desired === undefined) return true;
  if (observed === undefined || observed === null) return isZero(desired);
  const parent = path[path.length - 2];
  if ((parent === 'limits' || parent === 'requests') && path.includes('resources')) return sameQuantity(observed, desired);
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed) || observed.length !== desired.length) return false;
    return desired.every((d, i) => covers(observed[i], d, [...path, String(i)]));
  }
  if (isObject(desired)) {
    if (!isObject(observed)) return false;
    return Object.entries(desired).every(([k, v]) => covers(observed[k], v, [...path, k]));
  }
  return observed === desired;
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The RFC 7386 merge patch that turns `from` into `to`: changed fields, `null` for removed ones,
 * lists whole. `undefined` when they are already equal, so "nothing to write" is easy to see.
 */
export function mergePatch(from: unknown, to: unknown): Json | undefined {
  if (jsonEqual(from, to)) return undefined;
  if (!isObject(from) || !isObject(to)) return (to ?? null) as Json;
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(from)) {
    if (from[key] !== undefined && to[key] === undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const sub = mergePatch(from[key], value);
    if (sub !== undefined) patch[key] = sub;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
