// SPDX-License-Identifier: Apache-2.0
// The kernel as a process: started under the guard (kernel-guard.mjs), watched until it exits,
// killed when asked, and described when something goes wrong.
//
// This half of the kernel client knows nothing about Jupyter messages; kernel.ts does the talking.
// What it guarantees is that the process never outlives this one: the guard kills the kernel the
// moment our end of its stdin pipe closes, which the operating system does however we exit.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fromRoot } from '../paths.js';

/** The kernel could not be started, died, or was used in the wrong state. */
export class KernelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelError';
  }
}

export interface KernelExit {
  code: number | null;
  signal: string | null;
}

export interface KernelProcessOptions {
  /** the kernel's command line, e.g. `[node, tslab, 'kernel', '--config-path', file]` */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** the connection file's folder: the guard deletes it when the kernel exits */
  connectionDir: string;
}

/** How much of the kernel's own stdout/stderr (not cell output) to keep for error messages. */
const LOG_LIMIT = 16_384;

/** A guarded kernel process. */
export class KernelProcess {
  /** how it exited, once it has */
  exit: KernelExit | undefined;
  /** resolves once the kernel (and its guard) have exited */
  readonly exited: Promise<void>;
  private kernelPid: number | undefined;
  private log = '';

  private constructor(private readonly guard: ChildProcess) {
    // 'close', not 'exit': it comes after fd 3 is drained, so the guard's exit report has been read.
    this.exited = new Promise((resolve) => guard.once('close', () => resolve()));
    guard.stdout?.on('data', (chunk: Buffer) => this.appendLog(chunk));
    guard.stderr?.on('data', (chunk: Buffer) => this.appendLog(chunk));
    guard.stdin?.on('error', () => {}); // EPIPE once the guard is gone: nothing to do.
  }

  /** Starts the kernel under a guard; resolves once the kernel process exists. */
  static async start(options: KernelProcessOptions): Promise<KernelProcess> {
    const guard = spawn(process.execPath, [fromRoot('lib', 'course', 'kernel-guard.mjs'), options.connectionDir, ...options.argv], {
      cwd: options.cwd,
      env: options.env,
      // fd 0 is the lifeline (never written to), fd 1 and 2 are the kernel's own output, fd 3 is
      // the guard's reports. A new process group keeps a terminal's Ctrl-C away from the guard and
      // the kernel: the owner decides what an interrupt means.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const kernel = new KernelProcess(guard);
    await new Promise<void>((resolve, reject) => {
      readLines(guard.stdio[3] as Readable, (line) => {
        const event = JSON.parse(line) as { event: string; pid?: number; code?: number | null; signal?: string | null; message?: string };
        if (event.event === 'started' && event.pid !== undefined) {
          kernel.kernelPid = event.pid;
          resolve();
        } else if (event.event === 'exit') {
          kernel.exit = { code: event.code ?? null, signal: event.signal ?? null };
        } else if (event.event === 'error') {
          kernel.appendLog(`${event.message}\n`);
        }
      });
      guard.once('close', () => reject(kernel.failure('starting')));
      guard.once('error', (error) => reject(new KernelError(`Could not start the kernel guard: ${error.message}`)));
    });
    void kernel.exited.then(() => {
      kernel.exit ??= { code: guard.exitCode, signal: guard.signalCode };
    });
    return kernel;
  }

  /** The kernel's process id (not the guard's). */
  get pid(): number | undefined {
    return this.kernelPid;
  }

  get guardPid(): number | undefined {
    return this.guard.pid;
  }

  /** Sends a signal to the kernel, unless it has already exited. */
  signal(name: NodeJS.Signals): void {
    if (this.kernelPid === undefined || this.exit) return;
    try {
      process.kill(this.kernelPid, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Kills the kernel with SIGKILL and waits (up to `waitMs`) for it and its guard to be gone. */
  async kill(waitMs = 10_000): Promise<void> {
    this.signal('SIGKILL');
    await within(this.exited, waitMs);
    // The guard exits right after its kernel; if it somehow has not, it goes too.
    if (this.guard.exitCode === null && this.guard.signalCode === null) this.guard.kill('SIGKILL');
  }

  /** Lets go of the guard's pipes; from here on, the guard alone looks after the kernel. */
  release(): void {
    this.guard.stdin?.destroy();
  }

  /** An error saying how the kernel ended, while doing what, and what it printed. */
  failure(doing: string): KernelError {
    const exit = this.exit;
    const how = !exit ? 'exited' : exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return new KernelError(`The tslab kernel ${how} while ${doing}.${this.logTail()}`);
  }

  /** The end of what the kernel printed itself, for error messages. */
  logTail(): string {
    const text = this.log.trim();
    return text ? `\nIts output:\n${text}` : ' It printed nothing.';
  }

  private appendLog(chunk: Buffer | string): void {
    this.log = (this.log + chunk.toString()).slice(-LOG_LIMIT);
  }
}

/** Resolves with the promise's value, or 'timeout' after `ms`, whichever comes first. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  // setTimeout takes at most 2^31-1 ms (about 24 days); a longer wait would fire at once.
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.min(ms, 2 ** 31 - 1))));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Calls `onLine` for each newline-terminated line of a stream. */
function readLines(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.trim()) onLine(line);
    }
  });
}
