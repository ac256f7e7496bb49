// SPDX-License-Identifier: Apache-2.0
// The few Python built-ins that pickles of plain data name, reimplemented as data-only functions.
//
// None of these can reach the outside world. They exist because older protocols have no opcode
// for some values: protocol 2 writes bytes as `_codecs.encode(text, "latin1")` and sets as
// `builtins.set(list)`, and protocols 0 and 1 create objects through `copyreg._reconstructor`.

import { PickleError } from './errors.js';
import { PyGlobal, describe, isList, type AllowedGlobal, type PickleStream, type PyTuple } from './python.js';

/** `builtins.object`: only ever an argument of copyreg._reconstructor; calling it is refused. */
const object: AllowedGlobal = { module: 'builtins', name: 'object' };

/** `copyreg._reconstructor(cls, object, None)` is `object.__new__(cls)`: our entry's create(). */
const reconstructor: AllowedGlobal = {
  module: 'copyreg',
  name: '_reconstructor',
  call(args, stream) {
    const [cls, base, state] = args;
    if (args.length !== 3 || !(cls instanceof PyGlobal) || !cls.entry.create) {
      throw new PickleError(`copyreg._reconstructor: cannot create ${describe(cls)}`, stream.offset);
    }
    if (!(base instanceof PyGlobal) || base.entry !== object || state !== null) {
      throw new PickleError(
        `copyreg._reconstructor: only plain objects (base class object) are supported, not ${describe(base)}`,
        stream.offset,
      );
    }
    return cls.entry.create([], stream);
  },
};

/** Text whose characters are all below 256, as the bytes latin-1 encodes it to. */
function latin1Bytes(text: unknown, what: string, stream: PickleStream): Uint8Array {
  const offset = stream.offset;
  if (typeof text !== 'string') throw new PickleError(`${what}: expected a str, got ${describe(text)}`, offset);
  stream.claim(text.length, what);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new PickleError(`${what}: the text is not latin-1`, offset);
    bytes[i] = code;
  }
  return bytes;
}

function isLatin1Name(encoding: unknown): boolean {
  return typeof encoding === 'string' && ['latin1', 'latin-1', 'iso-8859-1', 'iso8859-1'].includes(encoding.toLowerCase());
}

/** `_codecs.encode(text, "latin1")`: how protocol 2 writes bytes. Other encodings are refused. */
const codecsEncode: AllowedGlobal = {
  module: '_codecs',
  name: 'encode',
  call(args, stream) {
    if (args.length !== 2 || !isLatin1Name(args[1])) {
      throw new PickleError('_codecs.encode: only encode(text, "latin1") is supported', stream.offset);
    }
    return latin1Bytes(args[0], '_codecs.encode', stream);
  },
};

/** `bytes()`: protocol 2 writes empty bytes this way. */
const bytes: AllowedGlobal = {
  module: 'builtins',
  name: 'bytes',
  call(args, stream) {
    if (args.length === 0) return new Uint8Array(0);
    // Our bytes are never changed after unpickling, so the same view serves (no copy to repeat).
    if (args.length === 1 && args[0] instanceof Uint8Array) return args[0];
    throw new PickleError('builtins.bytes: only bytes() and bytes(b"...") are supported', stream.offset);
  },
};

/** `bytearray(b"...")` (protocols 3 and 4) or `bytearray("...", "latin-1")` (protocol 2). */
const bytearray: AllowedGlobal = {
  module: 'builtins',
  name: 'bytearray',
  call(args, stream) {
    if (args.length === 0) return new Uint8Array(0);
    if (args.length === 1 && args[0] instanceof Uint8Array) return args[0];
    if (args.length === 2 && isLatin1Name(args[1])) return latin1Bytes(args[0], 'builtins.bytearray', stream);
    throw new PickleError('builtins.bytearray: unsupported arguments', stream.offset);
  },
};

/** `set(list)` and `frozenset(list)`: how protocols below 4 write sets. */
function setOf(name: 'set' | 'frozenset'): AllowedGlobal {
  return {
    module: 'builtins',
    name,
    call(args: PyTuple, stream) {
      if (args.length === 0) return new Set();
      if (args.length === 1 && isList(args[0])) {
        stream.claim(args[0].length, `builtins.${name}`);
        return new Set(args[0]);
      }
      throw new PickleError(`builtins.${name}: expected a list, got ${describe(args[0])}`, stream.offset);
    },
  };
}

/** The built-ins plain data needs: copyreg._reconstructor, object, bytes, bytearray, set, frozenset, _codecs.encode. */
export const pythonDataGlobals: readonly AllowedGlobal[] = [
  object,
  reconstructor,
  codecsEncode,
  bytes,
  bytearray,
  setOf('set'),
  setOf('frozenset'),
];
