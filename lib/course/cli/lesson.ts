// SPDX-License-Identifier: Apache-2.0
// `npm run lesson -- <NN> [--lang ko]`: run one lesson through a tslab kernel and watch it go.
//
// The same runner as `npm test`, but for a person at a terminal: each cell's header, then its
// output as the kernel produces it, then how it ended; a summary at the end; exit code 1 when a
// cell failed. Lesson authors use it while writing a lesson, instructors to check one before class.
//
// A lesson that needs a Kubernetes API gets one first, as in `npm test`: `connect()` finds the
// current kube context's cluster or the shared sandbox cluster and points KUBECONFIG at it, so the
// kernel's own `connect()` and `kubectl` cells use the same cluster.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, type Connection } from '../../kube/connect.js';
import { fromRoot } from '../../paths.js';
import type { Display } from '../kernel.js';
import { displayPath, parseLesson } from '../lesson.js';
import { formatFailure, runLesson, type CellRun, type RunEvent } from '../runner.js';
import { LANGS, type Lang, type Lesson } from '../types.js';

/** Where the command writes; tests pass their own. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const USAGE = `usage: npm run lesson -- <NN | path/to/lesson.md> [--lang en|ko] [--timeout <seconds>]

Runs every cell of one lesson in a fresh tslab kernel and prints each cell's output as it comes.
  <NN>        the lesson's number, e.g. 01 (lessons/<lang>/01-*.md)
  --lang      en (default) or ko
  --timeout   per-cell timeout in seconds for cells that set none (default 60)
`;

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { lang: { type: 'string', default: 'en' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const lang = values.lang as Lang;
  if (!LANGS.includes(lang)) {
    io.err(`unknown language '${values.lang}': use ${LANGS.join(' or ')}\n`);
    return 2;
  }
  const timeoutSeconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    io.err(`--timeout takes a number of seconds, e.g. --timeout 120 (got '${values.timeout}')\n`);
    return 2;
  }
  if (positionals.length !== 1) {
    io.err(USAGE);
    return 2;
  }

  let lesson: Lesson;
  try {
    lesson = findLesson(positionals[0], lang);
  } catch (error) {
    io.err(`${(error as Error).message}\n`);
    return 1;
  }

  io.out(`${displayPath(lesson.file)}: ${lesson.meta.title} (${lesson.cells.length} cells)\n`);
  let cluster: Connection | undefined;
  if (lesson.meta.needs !== 'none') {
    try {
      cluster = await connect({ print: (line) => io.out(`${line}\n`), progress: (line) => io.err(`${line}\n`) });
    } catch (error) {
      io.err(`this lesson needs ${lesson.meta.needs === 'cluster' ? 'a live cluster' : 'a Kubernetes API'}, and none could be had: ${(error as Error).message}\n`);
      return 1;
    }
    if (lesson.meta.needs === 'cluster' && cluster.kind === 'sandbox') {
      io.out('note: this lesson needs a live cluster (minikube), and only the sandbox cluster answers: cells that need more than the sandbox offers will fail.\n');
    }
  }
  io.out('starting a tslab kernel...\n');
  let run;
  try {
    run = await runLesson(lesson, {
      timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
      onCell: (event) => show(event, io),
    });
  } finally {
    await cluster?.close();
  }

  io.out(`\n${summary(run.cells, run.setup)} in ${seconds(run.durationMs)} (kernel start ${seconds(run.startMs)}).\n`);
  if (!run.ok) {
    io.err(`\n${formatFailure(run)}\n`);
    return 1;
  }
  return 0;
}

/**
 * The lesson named on the command line: a number (`1`, `01`), a file name (`01-custom-resources`),
 * or a path to a lesson file.
 */
export function findLesson(name: string, lang: Lang): Lesson {
  if (name.endsWith('.md')) {
    if (!existsSync(name)) throw new Error(`no such lesson file: ${name}`);
    return parseLesson(name);
  }
  const dir = fromRoot('lessons', lang);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d{2}-.*\.md$/.test(f)) : [];
  const prefix = /^\d+$/.test(name) ? `${name.padStart(2, '0')}-` : undefined;
  const match = files.find((f) => (prefix ? f.startsWith(prefix) : f === `${name}.md`));
  if (!match) {
    const available = files.length ? files.map((f) => `  ${f.slice(0, 2)}  ${f}`).join('\n') : '  (none yet)';
    throw new Error(`no lesson '${name}' in ${displayPath(dir)}. The lessons there:\n${available}`);
  }
  return parseLesson(join(dir, match));
}

/** Prints one step of the run as it happens. */
function show(event: RunEvent, io: CliIO): void {
  switch (event.type) {
    case 'kernel-started':
      io.out(`kernel ready in ${seconds(event.startMs)}\n`);
      break;
    case 'cell-start': {
      const cell = event.cell;
      const title = cell.number === 0 ? 'setup (generated)' : `cell ${cell.number} · line ${cell.line}`;
      io.out(`\n── ${title} ─ ${cell.source.split('\n').find((l) => l.trim()) ?? ''}\n`);
      break;
    }
    case 'output': {
      const output = event.output;
      if (output.type === 'stream') (output.name === 'stderr' ? io.err : io.out)(output.text);
      else io.out(`${describeDisplay(output.display)}\n`);
      break;
    }
    case 'cell-end':
      io.out(verdict(event.run));
      break;
  }
}

function verdict(run: CellRun): string {
  const time = `(${duration(run.durationMs)})`;
  if (run.status !== 'ok') return `✗ ${run.status} ${time}\n`;
  if (run.output && !run.output.ok) return `✗ the output differs from the lesson's \`\`\`output block ${time}\n`;
  return `✓ ${run.output ? 'ok, output as expected' : 'ok'} ${time}\n`;
}

/** A terminal cannot show HTML or images: show the plain-text form, or say what there is. */
function describeDisplay(display: Display): string {
  const text = display.data['text/plain'];
  if (typeof text === 'string') return text;
  return `[display: ${Object.keys(display.data).join(', ') || 'empty'}; open the notebook to see it]`;
}

function summary(cells: CellRun[], setup: CellRun | undefined): string {
  const passed = cells.filter((c) => c.passed).length;
  const notRun = cells.filter((c) => c.status === 'not run').length;
  const parts = [`${passed} of ${cells.length} cells passed`];
  if (setup && !setup.passed) parts.push('the setup cell failed');
  const failed = cells.length - passed - notRun;
  if (failed > 0) parts.push(`${failed} failed`);
  if (notRun > 0) parts.push(`${notRun} not run`);
  return parts.join(', ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : seconds(ms);
}
