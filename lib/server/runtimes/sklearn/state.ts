// SPDX-License-Identifier: Apache-2.0
// Reading a pickled estimator's attributes, with errors that say which attribute is wrong.
//
// An estimator arrives as a PyObject: its class name and the `__dict__` BUILD gave it
// (`coef_`, `classes_`, `tree_`, ...). These helpers check each attribute's type as they read it,
// so a file from an unexpected scikit-learn version, or a tampered one, fails at load with
// "LogisticRegression.coef_ should be a 2-D float array" instead of misbehaving at predict time.

import { NdArray, PyObject, isTuple } from '../../pickle/index.js';
import type { Label, LabelDType } from './estimator.js';

/** A model file we can read but not serve: wrong attributes, unsupported settings. */
export class UnsupportedModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedModelError';
  }
}

const built = new WeakMap<PyObject, unknown>();

export class State {
  constructor(readonly obj: PyObject) {}

  /**
   * `make()` once per object of the file. A pickle can refer to one object many times (the memo),
   * so a forest of a million references to one tree is built once, not a million times.
   */
  static cached<T>(obj: PyObject, make: () => T): T {
    const hit = built.get(obj);
    if (hit !== undefined) return hit as T;
    const made = make();
    built.set(obj, made);
    return made;
  }

  /** The state of `value`, which must be an object of the file (of class `className`, if given). */
  static of(value: unknown, where: string, className?: string): State {
    if (!(value instanceof PyObject) || (className !== undefined && value.className !== className)) {
      throw new UnsupportedModelError(`${where} should hold ${className ?? 'an object'}`);
    }
    return new State(value);
  }

  get className(): string {
    return this.obj.className;
  }

  private fail(name: string, what: string): never {
    throw new UnsupportedModelError(`${this.className}.${name} should be ${what}`);
  }

  has(name: string): boolean {
    return this.obj.has(name) && this.obj.get(name) !== null;
  }

  raw(name: string): unknown {
    return this.obj.get(name);
  }

  /** A number (a Python int or float, or a numpy scalar). */
  number(name: string): number {
    const v = this.obj.get(name);
    return typeof v === 'number' ? v : this.fail(name, 'a number');
  }

  /** A number, or undefined when the attribute is missing or None. */
  optionalNumber(name: string): number | undefined {
    return this.has(name) ? this.number(name) : undefined;
  }

  string(name: string, fallback?: string): string {
    const v = this.obj.get(name);
    if (typeof v === 'string') return v;
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    return this.fail(name, 'a string');
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.obj.get(name);
    if (v === undefined) return fallback;
    return typeof v === 'boolean' ? v : this.fail(name, 'True or False');
  }

  array(name: string): NdArray {
    const v = this.obj.get(name);
    return v instanceof NdArray ? v : this.fail(name, 'a numpy array');
  }

  /** A float array of exactly `ndim` dimensions, as rows (ndim 2) or one row (ndim 1). */
  floats(name: string, ndim: 1): Float64Array;
  floats(name: string, ndim: 2): Float64Array[];
  floats(name: string, ndim: 1 | 2): Float64Array | Float64Array[] {
    const a = this.array(name);
    if (a.shape.length !== ndim || !a.dtype.isNumeric) this.fail(name, `a ${ndim}-D numeric array`);
    const values = a.numbers();
    if (ndim === 1) return values;
    const [rows, cols] = a.shape;
    return Array.from({ length: rows }, (_, r) => values.subarray(r * cols, (r + 1) * cols));
  }

  /** `classes_`: the labels `predict` answers with, and their dtype. */
  classes(name = 'classes_'): { labels: Label[]; dtype: LabelDType } {
    const a = this.array(name);
    if (a.shape.length !== 1) this.fail(name, 'a 1-D array');
    const labels = a.values();
    if (!labels.every((l) => typeof l === 'number' || typeof l === 'string' || typeof l === 'boolean')) {
      this.fail(name, 'an array of numbers, strings or booleans');
    }
    return { labels: labels as Label[], dtype: labelDType(a) };
  }

  /** An attribute that must be another object of the file (a step, a tree). */
  object(name: string): PyObject {
    const v = this.obj.get(name);
    return v instanceof PyObject ? v : this.fail(name, 'an object');
  }

  list(name: string): unknown[] {
    const v = this.obj.get(name);
    return Array.isArray(v) && !isTuple(v) ? v : this.fail(name, 'a list');
  }
}

function labelDType(a: NdArray): LabelDType {
  const { kind, itemsize } = a.dtype;
  if (kind === 'f') return itemsize === 4 ? 'float32' : 'float64';
  if (kind === 'i' || kind === 'u') return itemsize === 4 ? 'int32' : 'int64';
  if (kind === 'b') return 'bool';
  if (kind === 'U' || kind === 'S') return 'str';
  return 'object';
}
