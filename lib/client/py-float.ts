// SPDX-License-Identifier: Apache-2.0
// How Python writes a float, so our printed output matches the Python client's character for character.
//
// Python's repr(float) (also used by print, json.dumps and protobuf's text format) writes the
// shortest digits that read back as the same double, like JavaScript does, but lays them out by
// its own rules: `1.0` not `1`, `1e-05` not `0.00001`, `1e+16` not `10000000000000000`.

/** The shortest round-trip digits of a positive finite number, and where the decimal point goes. */
function shortestDigits(abs: number): { digits: string; pointAt: number } {
  // JavaScript's Number#toString already chooses the shortest digits that round-trip (and, like
  // Python, the closest ones on a tie), so only its layout has to be undone here.
  const text = String(abs);
  const [mantissa, exponent = '0'] = text.split('e');
  const [intPart, fracPart = ''] = mantissa.split('.');
  let digits = intPart + fracPart;
  let pointAt = intPart.length + Number(exponent);
  const leadingZeros = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leadingZeros);
  pointAt -= leadingZeros;
  digits = digits.replace(/0+$/, '');
  return { digits, pointAt };
}

/** Python's `repr(x)` for a float: `2.0`, `0.0006985194531162835`, `1e-05`, `1e+16`, `-0.0`, `nan`, `inf`. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  const { digits, pointAt } = shortestDigits(Math.abs(x));
  // Python switches to scientific notation when the decimal exponent is below -4 or above 15.
  if (pointAt <= -4 || pointAt > 16) {
    const exponent = pointAt - 1;
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${mantissa}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}.0`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
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
