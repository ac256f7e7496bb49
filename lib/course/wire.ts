// SPDX-License-Identifier: Apache-2.0
// The Jupyter wire protocol (messaging 5.3): how one message becomes ZeroMQ frames and back.
//
// Every message on every channel is a multipart ZeroMQ message:
//
//   [routing ids...] "<IDS|MSG>" signature header parent_header metadata content [buffers...]
//
// The four JSON parts are signed with HMAC-SHA256 using the key from the connection file. The
// signature is what stops another program on the machine from injecting code into the kernel or
// output into our results, so a message whose signature does not verify is rejected, never read.
// See https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** The frame that separates ZeroMQ routing identities from the signed message. */
export const DELIMITER = '<IDS|MSG>';
export const PROTOCOL_VERSION = '5.3';

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** One Jupyter message, decoded. */
export interface JupyterMessage<Content = Record<string, unknown>> {
  header: MessageHeader;
  /** the header of the request this message answers; `{}` when it answers nothing */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Content;
}

/** A message that was not accepted: missing delimiter, bad signature, or unreadable JSON. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** Builds a new request message with a fresh id, ready for `encode`. */
export function newMessage<Content>(msgType: string, content: Content, session: string): JupyterMessage<Content> {
  return {
    header: {
      msg_id: randomUUID(),
      session,
      username: 'seldon-lab',
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: {},
    metadata: {},
    content,
  };
}

/**
 * The HMAC-SHA256 of the four JSON parts, in hex. An empty key means "no signing" in the
 * Jupyter protocol, and the signature is then the empty string.
 */
export function sign(key: string, parts: readonly (string | Buffer)[]): string {
  if (key === '') return '';
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** Turns a message into the frames to send on a Dealer socket (no routing identities). */
export function encode(key: string, message: JupyterMessage<unknown>): string[] {
  const parts = [
    JSON.stringify(message.header),
    JSON.stringify(message.parent_header),
    JSON.stringify(message.metadata),
    JSON.stringify(message.content),
  ];
  return [DELIMITER, sign(key, parts), ...parts];
}

/**
 * Turns received frames into a message, after checking the signature.
 * Throws a `WireError` when the frames are not a Jupyter message or the signature is wrong.
 */
export function decode(key: string, frames: readonly Buffer[]): JupyterMessage {
  // Frames before the delimiter are routing identities (a Subscriber sees the topic there).
  const at = frames.findIndex((frame) => frame.toString() === DELIMITER);
  if (at < 0) throw new WireError('message has no <IDS|MSG> delimiter');
  const signature = frames[at + 1];
  const parts = frames.slice(at + 2, at + 6);
  if (signature === undefined || parts.length < 4) {
    throw new WireError(`message has ${frames.length - at - 1} parts after the delimiter, expected at least 5`);
  }
  const expected = Buffer.from(sign(key, parts));
  // Compare in constant time, so the time taken does not reveal how much of a forgery was right.
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new WireError(`message ${describe(parts[0])} has a bad signature; it was not sent by our kernel`);
  }
  try {
    const [header, parent, metadata, content] = parts.map((part) => JSON.parse(part.toString('utf8')));
    return { header, parent_header: parent, metadata, content };
  } catch (error) {
    throw new WireError(`message has a part that is not JSON: ${(error as Error).message}`);
  }
}

/** A short description of a header frame for error messages, without trusting it. */
function describe(header: Buffer): string {
  try {
    const parsed = JSON.parse(header.toString('utf8')) as Partial<MessageHeader>;
    return `'${parsed.msg_type ?? '?'}'`;
  } catch {
    return '(unreadable header)';
  }
}
