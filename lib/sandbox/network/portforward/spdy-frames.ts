// SPDX-License-Identifier: Apache-2.0
// SPDY/3.1 framing, just enough for `kubectl port-forward`.
//
// kubectl still speaks SPDY/3.1 to the API server for port-forwarding: over a plain HTTP upgrade
// (`Upgrade: SPDY/3.1`), or, since kubectl 1.30, tunnelled inside a WebSocket whose subprotocol
// is `SPDY/3.1+portforward.k8s.io` (KEP-4006), falling back to the plain upgrade when the server
// refuses the tunnel. Either way the bytes are SPDY/3.1 frames (draft-mbelshe-httpbis-spdy-00):
//
//   control frame  |1| version=3 (15) | type (16) | flags (8) | length (24) | payload
//   data frame     |0| stream id (31)             | flags (8) | length (24) | payload
//
// Header blocks (in SYN_STREAM, SYN_REPLY, HEADERS) are name/value pairs, each length-prefixed,
// compressed with zlib using a preset dictionary (below), one compression context per direction
// for the whole connection.

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const;

/** The largest payload a frame can carry (24-bit length). */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/**
 * The SPDY/3 header compression dictionary (spec §2.6.10.1): a list of length-prefixed words,
 * then a run of common values. It is written out here as data, and its length checked in tests
 * (1423 bytes), because the peer's zlib refuses the stream if a single byte differs.
 */
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive',
  'origin',
];
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const HEADER_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((word) => {
    const bytes = Buffer.from(word, 'latin1');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

export type Headers = Record<string, string>;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; payload: Buffer };

/** Encodes a header block (before compression). Names are lower-case; several values are joined by NUL. */
export function encodeHeaderBlock(headers: Headers): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  const entries = Object.entries(headers);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, value] of entries) {
    for (const text of [name.toLowerCase(), value]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Decodes a header block (after decompression); throws on a truncated block. */
export function decodeHeaderBlock(block: Buffer): Headers {
  const headers: Headers = {};
  let offset = 0;
  const read = (): string => {
    if (offset + 4 > block.length) throw new Error('truncated SPDY header block');
    const length = block.readUInt32BE(offset);
    offset += 4;
    if (offset + length > block.length) throw new Error('truncated SPDY header block');
    const text = block.toString('utf8', offset, offset + length);
    offset += length;
    return text;
  };
  if (block.length < 4) throw new Error('truncated SPDY header block');
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = read();
    headers[name.toLowerCase()] = read();
  }
  return headers;
}

/** A control frame with its 8-byte header. */
export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE(payload.length, 4);
  header.writeUInt8(flags, 4); // flags overwrite the top byte of the 32-bit length field
  return Buffer.concat([header, payload]);
}

/** A data frame; `data` must fit in one frame (callers split larger chunks). */
export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE(data.length, 4);
  header.writeUInt8(flags, 4);
  return Buffer.concat([header, data]);
}

export function uint32s(...values: number[]): Buffer {
  const out = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, 4 * i));
  return out;
}

/** Cuts a byte stream into frames; keeps a partial frame until the rest arrives. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUInt32BE(4) & 0xffffff;
      if (this.buffer.length < 8 + length) break;
      const flags = this.buffer.readUInt8(4);
      const payload = this.buffer.subarray(8, 8 + length);
      if (this.buffer.readUInt8(0) & 0x80) {
        const version = this.buffer.readUInt16BE(0) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`SPDY version ${version} is not supported (only 3)`);
        frames.push({ kind: 'control', type: this.buffer.readUInt16BE(2), flags, payload });
      } else {
        frames.push({ kind: 'data', streamId: this.buffer.readUInt32BE(0) & 0x7fffffff, flags, data: payload });
      }
      this.buffer = this.buffer.subarray(8 + length);
    }
    return frames;
  }
}
