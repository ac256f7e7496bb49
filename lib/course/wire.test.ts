// SPDX-License-Identifier: Apache-2.0
// The Jupyter wire format: signing, encoding and the checks that reject forged or broken messages.
import { describe, expect, it } from 'vitest';
import { DELIMITER, WireError, decode, encode, newMessage, sign } from './wire.js';

const KEY = 'a-test-key';
const frames = (parts: string[]): Buffer[] => parts.map((part) => Buffer.from(part));

describe('sign', () => {
  it('is HMAC-SHA256 over the parts in order, as one stream', () => {
    // The published HMAC-SHA256 test value for key "key" and this sentence.
    const expected = 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';
    expect(sign('key', ['The quick brown fox ', 'jumps over the lazy dog'])).toBe(expected);
  });

  it('is empty when the key is empty (an unsigned session)', () => {
    expect(sign('', ['{}'])).toBe('');
  });
});

describe('encode and decode', () => {
  const message = newMessage('execute_request', { code: '1 + 1' }, 'session-1');

  it('round-trips a message', () => {
    expect(decode(KEY, frames(encode(KEY, message)))).toEqual(message);
  });

  it('lays frames out as delimiter, signature, header, parent, metadata, content', () => {
    const [delimiter, signature, header, parent, metadata, content] = encode(KEY, message);
    expect(delimiter).toBe(DELIMITER);
    expect(signature).toBe(sign(KEY, [header, parent, metadata, content]));
    expect(JSON.parse(header)).toMatchObject({ msg_type: 'execute_request', session: 'session-1', version: '5.3' });
    expect([JSON.parse(parent), JSON.parse(metadata), JSON.parse(content)]).toEqual([{}, {}, { code: '1 + 1' }]);
  });

  it('skips routing identities before the delimiter', () => {
    expect(decode(KEY, frames(['router-id', 'another-id', ...encode(KEY, message)]))).toEqual(message);
  });

  it('rejects a message signed with another key', () => {
    expect(() => decode(KEY, frames(encode('other-key', message)))).toThrow(/'execute_request' has a bad signature/);
  });

  it('rejects a message whose content was changed after signing', () => {
    const tampered = encode(KEY, message);
    tampered[5] = JSON.stringify({ code: 'process.exit()' });
    expect(() => decode(KEY, frames(tampered))).toThrow(WireError);
  });

  it('rejects frames without the delimiter, or with parts missing', () => {
    expect(() => decode(KEY, frames(encode(KEY, message).slice(1)))).toThrow(/no <IDS\|MSG> delimiter/);
    expect(() => decode(KEY, frames(encode(KEY, message).slice(0, 4)))).toThrow(/expected at least 5/);
  });
});
