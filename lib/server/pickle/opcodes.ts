// SPDX-License-Identifier: Apache-2.0
// The opcodes of Python's pickle format, protocols 0 to 5, by name.
//
// A pickle is a program for a small stack machine: each byte below is one instruction, most
// followed by an argument. The names and values are those of CPython's Lib/pickle.py and
// pickletools; `python3 -m pickletools model.pkl` prints a file as a list of them.

export const OP = {
  // Protocol 0 and 1 (text and the first binary forms)
  MARK: 0x28, // (  push a mark: the start of a tuple, list, dict or call arguments
  STOP: 0x2e, // .  end of the pickle: the top of the stack is the result
  POP: 0x30, // 0  discard the top of the stack
  POP_MARK: 0x31, // 1  discard everything up to the last mark
  DUP: 0x32, // 2  push the top of the stack again
  FLOAT: 0x46, // F  a float as text
  INT: 0x49, // I  an int as text (01/00 mean True/False)
  BININT: 0x4a, // J  a signed 4-byte int
  BININT1: 0x4b, // K  a 1-byte unsigned int
  LONG: 0x4c, // L  a long as text
  BININT2: 0x4d, // M  a 2-byte unsigned int
  NONE: 0x4e, // N  None
  PERSID: 0x50, // P  a persistent id (refused)
  BINPERSID: 0x51, // Q  a persistent id from the stack (refused)
  REDUCE: 0x52, // R  call: f(*args)
  STRING: 0x53, // S  a quoted Python 2 str as text
  BINSTRING: 0x54, // T  a Python 2 str, 4-byte length
  SHORT_BINSTRING: 0x55, // U  a Python 2 str, 1-byte length
  UNICODE: 0x56, // V  a str as raw-unicode-escape text
  BINUNICODE: 0x58, // X  a UTF-8 str, 4-byte length
  APPEND: 0x61, // a  list.append(x)
  BUILD: 0x62, // b  obj.__setstate__(state)
  GLOBAL: 0x63, // c  push module.name (two text lines)
  DICT: 0x64, // d  a dict from the items since the mark
  APPENDS: 0x65, // e  list.extend(items since the mark)
  GET: 0x67, // g  push a memo entry (text index)
  BINGET: 0x68, // h  push a memo entry (1-byte index)
  INST: 0x69, // i  call a class named by two text lines with the items since the mark
  LONG_BINGET: 0x6a, // j  push a memo entry (4-byte index)
  LIST: 0x6c, // l  a list from the items since the mark
  OBJ: 0x6f, // o  call the first item since the mark with the rest
  PUT: 0x70, // p  store the top in the memo (text index)
  BINPUT: 0x71, // q  store the top in the memo (1-byte index)
  LONG_BINPUT: 0x72, // r  store the top in the memo (4-byte index)
  SETITEM: 0x73, // s  dict[key] = value
  TUPLE: 0x74, // t  a tuple from the items since the mark
  SETITEMS: 0x75, // u  dict.update(pairs since the mark)
  EMPTY_DICT: 0x7d, // }
  EMPTY_LIST: 0x5d, // ]
  EMPTY_TUPLE: 0x29, // )
  BINFLOAT: 0x47, // G  an 8-byte big-endian float
  // Protocol 2
  PROTO: 0x80, // the protocol version
  NEWOBJ: 0x81, // cls.__new__(cls, *args)
  EXT1: 0x82, // extension registry codes (refused)
  EXT2: 0x83,
  EXT4: 0x84,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a, // an int of up to 255 bytes, little-endian two's complement
  LONG4: 0x8b, // an int with a 4-byte length
  // Protocol 3
  BINBYTES: 0x42, // B  bytes, 4-byte length
  SHORT_BINBYTES: 0x43, // C  bytes, 1-byte length
  // Protocol 4
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  NEWOBJ_EX: 0x92, // cls.__new__(cls, *args, **kwargs)
  STACK_GLOBAL: 0x93, // module.name from two strings on the stack
  MEMOIZE: 0x94, // store the top in the memo at the next free index
  FRAME: 0x95, // a length prefix for buffering; no effect on meaning
  // Protocol 5
  BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97, // an out-of-band buffer (refused: files have none)
  READONLY_BUFFER: 0x98,
} as const;

/** The highest protocol this unpickler reads (Python 3.8+ writes up to 5). */
export const HIGHEST_PROTOCOL = 5;

const NAMES = new Map<number, string>(Object.entries(OP).map(([name, code]) => [code, name]));

/** `REDUCE (0x52)`, or `0x07` for a byte that is no opcode. */
export function opcodeName(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  const name = NAMES.get(code);
  return name ? `${name} (${hex})` : hex;
}
