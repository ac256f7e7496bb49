// SPDX-License-Identifier: Apache-2.0
// The server side of one SPDY/3.1 connection: streams the client opens, data both ways, and the
// few control frames a Kubernetes client sends (PING, GOAWAY, SETTINGS, WINDOW_UPDATE).
//
// Kubernetes' SPDY library (moby/spdystream) does no flow control, so neither does this: the
// transport's own backpressure (TCP, or the WebSocket carrying the frames) is what slows a fast
// sender. Header blocks share one zlib context per direction, so they must be (de)compressed in
// frame order; the session keeps an inbound and an outbound queue for that, and takes a fast path
// for data frames when nothing is waiting.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import {
  controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, FLAG_FIN, FrameReader, FrameType, HEADER_DICTIONARY,
  MAX_FRAME_PAYLOAD, RstStatus, uint32s, type Frame, type Headers,
} from './spdy-frames.js';

/** One stream the client opened. Set the `on*` callbacks in the `stream` handler. */
export class SpdyStream {
  onData: (chunk: Buffer) => void = () => {};
  /** the client finished sending (FIN) */
  onEnd: () => void = () => {};
  /** the client reset the stream, or the connection is gone */
  onReset: () => void = () => {};
  localClosed = false;
  remoteClosed = false;

  constructor(
    readonly id: number,
    readonly headers: Headers,
    private readonly session: SpdySession,
  ) {}

  /** Sends data; returns false when the connection asks the sender to wait for 'drain'. */
  write(chunk: Buffer): boolean {
    if (this.localClosed) return true;
    return this.session.sendData(this.id, chunk, false);
  }

  /** Half-closes: the client reads end-of-stream. */
  end(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.session.sendData(this.id, Buffer.alloc(0), true);
    this.session.forgetIfDone(this);
  }

  reset(status: number = RstStatus.CANCEL): void {
    this.localClosed = this.remoteClosed = true;
    this.session.sendReset(this.id, status);
    this.session.forgetIfDone(this);
  }
}

/** Feeds header blocks through one zlib context, in order, one at a time. */
class HeaderCodec {
  private readonly chunks: Buffer[] = [];

  constructor(private readonly z: Deflate | Inflate) {
    z.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    z.on('error', () => {}); // surfaced through the flush callback
  }

  run(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.z.write(input);
      this.z.flush(constants.Z_SYNC_FLUSH, () => {
        const out = Buffer.concat(this.chunks.splice(0));
        if ((this.z as { destroyed?: boolean }).destroyed) reject(new Error('SPDY header compression failed'));
        else resolve(out);
      });
    });
  }

  close(): void {
    this.z.destroy();
  }
}

/** Events: 'stream' (a SpdyStream the client opened), 'close', 'error'. */
export class SpdySession extends EventEmitter<{ stream: [SpdyStream]; close: []; error: [Error] }> {
  private readonly reader = new FrameReader();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate = new HeaderCodec(createInflate({ dictionary: HEADER_DICTIONARY }));
  private readonly deflate = new HeaderCodec(createDeflate({ dictionary: HEADER_DICTIONARY, level: 9 }));
  private inbound: Promise<void> = Promise.resolve();
  private inboundPending = 0;
  private outbound: Promise<void> = Promise.resolve();
  private outboundPending = 0;
  private closed = false;
  private lastStreamId = 0;

  constructor(private readonly transport: Duplex) {
    super();
    transport.on('data', (chunk: Buffer) => this.receive(chunk));
    transport.on('close', () => this.shutdown());
    // The client finished (or went away): finish our side too, so the connection can close.
    transport.on('end', () => {
      this.transport.end();
      this.shutdown();
    });
    transport.on('error', () => this.shutdown());
  }

  private pauses = 0;

  /**
   * Stops reading from the client while some destination is full (backpressure towards the
   * client). Every pause() needs its resume(); reading starts again when none is left.
   */
  pause(): void {
    if (this.pauses++ === 0) this.transport.pause();
  }

  resume(): void {
    if (this.pauses > 0 && --this.pauses === 0) this.transport.resume();
  }

  onDrain(listener: () => void): void {
    this.transport.once('drain', listener);
  }

  close(): void {
    if (this.closed) return;
    this.write(controlFrame(FrameType.GOAWAY, 0, uint32s(this.lastStreamId, 0)));
    this.transport.end();
    this.shutdown();
  }

  // --- sending -----------------------------------------------------------------------------------

  private write(frame: Buffer): boolean {
    if (this.closed || this.transport.destroyed) return true;
    return this.transport.write(frame);
  }

  /** Sends frames in order: immediately when nothing is being compressed, else after it. */
  private send(make: () => Buffer | Promise<Buffer>): boolean {
    if (this.outboundPending === 0) {
      const frame = make();
      if (Buffer.isBuffer(frame)) return this.write(frame);
      this.outboundPending++;
      this.outbound = frame.then((f) => void this.write(f)).catch(() => this.shutdown()).finally(() => void this.outboundPending--);
      return true;
    }
    this.outboundPending++;
    this.outbound = this.outbound
      .then(async () => void this.write(await make()))
      .catch(() => this.shutdown())
      .finally(() => void this.outboundPending--);
    return true;
  }

  sendData(streamId: number, data: Buffer, fin: boolean): boolean {
    const flags = fin ? FLAG_FIN : 0;
    if (data.length <= MAX_FRAME_PAYLOAD) return this.send(() => dataFrame(streamId, flags, data));
    let ok = true;
    for (let offset = 0; offset < data.length; offset += MAX_FRAME_PAYLOAD) {
      const piece = data.subarray(offset, offset + MAX_FRAME_PAYLOAD);
      const last = offset + MAX_FRAME_PAYLOAD >= data.length;
      ok = this.send(() => dataFrame(streamId, last ? flags : 0, piece)) && ok;
    }
    return ok;
  }

  sendReset(streamId: number, status: number): void {
    this.send(() => controlFrame(FrameType.RST_STREAM, 0, uint32s(streamId, status)));
  }

  private sendReply(streamId: number, headers: Headers): void {
    this.send(async () => controlFrame(FrameType.SYN_REPLY, 0, Buffer.concat([uint32s(streamId), await this.deflate.run(encodeHeaderBlock(headers))])));
  }

  forgetIfDone(stream: SpdyStream): void {
    if (stream.localClosed && stream.remoteClosed) this.streams.delete(stream.id);
  }

  // --- receiving ---------------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.emit('error', error as Error);
      this.transport.destroy();
      return;
    }
    for (const frame of frames) {
      if (this.inboundPending === 0) {
        const done = this.handle(frame);
        if (done) this.queueInbound(done);
      } else {
        this.queueInbound(() => this.handle(frame));
      }
    }
  }

  private queueInbound(work: Promise<void> | (() => Promise<void> | undefined)): void {
    this.inboundPending++;
    this.inbound = this.inbound
      .then(() => (typeof work === 'function' ? work() : work))
      .catch((error: Error) => {
        this.emit('error', error);
        this.transport.destroy();
      })
      .finally(() => void this.inboundPending--);
  }

  /** Handles one frame; returns a promise when it had to wait for header decompression. */
  private handle(frame: Frame): Promise<void> | undefined {
    if (this.closed) return undefined;
    if (frame.kind === 'data') {
      const stream = this.streams.get(frame.streamId);
      if (!stream || stream.remoteClosed) return undefined; // late data for a stream we reset
      if (frame.data.length > 0) stream.onData(frame.data);
      if (frame.flags & FLAG_FIN) {
        stream.remoteClosed = true;
        stream.onEnd();
        this.forgetIfDone(stream);
      }
      return undefined;
    }
    const p = frame.payload;
    switch (frame.type) {
      case FrameType.SYN_STREAM:
        return this.inflate.run(p.subarray(10)).then((block) => this.opened(p.readUInt32BE(0) & 0x7fffffff, frame.flags, decodeHeaderBlock(block)));
      case FrameType.HEADERS:
        // Ignored, but its block must still pass through the shared zlib context.
        return this.inflate.run(p.subarray(4)).then(() => undefined);
      case FrameType.RST_STREAM: {
        const stream = this.streams.get(p.readUInt32BE(0) & 0x7fffffff);
        if (stream) {
          stream.localClosed = stream.remoteClosed = true;
          this.streams.delete(stream.id);
          stream.onReset();
        }
        return undefined;
      }
      case FrameType.PING:
        // Client pings have odd ids; answer them with the same frame.
        if (p.readUInt32BE(0) % 2 === 1) this.send(() => controlFrame(FrameType.PING, 0, Buffer.from(p)));
        return undefined;
      case FrameType.GOAWAY:
        this.close();
        return undefined;
      default:
        return undefined; // SETTINGS, WINDOW_UPDATE: nothing to do without flow control
    }
  }

  private opened(id: number, flags: number, headers: Headers): void {
    if (this.streams.has(id) || id % 2 === 0) {
      this.sendReset(id, RstStatus.PROTOCOL_ERROR);
      return;
    }
    this.lastStreamId = Math.max(this.lastStreamId, id);
    const stream = new SpdyStream(id, headers, this);
    this.streams.set(id, stream);
    this.sendReply(id, {});
    this.emit('stream', stream);
    if (flags & FLAG_FIN) {
      stream.remoteClosed = true;
      stream.onEnd();
      this.forgetIfDone(stream);
    }
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) stream.onReset();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }
}
