// SPDX-License-Identifier: Apache-2.0
// Nested JavaScript arrays seen as numpy arrays: shape, flatten, reshape.
//
// Both protocols carry tensors two ways, as nested lists (`ndarray`, V2 nested `data`) or as a
// flat list of values plus a shape (`tensor`, V2 flat `data`). A model always receives nested
// arrays, the way Seldon's Python server hands it a numpy array; these helpers convert between
// the forms and check the shapes, without recursion deeper than the shape itself.

/** The most dimensions a tensor may have (numpy's own limit is 32 on older versions). */
export const MAX_DIMENSIONS = 32;

/** Thrown for shapes that do not fit their values; the message says what was expected. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Checks a shape from a request: a list of whole numbers >= 0, at most one -1 (numpy's "infer
 * this dimension"), resolved against `count` values. Returns the resolved shape.
 */
export function resolveShape(shape: unknown, count: number, where: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${where} must be a list of whole numbers, e.g. [1, 4]`);
  if (shape.length > MAX_DIMENSIONS) throw new ShapeError(`${where} has ${shape.length} dimensions; at most ${MAX_DIMENSIONS} are allowed`);
  let inferAt = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i] as unknown;
    if (d === -1 && inferAt < 0) {
      inferAt = i;
      continue;
    }
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${where}[${i}] is ${JSON.stringify(d)}; each dimension must be a whole number >= 0 (or one -1)`);
    }
    known *= d;
  }
  const resolved = shape.slice() as number[];
  if (inferAt >= 0) {
    if (known === 0 || count % known !== 0) {
      throw new ShapeError(`${where} ${JSON.stringify(shape)} cannot hold ${count} values`);
    }
    resolved[inferAt] = count / known;
  } else if (known !== count) {
    throw new ShapeError(`${where} ${JSON.stringify(shape)} needs ${known} values but ${count} were sent`);
  }
  return resolved;
}

/**
 * Row-major nested arrays of `shape` from flat `values` (which must hold product(shape) items).
 * A shape of [] gives the single value itself, as numpy's 0-d array does.
 */
export function reshape<T>(values: readonly T[], shape: readonly number[]): unknown {
  if (shape.length === 0) return values[0];
  if (shape.length === 1) return values.slice();
  // Build the innermost rows first, then group them dimension by dimension: no recursion.
  const last = shape[shape.length - 1];
  let level: unknown[] = [];
  const rows = last === 0 ? product(shape.slice(0, -1)) : values.length / last;
  guardArrayCount(rows, values.length);
  for (let r = 0; r < rows; r++) level.push(values.slice(r * last, r * last + last));
  for (let d = shape.length - 2; d >= 1; d--) {
    const size = shape[d];
    const groups = size === 0 ? product(shape.slice(0, d)) : level.length / size;
    guardArrayCount(groups, values.length);
    const next: unknown[] = [];
    for (let g = 0; g < groups; g++) next.push(level.slice(g * size, g * size + size));
    level = next;
  }
  return level;
}

// A shape like [1000000000, 0] holds no values but would still ask for a billion empty rows.
function guardArrayCount(arrays: number, values: number): void {
  if (arrays > Math.max(values, 1 << 16)) {
    throw new ShapeError(`the shape asks for ${arrays} empty rows; send a shape with fewer dimensions of size 0 beyond the first`);
  }
}

/**
 * The shape of nested arrays, as `np.array(value).shape` gives it for a rectangular array, or
 * `undefined` when rows differ in length (numpy would refuse, or make an object array).
 */
export function shapeOf(value: unknown): number[] | undefined {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (shape.length > MAX_DIMENSIONS) return undefined;
    if (probe.length === 0) break;
    probe = probe[0];
  }
  return isRectangular(value, shape, 0) ? shape : undefined;
}

function isRectangular(value: unknown, shape: number[], dim: number): boolean {
  if (dim === shape.length) return !Array.isArray(value);
  if (!Array.isArray(value) || value.length !== shape[dim]) return false;
  if (dim === shape.length - 1) {
    for (let i = 0; i < value.length; i++) if (Array.isArray(value[i])) return false;
    return true;
  }
  for (let i = 0; i < value.length; i++) if (!isRectangular(value[i], shape, dim + 1)) return false;
  return true;
}

/** All leaves of nested arrays in row-major order (`ravel()`), iteratively. */
export function flatten(value: unknown): unknown[] {
  if (!Array.isArray(value)) return [value];
  const out: unknown[] = [];
  const stack: Array<{ items: unknown[]; next: number }> = [{ items: value, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next >= top.items.length) {
      stack.pop();
      continue;
    }
    const item = top.items[top.next++];
    if (Array.isArray(item)) stack.push({ items: item, next: 0 });
    else out.push(item);
  }
  return out;
}

/** True when `value` is an array whose items are all arrays or all non-arrays, at every level. */
export function isNested(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && Array.isArray(value[0]);
}
