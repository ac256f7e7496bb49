// SPDX-License-Identifier: Apache-2.0
// A tslab kernel driven from Node over the Jupyter messaging protocol: no Python, no Jupyter server.
//
// This is what Jupyter itself does when you open a notebook: write a connection file (ports and a
// signing key), start the kernel process with it, connect ZeroMQ sockets to those ports and
// exchange signed JSON messages. The work is split by concept:
//   connection.ts      the connection file            wire.ts            message <-> signed frames
//   kernel-process.ts  the process, under its guard   kernel-channels.ts the sockets, request <-> replies
// and this file puts them together and knows tslab's habits: errors only on stderr, requests dropped
// for 200 ms after an error, interrupts by SIGINT only.
//
// The kernel runs under a small guard process (kernel-guard.mjs) that kills it as soon as this
// process is gone, however it went: a normal end, SIGINT, SIGTERM, even SIGKILL.
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fromRoot, repoRoot } from '../paths.js';
import { newConnectionInfo, removeConnectionFile, writeConnectionFile, type ConnectionFile } from './connection.js';
import { KernelChannels, type Exchange } from './kernel-channels.js';
import { KernelError, KernelProcess, within } from './kernel-process.js';
import type { JupyterMessage } from './wire.js';

export { KernelError } from './kernel-process.js';

/** How a cell ended. `abort`: the kernel refused to run it; `timeout`: it ran too long and was interrupted. */
export type ExecuteStatus = 'ok' | 'error' | 'abort' | 'timeout';

/** A rich output (`display_data` or `execute_result`): MIME type -> value, e.g. `{ 'text/html': '<b>hi</b>' }`. */
export interface Display {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** One piece of output, as it arrives. */
export type KernelOutput =
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; display: Display };

export interface ExecuteOptions {
  /** interrupt the cell after this long; default 60 s */
  timeoutMs?: number;
  /** called for each piece of output while the cell runs */
  onOutput?: (output: KernelOutput) => void;
}

export interface ExecuteResult {
  status: ExecuteStatus;
  stdout: string;
  stderr: string;
  displays: Display[];
  /** the kernel's `execution_count` for this cell (the `[3]` beside a cell in Jupyter) */
  executionCount: number | null;
  durationMs: number;
}

export interface KernelOptions {
  /**
   * The kernel's working folder; default: the repository root. tslab compiles cells with `rootDir`
   * set to this folder and refuses to import a `.ts` file outside it, so lessons, which import
   * `./lib/...`, need the root (the committed kernelspec moves Jupyter's kernels there too).
   */
  cwd?: string;
  /** extra environment for the kernel (on top of this process's, plus SELDON_LAB_ROOT) */
  env?: Record<string, string | undefined>;
  /** how long the kernel may take to answer its first `kernel_info_request`; default 30 s */
  startTimeoutMs?: number;
  /** how long the kernel may take to exit after a `shutdown_request` before it is killed; default 3 s */
  shutdownTimeoutMs?: number;
  /**
   * The command that starts the kernel, given the connection file's path. Default: this Node
   * running the repository's tslab with the kit's preload (kernel-preload.cjs, a tslab bug fix):
   * `node --require lib/course/kernel-preload.cjs node_modules/tslab/bin/tslab kernel --config-path <file>`.
   */
  command?: (connectionFile: string) => string[];
}

const DEFAULT_TIMEOUT_MS = 60_000;
const HANDSHAKE_RETRY_MS = 100;
/** After an error tslab aborts every request that arrives within 200 ms (`execQueue.reset(200)`). */
const ABORT_WINDOW_MS = 250;
const MAX_ABORT_RETRIES = 3;
/** How long an interrupted cell may take to report back before the kernel counts as stuck. */
const INTERRUPT_GRACE_MS = 3_000;

export class TslabKernel {
  readonly cwd: string;
  /** kernel_info_reply content, once started */
  info: Record<string, unknown> | undefined;

  private readonly options: KernelOptions;
  private connection: ConnectionFile | undefined;
  private process: KernelProcess | undefined;
  private channels: KernelChannels | undefined;
  private state: 'new' | 'starting' | 'ready' | 'closed' = 'new';
  /** set when an interrupted cell never reported back: the kernel cannot be asked to shut down politely */
  private stuck = false;
  private lastErrorAt = -Infinity;
  private queue: Promise<unknown> = Promise.resolve();
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: KernelOptions = {}) {
    this.options = options;
    this.cwd = options.cwd ?? repoRoot();
  }

  /** Starts a kernel and waits until it answers. */
  static async start(options: KernelOptions = {}): Promise<TslabKernel> {
    const kernel = new TslabKernel(options);
    await kernel.start();
    return kernel;
  }

  /** The kernel's process id (not the guard's), once started. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** The guard process's id, once started. */
  get guardPid(): number | undefined {
    return this.process?.guardPid;
  }

  /** The connection file's path, while the kernel runs. */
  get connectionFile(): string | undefined {
    return this.connection?.file;
  }

  /** Messages dropped because they failed to decode or verify their signature, with the reason. */
  get rejected(): readonly string[] {
    return this.channels?.rejected ?? [];
  }

  /** Whether the kernel process has exited. */
  get hasExited(): boolean {
    return this.process?.exit !== undefined;
  }

  /**
   * Starts the kernel process and waits until it answers a `kernel_info_request` on shell and
   * publishes on iopub. Throws a `KernelError` (with the kernel's own output) if it dies or does
   * not answer in time; the process is gone by then.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new KernelError(`start() was already called (the kernel is ${this.state})`);
    this.state = 'starting';
    try {
      await this.launch();
      this.channels = new KernelChannels(this.connection!.info);
      await this.handshake();
      this.state = 'ready';
    } catch (error) {
      await this.shutdown();
      throw error;
    }
  }

  /**
   * Runs one cell. Never throws for what the code does: a type error, a throw or a kernel that dies
   * come back as `status: 'error'` with the message on stderr (tslab prints errors only there), and
   * a cell that runs longer than `timeoutMs` is interrupted and comes back as `status: 'timeout'`.
   * Calls are queued: one cell runs at a time, as in a notebook.
   */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const run = this.queue.then(() => this.executeWithRetry(code, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The kernel's `kernel_info_reply`: one plain round trip over shell, with no code run. */
  async kernelInfo(): Promise<Record<string, unknown>> {
    this.assertReady();
    const exchange = this.channels!.request('shell', 'kernel_info_request', {});
    const outcome = await exchange.done;
    this.channels!.forget(exchange);
    if (outcome === 'closed' || !exchange.reply) throw this.failure('answering kernel_info_request');
    return exchange.reply.content;
  }

  /**
   * Interrupts the running cell, as Jupyter's ■ button does. tslab ignores `interrupt_request`
   * messages but handles SIGINT: it rejects the cell's pending promise, and stops synchronous code
   * too (cells run with `breakOnSigint`). The cell then ends with `status: 'error'`.
   */
  interrupt(): void {
    this.process?.signal('SIGINT');
  }

  /**
   * Stops the kernel and releases everything: a `shutdown_request` on control, then a wait for the
   * process to exit, then SIGKILL if it has not; then the sockets are closed and the connection file
   * is deleted. Safe to call more than once and in any state.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.stop();
    return this.shutdownPromise;
  }

  // ---- starting ---------------------------------------------------------------------------------

  private async launch(): Promise<void> {
    this.connection = writeConnectionFile(await newConnectionInfo('tslab'));
    const argv = this.options.command
      ? this.options.command(this.connection.file)
      : [
          process.execPath,
          ...['--require', fromRoot('lib', 'course', 'kernel-preload.cjs')],
          ...[fromRoot('node_modules', 'tslab', 'bin', 'tslab'), 'kernel', '--config-path', this.connection.file],
        ];
    this.process = await KernelProcess.start({
      argv,
      cwd: this.cwd,
      env: { ...process.env, SELDON_LAB_ROOT: repoRoot(), ...this.options.env },
      connectionDir: this.connection.dir,
    });
    // Once the process is gone no answer can come: whatever still waits for one stops waiting.
    void this.process.exited.then(() => this.channels?.abandonAll());
  }

  /**
   * Asks `kernel_info_request` until one is answered on shell *and* its `idle` arrives on iopub.
   * Repeating is needed because a ZeroMQ subscriber misses what is published before its
   * subscription reaches the publisher ("slow joiner"): the first idle can be lost, a later one is
   * not. Every request stays open, so whichever completes first ends the wait; the ones sent while
   * the kernel was still loading are all answered the moment it binds its ports.
   */
  private async handshake(): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const deadline = performance.now() + timeoutMs;
    // tslab binds its five sockets one after another and publishes on iopub as soon as a request
    // arrives; a request that lands while a bind is still pending crashes it ("Socket is blocked by
    // a bind or unbind operation", seen under load). So first wait until those ports accept.
    await this.portsListening(deadline);
    const asked: Exchange[] = [];
    try {
      while (performance.now() < deadline) {
        if (this.process!.exit) throw this.failure('starting');
        asked.push(this.channels!.request('shell', 'kernel_info_request', {}));
        const outcome = await within(Promise.race(asked.map((e) => e.done)), HANDSHAKE_RETRY_MS);
        if (outcome === 'closed') throw this.failure('starting');
        if (outcome === 'done') {
          this.info = asked.find((e) => e.reply && e.idle)?.reply?.content;
          return;
        }
      }
    } finally {
      for (const exchange of asked) this.channels!.forget(exchange);
    }
    throw new KernelError(
      `The tslab kernel did not answer within ${Math.round(timeoutMs / 1000)} s of starting (cwd ${this.cwd}).` +
        (this.process?.logTail() ?? '') +
        '\nThe machine may be overloaded; try again, or raise startTimeoutMs.',
    );
  }

  /**
   * Polls the ports a request makes the kernel use (shell and control receive, iopub publishes)
   * with plain TCP connects until all accept, or the kernel exits.
   */
  private async portsListening(deadline: number): Promise<void> {
    const info = this.connection!.info;
    const ports = [info.shell_port, info.iopub_port, info.control_port];
    const accepts = (port: number): Promise<boolean> =>
      new Promise((resolve) => {
        const socket = connect({ host: info.ip, port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    while (performance.now() < deadline) {
      if (this.process!.exit) throw this.failure('starting');
      if ((await Promise.all(ports.map(accepts))).every(Boolean)) return;
      await delay(20);
    }
  }

  // ---- running cells ----------------------------------------------------------------------------

  private async executeWithRetry(code: string, options: ExecuteOptions): Promise<ExecuteResult> {
    this.assertReady();
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      // Wait out tslab's abort window after an error, or the request would be dropped unrun.
      const wait = this.lastErrorAt + ABORT_WINDOW_MS - performance.now();
      if (wait > 0) await delay(wait);
      const remaining = Math.max(1, timeoutMs - (performance.now() - started));
      const result = await this.executeOnce(code, remaining, timeoutMs, options.onOutput);
      result.durationMs = performance.now() - started;
      // 'abort' means tslab did not run the code at all, so sending it again is safe.
      if (result.status !== 'abort' || attempt >= MAX_ABORT_RETRIES) return result;
    }
  }

  private async executeOnce(
    code: string,
    timeoutMs: number,
    cellTimeoutMs: number,
    onOutput?: (output: KernelOutput) => void,
  ): Promise<ExecuteResult> {
    const result: ExecuteResult = { status: 'ok', stdout: '', stderr: '', displays: [], executionCount: null, durationMs: 0 };
    const emit = (output: KernelOutput): void => {
      if (output.type === 'stream') result[output.name] += output.text;
      else result.displays.push(output.display);
      onOutput?.(output);
    };
    const exchange = this.channels!.request(
      'shell',
      'execute_request',
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      (message) => collectOutput(message, emit),
    );

    let outcome = await within(exchange.done, timeoutMs);
    if (outcome === 'timeout') {
      this.interrupt();
      outcome = await within(exchange.done, INTERRUPT_GRACE_MS);
      if (outcome === 'timeout') this.stuck = true;
      result.status = 'timeout';
      emit({ type: 'stream', name: 'stderr', text: `\n[timed out after ${formatMs(cellTimeoutMs)}: the cell was interrupted]\n` });
    } else if (outcome === 'closed') {
      result.status = 'error';
      emit({ type: 'stream', name: 'stderr', text: `\n[${this.failure('running this cell').message}]\n` });
    } else {
      const status = exchange.reply?.content.status;
      result.status = status === 'ok' || status === 'abort' ? status : 'error';
    }
    const count = exchange.reply?.content.execution_count;
    result.executionCount = typeof count === 'number' ? count : null;
    if (result.status !== 'ok') this.lastErrorAt = performance.now();
    this.channels!.forget(exchange);
    return result;
  }

  // ---- stopping -----------------------------------------------------------------------------------

  private async stop(): Promise<void> {
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    const kernel = this.process;
    try {
      if (kernel && !kernel.exit) {
        if (wasReady && !this.stuck) {
          this.channels?.request('control', 'shutdown_request', { restart: false });
          await within(kernel.exited, this.options.shutdownTimeoutMs ?? 3_000);
        }
        if (!kernel.exit) await kernel.kill();
      }
    } finally {
      kernel?.release();
      this.channels?.close();
      if (this.connection) removeConnectionFile(this.connection);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private assertReady(): void {
    if (this.state !== 'ready') {
      throw new KernelError(
        this.state === 'new' ? 'The kernel is not started: call start() first.' : `The kernel is ${this.state}; start a new one.`,
      );
    }
    if (this.process?.exit) throw this.failure('waiting for a cell');
    if (this.stuck) throw new KernelError('The kernel did not respond to an interrupt and is stuck; shut it down and start a new one.');
  }

  private failure(doing: string): KernelError {
    return this.process?.failure(doing) ?? new KernelError(`The tslab kernel is not running (while ${doing}).`);
  }
}

/** Hands an iopub message for a running cell to `emit` as output, if it is output. */
function collectOutput(message: JupyterMessage, emit: (output: KernelOutput) => void): void {
  const content = message.content;
  switch (message.header.msg_type) {
    case 'stream':
      emit({ type: 'stream', name: content.name === 'stderr' ? 'stderr' : 'stdout', text: String(content.text ?? '') });
      break;
    case 'display_data':
    case 'update_display_data':
    case 'execute_result':
      emit({
        type: 'display',
        display: { data: (content.data ?? {}) as Record<string, unknown>, metadata: (content.metadata ?? {}) as Record<string, unknown> },
      });
      break;
    case 'error': {
      // IPython-style kernels report errors here; tslab leaves these fields empty and prints to
      // stderr instead, so both are kept.
      const traceback = Array.isArray(content.traceback) ? content.traceback.join('\n') : '';
      const text = [content.ename && `${content.ename}: ${content.evalue ?? ''}`, traceback].filter(Boolean).join('\n');
      if (text) emit({ type: 'stream', name: 'stderr', text: text + '\n' });
      break;
    }
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}
