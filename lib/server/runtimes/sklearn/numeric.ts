// SPDX-License-Identifier: Apache-2.0
// The floating-point arithmetic of numpy and scipy that scikit-learn's predictions go through.
//
// Floating-point addition is not associative, so "the same sum" in another order can differ in
// the last bits. Where numpy's order is fixed we follow it exactly; where it is not, we say so.
//
// - np.sum over a row (probability normalisation, softmax) uses numpy's pairwise summation:
//   fewer than 8 values are added left to right; up to 128 go into 8 interleaved partial sums
//   combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)); longer rows are split in two, recursively.
//   `numpySum` is that algorithm, bit for bit (checked against numpy 1.24 for 2..300 values).
// - X @ coef_.T (decision functions, linear regression) is NOT summed by numpy: numpy hands
//   matrix products to BLAS (OpenBLAS on Debian), whose order depends on the CPU kernel, the
//   matrix shapes (gemv for one row, gemm for many) and whether it uses fused multiply-add. On
//   the AVX-512 machine that wrote our fixtures, many rows were summed left to right with FMA and
//   a single row in yet another order. JavaScript has no FMA, so no order reproduces every
//   machine's bits. `dot` adds the products as a balanced tree: for 4 features
//   ((x0*w0 + x1*w1) + (x2*w2 + x3*w3)), the form that reproduces Seldon's iris numbers, and in
//   general an error that grows with log2(n) rather than n. Results agree with scikit-learn to
//   about 1e-15 relative, and the tests hold linear models to 1e-12.

/** numpy's pairwise sum of `values[start .. start+n)` (np.add.reduce on a contiguous row). */
export function numpySum(values: ArrayLike<number>, start = 0, n = values.length - start): number {
  if (n < 8) {
    let sum = -0; // numpy starts from -0.0, so a sum of -0.0 values stays -0.0
    for (let i = 0; i < n; i++) sum += values[start + i];
    return sum;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = values[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += values[start + i + j];
    }
    let sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(values, start, half) + numpySum(values, start + half, n - half);
}

/** x · w with the products added as a balanced tree (see above for why this order). */
export function dot(x: ArrayLike<number>, w: ArrayLike<number>, start = 0, n = x.length): number {
  if (n === 0) return 0;
  if (n === 1) return x[start] * w[start];
  const left = Math.ceil(n / 2);
  return dot(x, w, start, left) + dot(x, w, start + left, n - left);
}

/** scipy.special.expit, the logistic sigmoid, computed as scipy 1.10 does: 1 / (1 + exp(-x)). */
export function expit(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** np.argmax over one row: the first index of the largest value (a NaN counts as largest, as in numpy). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) return i;
    if (values[i] > values[best]) best = i;
  }
  return best;
}

/** sklearn.utils.extmath.softmax on one row: subtract the max, exponentiate, divide by the pairwise sum. */
export function softmax(row: readonly number[]): number[] {
  let max = -Infinity;
  for (const v of row) if (v > max || Number.isNaN(v)) max = v;
  const exps = row.map((v) => Math.exp(v - max));
  const sum = numpySum(exps);
  return exps.map((v) => v / sum);
}
