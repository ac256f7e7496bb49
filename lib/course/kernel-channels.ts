// SPDX-License-Identifier: Apache-2.0
// A Jupyter client's three ZeroMQ sockets, and the matching of what comes back to what we asked.
//
//   - shell (Dealer):     our requests (`kernel_info_request`, `execute_request`) and their replies
//   - control (Dealer):   the same, but not queued behind running code (`shutdown_request`)
//   - iopub (Subscriber): everything the kernel publishes: output streams, display data, busy/idle
//
// Every message the kernel sends names the request it belongs to in its `parent_header`. A request
// is answered when its reply (on shell or control) *and* its `status: idle` (on iopub) have both
// arrived: the reply says how it went, the idle says that no more output for it will follow.
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { channelAddress, type ConnectionInfo } from './connection.js';
import { decode, encode, newMessage, type JupyterMessage } from './wire.js';

type Channel = 'shell' | 'control' | 'iopub';

/** A request in flight. */
export interface Exchange {
  /** the request's msg_id */
  id: string;
  /** the reply on shell or control, once it came */
  reply?: JupyterMessage;
  /** whether the kernel has published `status: idle` for the request */
  idle: boolean;
  /** resolves when reply and idle have both arrived ('done'), or when no answer can come ('closed') */
  done: Promise<'done' | 'closed'>;
}

interface OpenExchange extends Exchange {
  onIopub?: (message: JupyterMessage) => void;
  settle: (how: 'done' | 'closed') => void;
}

export class KernelChannels {
  /** Messages dropped because they failed to decode or verify, with the reason. */
  readonly rejected: string[] = [];

  private readonly session = randomUUID();
  private readonly sockets: { shell: zmq.Dealer; control: zmq.Dealer; iopub: zmq.Subscriber };
  private readonly open = new Map<string, OpenExchange>();
  // zeromq.js allows one pending send per socket, so sends on a channel go one after another.
  private readonly sending = { shell: Promise.resolve(), control: Promise.resolve() };
  private closed = false;

  /** Connects to the kernel's ports. A Dealer queues what is sent until the kernel has bound them. */
  constructor(private readonly info: ConnectionInfo) {
    // linger 0: on close, drop unsent messages at once instead of holding the process open.
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(channelAddress(info, info.shell_port));
    control.connect(channelAddress(info, info.control_port));
    iopub.connect(channelAddress(info, info.iopub_port));
    iopub.subscribe(); // every topic
    this.sockets = { shell, control, iopub };
    void this.pump('shell', shell);
    void this.pump('control', control);
    void this.pump('iopub', iopub);
  }

  /**
   * Sends a request. `onIopub` hears every iopub message for it (output), except the busy/idle
   * status messages, which the exchange tracks itself.
   */
  request(
    channel: 'shell' | 'control',
    msgType: string,
    content: Record<string, unknown>,
    onIopub?: (message: JupyterMessage) => void,
  ): Exchange {
    const message = newMessage(msgType, content, this.session);
    let settle!: (how: 'done' | 'closed') => void;
    const done = new Promise<'done' | 'closed'>((resolve) => (settle = resolve));
    const exchange: OpenExchange = { id: message.header.msg_id, idle: false, onIopub, done, settle };
    if (this.closed) {
      settle('closed');
      return exchange;
    }
    this.open.set(exchange.id, exchange);
    const socket = this.sockets[channel];
    const frames = encode(this.info.key, message);
    // A send only fails once the socket is closed.
    this.sending[channel] = this.sending[channel].then(() => socket.send(frames)).catch(() => settle('closed'));
    return exchange;
  }

  /** Stops listening for an exchange's messages (late ones are then ignored). */
  forget(exchange: Exchange): void {
    this.open.delete(exchange.id);
  }

  /** Every request still waiting learns that no answer will come; new ones end at once. */
  abandonAll(): void {
    this.closed = true;
    for (const exchange of this.open.values()) exchange.settle('closed');
    this.open.clear();
  }

  /** Closes the sockets; every request still waiting ends as 'closed'. */
  close(): void {
    this.abandonAll();
    for (const socket of Object.values(this.sockets)) socket.close();
  }

  /** Reads one socket until it is closed, handing every verified message to its exchange. */
  private async pump(channel: Channel, socket: zmq.Dealer | zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of socket) this.dispatch(channel, frames);
    } catch {
      // The socket was closed; nothing more will arrive.
    }
  }

  private dispatch(channel: Channel, frames: Buffer[]): void {
    let message: JupyterMessage;
    try {
      message = decode(this.info.key, frames);
    } catch (error) {
      // A message we cannot verify did not come from our kernel: never let it reach a result.
      this.rejected.push(`${channel}: ${(error as Error).message}`);
      return;
    }
    const exchange = this.open.get(message.parent_header.msg_id ?? '');
    if (!exchange) return; // output of an earlier cell, or a reply to a request we gave up on
    if (channel === 'iopub') {
      if (message.header.msg_type === 'status') {
        if (message.content.execution_state === 'idle') exchange.idle = true;
      } else {
        exchange.onIopub?.(message);
      }
    } else {
      exchange.reply = message;
    }
    if (exchange.reply && exchange.idle) exchange.settle('done');
  }
}
