// SPDX-License-Identifier: Apache-2.0
// The pickle machine, opcode by opcode: values, containers, the allow-list, limits and bad streams.
// Streams are written with the assembler, so each test shows exactly the bytes it feeds in.

import { describe, expect, it } from 'vitest';
import { AllowList } from './allow-list.js';
import { assemble, op } from './assemble.js';
import { pythonDataGlobals } from './builtins.js';
import { PickleError, RefusedGlobalError } from './errors.js';
import { OP } from './opcodes.js';
import { PyObject, isTuple, pythonClass } from './python.js';
import { unpickle, type UnpickleLimits } from './unpickler.js';

const allow = new AllowList(pythonDataGlobals, [pythonClass('example', 'Point')]);
const load = (bytes: Uint8Array, limits?: Partial<UnpickleLimits>) => unpickle(bytes, { allow, limits });
const p2 = (...parts: number[][]) => assemble(op.proto(2), ...parts, op.stop());

function failure(bytes: Uint8Array, limits?: Partial<UnpickleLimits>): PickleError {
  try {
    load(bytes, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(PickleError);
    return error as PickleError;
  }
  throw new Error('expected the stream to be refused');
}

describe('values', () => {
  it('reads constants, ints of every width, floats and strings', () => {
    expect(load(p2(op.none()))).toBe(null);
    expect(load(p2(op.true()))).toBe(true);
    expect(load(p2(op.int(7)))).toBe(7);
    expect(load(p2(op.int(300)))).toBe(300);
    expect(load(p2(op.int(-5)))).toBe(-5);
    expect(load(p2(op.float(0.1)))).toBe(0.1);
    expect(load(p2(op.str('héllo 日本')))).toBe('héllo 日本');
    expect(load(p2(op.str('short', true)))).toBe('short');
  });

  it('reads LONG1 as signed two\'s complement (-1 is not 255)', () => {
    expect(load(p2(op.long1([0xff])))).toBe(-1);
    expect(load(p2(op.long1([0x00, 0x80])))).toBe(-32768);
    expect(load(p2(op.long1([])))).toBe(0);
    // 2**70 does not fit a double exactly: it stays a bigint
    expect(load(p2(op.long1([0, 0, 0, 0, 0, 0, 0, 0, 0x40])))).toBe(2n ** 70n);
  });

  it('reads the text opcodes of protocol 0', () => {
    expect(load(assemble(op.text(OP.INT, '42'), op.stop()))).toBe(42);
    expect(load(assemble(op.text(OP.INT, '01'), op.stop()))).toBe(true);
    expect(load(assemble(op.text(OP.LONG, '-123456789012345678901234L'), op.stop()))).toBe(-123456789012345678901234n);
    expect(load(assemble(op.text(OP.FLOAT, '2.5e-3'), op.stop()))).toBe(0.0025);
    expect(load(assemble(op.text(OP.FLOAT, '-inf'), op.stop()))).toBe(-Infinity);
    expect(load(assemble(op.text(OP.UNICODE, 'caf\\u00e9 \\U0001f600'), op.stop()))).toBe('café 😀');
    expect(load(assemble(op.text(OP.STRING, "'a\\n\\x41\\101'"), op.stop()))).toBe('a\nAA');
  });

  it('keeps bytes as a Uint8Array', () => {
    expect(load(p2(op.bytes([0, 255, 7])))).toEqual(new Uint8Array([0, 255, 7]));
  });
});

describe('containers', () => {
  it('makes tuples frozen arrays and lists plain arrays', () => {
    const value = load(p2(op.mark(), op.int(1), op.emptyList(), op.int(2), op.append(), op.tuple())) as unknown[];
    expect(isTuple(value)).toBe(true);
    expect(value).toEqual([1, [2]]);
    expect(isTuple(value[1])).toBe(false);
  });

  it('makes dicts Maps, so "__proto__" is an ordinary key', () => {
    const dict = load(p2(op.emptyDict(), op.str('__proto__'), op.emptyList(), op.setitem())) as Map<string, unknown>;
    expect(dict).toBeInstanceOf(Map);
    expect(dict.get('__proto__')).toEqual([]);
    expect(Object.getPrototypeOf(dict)).toBe(Map.prototype);
  });

  it('shares memoized values instead of copying them', () => {
    const value = load(p2(op.emptyList(), op.binput(0), op.binget(0), op.tuple2())) as unknown[];
    expect(value[0]).toBe(value[1]);
  });

  it('reads sets, including protocol 2 builtins.set(list)', () => {
    const set = load(p2(op.global('__builtin__', 'set'), op.emptyList(), op.int(3), op.append(), op.tuple1(), op.reduce()));
    expect(set).toEqual(new Set([3]));
  });

  it('creates allow-listed objects with NEWOBJ and gives them their state with BUILD', () => {
    const point = load(
      p2(op.global('example', 'Point'), op.emptyTuple(), op.newobj(), op.emptyDict(), op.str('x'), op.int(3), op.setitem(), op.build()),
    );
    expect(point).toBeInstanceOf(PyObject);
    expect((point as PyObject).qualifiedName).toBe('example.Point');
    expect((point as PyObject).get('x')).toBe(3);
  });

  it('creates objects of protocols 0 and 1 through copy_reg._reconstructor', () => {
    const point = load(
      assemble(op.global('copy_reg', '_reconstructor'), op.global('example', 'Point'), op.global('__builtin__', 'object'),
        op.none(), op.tuple3(), op.reduce(), op.stop()),
    );
    expect((point as PyObject).qualifiedName).toBe('example.Point');
  });

  it('reads bytes written by protocol 2 as _codecs.encode(text, "latin1")', () => {
    const bytes = load(p2(op.global('_codecs', 'encode'), op.str('\u0000\u00ff'), op.str('latin1'), op.tuple2(), op.reduce()));
    expect(bytes).toEqual(new Uint8Array([0, 255]));
  });
});

describe('the allow-list', () => {
  const hostile: Array<[string, string]> = [
    ['os', 'system'],
    ['posix', 'system'],
    ['builtins', 'eval'],
    ['__builtin__', 'eval'],
    ['subprocess', 'Popen'],
    ['builtins', 'getattr'],
    ['numpy', 'load'],
  ];
  it.each(hostile)('refuses %s.%s, naming it, and calls nothing', (module, name) => {
    const bytes = p2(op.global(module, name), op.str('touch /tmp/x'), op.tuple1(), op.reduce());
    const error = failure(bytes);
    expect(error).toBeInstanceOf(RefusedGlobalError);
    expect((error as RefusedGlobalError).qualifiedName).toBe(`${module}.${name}`);
    expect(error.message).toContain(`${module}.${name}`);
    expect(error.offset).toBe(2);
  });

  it('refuses STACK_GLOBAL names too', () => {
    const error = failure(assemble(op.proto(4), op.str('os', true), op.str('system', true), op.stackGlobal(), op.stop()));
    expect((error as RefusedGlobalError).qualifiedName).toBe('os.system');
  });

  it('refuses to call anything that is not an allowed global', () => {
    expect(failure(p2(op.int(1), op.emptyTuple(), op.reduce())).message).toMatch(/REDUCE: cannot call/);
    // an allowed class that only NEWOBJ may create cannot be called
    expect(failure(p2(op.global('example', 'Point'), op.emptyTuple(), op.reduce())).message).toMatch(/cannot be called/);
  });

  it('refuses persistent ids, extension codes and out-of-band buffers', () => {
    expect(failure(p2(op.str('id'), op.raw(OP.BINPERSID))).message).toMatch(/persistent ids/);
    expect(failure(p2(op.raw(OP.EXT1, 1))).message).toMatch(/extension codes/);
    expect(failure(assemble(op.proto(5), op.raw(OP.NEXT_BUFFER), op.stop())).message).toMatch(/out-of-band/);
  });
});

describe('bad streams', () => {
  it('says where a truncated stream ends', () => {
    const whole = p2(op.str('hello'));
    const error = failure(whole.subarray(0, whole.length - 3));
    expect(error.message).toMatch(/ends too early/);
  });

  it('needs a STOP', () => {
    expect(failure(assemble(op.proto(2), op.none())).message).toMatch(/no STOP/);
  });

  it('rejects an empty stream, unknown opcodes and newer protocols', () => {
    expect(failure(new Uint8Array(0)).message).toMatch(/ends too early/);
    expect(failure(assemble(op.raw(0xff))).message).toMatch(/unknown opcode 0xff/);
    expect(failure(assemble(op.proto(6), op.none(), op.stop())).message).toMatch(/protocol 6/);
  });

  it('cannot be tricked into moving backwards by a huge length (pickleparser loops forever here)', () => {
    // BINBYTES with length 0xfffffffb: pickleparser reads it as -5 and jumps back onto itself
    expect(failure(assemble(op.proto(2), op.raw(OP.BINBYTES, 0xfb, 0xff, 0xff, 0xff))).message).toMatch(/ends too early/);
    expect(failure(assemble(op.proto(2), op.raw(OP.BINSTRING, 0xfb, 0xff, 0xff, 0xff))).message).toMatch(/negative/);
  });

  it('rejects stack underflow, a missing MARK and a memo entry never stored', () => {
    expect(failure(p2(op.append())).message).toMatch(/stack underflow/);
    expect(failure(p2(op.tuple())).message).toMatch(/MARK/);
    expect(failure(p2(op.binget(3))).message).toMatch(/memo entry 3/);
    expect(failure(p2(op.int(1), op.int(2), op.append())).message).toMatch(/APPEND needs a list/);
    expect(failure(p2(op.int(1), op.build())).message).toMatch(/stack underflow|cannot set the state/);
  });
});

describe('limits', () => {
  it('bounds the memo', () => {
    const puts = Array.from({ length: 20 }, (_, i) => op.longBinput(i * 1000));
    expect(failure(p2(op.none(), ...puts), { maxMemoEntries: 10 }).message).toMatch(/more than 10 memo entries/);
    // a huge index is fine: the memo is a Map, not an array of that length
    expect(load(p2(op.none(), op.longBinput(0xffffffff), op.pop(), op.longBinget(0xffffffff)))).toBe(null);
  });

  it('bounds nesting', () => {
    const marks = Array.from({ length: 50 }, () => op.mark());
    expect(failure(p2(...marks), { maxNesting: 20 }).message).toMatch(/nested more than 20 deep/);
  });

  it('bounds the number of values, so DUP cannot fill the heap', () => {
    const dups = Array.from({ length: 100 }, () => op.dup());
    expect(failure(p2(op.none(), ...dups), { maxValues: 50 }).message).toMatch(/more than 50 values/);
  });

  it('bounds strings, integers and the input', () => {
    expect(failure(p2(op.str('x'.repeat(100))), { maxStringBytes: 10 }).message).toMatch(/limit is 10/);
    expect(failure(p2(op.raw(OP.LONG4, 100, 0, 0, 0), Array(100).fill(1)), { maxIntegerBytes: 16 }).message).toMatch(/limit is 16/);
    expect(failure(p2(op.none()), { maxInputBytes: 3 }).message).toMatch(/limit is 3/);
  });

  it('bounds work repeated on one large value through the memo', () => {
    // set(big list) again and again: each REDUCE is 4 bytes but copies the whole list
    const big = [op.emptyList(), op.mark(), ...Array.from({ length: 100 }, () => op.none()), op.appends(), op.binput(0)];
    const again = Array.from({ length: 50 }, () => [...op.global('builtins', 'set'), ...op.binget(0), ...op.tuple1(), ...op.reduce(), ...op.pop()]);
    expect(failure(p2(...big, ...again), { maxWork: 1000 }).message).toMatch(/limit of 1000/);
  });
});

describe('the same file as Python sees it', () => {
  it('ignores framing and leaves trailing bytes alone, as pickle.load does', () => {
    const framed = assemble(op.proto(4), op.frame(2), op.int(5), op.stop(), op.raw(1, 2, 3));
    expect(load(framed)).toBe(5);
  });

  it('rejects a frame that runs past the end', () => {
    expect(failure(assemble(op.proto(4), op.frame(1000), op.none(), op.stop())).message).toMatch(/frame runs past/);
  });
});
