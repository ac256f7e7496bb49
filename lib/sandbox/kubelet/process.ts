// SPDX-License-Identifier: Apache-2.0
// One container instance as a local process that can never outlive the sandbox.
//
// The program does not run as our child directly but under the notebook runner's guard
// (lib/course/kernel-guard.mjs): a tiny process that holds a pipe from us on its stdin and kills
// the program with SIGKILL the moment that pipe closes. The operating system closes it however the
// sandbox ends, even by SIGKILL or a crash, when no cleanup code of ours can run. So a pod's
// processes never linger after the cluster that ran them is gone.
//
//   sandbox ──stdin (lifeline)──► guard ──spawns──► program (the container)
//           ◄──fd 3: {"event":"started","pid":N}, {"event":"exit","code":0,"signal":null}
//           ◄──stdout, stderr of the program (the guard passes its own through)
//
// Signals go straight to the program's pid (SIGTERM to ask it to stop, SIGKILL at the grace
// deadline), never to the guard. The guard deletes `scratchDir` when the program exits: the
// container's writable layer, gone with the instance as on a real node.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { fromRoot } from '../../paths.js';

export interface ProcessSpec {
  /** the host command line, e.g. `[node, bin/seldon-lab.js, serve]` */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** removed by the guard when the program exits */
  scratchDir: string;
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The program could not be started at all (its executable is missing, ...). */
export class ProcessStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcessStartError';
  }
}

/** A container's exit code as Kubernetes reports it: 128 + the signal number when killed. */
export function exitCodeOf(exit: ProcessExit): number {
  if (exit.code !== null) return exit.code;
  return 128 + (exit.signal ? (constants.signals[exit.signal] ?? 0) : 0);
}

export class ContainerProcess {
  /** set once the program has exited */
  exit: ProcessExit | undefined;
  /** resolves when the program has exited and all its output has been read */
  readonly exited: Promise<ProcessExit>;

  private constructor(
    private readonly guard: ChildProcess,
    readonly pid: number,
    exited: Promise<ProcessExit>,
  ) {
    this.exited = exited.then((exit) => (this.exit = exit));
  }

  /** Starts the program under a guard; resolves once it runs, rejects if it cannot start. */
  static start(spec: ProcessSpec): Promise<ContainerProcess> {
    const guard = spawn(process.execPath, [fromRoot('lib', 'course', 'kernel-guard.mjs'), spec.scratchDir, ...spec.argv], {
      cwd: spec.cwd,
      env: spec.env,
      // fd 0: the lifeline, never written; fd 1, 2: the program's output; fd 3: the guard's reports.
      // Its own process group keeps a terminal's Ctrl-C for the sandbox, which stops pods in order.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    guard.stdin?.on('error', () => {}); // EPIPE once the guard is gone: nothing to do.
    guard.stdout?.on('data', (chunk: Buffer) => spec.onOutput('stdout', chunk));
    guard.stderr?.on('data', (chunk: Buffer) => spec.onOutput('stderr', chunk));

    return new Promise((resolve, reject) => {
      let reported: ProcessExit | undefined;
      let started: ContainerProcess | undefined;
      let failure: string | undefined;
      let resolveExit: (exit: ProcessExit) => void = () => {};
      const exited = new Promise<ProcessExit>((r) => (resolveExit = r));
      let buffered = '';
      (guard.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          let event: { event?: string; pid?: number; code?: number | null; signal?: NodeJS.Signals | null; message?: string };
          try {
            event = JSON.parse(line);
          } catch {
            continue;
          }
          if (event.event === 'started' && typeof event.pid === 'number') {
            started = new ContainerProcess(guard, event.pid, exited);
            resolve(started);
          } else if (event.event === 'exit') reported = { code: event.code ?? null, signal: event.signal ?? null };
          else if (event.event === 'error') failure = event.message;
        }
      });
      guard.on('error', (error) => reject(new ProcessStartError(`could not start the process guard: ${error.message}`)));
      // 'close' comes after every stream is drained: the exit report and the last output are in.
      guard.on('close', (code, signal) => {
        if (!started) {
          reject(new ProcessStartError(failure ?? `the process guard exited (${signal ?? code}) before the program started`));
          return;
        }
        resolveExit(reported ?? { code: null, signal: 'SIGKILL' });
      });
    });
  }

  /** Sends a signal to the program (not its guard). Does nothing once it has exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.exit) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // Already gone: the exit report is on its way.
    }
  }

  /** Ends the program at once and waits for it. */
  async kill(): Promise<ProcessExit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** The guard's pid (tests check that it, too, is gone). */
  get guardPid(): number | undefined {
    return this.guard.pid;
  }
}
