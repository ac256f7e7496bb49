// SPDX-License-Identifier: Apache-2.0
// How Python values look once unpickled into TypeScript.
//
// The unpickler never creates Python objects; it builds plain, inert data:
//
//   Python                     TypeScript
//   None, bool, float, str     null, boolean, number, string
//   int                        number (bigint beyond 2^53, where doubles skip integers)
//   bytes, bytearray           Uint8Array
//   list                       Array
//   tuple                      a frozen Array (immutable, like the tuple)
//   dict                       Map (never a plain object: a key such as "__proto__" stays data)
//   set, frozenset             Set
//   an allowed class instance  PyObject (its class name plus the state dict BUILD gave it), or
//                              one of our own classes for numpy (NdArray, Dtype)
//
// Everything that touches a value from the file goes through the small hooks defined here:
// allowed globals say what calling them does, and objects say what BUILD does to them.

import { PickleError } from './errors.js';

/** A Python tuple: a frozen array. */
export type PyTuple = readonly unknown[];

export function tuple(items: unknown[]): PyTuple {
  return Object.freeze(items);
}

export function isTuple(value: unknown): value is PyTuple {
  return Array.isArray(value) && Object.isFrozen(value);
}

/** A Python list (a mutable array). */
export function isList(value: unknown): value is unknown[] {
  return Array.isArray(value) && !Object.isFrozen(value);
}

/** A Python dict. */
export type PyDict = Map<unknown, unknown>;

/**
 * What the rest of the stream offers to code that runs during unpickling (allowed functions and
 * BUILD). joblib needs it: it writes an array's bytes straight after the wrapper object, outside
 * any pickle opcode, so the wrapper's BUILD must read them from the stream.
 */
export interface PickleStream {
  /** Reads `length` raw bytes at the current position; `what` names them in errors. */
  read(length: number, what: string): Uint8Array;
  /** Unpickles a whole nested pickle that starts at the current position (joblib's object arrays). */
  unpickleNested(): unknown;
  /**
   * Counts work that grows with the size of the data (array elements decoded, bytes converted,
   * items copied) against the file's limit, before doing it. A pickle can repeat an operation on
   * one large value for a few bytes each time (fetch it from the memo, BUILD again); this bound
   * keeps such a file from taking unbounded time or memory.
   */
  claim(units: number, what: string): void;
  /** Where the stream is, for error messages. */
  readonly offset: number;
}

/** The key under which an object keeps its BUILD behaviour. A symbol, so no data from a file can supply it. */
export const BUILD = Symbol('pickle.BUILD');

/**
 * An object that accepts the BUILD opcode (`obj.__setstate__(state)` in Python). It returns the
 * object that replaces it on the stack: itself, except for joblib's wrapper, which becomes the array.
 */
export interface Buildable {
  [BUILD](state: unknown, stream: PickleStream): unknown;
}

export function isBuildable(value: unknown): value is Buildable {
  return typeof value === 'object' && value !== null && BUILD in value;
}

/**
 * One allow-listed global: a class or function a pickle may name. What happens when the pickle
 * calls it is written here, in TypeScript; the pickle only chooses among these entries.
 */
export interface AllowedGlobal {
  readonly module: string;
  readonly name: string;
  /** `f(*args)`: the REDUCE, INST and OBJ opcodes. Absent: calling it is refused. */
  call?(args: PyTuple, stream: PickleStream): unknown;
  /** `cls.__new__(cls, *args)`: NEWOBJ, NEWOBJ_EX and copyreg._reconstructor. Absent: refused. */
  create?(args: PyTuple, stream: PickleStream): unknown;
}

/** The value a GLOBAL opcode pushes: a reference to an allow-listed entry, not the thing itself. */
export class PyGlobal {
  constructor(readonly entry: AllowedGlobal) {}

  get qualifiedName(): string {
    return `${this.entry.module}.${this.entry.name}`;
  }
}

/**
 * An instance of an allow-listed Python class, as data: the class's qualified name, the
 * arguments it was created with, and its state (for scikit-learn estimators, the `__dict__`).
 */
export class PyObject implements Buildable {
  /** What BUILD set: usually a dict of attributes. */
  state: unknown = undefined;

  constructor(
    readonly qualifiedName: string,
    readonly args: PyTuple = tuple([]),
  ) {}

  [BUILD](state: unknown, stream: PickleStream): unknown {
    // Python's default BUILD updates __dict__; a second BUILD adds to the first.
    if (this.state instanceof Map && state instanceof Map) {
      stream.claim(state.size, 'object state');
      for (const [key, value] of state) this.state.set(key, value);
    } else {
      this.state = state;
    }
    return this;
  }

  /** An attribute from the state dict, or undefined when there is none. */
  get(name: string): unknown {
    return this.state instanceof Map ? this.state.get(name) : undefined;
  }

  has(name: string): boolean {
    return this.state instanceof Map && this.state.has(name);
  }

  /** The short class name, e.g. `LogisticRegression`. */
  get className(): string {
    return this.qualifiedName.slice(this.qualifiedName.lastIndexOf('.') + 1);
  }
}

/** An allow-listed plain Python class: NEWOBJ makes a PyObject; the class itself is never run. */
export function pythonClass(module: string, name: string): AllowedGlobal {
  return { module, name, create: () => new PyObject(`${module}.${name}`) };
}

/**
 * An allow-listed extension class whose pickle calls the class with arguments (`cls(*args)`),
 * as Cython classes such as `sklearn.tree._tree.Tree` do. The arguments are kept as data.
 */
export function extensionClass(module: string, name: string): AllowedGlobal {
  return { module, name, call: (args) => new PyObject(`${module}.${name}`, args) };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A Python int as TypeScript: a number when it is a safe integer (|n| < 2^53), else a bigint. */
export function pyInt(value: bigint): number | bigint {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value;
}

/** Throws a PickleError unless `value` is a tuple of `length` items. */
export function expectTuple(value: unknown, length: number | readonly number[], what: string, offset?: number): PyTuple {
  const lengths = typeof length === 'number' ? [length] : length;
  if (!isTuple(value) || !lengths.includes(value.length)) {
    throw new PickleError(`${what}: expected a tuple of ${lengths.join(' or ')} items, got ${describe(value)}`, offset);
  }
  return value;
}

/** A short, data-free description of a value's type for error messages (never its content). */
export function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value === undefined) return 'nothing';
  if (isTuple(value)) return `a tuple of ${value.length}`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Map) return 'a dict';
  if (value instanceof Set) return 'a set';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value instanceof PyGlobal) return value.qualifiedName;
  if (value instanceof PyObject) return `a ${value.qualifiedName} object`;
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'value'}`;
  if (typeof value === 'bigint') return 'an int';
  return `a ${typeof value}`;
}
