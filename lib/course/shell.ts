// SPDX-License-Identifier: Apache-2.0
// `sh()`: run a terminal command from a notebook cell and show its output as a terminal would.
//
// A lesson's ```bash run``` cells are the seed tutorial's own commands (`kubectl apply -f sample.yaml`,
// `curl ...`). In the notebook each becomes a TypeScript cell that calls `sh()`, so the tests execute the
// very commands a learner types. This file is imported by notebook cells, which the tslab kernel
// compiles with TypeScript 5.0 and @types/node 18: keep it plain (no `import.meta`, no newer syntax).
import { execa } from 'execa';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { repoRoot } from '../paths.js';

/**
 * The PATH a terminal cell runs with: the kit's `.tools/` (where `npm run tools` puts its pinned
 * helm and kubectl) before the inherited one, as the cluster scripts look for them
 * (cluster/scripts/tools.ts): when the kit has fetched a tool, every lesson uses that version.
 */
export function cellPath(inherited: string | undefined = process.env.PATH): string {
  const tools = join(repoRoot(), '.tools');
  return inherited ? `${tools}${delimiter}${inherited}` : tools;
}

export interface ShellOptions {
  /** the command is expected to fail: a zero exit status is then the error */
  fails?: boolean;
  /** folder to run in; a relative path is taken from the repository root (default: the root) */
  cwd?: string;
  /** extra environment variables; everything else (KUBECONFIG, PATH, ...) is inherited */
  env?: Record<string, string>;
  /** do not print the output (it is still returned): for cells that want to use it instead */
  quiet?: boolean;
  /** stop the command after this many milliseconds (default: no limit; the notebook runner has its own) */
  timeoutMs?: number;
}

export interface ShellResult {
  command: string;
  exitCode: number;
  /** stdout and stderr interleaved in the order the lines arrived, without the final newline */
  output: string;
}

/** How many trailing output lines an error message repeats, so the cause is visible next to it. */
const TAIL_LINES = 20;

/**
 * Runs `command` with `bash -e -c` (stop at the first failing line, as a careful terminal user would),
 * printing each output line with `console.log` as it arrives, so a long command shows progress.
 * Resolves when the command exits as expected; rejects with an Error naming the command, its exit
 * status and the last lines of its output otherwise.
 */
export async function sh(command: string, opts: ShellOptions = {}): Promise<ShellResult> {
  const root = repoRoot();
  const cwd = opts.cwd === undefined ? root : isAbsolute(opts.cwd) ? opts.cwd : resolve(root, opts.cwd);
  const child = execa('bash', ['-e', '-c', command], {
    cwd,
    env: { ...opts.env, PATH: cellPath(opts.env?.PATH) },
    // `npx`-style: binaries installed in the repository's node_modules/.bin come first on PATH.
    preferLocal: true,
    localDir: root,
    // A notebook cell has no keyboard: a command that asks a question gets end-of-file, not a hang.
    stdin: 'ignore',
    all: true,
    reject: false,
    timeout: opts.timeoutMs,
  });

  const lines: string[] = [];
  // Lines from stdout and stderr, in arrival order; the iterable ends when both streams close.
  for await (const line of child.iterable({ from: 'all' })) {
    lines.push(line);
    if (!opts.quiet) console.log(line);
  }
  const result = await child;
  const output = lines.join('\n');
  const exitCode = result.exitCode ?? -1;

  if (result.timedOut) {
    throw new Error(`\`${command}\` did not finish within ${opts.timeoutMs} ms and was stopped.${tail(lines)}`);
  }
  if (result.failed && result.exitCode === undefined) {
    // Not an exit status: the command could not start, or a signal ended it.
    throw new Error(`\`${command}\` could not run: ${result.shortMessage}${tail(lines)}`);
  }
  if (exitCode !== 0 && !opts.fails) {
    throw new Error(`\`${command}\` failed with exit code ${exitCode}.${tail(lines)}`);
  }
  if (exitCode === 0 && opts.fails) {
    throw new Error(
      `\`${command}\` was expected to fail (the cell is marked \`fails\`) but exited with code 0.${tail(lines)}`,
    );
  }
  return { command, exitCode, output };
}

/**
 * A terminal line in a notebook: runs `command` exactly like `sh()` and returns nothing. Lessons'
 * ```bash run``` cells call this one because tslab prints the value of a cell's last expression:
 * with `await sh(...)` the notebook would show a result object under the command's output.
 */
export async function run(command: string, opts: ShellOptions = {}): Promise<void> {
  await sh(command, opts);
}

function tail(lines: string[]): string {
  if (lines.length === 0) return ' It printed nothing.';
  const last = lines.slice(-TAIL_LINES);
  const skipped = lines.length - last.length;
  return `\nLast lines of its output${skipped > 0 ? ` (${skipped} earlier lines not repeated)` : ''}:\n${last.join('\n')}`;
}
