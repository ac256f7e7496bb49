// SPDX-License-Identifier: Apache-2.0
// The limits that keep a hostile pickle from exhausting the server's memory or time.
//
// Each bound is far above what a real model file needs (a random forest of thousands of trees
// fits easily) and far below what would hurt a server. All can be changed per call.

export interface UnpickleLimits {
  /** The largest stream accepted, in bytes. */
  maxInputBytes: number;
  /** Values pushed on the stack over the whole stream (bounds the stack, lists, dicts and sets). */
  maxValues: number;
  /** Entries in the memo (the table of values a pickle refers back to). */
  maxMemoEntries: number;
  /** How deep MARKs may nest (tuples in lists in dicts...). */
  maxNesting: number;
  /** Work proportional to data size (array elements decoded, bytes converted, items copied). */
  maxWork: number;
  /** The longest string, in bytes. */
  maxStringBytes: number;
  /** The longest Python int, in bytes. */
  maxIntegerBytes: number;
  /** How many pickles deep joblib's nested object-array pickles may go. */
  maxNestedPickles: number;
}

export const DEFAULT_LIMITS: Readonly<UnpickleLimits> = Object.freeze({
  maxInputBytes: 1024 * 1024 * 1024,
  maxValues: 10_000_000,
  maxMemoEntries: 4_000_000,
  maxNesting: 1000,
  maxWork: 128 * 1024 * 1024,
  maxStringBytes: 64 * 1024 * 1024,
  maxIntegerBytes: 256,
  maxNestedPickles: 2,
});
