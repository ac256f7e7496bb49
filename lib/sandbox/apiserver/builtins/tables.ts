// SPDX-License-Identifier: Apache-2.0
// `kubectl get` does not decide its own columns: it asks the server for a `meta.k8s.io/v1`
// Table (Accept: application/json;as=Table;v=v1;g=meta.k8s.io) and prints what comes back. So
// the columns, and the way ages and states are written, are the server's:
//
// - built-in types with a printer (Pod, Service, Deployment, ...): the printer's columns, ages
//   already formatted ("5m2s");
// - custom resources: NAME plus the CRD's additionalPrinterColumns (JSONPath), or NAME and AGE
//   when it declares none; a `type: date` column is also sent formatted as an age;
// - everything else (CRDs themselves, Roles, ...): NAME and "CREATED AT", the raw RFC 3339 time.
import type { KubeObject, PrinterColumn, ResourceType } from '../types.js';
import { since } from './tables/format.js';
import { evaluateJsonPath } from './tables/jsonpath.js';
import { AGE_DESCRIPTION, NAME_DESCRIPTION, PRINTERS, type ColumnDefinition } from './tables/printers.js';

export type { ColumnDefinition } from './tables/printers.js';
export { humanDuration } from './tables/format.js';

export interface TableRow {
  cells: unknown[];
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  /** the time ages are measured against; only when it is not given is the clock read */
  now?: Date;
  /** `?includeObject=`: what each row carries; kubectl asks for Metadata (the default) */
  includeObject?: 'None' | 'Metadata' | 'Object';
  /** the list's resourceVersion and continue token, copied into the Table's metadata */
  resourceVersion?: string;
  continue?: string;
}

const nameColumn: ColumnDefinition = { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 };

/** The CRD default when a version declares no additionalPrinterColumns. */
const DEFAULT_CR_COLUMNS: PrinterColumn[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESCRIPTION }];

/** A printer column's cell: strings as JSONPath prints them, numbers as numbers, dates as ages. */
function customCell(column: PrinterColumn, obj: KubeObject, now: Date): unknown {
  let results: unknown[];
  try {
    results = evaluateJsonPath(obj, column.jsonPath);
  } catch {
    return null;
  }
  const value = results[0];
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      if (typeof value !== 'string') return null;
      return Number.isNaN(Date.parse(value)) ? '<invalid>' : since(value, now);
    default:
      return null;
  }
}

interface Convertor {
  columns: ColumnDefinition[];
  cells(obj: KubeObject, now: Date): unknown[];
}

function convertorFor(type: ResourceType): Convertor {
  const printer = type.builtin ? PRINTERS[`${type.group}/${type.kind}`] : undefined;
  if (printer) return { columns: printer.columns, cells: (o, now) => printer.cells(o, now) };
  if (!type.builtin || type.printerColumns) {
    const columns = type.printerColumns && type.printerColumns.length > 0 ? type.printerColumns : DEFAULT_CR_COLUMNS;
    return {
      columns: [
        nameColumn,
        ...columns.map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format ?? '',
          description: c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
          priority: c.priority ?? 0,
        })),
      ],
      cells: (o, now) => [o.metadata.name ?? '', ...columns.map((c) => customCell(c, o, now))],
    };
  }
  return {
    columns: [nameColumn, { name: 'Created At', type: 'date', format: '', description: AGE_DESCRIPTION, priority: 0 }],
    cells: (o) => [o.metadata.name ?? '', o.metadata.creationTimestamp ? new Date(o.metadata.creationTimestamp).toISOString().replace(/\.\d{3}Z$/, 'Z') : '0001-01-01T00:00:00Z'],
  };
}

function rowObject(obj: KubeObject, include: 'None' | 'Metadata' | 'Object'): unknown {
  if (include === 'None') return null;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** The Table the API server answers a `kubectl get` of `objects` (one object or a list) with. */
export function toTable(type: ResourceType, objects: KubeObject[], opts: TableOptions = {}): Table {
  const now = opts.now ?? new Date();
  const convertor = convertorFor(type);
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: convertor.columns,
    rows: objects.map((o) => ({ cells: convertor.cells(o, now), object: rowObject(o, opts.includeObject ?? 'Metadata') })),
  };
}
