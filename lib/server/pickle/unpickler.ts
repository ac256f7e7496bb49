// SPDX-License-Identifier: Apache-2.0
// A safe unpickler: Python's pickle machine in TypeScript, with an allow-list instead of import.
//
// Why not the `pickleparser` package? We evaluated pickleparser 0.2.1 first (it is installed):
//  + it reads every opcode of protocols 0-5, and its NameRegistry can refuse unknown globals with
//    an error naming `module.name` (override onMissingName), so an allow-list is possible;
//  - it cannot read joblib files: the array bytes joblib writes after a NumpyArrayWrapper are not
//    opcodes, and the parser has no hook to read raw bytes at BUILD (only a closure hack over a
//    custom reader would do it), nor to unpickle the nested pickle of an object array;
//  - it trusts lengths from the file: BINBYTES with a negative length moves the cursor backwards,
//    so a 7-byte file loops forever (we tried it: it never returned);
//  - LONG1 is read unsigned (-1 comes back as 255), and dicts are plain objects, so a key
//    "__proto__" swaps the dict's prototype instead of being data;
//  - no limits on memo size, nesting or allocation; REDUCE calls any function on the stack, BUILD
//    does Object.assign, and errors are plain Error/TypeError/RangeError.
// Wrapping it would mean replacing most of its semantics, so we wrote the machine ourselves. It
// is short, and it is the clearest way to show a learner what a pickle is: a program for a stack
// machine, in which GLOBAL + REDUCE means "import this and call it". Here GLOBAL can only fetch
// entries of an AllowList, each a TypeScript function we wrote, and nothing else is ever called.
//
// Every length and index from the file is checked; the input size, the values pushed, the memo,
// the nesting depth, string and integer sizes and data-proportional work are all bounded, so a
// hostile file ends in a PickleError (with the byte offset) rather than a hang or an exhausted heap.

import { AllowList } from './allow-list.js';
import { ByteReader } from './byte-reader.js';
import { PickleError, RefusedGlobalError } from './errors.js';
import { HIGHEST_PROTOCOL, OP, opcodeName } from './opcodes.js';
import { DEFAULT_LIMITS, type UnpickleLimits } from './limits.js';
import { BUILD, PyGlobal, describe, isBuildable, isList, isTuple, tuple, type PickleStream } from './python.js';
import { decodeLong, decodeQuotedString, decodeRawUnicodeEscape, parseTextFloat, parseTextInt } from './text-values.js';

export { DEFAULT_LIMITS, type UnpickleLimits };

export interface UnpickleOptions {
  /** The only globals the stream may name. */
  allow: AllowList;
  limits?: Partial<UnpickleLimits>;
}

/** Unpickles `bytes`; throws PickleError (or RefusedGlobalError) for anything it will not load. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): unknown {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (bytes.length > limits.maxInputBytes) {
    throw new PickleError(`the stream is ${bytes.length} bytes; the limit is ${limits.maxInputBytes}`);
  }
  const session: Session = { reader: new ByteReader(bytes, limits.maxStringBytes), allow: options.allow, limits, values: 0, work: 0 };
  return run(session, 0);
}

/** What one unpickling shares with the nested pickles joblib may embed in it. */
interface Session {
  readonly reader: ByteReader;
  readonly allow: AllowList;
  readonly limits: UnpickleLimits;
  values: number;
  work: number;
}

/** Runs one pickle, from the reader's position to its STOP, and returns its value. */
function run(session: Session, depth: number): unknown {
  const { reader, allow, limits } = session;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let at = 0; // where the current opcode starts, for error messages

  const fail = (message: string) => new PickleError(message, at);
  const stream: PickleStream = {
    read: (length, what) => reader.bytesOf(length, what),
    unpickleNested() {
      if (depth + 1 > limits.maxNestedPickles) throw fail(`pickles nested more than ${limits.maxNestedPickles} deep`);
      return run(session, depth + 1);
    },
    claim(units, what) {
      session.work += units;
      if (session.work > limits.maxWork) throw fail(`${what}: the file needs more work than the limit of ${limits.maxWork} items`);
    },
    get offset() {
      return at;
    },
  };

  const push = (value: unknown) => {
    if (++session.values > limits.maxValues) throw fail(`more than ${limits.maxValues} values`);
    stack.push(value);
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw fail('stack underflow: an opcode needs a value but the stack is empty');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) throw fail('stack underflow: an opcode needs a value but the stack is empty');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = metastack.pop();
    if (!previous) throw fail('an opcode needs a MARK but there is none');
    stack = previous;
    return items;
  };
  const memoPut = (index: number) => {
    if (!Number.isSafeInteger(index) || index < 0) throw fail('negative memo index');
    if (!memo.has(index) && memo.size >= limits.maxMemoEntries) throw fail(`more than ${limits.maxMemoEntries} memo entries`);
    memo.set(index, top());
  };
  const memoGet = (index: number) => {
    if (!memo.has(index)) throw fail(`memo entry ${index} was never stored`);
    push(memo.get(index));
  };
  const resolve = (module: unknown, name: unknown): PyGlobal => {
    if (typeof module !== 'string' || typeof name !== 'string') {
      throw fail(`a global must be named by two strings, not ${describe(module)} and ${describe(name)}`);
    }
    if (module.length + name.length > 512) throw fail('a global name longer than 512 characters');
    try {
      return allow.resolve(module, name);
    } catch (error) {
      // Re-thrown with the offset of the opcode that named it.
      if (error instanceof RefusedGlobalError) throw new RefusedGlobalError(error.qualifiedName, at);
      throw error;
    }
  };
  const callable = (value: unknown, what: string): PyGlobal => {
    if (!(value instanceof PyGlobal)) throw fail(`${what}: cannot call ${describe(value)}`);
    return value;
  };
  /** Python's _instantiate (INST and OBJ): cls() without arguments is cls.__new__(cls). */
  const instantiate = (cls: PyGlobal, args: unknown[]) => {
    if (args.length === 0 && cls.entry.create) return cls.entry.create(tuple([]), stream);
    if (!cls.entry.call) throw fail(`${cls.qualifiedName} cannot be called with arguments`);
    return cls.entry.call(tuple(args), stream);
  };
  const intLimit = limits.maxIntegerBytes;

  for (;;) {
    at = reader.offset;
    const code = reader.u8('an opcode (the file has no STOP)');
    switch (code) {
      // --- structure ---------------------------------------------------------------------
      case OP.PROTO: {
        const version = reader.u8();
        if (version > HIGHEST_PROTOCOL) throw fail(`pickle protocol ${version} is newer than ${HIGHEST_PROTOCOL}, the highest supported`);
        break;
      }
      case OP.FRAME: // framing only helps Python buffer its reads; the contents follow as usual
        if (reader.u64('a frame length') > reader.remaining) throw fail('a frame runs past the end of the file (the file is truncated or corrupt; download or save it again)');
        break;
      case OP.STOP:
        return pop();
      case OP.MARK:
        if (metastack.length >= limits.maxNesting) throw fail(`values nested more than ${limits.maxNesting} deep`);
        metastack.push(stack);
        stack = [];
        break;
      case OP.POP:
        if (stack.length > 0) stack.pop();
        else popMark();
        break;
      case OP.POP_MARK:
        popMark();
        break;
      case OP.DUP:
        push(top());
        break;

      // --- memo ----------------------------------------------------------------------------
      case OP.PUT:
        memoPut(Number(parseTextInt(reader.line('a PUT index'), 20, at)));
        break;
      case OP.BINPUT:
        memoPut(reader.u8());
        break;
      case OP.LONG_BINPUT:
        memoPut(reader.u32());
        break;
      case OP.MEMOIZE:
        memoPut(memo.size);
        break;
      case OP.GET:
        memoGet(Number(parseTextInt(reader.line('a GET index'), 20, at)));
        break;
      case OP.BINGET:
        memoGet(reader.u8());
        break;
      case OP.LONG_BINGET:
        memoGet(reader.u32());
        break;

      // --- constants and numbers -------------------------------------------------------------
      case OP.NONE:
        push(null);
        break;
      case OP.NEWTRUE:
        push(true);
        break;
      case OP.NEWFALSE:
        push(false);
        break;
      case OP.INT: {
        const text = reader.line('an INT');
        push(text === '01' ? true : text === '00' ? false : parseTextInt(text, intLimit * 3, at));
        break;
      }
      case OP.LONG:
        push(parseTextInt(reader.line('a LONG').replace(/L$/, ''), intLimit * 3, at));
        break;
      case OP.FLOAT:
        push(parseTextFloat(reader.line('a FLOAT'), at));
        break;
      case OP.BININT:
        push(reader.i32());
        break;
      case OP.BININT1:
        push(reader.u8());
        break;
      case OP.BININT2:
        push(reader.u16());
        break;
      case OP.LONG1:
        push(decodeLong(reader.bytesOf(reader.u8(), 'a LONG1')));
        break;
      case OP.LONG4: {
        const length = reader.i32('a LONG4 length');
        if (length < 0 || length > intLimit) throw fail(`an int of ${length} bytes; the limit is ${intLimit}`);
        push(decodeLong(reader.bytesOf(length, 'a LONG4')));
        break;
      }
      case OP.BINFLOAT:
        push(reader.f64be());
        break;

      // --- strings and bytes --------------------------------------------------------------------
      case OP.STRING:
        push(decodeQuotedString(reader.line('a STRING'), at));
        break;
      case OP.BINSTRING: {
        const length = reader.i32('a BINSTRING length');
        if (length < 0) throw fail('negative BINSTRING length');
        push(reader.latin1(length, 'a BINSTRING'));
        break;
      }
      case OP.SHORT_BINSTRING:
        push(reader.latin1(reader.u8(), 'a SHORT_BINSTRING'));
        break;
      case OP.UNICODE:
        push(decodeRawUnicodeEscape(reader.line('a UNICODE')));
        break;
      case OP.BINUNICODE:
        push(reader.utf8(reader.u32(), 'a BINUNICODE'));
        break;
      case OP.SHORT_BINUNICODE:
        push(reader.utf8(reader.u8(), 'a SHORT_BINUNICODE'));
        break;
      case OP.BINUNICODE8:
        push(reader.utf8(reader.u64(), 'a BINUNICODE8'));
        break;
      case OP.BINBYTES:
        push(reader.bytesOf(reader.u32(), 'a BINBYTES'));
        break;
      case OP.SHORT_BINBYTES:
        push(reader.bytesOf(reader.u8(), 'a SHORT_BINBYTES'));
        break;
      case OP.BINBYTES8:
        push(reader.bytesOf(reader.u64(), 'a BINBYTES8'));
        break;
      case OP.BYTEARRAY8:
        push(reader.bytesOf(reader.u64(), 'a BYTEARRAY8'));
        break;
      case OP.NEXT_BUFFER:
        throw fail('the pickle refers to out-of-band buffers, which a model file cannot carry');
      case OP.READONLY_BUFFER:
        top();
        break;

      // --- containers ----------------------------------------------------------------------------
      case OP.EMPTY_TUPLE:
        push(tuple([]));
        break;
      case OP.TUPLE:
        push(tuple(popMark()));
        break;
      case OP.TUPLE1:
        push(tuple([pop()]));
        break;
      case OP.TUPLE2: {
        const b = pop();
        push(tuple([pop(), b]));
        break;
      }
      case OP.TUPLE3: {
        const c = pop();
        const b = pop();
        push(tuple([pop(), b, c]));
        break;
      }
      case OP.EMPTY_LIST:
        push([]);
        break;
      case OP.LIST:
        push(popMark());
        break;
      case OP.APPEND: {
        const value = pop();
        listOn(top(), at).push(value);
        break;
      }
      case OP.APPENDS: {
        const items = popMark();
        const list = listOn(top(), at);
        for (const item of items) list.push(item);
        break;
      }
      case OP.EMPTY_DICT:
        push(new Map());
        break;
      case OP.DICT:
        push(setItems(new Map(), popMark(), at));
        break;
      case OP.SETITEM: {
        const value = pop();
        const key = pop();
        setItems(top(), [key, value], at);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark();
        setItems(top(), items, at);
        break;
      }
      case OP.EMPTY_SET:
        push(new Set());
        break;
      case OP.FROZENSET:
        push(new Set(popMark()));
        break;
      case OP.ADDITEMS: {
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) throw fail(`ADDITEMS needs a set, not ${describe(set)}`);
        for (const item of items) set.add(item);
        break;
      }

      // --- globals, calls and objects: the only way to reach code, and it reaches only ours ---
      case OP.GLOBAL: {
        const module = reader.line('a GLOBAL module');
        push(resolve(module, reader.line('a GLOBAL name')));
        break;
      }
      case OP.STACK_GLOBAL: {
        const name = pop();
        push(resolve(pop(), name));
        break;
      }
      case OP.REDUCE: {
        const args = pop();
        const f = callable(pop(), 'REDUCE');
        if (!isTuple(args)) throw fail(`REDUCE: the arguments of ${f.qualifiedName} are ${describe(args)}, not a tuple`);
        if (!f.entry.call) throw fail(`${f.qualifiedName} cannot be called`);
        push(f.entry.call(args, stream));
        break;
      }
      case OP.NEWOBJ: {
        const args = pop();
        const cls = callable(pop(), 'NEWOBJ');
        if (!isTuple(args)) throw fail(`NEWOBJ: the arguments of ${cls.qualifiedName} are ${describe(args)}, not a tuple`);
        if (!cls.entry.create) throw fail(`${cls.qualifiedName} cannot be created with NEWOBJ`);
        push(cls.entry.create(args, stream));
        break;
      }
      case OP.NEWOBJ_EX: {
        const kwargs = pop();
        const args = pop();
        const cls = callable(pop(), 'NEWOBJ_EX');
        if (!isTuple(args) || !(kwargs instanceof Map) || kwargs.size > 0) {
          throw fail(`NEWOBJ_EX: ${cls.qualifiedName} with keyword arguments is not supported`);
        }
        if (!cls.entry.create) throw fail(`${cls.qualifiedName} cannot be created with NEWOBJ_EX`);
        push(cls.entry.create(args, stream));
        break;
      }
      case OP.INST: {
        const module = reader.line('an INST module');
        const cls = resolve(module, reader.line('an INST name'));
        push(instantiate(cls, popMark()));
        break;
      }
      case OP.OBJ: {
        const [cls, ...args] = popMark();
        push(instantiate(callable(cls, 'OBJ'), args));
        break;
      }
      case OP.BUILD: {
        const state = pop();
        const obj = top();
        if (!isBuildable(obj)) throw fail(`BUILD: cannot set the state of ${describe(obj)}`);
        stack[stack.length - 1] = obj[BUILD](state, stream);
        break;
      }
      case OP.PERSID:
      case OP.BINPERSID:
        throw fail('the pickle uses persistent ids, which need code from the program that wrote it');
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4:
        throw fail('the pickle uses copyreg extension codes, which are not supported');
      default:
        throw fail(`unknown opcode ${opcodeName(code)}: this is not a pickle, or it is corrupt`);
    }
  }
}

function listOn(value: unknown, at: number): unknown[] {
  if (!isList(value)) throw new PickleError(`APPEND needs a list, not ${describe(value)}`, at);
  return value;
}

function setItems(dict: unknown, items: unknown[], at: number): Map<unknown, unknown> {
  if (!(dict instanceof Map)) throw new PickleError(`SETITEM needs a dict, not ${describe(dict)}`, at);
  if (items.length % 2 !== 0) throw new PickleError('a dict needs key, value pairs; got an odd number of items', at);
  for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  return dict;
}
