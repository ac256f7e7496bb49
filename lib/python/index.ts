// SPDX-License-Identifier: Apache-2.0
// What Python writes: Seldon's server and client are Python programs, and the kit reproduces their
// bytes (JSON responses, printed reprs), so the number layout rules live here, shared by both.
export { decimalDigits, pyFloatRepr, pyIntRepr, pyJsonFloat, shortestFloat32 } from './float-repr.js';
