// SPDX-License-Identifier: Apache-2.0
// The pure modules the API server calls but does not own: patching (patch.ts) and the built-in
// types' defaults, validation and tables (builtins/). This file is the one place the core reaches
// them, so the core reads the same whichever module provides a function.
import { nameRuleOf, validateObjectMeta, validateObjectMetaUpdate } from './builtins/index.js';
import type { StatusCause } from './status.js';
import type { KubeObject, ResourceType } from './types.js';

export { acceptedPatchTypes as patchTypesFor, applyPatch, trackUpdate } from './patch.js';
export { defaultBuiltin, toTable, validateBuiltin } from './builtins/index.js';
export type { TableOptions } from './builtins/index.js';

/**
 * The ObjectMeta rules every type shares, custom resources included: names on create;
 * name/namespace/uid immutable on update; labels, annotations, owner references, finalizers.
 */
export function validateMeta(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  return old
    ? validateObjectMetaUpdate(obj.metadata, old.metadata)
    : validateObjectMeta(obj.metadata, { namespaced: type.namespaced, name: nameRuleOf(type) });
}

/** Merges two cause lists, dropping exact repeats (two validators may report the same problem). */
export function mergeCauses(a: StatusCause[], b: StatusCause[]): StatusCause[] {
  const seen = new Set(a.map((c) => `${c.field}\u0000${c.message}`));
  return [...a, ...b.filter((c) => !seen.has(`${c.field}\u0000${c.message}`))];
}
