// SPDX-License-Identifier: Apache-2.0
// Property-based tests (fast-check) over pickle bytes: random bytes, and real model files with
// random damage (flipped, inserted, deleted bytes, truncation, hostile opcodes spliced in).
// Whatever the bytes, the unpickler must
//   - return or throw a PickleError, never another error (no TypeError, RangeError, hang);
//   - never resolve a global that is not on the allow-list, nor leave one in its result;
//   - never run a payload (the hostile seeds would create a marker file).
// "Never hangs" is by construction (every opcode consumes at least one byte of input, and work
// per byte is bounded); a regression would block this test run until the runner kills it.

import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromRoot } from '../../paths.js';
import { AllowList } from './allow-list.js';
import { assemble, op } from './assemble.js';
import { PickleError } from './errors.js';
import { dataAllowList } from './load.js';
import { PyGlobal, PyObject } from './python.js';
import { sklearnClasses } from '../runtimes/sklearn/registry.js';
import { pickleStreamOf } from './stream-format.js';
import { unpickle, type UnpickleLimits } from './unpickler.js';

const fixtures = fromRoot('cluster', 'models', 'fixtures');
// The allow-list the SKLEARN_SERVER runtime uses, so damaged model files get past GLOBAL and
// exercise arrays, trees and estimators' state rather than stopping at a refused name.
const allow = dataAllowList.with(sklearnClasses);
const allowed = new Set(allow.names());
// Small enough that a run is quick, large enough for every seed file.
const limits: Partial<UnpickleLimits> = { maxValues: 200_000, maxWork: 4_000_000, maxMemoEntries: 100_000, maxNesting: 200 };

/** Every seed: the uncompressed model and data files the fixtures script wrote, and the hostile ones. */
const seeds: Uint8Array[] = readdirSync(fixtures)
  .filter((d) => d.startsWith('sklearn-'))
  .flatMap((d) => readdirSync(`${fixtures}/${d}`).filter((f) => /\.(joblib|pkl)$/.test(f)).map((f) => readFileSync(`${fixtures}/${d}/${f}`)))
  .map((bytes) => {
    // Decompressed, so mutations hit the pickle itself; and plain Uint8Array copies, because
    // Buffer.slice() is a view and the damage would leak into the seed.
    try {
      return new Uint8Array(pickleStreamOf(bytes, 1 << 24));
    } catch {
      return new Uint8Array(bytes);
    }
  });
const marker = (JSON.parse(readFileSync(`${fixtures}/sklearn-hostile/expected.json`, 'utf8')) as { marker: string }).marker;

/** Snippets an attacker would splice in. */
const hostileSnippets = [
  assemble(op.global('os', 'system'), op.str('touch ' + marker), op.tuple1(), op.reduce()),
  assemble(op.global('builtins', 'eval'), op.str('1'), op.tuple1(), op.reduce()),
  assemble(op.str('subprocess', true), op.str('Popen', true), op.stackGlobal()),
  assemble(op.global('numpy', 'ndarray'), op.emptyTuple(), op.reduce()),
  assemble(op.global('copy_reg', '_reconstructor'), op.global('posix', 'system'), op.global('__builtin__', 'object'), op.none(), op.tuple3(), op.reduce()),
  assemble(op.raw(0x42, 0xfb, 0xff, 0xff, 0xff)), // BINBYTES with a length that is -5 as int32
  assemble(op.binget(0), op.binget(0), op.build()),
];

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'bump'; at: number; by: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; snippet: Uint8Array };

// Positions without fast-check's bias towards small numbers, which would damage only headers.
const position = fc.noBias(fc.nat());
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
  // +-1 on a byte: a length, a shape or a memo index that is off by one, as in a real bug
  fc.record({ kind: fc.constant('bump' as const), at: position, by: fc.constantFrom(1, -1) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('splice' as const), at: position, snippet: fc.constantFrom(...hostileSnippets) }),
);

function mutate(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = seed;
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.kind === 'flip' || m.kind === 'bump') {
      bytes = bytes.slice();
      if (bytes.length) bytes[at] = m.kind === 'flip' ? m.value : bytes[at] + m.by;
    } else if (m.kind === 'insert' || m.kind === 'splice') {
      bytes = assemble(bytes.subarray(0, at), m.kind === 'insert' ? m.bytes : m.snippet, bytes.subarray(at));
    } else if (m.kind === 'delete') {
      bytes = assemble(bytes.subarray(0, at), bytes.subarray(at + m.length));
    } else {
      bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

/** Every global and object reachable from `value` names an allowed global. Iterative, with a budget. */
function foreignNames(value: unknown): string[] {
  const foreign: string[] = [];
  const seen = new Set<unknown>();
  const todo: unknown[] = [value];
  while (todo.length && seen.size < 100_000) {
    const v = todo.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) {
      if (typeof v === 'function') foreign.push('a JavaScript function');
      continue;
    }
    seen.add(v);
    if (v instanceof PyGlobal || v instanceof PyObject) {
      if (!allowed.has(v.qualifiedName)) foreign.push(v.qualifiedName);
      if (v instanceof PyObject) todo.push(v.state, ...v.args);
    } else if (v instanceof Map) {
      for (const [k, x] of v) todo.push(k, x);
    } else if (v instanceof Set || Array.isArray(v)) {
      for (const x of v) todo.push(x);
    }
  }
  return foreign;
}

// Every global the allow-list hands out during a run, recorded by wrapping AllowList.resolve.
const resolved: string[] = [];
const originalResolve = AllowList.prototype.resolve;

beforeAll(() => {
  rmSync(marker, { force: true });
  vi.spyOn(AllowList.prototype, 'resolve').mockImplementation(function (this: AllowList, module, name, offset) {
    const global = originalResolve.call(this, module, name, offset);
    resolved.push(global.qualifiedName);
    return global;
  });
});
afterAll(() => vi.restoreAllMocks());

/** Runs the unpickler on `bytes` and checks the three promises. */
function check(bytes: Uint8Array): void {
  resolved.length = 0;
  try {
    const value = unpickle(bytes, { allow, limits });
    expect(foreignNames(value)).toEqual([]);
  } catch (error) {
    if (!(error instanceof PickleError)) throw error; // fast-check then reports the bytes that caused it
  }
  for (const name of resolved) expect(allowed.has(name)).toBe(true);
  expect(existsSync(marker)).toBe(false);
}

describe('the unpickler under random input', () => {
  it('has seeds: the fixture files load cleanly first', () => {
    expect(seeds.length).toBeGreaterThan(10);
    for (const seed of seeds.slice(0, 3)) check(seed);
  });

  it('handles random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => check(bytes)), { numRuns: 2000 });
  });

  it('handles random bytes after a valid header', () => {
    const header = fc.constantFrom(assemble(op.proto(2)), assemble(op.proto(4), op.frame(64)), assemble(op.proto(5)));
    fc.assert(fc.property(header, fc.uint8Array({ maxLength: 300 }), (h, rest) => check(assemble(h, rest))), { numRuns: 1500 });
  });

  it('handles real model files with random damage', () => {
    fc.assert(
      fc.property(fc.noBias(fc.constantFrom(...seeds)), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        check(mutate(seed, mutations));
      }),
      { numRuns: 2500 },
    );
  });
});
