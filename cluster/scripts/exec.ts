// SPDX-License-Identifier: Apache-2.0
// Running minikube, kubectl and helm: their output shown live (a long `minikube start` must not
// look frozen), kept for the error message, and a failure turned into an error that says which
// command failed and what it printed last.
import { execa } from 'execa';
import type { Reporter } from './progress.js';

export interface RunOptions {
  /** shown live under the current step (default true); false keeps the output for the caller only */
  show?: boolean;
  /** written to the program's standard input */
  input?: string;
  /** give up after this long (the program is killed) */
  timeoutMs?: number;
  /** non-zero exits that are an answer, not a failure (e.g. `minikube status` says 7 when stopped) */
  okExitCodes?: number[];
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A program ended badly; `output` holds its last lines, which usually say why. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly output: string,
    reason: string,
  ) {
    super(`${command} ${reason}${output ? `:\n${output}` : ''}`);
    this.name = 'CommandError';
  }
}

/** The last `count` non-empty lines of `text`. */
export function lastLines(text: string, count = 12): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-count).join('\n');
}

/** Quotes an argument for display, so a printed command can be pasted into a shell. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(program: string, args: readonly string[]): string {
  return [program, ...args].map(shellQuote).join(' ');
}

export type Runner = (program: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

/** A Runner that starts real processes and shows their output through `reporter`. */
export function processRunner(reporter: Reporter): Runner {
  return async (program, args, options = {}) => {
    const show = options.show ?? true;
    const child = execa(program, args, {
      input: options.input,
      timeout: options.timeoutMs,
      reject: false,
      all: true,
      stripFinalNewline: true,
      // Tools colour their output and draw spinners only for terminals; plain lines read better here.
      env: { NO_COLOR: '1', MINIKUBE_IN_STYLE: 'false' },
    });
    if (show) {
      child.all?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') reporter.detail(line.trimEnd());
      });
    }
    const result = await child;
    const name = commandLine(program, args);
    const output = lastLines(String(result.all ?? ''));
    if (result.failed && (result.exitCode === undefined || !(options.okExitCodes ?? []).includes(result.exitCode))) {
      if (result.timedOut) throw new CommandError(name, undefined, output, `did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)} s`);
      if ((result as { code?: string }).code === 'ENOENT') throw new CommandError(name, undefined, '', 'could not start: the program was not found');
      throw new CommandError(name, result.exitCode, output, `failed (exit code ${result.exitCode ?? 'none'})`);
    }
    return { exitCode: result.exitCode ?? 0, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
  };
}
