// SPDX-License-Identifier: Apache-2.0
// Numbers written the way Python writes them. Seldon's components are Python: its server answers
// with `json.dumps` (through Flask's `jsonify`) and its client prints `repr`s and protobuf text. The
// model server (responses) and the client (printed output) both need this, so it lives here once.
//
// Seldon's Python server answers with Flask's `jsonify`, so a probability of 1.08e-05 reaches the
// client as `1.0794924957147728e-05`, and a float 2 as `2.0`. JavaScript picks the same shortest
// digits that round-trip (both languages follow the "shortest, then closest" rule), but lays them
// out differently: JS switches to exponent form only below 1e-6 or from 1e21, writes `1e-5` with
// no zero padding, and writes the float 2 as `2`. This file keeps JS's digits and applies
// Python's layout, so our responses are byte-for-byte Seldon's.

/**
 * A float as Python's `json.dumps` writes it: `repr(x)` for finite numbers, and `NaN`,
 * `Infinity`, `-Infinity` (not valid JSON, but what Python sends) for the rest.
 */
export function pyJsonFloat(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return pyFloatRepr(x);
}

/**
 * `repr(x)` of a Python float. Exponent form when the decimal exponent is below -4 or at least
 * 16 (`1e-05`, `1.5e+16`), positional otherwise with at least one decimal (`2.0`, `0.0001`).
 * NaN and the infinities are `nan`, `inf`, `-inf`, as `repr` and `print` show them.
 */
export function pyFloatRepr(x: number): string {
  // Fast path: in [1e-4, 1e16) both languages write positional digits, JS just drops the `.0`.
  const abs = x < 0 ? -x : x;
  if (abs >= 1e-4 && abs < 1e16) {
    const s = String(x);
    return Number.isInteger(x) ? s + '.0' : s;
  }
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  if (x !== x) return 'nan';
  if (abs === Infinity) return x > 0 ? 'inf' : '-inf';
  // Outside [1e-4, 1e16) the first digit's exponent is below -4 or at least 16: exponent form.
  const { digits, exponent } = decimalDigits(abs);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = exponent < 0 ? -exponent : exponent;
  return `${x < 0 ? '-' : ''}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

/**
 * The shortest round-trip digits of a positive finite number and the decimal exponent of the
 * first digit: 0.000123 -> {digits: "123", exponent: -4}; 1.5e+300 -> {"15", 300}.
 */
export function decimalDigits(abs: number): { digits: string; exponent: number } {
  const s = String(abs);
  const e = s.indexOf('e');
  if (e >= 0) {
    // "1.5e+300" or "5e-324": the mantissa has one digit before the point.
    const mantissa = s.slice(0, e).replace('.', '');
    return { digits: trimZeros(mantissa), exponent: Number(s.slice(e + 1)) };
  }
  const point = s.indexOf('.');
  const whole = point < 0 ? s : s.slice(0, point);
  const fraction = point < 0 ? '' : s.slice(point + 1);
  if (whole !== '0') return { digits: trimZeros(whole + fraction), exponent: whole.length - 1 };
  let zeros = 0;
  while (fraction[zeros] === '0') zeros++;
  return { digits: trimZeros(fraction.slice(zeros)), exponent: -zeros - 1 };
}

function trimZeros(digits: string): string {
  let end = digits.length;
  while (end > 1 && digits[end - 1] === '0') end--;
  return digits.slice(0, end);
}

/**
 * An integer written as Python writes an `int`: all digits, never an exponent (JS writes 1e21 as
 * `1e+21`). Used for numbers whose dtype is integer, e.g. scikit-learn class labels.
 */
export function pyIntRepr(x: number): string {
  if (x > -1e21 && x < 1e21) return Object.is(x, -0) ? '0' : String(x);
  return BigInt(x).toString();
}

/**
 * The value protobuf's JSON writer gives a 32-bit `float` field (Seldon's feedback `reward`): the
 * shortest decimal that still reads back as the same float32, so `0.1` stays `0.1` on the wire.
 */
export function shortestFloat32(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return f;
  for (let precision = 6; precision <= 17; precision++) {
    const rounded = Number(f.toPrecision(precision));
    if (Math.fround(rounded) === f) return rounded;
  }
  return f;
}
