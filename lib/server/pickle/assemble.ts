// SPDX-License-Identifier: Apache-2.0
// A tiny pickle assembler: write a pickle opcode by opcode, the way pickletools prints one.
//
// Tests use it to build exactly the stream they need (a hostile GLOBAL, a truncated string, a
// memo flood); a lesson can use it to show that a pickle is a program:
//
//   assemble(op.proto(2), op.global('os', 'system'), op.str('ls'), op.tuple1(), op.reduce(), op.stop())
//
// is the whole of the classic "pickle that runs a shell command".

import { OP } from './opcodes.js';

type Part = Uint8Array | number[];

const utf8 = new TextEncoder();

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function u64(n: number): number[] {
  return [...u32(n % 2 ** 32), ...u32(Math.floor(n / 2 ** 32))];
}

/** Concatenates opcode parts into one pickle stream. */
export function assemble(...parts: Part[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One function per opcode (the common ones), each returning its bytes. */
export const op = {
  proto: (version: number) => [OP.PROTO, version],
  frame: (length: number) => [OP.FRAME, ...u64(length)],
  stop: () => [OP.STOP],
  mark: () => [OP.MARK],
  pop: () => [OP.POP],
  dup: () => [OP.DUP],
  none: () => [OP.NONE],
  true: () => [OP.NEWTRUE],
  false: () => [OP.NEWFALSE],
  /** BININT1, BININT2 or BININT, whichever fits. */
  int: (n: number) =>
    n >= 0 && n < 256 ? [OP.BININT1, n] : n >= 0 && n < 65536 ? [OP.BININT2, n & 0xff, n >> 8] : [OP.BININT, ...u32(n)],
  float: (x: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return [OP.BINFLOAT, ...b];
  },
  /** LONG1 with the given little-endian two's-complement bytes. */
  long1: (bytes: number[]) => [OP.LONG1, bytes.length, ...bytes],
  /** BINUNICODE (or SHORT_BINUNICODE when `short`). */
  str: (text: string, short = false) => {
    const b = utf8.encode(text);
    return short ? [OP.SHORT_BINUNICODE, b.length, ...b] : [OP.BINUNICODE, ...u32(b.length), ...b];
  },
  bytes: (data: ArrayLike<number>) => [OP.BINBYTES, ...u32(data.length), ...Array.from(data)],
  /** Text-mode opcodes: argument then a newline, e.g. text(OP.INT, '42'). */
  text: (code: number, ...lines: string[]) => [code, ...utf8.encode(lines.map((l) => `${l}\n`).join(''))],
  global: (module: string, name: string) => [OP.GLOBAL, ...utf8.encode(`${module}\n${name}\n`)],
  stackGlobal: () => [OP.STACK_GLOBAL],
  emptyTuple: () => [OP.EMPTY_TUPLE],
  tuple: () => [OP.TUPLE],
  tuple1: () => [OP.TUPLE1],
  tuple2: () => [OP.TUPLE2],
  tuple3: () => [OP.TUPLE3],
  emptyList: () => [OP.EMPTY_LIST],
  append: () => [OP.APPEND],
  appends: () => [OP.APPENDS],
  emptyDict: () => [OP.EMPTY_DICT],
  setitem: () => [OP.SETITEM],
  setitems: () => [OP.SETITEMS],
  reduce: () => [OP.REDUCE],
  newobj: () => [OP.NEWOBJ],
  build: () => [OP.BUILD],
  binput: (index: number) => [OP.BINPUT, index],
  longBinput: (index: number) => [OP.LONG_BINPUT, ...u32(index)],
  binget: (index: number) => [OP.BINGET, index],
  longBinget: (index: number) => [OP.LONG_BINGET, ...u32(index)],
  memoize: () => [OP.MEMOIZE],
  /** Any opcode with raw argument bytes, for the cases above do not cover. */
  raw: (...bytes: number[]) => bytes,
};
