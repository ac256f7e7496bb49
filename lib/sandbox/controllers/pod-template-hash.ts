// SPDX-License-Identifier: Apache-2.0
// The `pod-template-hash`: the suffix of a Deployment's ReplicaSet names (`web-7d9f8b6c54`) and
// the label that keeps the pods of two ReplicaSets of one Deployment apart.
//
// Kubernetes hashes the pod template with FNV-1a (32 bit), appends the Deployment's
// `status.collisionCount` when set (so a collision can be escaped by counting up), prints the
// number in decimal and maps each digit to a character of "bcdfghjklmnpqrstvwxz2456789", an
// alphabet without vowels (no accidental words) and without look-alikes such as 0/o and 1/l.
// The Go code hashes the template's Go struct dump; here the hash is over canonical JSON (keys
// sorted), so the values differ from a real cluster's but have the same properties: the same
// template always gives the same hash, any change of the template gives a new one.

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The hash of a pod template (without any pod-template-hash label), as a ReplicaSet name suffix. */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let hash = fnv1a32(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined) {
    // Go writes the count as 8 little-endian bytes, the upper four of them zero.
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv1a32(bytes, hash);
  }
  return safeEncode(String(hash));
}

/** FNV-1a, 32 bit, continuing from `hash` (the offset basis for a fresh hash). */
export function fnv1a32(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (const byte of bytes) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** k8s.io/apimachinery rand.SafeEncodeString: each character mapped into the safe alphabet. */
export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted at every level and undefined fields left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
