// SPDX-License-Identifier: Apache-2.0
// The notebook runner: runs every cell of a lesson in a fresh tslab kernel, as a learner would,
// and records what each printed and whether it matched the lesson's expected output.
//
// Cells depend on the cells before them (they share the kernel's state), so the run stops at the
// first cell that fails: what follows would only fail for the same reason, and the one message
// that matters would drown. Stopping also keeps clear of tslab's 200 ms "abort window", in which
// it silently drops every request after an error. A cell whose output differs from its expected
// block is reported too, but the run goes on: the kernel's state is fine, only the text differs.
import type { Display, ExecuteStatus, KernelOptions, KernelOutput } from './kernel.js';
import { TslabKernel } from './kernel.js';
import { displayPath } from './lesson.js';
import { compareOutput } from './normalise.js';
import type { Cell, Lesson } from './types.js';

/** How a cell ended; `not run` when an earlier cell failed. */
export type CellStatus = ExecuteStatus | 'not run';

export interface CellRun {
  /** the cell's number in the lesson; 0 for the generated setup cell */
  number: number;
  /** the line of the cell's opening fence in the lesson file */
  line: number;
  /** the first line of the cell's source, to recognise it by */
  firstLine: string;
  status: CellStatus;
  stdout: string;
  stderr: string;
  displays: Display[];
  durationMs: number;
  /** the comparison of stdout with the lesson's ```output block, when the cell has one and ran */
  output?: { ok: true } | { ok: false; diff: string };
  /** ran without error and printed what the lesson expects */
  passed: boolean;
}

export interface LessonRun {
  lesson: Lesson;
  /** everything passed */
  ok: boolean;
  /** the generated setup cell (e.g. the shell helper's import), when the lesson has one */
  setup?: CellRun;
  cells: CellRun[];
  /** set when the kernel could not be started; no cell ran */
  kernelError?: string;
  /** the kernel's process id (gone by the time the run is returned) */
  kernelPid?: number;
  /** time to start the kernel */
  startMs: number;
  durationMs: number;
}

/** What `onCell` hears while a lesson runs, in order. */
export type RunEvent =
  | { type: 'kernel-started'; startMs: number }
  | { type: 'cell-start'; cell: Cell }
  | { type: 'output'; cell: Cell; output: KernelOutput }
  | { type: 'cell-end'; cell: Cell; run: CellRun };

export interface RunOptions {
  /** per-cell timeout in milliseconds when the cell sets none; default 60 s */
  timeoutMs?: number;
  /** hears each step of the run: to print output as it arrives */
  onCell?: (event: RunEvent) => void;
  /** options for the kernel (its working folder, environment, start timeout) */
  kernel?: KernelOptions;
}

export const DEFAULT_CELL_TIMEOUT_MS = 60_000;

/** Runs a lesson in a fresh kernel, which is always shut down afterwards. */
export async function runLesson(lesson: Lesson, opts: RunOptions = {}): Promise<LessonRun> {
  const started = performance.now();
  const emit = opts.onCell ?? (() => {});
  const run: LessonRun = { lesson, ok: false, cells: [], startMs: 0, durationMs: 0 };
  const kernel = new TslabKernel(opts.kernel);
  try {
    try {
      await kernel.start();
    } catch (error) {
      run.kernelError = (error as Error).message;
      run.cells = lesson.cells.map(notRun);
      return run;
    }
    run.kernelPid = kernel.pid;
    run.startMs = performance.now() - started;
    emit({ type: 'kernel-started', startMs: run.startMs });

    let failed = false;
    if (lesson.setupCode) {
      const setup: Cell = { number: 0, kind: 'ts', source: lesson.setupCode, code: lesson.setupCode, line: lesson.bodyLine };
      run.setup = await runCell(kernel, setup, opts, emit);
      failed = !run.setup.passed;
    }
    for (const cell of lesson.cells) {
      if (failed) {
        run.cells.push(notRun(cell));
        continue;
      }
      const result = await runCell(kernel, cell, opts, emit);
      run.cells.push(result);
      // A wrong output leaves the kernel's state intact; anything else stops the lesson.
      failed = result.status !== 'ok';
    }
    run.ok = !run.kernelError && (run.setup?.passed ?? true) && run.cells.every((c) => c.passed);
    return run;
  } finally {
    await kernel.shutdown();
    run.durationMs = performance.now() - started;
  }
}

async function runCell(kernel: TslabKernel, cell: Cell, opts: RunOptions, emit: (event: RunEvent) => void): Promise<CellRun> {
  emit({ type: 'cell-start', cell });
  const result = await kernel.execute(cell.code, {
    timeoutMs: cell.timeoutMs ?? opts.timeoutMs ?? DEFAULT_CELL_TIMEOUT_MS,
    onOutput: (output) => emit({ type: 'output', cell, output }),
  });
  const run: CellRun = {
    number: cell.number,
    line: cell.line,
    firstLine: firstLine(cell.source),
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    displays: result.displays,
    durationMs: result.durationMs,
    passed: result.status === 'ok',
  };
  if (cell.expected && result.status === 'ok') {
    run.output = compareOutput(cell.expected.text, result.stdout);
    run.passed = run.output.ok;
  }
  emit({ type: 'cell-end', cell, run });
  return run;
}

function notRun(cell: Cell): CellRun {
  return {
    number: cell.number,
    line: cell.line,
    firstLine: firstLine(cell.source),
    status: 'not run',
    stdout: '',
    stderr: '',
    displays: [],
    durationMs: 0,
    passed: false,
  };
}

/** The first line with something on it, shortened to fit a message line. */
export function firstLine(source: string): string {
  const line = source.split('\n').find((l) => l.trim() !== '') ?? '';
  const trimmed = line.trim();
  return trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed;
}

// ---- messages -----------------------------------------------------------------------------------

/** How many lines of a failing cell's stderr a message shows. */
const STDERR_LINES = 40;

/**
 * A message for a failed run that names the lesson file, each failing cell's number, its line in
 * the file and its first line, then what went wrong: its stderr, or the diff of its output.
 * Starts with `file:line:`, which editors and terminals turn into a link.
 */
export function formatFailure(run: LessonRun): string {
  const file = displayPath(run.lesson.file);
  if (run.kernelError) return `${file}: the lesson did not run: ${run.kernelError}`;
  const sections: string[] = [];
  const cells = run.setup ? [run.setup, ...run.cells] : run.cells;
  const source = new Map(run.lesson.cells.map((c) => [c.number, c]));
  for (const cell of cells) {
    if (cell.passed || cell.status === 'not run') continue;
    const name = cell.number === 0 ? 'the generated setup cell' : `cell ${cell.number}`;
    const where = cell.number === 0 ? `${file}:` : `${file}:${cell.line}:`;
    const head = `${where} ${name} ${describeStatus(cell)}\n  first line: ${cell.firstLine}`;
    if (cell.status === 'ok' && cell.output && cell.output.ok === false) {
      sections.push(`${head}\n  its output differs from the \`\`\`output block:\n${indent(cell.output.diff)}`);
    } else {
      const stderr = readableStderr(cell.stderr, file, source.get(cell.number), cell.number);
      sections.push(`${head}\n  stderr:\n${indent(stderr || '(nothing)')}`);
    }
  }
  const skipped = run.cells.filter((c) => c.status === 'not run').map((c) => c.number);
  if (skipped.length > 0) {
    sections.push(
      skipped.length === 1
        ? `cell ${skipped[0]} was not run: it builds on the failed cell.`
        : `cells ${skipped[0]}-${skipped[skipped.length - 1]} were not run: they build on the failed cell.`,
    );
  }
  if (sections.length === 0) return `${file}: all cells passed`;
  return sections.join('\n\n');
}

function describeStatus(cell: CellRun): string {
  switch (cell.status) {
    case 'timeout':
      return 'timed out and was interrupted';
    case 'abort':
      return 'was refused by the kernel (aborted after an earlier error)';
    case 'error':
      return 'failed';
    default:
      return 'printed something other than its expected output';
  }
}

/**
 * The stderr of a failed cell, made readable: type errors of a ```ts cell point at the lesson file
 * (tslab numbers lines from the cell's first line), and stack frames inside Node, tslab and other
 * packages are dropped (they are the same for every cell and say nothing about the lesson); frames
 * in the kit's own lib/ stay.
 */
function readableStderr(stderr: string, file: string, cell: Cell | undefined, number: number): string {
  const mapLines = number > 0 && cell !== undefined && cell.kind === 'ts' && cell.code === cell.source;
  const lines = stderr
    .replace(/\n+$/, '')
    .split('\n')
    .filter((l) => !/^\s+at .*(node:|node_modules[/\\]|evalmachine\.<anonymous>)/.test(l))
    .map((l) => {
      const diagnostic = mapLines ? /^(\d+):(\d+) - (.*)$/.exec(l) : null;
      // Code line 1 is the line after the opening fence.
      return diagnostic ? `${file}:${cell!.line + Number(diagnostic[1])}:${diagnostic[2]} - ${diagnostic[3]}` : l;
    });
  if (lines.length <= STDERR_LINES) return lines.join('\n');
  return [...lines.slice(0, STDERR_LINES), `... (${lines.length - STDERR_LINES} more lines)`].join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');
}
