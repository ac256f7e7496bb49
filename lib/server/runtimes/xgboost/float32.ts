// SPDX-License-Identifier: Apache-2.0
// float32 arithmetic as XGBoost's C++ does it, in JavaScript's float64 numbers.
//
// XGBoost keeps features, split thresholds, leaf values and sums in float32. JavaScript has only
// float64, but Math.fround rounds a float64 to the nearest float32, and one float64 operation on
// two float32 values followed by fround gives exactly the float32 result C++ computes (float64
// has more than twice float32's precision, so the double rounding is harmless). So we write
// `f32(a + b)` wherever C++ adds two floats.
//
// The exponential and the logarithm are the exception. XGBoost calls C's `expf` and `logf`, and
// on Linux those are glibc's, which are accurate to about half a unit in the last place but not
// correctly rounded: for about 1 input in 1500, `f32(Math.exp(x))` is one float32 step away from
// what glibc returns. To give bit-identical answers we evaluate both the way glibc does (the
// algorithms glibc took from Arm's optimized-routines): a small table and a short polynomial in
// float64, rounded once to float32. `float32.test.ts` checks them against glibc's own answers.
// (glibc builds these with and without fused multiply-add; the results differ in float64 by an
// ulp or so, and in float32 so rarely that 240,000 random inputs showed no difference.)

/** Rounds to the nearest float32 (ties to even): C++'s `static_cast<float>`. */
export const f32 = Math.fround;

/** 2^(i/32) for i = 0..31, each the float64 nearest the exact value. */
const EXP2_TABLE = [
  1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237, 1.0905077326652577, 1.1143867425958924,
  1.1387886347566916, 1.1637248587775775, 1.189207115002721, 1.215247359980469, 1.241857812073484,
  1.2690509571917332, 1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
  1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228, 1.5422108254079407,
  1.5759808451078865, 1.6104903319492543, 1.645755478153965, 1.681792830507429, 1.718619298122478,
  1.7562521603732995, 1.7947090750031072, 1.8340080864093424, 1.8741676341103, 1.9152065613971474,
  1.9571441241754002,
];
const N = 32;
/** 32/ln 2, rounded to float64. */
const INV_LN2_N = 46.16624130844683;
/** 1.5·2^52: adding it rounds a float64 to an integer, ties to even. */
const SHIFT = 6755399441055744;
/** The cubic for 2^(r/32) − 1 (minimax coefficients of 2^x, pre-divided by powers of 32). */
const C0 = 0.05550361559341535 / (N * N * N);
const C1 = 0.2402284522445722 / (N * N);
const C2 = 0.6931471806916203 / N;
/** Beyond these, expf overflows to Infinity or underflows to 0 (log(2^128), log(2^-150) in float32). */
const OVERFLOW = 88.72283172607421875;
const UNDERFLOW = -103.972076416015625;

/** 2^e for an integer e, exactly (a power of two built from its exponent bits). */
function pow2(e: number): number {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setUint32(0, (e + 1023) << 20);
  return bits.getFloat64(0);
}
/** 2^e for the e that expf can meet (−150..128), indexed by e + 160. */
const POW2 = Float64Array.from({ length: 301 }, (_, i) => pow2(i - 160));

/** C's `expf(x)` as glibc computes it; `x` must already be a float32 value. */
export function expf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > OVERFLOW) return Infinity;
  if (x < UNDERFLOW) return 0;
  const z = INV_LN2_N * x;
  const kd = z + SHIFT - SHIFT; // round(z), ties to even, as glibc does
  const r = z - kd;
  const i = ((kd % N) + N) % N; // the table index: k mod 32, also for negative k
  const s = EXP2_TABLE[i] * POW2[(kd - i) / N + 160]; // 2^(k/32), as glibc builds it from bits
  const y = (C0 * r + C1) * (r * r) + (C2 * r + 1);
  return f32(y * s);
}

/**
 * log(c) table for logf: the float32 range [0.7, 1.4) is cut into 16 intervals; for each, 1/c and
 * log(c) of a point c near its middle (glibc's values, checked against its library in the tests).
 */
const LOGF_TABLE: ReadonlyArray<readonly [invc: number, logc: number]> = [
  [1.398907162146528, -0.33569133332882284],
  [1.3403141896637998, -0.2929040563774074],
  [1.286432210124115, -0.2518726580937369],
  [1.2367150214269895, -0.21245868807117255],
  [1.1906977166711752, -0.17453945183745634],
  [1.1479821020556429, -0.1380057072319758],
  [1.1082251448272158, -0.10275976698545139],
  [1.0711297413057381, -0.06871392447020525],
  [1.036437278977283, -0.0357891387398228],
  [1.0, 0.0],
  [0.9492859795739057, 0.05204517742929496],
  [0.8951049428609004, 0.11081431298787942],
  [0.8476821620351103, 0.1652495223695143],
  [0.8050314851692001, 0.21687389031699977],
  [0.7664671008843108, 0.2659635028121397],
  [0.731428603316328, 0.3127556664073557],
];
const LN2 = 0.6931471805599453;
/** The cubic for log1p(r) on the small r that is left. */
const A0 = -0.25089342214237154;
const A1 = 0.333456765744066;
const A2 = -0.4999997485802103;
/** The float32 bits where the table's range starts (0.7, about). */
const LOGF_OFFSET = 0x3f330000;

/** Views onto one 4-byte buffer, to move between a float32 and its bits. */
const bitsView = new DataView(new ArrayBuffer(4));
function float32Bits(x: number): number {
  bitsView.setFloat32(0, x);
  return bitsView.getUint32(0);
}
function float32FromBits(bits: number): number {
  bitsView.setUint32(0, bits >>> 0);
  return bitsView.getFloat32(0);
}

/**
 * C's `logf(x)` as glibc computes it; `x` must already be a float32 value. XGBoost calls it once
 * per model, to turn a binary:logistic base_score into a margin. Like expf, glibc's logf is not
 * correctly rounded, so float32(log(x)) would be one float32 step off for about 1 input in 1000.
 * Algorithm: x = 2^k·z with z in [0.7, 1.4); log(x) = k·ln2 + log(c) + log1p(z/c − 1).
 */
export function logf(x: number): number {
  if (x === 1) return 0;
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let ix = float32Bits(x);
  if (ix < 0x00800000) ix = float32Bits(f32(x * 0x800000)) - (23 << 23); // subnormal: scale by 2^23 first
  const tmp = (ix - LOGF_OFFSET) >>> 0;
  const i = (tmp >>> 19) % 16;
  const k = (tmp | 0) >> 23; // arithmetic shift: k may be negative
  const z = float32FromBits(ix - ((tmp & 0xff800000) >>> 0));
  const [invc, logc] = LOGF_TABLE[i];
  const r = z * invc - 1;
  const y0 = logc + k * LN2;
  const r2 = r * r;
  const y = (A0 * r2 + (A1 * r + A2)) * r2 + (y0 + r);
  return f32(y);
}
