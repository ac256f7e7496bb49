// SPDX-License-Identifier: Apache-2.0
// Turning the bytes of a model file into a pickle stream: plain, or compressed by joblib.
//
// `joblib.dump(model, path, compress=3)` writes a zlib stream; `compress=("gzip", 3)` a gzip
// file. joblib recognises them by their first bytes, and so do we. Decompression is bounded
// (a small "zip bomb" must not expand into gigabytes), and formats we cannot read are named.

import { gunzipSync, inflateSync } from 'node:zlib';
import { PickleError } from './errors.js';

export type StreamFormat = 'pickle' | 'zlib' | 'gzip';

// joblib's compressor prefixes (joblib/compressor.py), and the pre-0.10 "ZF" format.
const UNSUPPORTED: Array<[prefix: number[], what: string]> = [
  [[0x42, 0x5a], 'bz2'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a], 'xz'],
  [[0x5d, 0x00, 0x00], 'lzma'],
  [[0x04, 0x22, 0x4d, 0x18], 'lz4'],
  [[0x5a, 0x46], 'joblib < 0.10 ("ZF")'],
];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** What the file is, from its first bytes. Throws for compressions we do not read. */
export function detectFormat(bytes: Uint8Array): StreamFormat {
  if (bytes[0] === 0x78) return 'zlib'; // 'x': no pickle starts with it
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
  for (const [prefix, what] of UNSUPPORTED) {
    if (startsWith(bytes, prefix)) {
      throw new PickleError(
        `the file is ${what}-compressed, which this loader does not read; save it again with ` +
          'joblib.dump(model, path) or joblib.dump(model, path, compress=3) (zlib)',
      );
    }
  }
  return 'pickle';
}

/** The pickle stream inside `bytes`, decompressed if joblib compressed it, at most `maxBytes` long. */
export function pickleStreamOf(bytes: Uint8Array, maxBytes: number): Uint8Array {
  const format = detectFormat(bytes);
  if (format === 'pickle') return bytes;
  try {
    const options = { maxOutputLength: maxBytes };
    return format === 'zlib' ? inflateSync(bytes, options) : gunzipSync(bytes, options);
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? `it expands to more than ${maxBytes} bytes`
      : `${(error as Error).message} (the file is truncated or corrupt; download or save it again)`;
    throw new PickleError(`cannot decompress the ${format} stream: ${reason}`);
  }
}
