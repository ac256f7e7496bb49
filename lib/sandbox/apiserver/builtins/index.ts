// SPDX-License-Identifier: Apache-2.0
// The built-in types' server-side behaviour that the sandbox API server calls: defaults (what a
// 1.30 server fills in), Go-side validation (the 422s an OpenAPI schema cannot express) and the
// Tables `kubectl get` prints. Pure functions: objects in, objects or causes out.
export { defaultBuiltin } from './defaults.js';
export {
  validateBuiltin,
  validateObjectMeta,
  validateObjectMetaUpdate,
  selectorMatches,
  nameRuleOf,
  checkName,
  type LabelSelector,
} from './validation.js';
export { toTable, humanDuration, type Table, type TableRow, type TableOptions, type ColumnDefinition } from './tables.js';
