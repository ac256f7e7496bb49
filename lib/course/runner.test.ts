// SPDX-License-Identifier: Apache-2.0
// The notebook runner on small fixture lessons (fixtures/run/en/): one that passes, and one for each
// kind of bad cell. Each bad one must fail naming the file, the cell number and its line, must not
// hang, and must leave no kernel behind.
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { isAlive, waitUntil } from './fixtures/run/processes.js';
import { parseLesson } from './lesson.js';
import { formatFailure, runLesson, type LessonRun, type RunEvent } from './runner.js';

const fixture = (name: string) => parseLesson(fromRoot('lib', 'course', 'fixtures', 'run', 'en', `${name}.md`));
const FILE = (name: string) => `lib/course/fixtures/run/en/${name}.md`;

async function expectKernelGone(run: LessonRun): Promise<void> {
  expect(run.kernelPid).toBeGreaterThan(0);
  await waitUntil(() => !isAlive(run.kernelPid!), `kernel ${run.kernelPid} is gone`);
}

describe('runLesson', () => {
  it('runs a passing lesson, setup cell and bash cell included, and reports each step', async () => {
    const lesson = fixture('01-passes');
    const events: RunEvent[] = [];
    const run = await runLesson(lesson, { onCell: (event) => events.push(event) });
    expect(run.ok, formatFailure(run)).toBe(true);
    expect(run.setup?.status).toBe('ok');
    expect(run.cells.map((c) => [c.number, c.line, c.status, c.passed])).toEqual(
      lesson.cells.map((c) => [c.number, c.line, 'ok', true]),
    );
    expect(run.cells.map((c) => c.firstLine)).toEqual(["const greeting: string = 'hello';", 'console.log(`${greeting}, world`);', 'echo "from the shell"']);
    expect(run.cells[1].stdout).toBe('hello, world\n');
    // Output arrives between a cell's start and its end.
    const cell1 = events.filter((e) => e.type !== 'kernel-started' && e.cell.number === 1).map((e) => e.type);
    expect(cell1[0]).toBe('cell-start');
    expect(cell1).toContain('output');
    expect(cell1[cell1.length - 1]).toBe('cell-end');
    await expectKernelGone(run);
  });

  it('stops at a cell with a type error, naming the file, cell, line and the error', async () => {
    const run = await runLesson(fixture('02-type-error'));
    expect(run.ok).toBe(false);
    expect(run.cells.map((c) => c.status)).toEqual(['ok', 'error', 'not run']);
    const message = formatFailure(run);
    expect(message).toContain(`${FILE('02-type-error')}:13: cell 2 failed`);
    expect(message).toContain('first line: const label: number = "one";');
    // tslab's "1:7" is made a place in the lesson file: line 14 is the cell's first code line.
    expect(message).toContain(`${FILE('02-type-error')}:14:7 - Type 'string' is not assignable to type 'number'.`);
    expect(message).toContain('cell 3 was not run: it builds on the failed cell');
    await expectKernelGone(run);
  });

  it('stops at a cell that throws, with the exception on stderr', async () => {
    const run = await runLesson(fixture('03-throws'));
    expect(run.cells.map((c) => c.status)).toEqual(['ok', 'error', 'not run']);
    expect(run.cells[0].stdout).toBe('before\n');
    const message = formatFailure(run);
    expect(message).toContain(`${FILE('03-throws')}:13: cell 2 failed`);
    expect(message).toContain("first line: JSON.parse('{ not json');");
    expect(message).toMatch(/SyntaxError: .*JSON/);
    expect(message).not.toContain('node_modules/tslab');
    await expectKernelGone(run);
  });

  it('interrupts a cell that hangs after its timeout, and does not run the rest', async () => {
    const run = await runLesson(fixture('04-hangs'));
    expect(run.cells.map((c) => c.status)).toEqual(['timeout', 'not run']);
    const message = formatFailure(run);
    expect(message).toContain(`${FILE('04-hangs')}:9: cell 1 timed out and was interrupted`);
    expect(message).toContain('first line: await new Promise(() => {});');
    expect(message).toContain('timed out after 1 s');
    await expectKernelGone(run);
  });

  it('reports an output that differs from its block with a diff, and runs on', async () => {
    const run = await runLesson(fixture('05-wrong-output'));
    expect(run.ok).toBe(false);
    expect(run.cells.map((c) => [c.status, c.passed])).toEqual([
      ['ok', false],
      ['ok', true],
    ]);
    const message = formatFailure(run);
    expect(message).toContain(`${FILE('05-wrong-output')}:10: cell 1 printed something other than its expected output`);
    expect(message).toContain("first line: console.log('apples: 3');");
    expect(message).toMatch(/pears: 4/);
    expect(message).toMatch(/pears: 5/);
    await expectKernelGone(run);
  });

  it('uses a cell timeout from the options when the cell sets none', async () => {
    const lesson = fixture('04-hangs');
    lesson.cells[0].timeoutMs = undefined;
    const run = await runLesson(lesson, { timeoutMs: 300 });
    expect(run.cells[0].status).toBe('timeout');
    expect(run.cells[0].stderr).toContain('timed out after 300 ms');
  });

  it('reports a kernel that does not start, with no cell run', async () => {
    const run = await runLesson(fixture('01-passes'), {
      kernel: { command: () => [process.execPath, '-e', 'console.error("no kernel today"); process.exit(1)'] },
    });
    expect(run.ok).toBe(false);
    expect(run.cells.every((c) => c.status === 'not run')).toBe(true);
    expect(formatFailure(run)).toMatch(/^lib\/course\/fixtures\/run\/en\/01-passes\.md: the lesson did not run: .*exited with code 1/);
    expect(formatFailure(run)).toContain('no kernel today');
  });
});
