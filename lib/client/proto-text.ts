// SPDX-License-Identifier: Apache-2.0
// Protobuf's text format, as Python's `print(message)` shows a SeldonMessage.
//
// The Python client keeps its request as a protobuf object, so `print(prediction)` shows it in
// protobuf's text format: one field a line in field-number order, nested messages in braces
// indented by two spaces, an ndarray as `values { list_value { values { number_value: 1.0 } } }`,
// map entries sorted by key, strings escaped byte by byte in octal (`\355\225\234` for "한").
// Doubles are written as Python's repr writes them. A 32-bit float (the feedback `reward`) is
// written as the double it widens to (`0.10000000149011612` for 0.1): that is what the C++
// protobuf backend that pip installs prints.
import { pyFloatRepr } from '../python/index.js';
import { PyFloat, type PyDict, type PyValue } from './py-json.js';
import type { FieldType, MessageType } from './schema.js';
import { messageToPy } from './wire.js';

/** protobuf's CEscape over UTF-8 bytes: printable ASCII as is, a few C escapes, the rest as \ooo. */
export function cEscape(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return out;
}

const quoted = (s: string): string => `"${cEscape(Buffer.from(s, 'utf8'))}"`;

/** Python sorts map keys as str, by code point; JavaScript's default sort compares UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

class TextWriter {
  private out = '';
  private indent = '';

  line(text: string): void {
    this.out += `${this.indent}${text}\n`;
  }

  block(name: string, body: () => void): void {
    this.line(`${name} {`);
    const saved = this.indent;
    this.indent += '  ';
    body();
    this.indent = saved;
    this.line('}');
  }

  toString(): string {
    return this.out;
  }
}

function doubleText(v: PyValue): string {
  if (v === 'NaN') return 'nan';
  if (v === 'Infinity') return 'inf';
  if (v === '-Infinity') return '-inf';
  return pyFloatRepr((v as PyFloat).value);
}

/** A google.protobuf.Value: one of its kinds, then its content. */
function writeValue(w: TextWriter, v: PyValue): void {
  if (v === null) w.line('null_value: NULL_VALUE');
  else if (typeof v === 'boolean') w.line(`bool_value: ${v}`);
  else if (typeof v === 'string') w.line(`string_value: ${quoted(v)}`);
  else if (v instanceof PyFloat) w.line(`number_value: ${pyFloatRepr(v.value)}`);
  else if (typeof v === 'bigint') w.line(`number_value: ${pyFloatRepr(Number(v))}`);
  else if (Array.isArray(v)) w.block('list_value', () => writeListValue(w, v));
  else w.block('struct_value', () => writeStruct(w, v));
}

function writeListValue(w: TextWriter, items: PyValue[]): void {
  for (const item of items) w.block('values', () => writeValue(w, item));
}

function writeStruct(w: TextWriter, dict: PyDict): void {
  for (const key of [...dict.keys()].sort(byCodePoint)) {
    w.block('fields', () => {
      w.line(`key: ${quoted(key)}`);
      w.block('value', () => writeValue(w, dict.get(key) as PyValue));
    });
  }
}

function writeField(w: TextWriter, name: string, type: FieldType, v: PyValue): void {
  switch (type.kind) {
    case 'message':
      w.block(name, () => writeMessage(w, v as PyDict, type.message));
      return;
    case 'value':
      w.block(name, () => writeValue(w, v));
      return;
    case 'listValue':
      w.block(name, () => writeListValue(w, v as PyValue[]));
      return;
    case 'map': {
      const dict = v as PyDict;
      for (const key of [...dict.keys()].sort(byCodePoint)) {
        w.block(name, () => {
          w.line(`key: ${quoted(key)}`);
          writeField(w, 'value', type.value, dict.get(key) as PyValue);
        });
      }
      return;
    }
    case 'int32':
      w.line(`${name}: ${(v as bigint).toString()}`);
      return;
    case 'double':
      w.line(`${name}: ${doubleText(v)}`);
      return;
    case 'float':
      w.line(`${name}: ${pyFloatRepr(Math.fround((v as PyFloat).value))}`);
      return;
    case 'string':
      w.line(`${name}: ${quoted(v as string)}`);
      return;
    case 'bytes':
      w.line(`${name}: "${cEscape(Buffer.from(v as string, 'base64'))}"`);
      return;
    case 'enum':
      w.line(`${name}: ${v as string}`);
      return;
  }
}

function writeMessage(w: TextWriter, dict: PyDict, type: MessageType): void {
  for (const field of type.fields) {
    if (!dict.has(field.name)) continue;
    const v = dict.get(field.name) as PyValue;
    if (field.repeated) for (const item of v as PyValue[]) writeField(w, field.name, field.type, item);
    else writeField(w, field.name, field.type, v);
  }
}

/**
 * The text `print(message)` shows in Python for a message object of the given type. An empty
 * message prints as an empty string; otherwise every line, the last included, ends with "\n".
 */
export function protoText(message: unknown, type: MessageType): string {
  const w = new TextWriter();
  writeMessage(w, messageToPy(message, type), type);
  return w.toString();
}
