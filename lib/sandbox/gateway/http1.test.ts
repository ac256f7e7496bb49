// SPDX-License-Identifier: Apache-2.0
// The HTTP/1.1 pieces the gateway reads: heads, body framing, and where a body ends.
import { describe, expect, it } from 'vitest';
import { BodyScanner, HttpParseError, readHead, requestFraming, responseFraming } from './http1.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('readHead', () => {
  it('waits for the whole head, then splits it into the start line and lower-cased headers', () => {
    expect(readHead(bytes('GET / HTTP/1.1\r\nHost: a\r\n'), 'request')).toBeUndefined();
    const parsed = readHead(bytes('POST /x?y HTTP/1.1\r\nHost: a\r\nX-Thing:  v \r\n\r\nbody'), 'request')!;
    expect(parsed.head).toEqual({ startLine: ['POST', '/x?y', 'HTTP/1.1'], headers: [['host', 'a'], ['x-thing', 'v']] });
    expect(parsed.bodyStart).toBe(bytes('POST /x?y HTTP/1.1\r\nHost: a\r\nX-Thing:  v \r\n\r\n').length);
    expect(readHead(bytes('HTTP/1.1 204 No Content\r\n\r\n'), 'response')!.head.startLine).toEqual(['HTTP/1.1', '204', 'No Content']);
  });

  it('refuses what is not HTTP/1.x, with the status to answer', () => {
    expect(() => readHead(bytes('GET /\r\n\r\n'), 'request')).toThrow(HttpParseError);
    expect(() => readHead(bytes('GET / HTTP/2.0\r\n\r\n'), 'request')).toThrow(expect.objectContaining({ status: 505 }));
    expect(() => readHead(bytes('GET / HTTP/1.1\r\nno colon\r\n\r\n'), 'request')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => readHead(Buffer.alloc(70 * 1024, 0x61), 'request')).toThrow(expect.objectContaining({ status: 431 }));
  });
});

describe('framing', () => {
  const head = (text: string) => readHead(bytes(text + '\r\n\r\n'), text.startsWith('HTTP') ? 'response' : 'request')!.head;

  it('reads Content-Length and chunked, and refuses both at once (request smuggling)', () => {
    expect(requestFraming(head('POST / HTTP/1.1\r\nContent-Length: 5'))).toEqual({ kind: 'length', length: 5 });
    expect(requestFraming(head('GET / HTTP/1.1'))).toEqual({ kind: 'none' });
    expect(requestFraming(head('POST / HTTP/1.1\r\nTransfer-Encoding: chunked'))).toEqual({ kind: 'chunked' });
    expect(() => requestFraming(head('POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked'))).toThrow(/both/);
    expect(() => requestFraming(head('POST / HTTP/1.1\r\nContent-Length: 5, 6'))).toThrow(/bad Content-Length/);
  });

  it('knows answers without a body, and answers that run until the connection closes', () => {
    expect(responseFraming(head('HTTP/1.1 200 OK\r\nContent-Length: 9'), 'HEAD')).toEqual({ kind: 'none' });
    expect(responseFraming(head('HTTP/1.1 304 Not Modified'), 'GET')).toEqual({ kind: 'none' });
    expect(responseFraming(head('HTTP/1.1 200 OK'), 'GET')).toEqual({ kind: 'close' });
  });
});

describe('BodyScanner', () => {
  it('finds the end of a Content-Length body across chunks, leaving the next message alone', () => {
    const scanner = new BodyScanner({ kind: 'length', length: 5 });
    expect(scanner.scan(bytes('abc'))).toBe(3);
    expect(scanner.scan(bytes('deGET /'))).toBe(2);
    expect(scanner.done).toBe(true);
  });

  it('follows chunked framing, extensions and trailers included, split anywhere', () => {
    const message = '4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\nNEXT';
    for (let split = 1; split < message.length - 4; split++) {
      const scanner = new BodyScanner({ kind: 'chunked' });
      const used = scanner.scan(bytes(message.slice(0, split))) + scanner.scan(bytes(message.slice(split)));
      expect(scanner.done).toBe(true);
      expect(message.slice(used)).toBe('NEXT');
    }
  });

  it('refuses a bad chunk size', () => {
    expect(() => new BodyScanner({ kind: 'chunked' }).scan(bytes('zz\r\n'))).toThrow(/bad chunk size/);
  });
});
