// SPDX-License-Identifier: Apache-2.0
// The pure modules the API server calls but does not own: patching (patch.ts) and the built-in
// types' defaults, validation and tables (builtins/). This file is the one place the core reaches
// them, so the core reads the same whichever module provides a function.
//
// STAND-INS, until builtins/ provides them: `validateBuiltin` checks metadata only (names,
// labels, annotations, finalizers, owner references; meta-validation.ts), and `toTable` prints
// NAME, the type's printer columns and AGE.
import { getPath } from './objects.js';
import { validateObjectMeta } from './meta-validation.js';
import type { StatusCause } from './status.js';
import type { KubeObject, PrinterColumn, ResourceType } from './types.js';

export { acceptedPatchTypes as patchTypesFor, applyPatch, trackUpdate } from './patch.js';
export { defaultBuiltin } from './builtins/defaults.js';

/** STAND-IN for builtins' `validateBuiltin`: the ObjectMeta rules every type shares. */
export function validateBuiltin(type: ResourceType, obj: KubeObject, old?: KubeObject): StatusCause[] {
  return validateObjectMeta(type, obj, old === undefined);
}

export interface TableOptions {
  /** `?includeObject=`: None, Metadata (default) or Object */
  includeObject?: 'None' | 'Metadata' | 'Object';
  now?: Date;
}

/** How old something is, kubectl-style: 45s, 12m, 3h, 5d. */
function age(created: string | undefined, now: Date): string {
  if (!created) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(created)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function cell(column: PrinterColumn, object: KubeObject, now: Date): unknown {
  const value = getPath(object, column.jsonPath);
  if (value === undefined || value === null) return null;
  if (column.type === 'date' && typeof value === 'string') return age(value, now);
  return value;
}

function rowObject(o: KubeObject, include: 'None' | 'Metadata' | 'Object'): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** STAND-IN for builtins' `toTable`: NAME, the type's printer columns, AGE. */
export function toTable(type: ResourceType, objects: KubeObject[], opts: TableOptions = {}): Record<string, unknown> {
  const now = opts.now ?? new Date();
  const columns: PrinterColumn[] = type.printerColumns ?? [];
  const hasAge = columns.some((c) => c.jsonPath === '.metadata.creationTimestamp');
  const definitions = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    ...columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
    ...(hasAge ? [] : [{ name: 'Age', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 }]),
  ];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: definitions,
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...columns.map((c) => cell(c, o, now)), ...(hasAge ? [] : [age(o.metadata.creationTimestamp, now)])],
      object: rowObject(o, opts.includeObject ?? 'Metadata'),
    })),
  };
}
