// SPDX-License-Identifier: Apache-2.0
// Lesson -> notebook: the notebook's shape, its file format, keeping notebooks/ in step with
// lessons/, and that the generated code runs in tslab as the learner will run it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromRoot } from '../paths.js';
import { loadLessons, parseLesson, SHELL_SETUP } from './lesson.js';
import { compareOutput } from './normalise.js';
import { lessonToNotebook, notebookPath, notebookProblems, notebookText, writeNotebooks } from './notebook.js';

const FIXTURES = fromRoot('lib', 'course', 'fixtures', 'parse');
const hello = parseLesson(join(FIXTURES, 'good', 'en', '01-hello.md'));
const helloKo = parseLesson(join(FIXTURES, 'good', 'ko', '01-hello.md'));
const intro = parseLesson(join(FIXTURES, 'good', 'en', '00-intro.md'));
const text = (source: string[] | undefined) => (source ?? []).join('');

describe('lessonToNotebook', () => {
  const nb = lessonToNotebook(hello);
  const code = nb.cells.filter((c) => c.cell_type === 'code');

  it('is an nbformat 4.5 notebook for the tslab kernel', () => {
    expect(nb.nbformat).toBe(4);
    expect(nb.nbformat_minor).toBe(5);
    expect(nb.metadata.kernelspec).toEqual({ name: 'tslab', display_name: 'TypeScript', language: 'typescript' });
    expect(nb.metadata.language_info).toMatchObject({ name: 'typescript', file_extension: '.ts' });
  });

  it('opens with the title, the description and where to edit it', () => {
    const first = nb.cells[0];
    expect(first.cell_type).toBe('markdown');
    expect(text(first.source)).toBe(
      '# Hello, cells\n\nA lesson that uses every kind of block.\n\n' +
        '> Generated from `lib/course/fixtures/parse/good/en/01-hello.md` — edit that file, then run `npm run notebooks`.',
    );
    expect(text(lessonToNotebook(helloKo).cells[0].source)).toMatch(/^# 안녕, 셀\n[\s\S]*`lib\/course\/fixtures\/parse\/good\/ko\/01-hello\.md`에서 만든 노트북입니다/);
  });

  it("uses the lesson's own # heading as the title instead of repeating it", () => {
    const cells = lessonToNotebook(intro).cells;
    expect(text(cells[0].source).startsWith('# Introduction\n\n> Generated from')).toBe(true);
    expect(cells.slice(1).some((c) => text(c.source).includes('# Introduction'))).toBe(false);
  });

  it('runs the setup cell first, then every cell with its code, in order', () => {
    expect(text(code[0].source)).toBe(SHELL_SETUP);
    expect(code[0].metadata).toEqual({ tags: ['setup'] });
    expect(code.slice(1).map((c) => text(c.source))).toEqual(hello.cells.map((c) => c.code));
    expect(code.map((c) => c.execution_count)).toEqual([1, 2, 3, 4, 5]);
    expect(intro.setupCode).toBeUndefined();
    expect(lessonToNotebook(intro).cells.every((c) => c.cell_type === 'markdown')).toBe(true);
  });

  it('shows each bash run cell as the terminal command first', () => {
    expect(text(code[2].source).split('\n')[0]).toBe("// $ echo 'back`tick' '${HOME}' \\");
  });

  it('fills in the expected outputs as stdout, as a finished run would show them', () => {
    expect(code[1].outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: ['answer=42\n'] }]);
    expect(text(code[2].outputs?.[0].text)).toBe('back`tick ${HOME} and more\n');
    expect(code[3].outputs).toEqual([]);
  });

  it('tags bash cells, and those that must fail', () => {
    expect(code.slice(1).map((c) => c.metadata.tags ?? [])).toEqual([[], ['bash'], ['bash', 'fails'], []]);
  });

  it('keeps the prose between cells as markdown, with code embeds expanded', () => {
    const prose = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => text(c.source));
    expect(prose).toContain('Some prose before the first cell.');
    expect(prose).toContain('The terminal way, shown but not run:\n\n```bash\nminikube start\n```');
    expect(prose).toContain('Code from the kit:\n\n```ts\ngreet(name: string): string {\n  const greeting = `Hello, ${name}!`;\n  return greeting;\n}\n```');
    expect(prose.at(-1)).toBe('Closing words.');
    expect(prose.some((p) => p.includes('<<<') || p.includes('```output'))).toBe(false);
  });

  it('gives every cell a stable id that nbformat accepts', () => {
    const ids = nb.cells.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    expect(lessonToNotebook(hello).cells.map((c) => c.id)).toEqual(ids);
    expect(ids).toContain('cell-3');
  });
});

describe('notebookText', () => {
  const written = notebookText(hello);

  it('is written as Jupyter writes: sorted keys, one-space indent, a final newline', () => {
    expect(written.endsWith('}\n')).toBe(true);
    expect(written.split('\n')[1]).toBe(' "cells": [');
    expect(written).toBe(JSON.stringify(JSON.parse(written), null, 1) + '\n');
    const keys = (o: object) => Object.keys(o);
    const parsed = JSON.parse(written);
    expect(keys(parsed)).toEqual(['cells', 'metadata', 'nbformat', 'nbformat_minor']);
    expect(keys(parsed.cells[1])).toEqual(['cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source']);
  });

  it('is the same every time and keeps Korean text as it is', () => {
    expect(notebookText(hello)).toBe(written);
    expect(notebookText(helloKo)).toContain('안녕, 셀');
  });
});

describe('writeNotebooks and notebookProblems', () => {
  let dir: string;
  const lessons = loadLessons(undefined, join(FIXTURES, 'good'));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'notebooks-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes missing notebooks, then finds them fresh', () => {
    expect(notebookProblems({ lessons, dir }).map((p) => p.problem)).toEqual(['missing', 'missing', 'missing', 'missing']);
    const first = writeNotebooks({ lessons, dir });
    expect(first.written).toHaveLength(4);
    expect(first.unchanged).toEqual([]);
    expect(readFileSync(notebookPath(hello, dir), 'utf8')).toBe(notebookText(hello));
    expect(notebookProblems({ lessons, dir })).toEqual([]);
    const second = writeNotebooks({ lessons, dir });
    expect(second).toMatchObject({ written: [], removed: [] });
    expect(second.unchanged).toHaveLength(4);
  });

  it('finds a stale notebook and rewrites it', () => {
    writeNotebooks({ lessons, dir });
    const file = notebookPath(hello, dir);
    writeFileSync(file, readFileSync(file, 'utf8').replace('answer=42', 'answer=41'));
    const problems = notebookProblems({ lessons, dir });
    expect(problems).toHaveLength(1);
    expect(problems[0].problem).toBe('stale');
    expect(problems[0].message).toMatch(/01-hello\.ipynb differs from its lesson .*01-hello\.md: run npm run notebooks/);
    expect(writeNotebooks({ lessons, dir }).written).toHaveLength(1);
    expect(notebookProblems({ lessons, dir })).toEqual([]);
  });

  it('finds a generated notebook whose lesson is gone, removes it, and leaves other notebooks alone', () => {
    writeNotebooks({ lessons, dir });
    mkdirSync(join(dir, 'ko'), { recursive: true });
    writeFileSync(join(dir, 'ko', '07-gone.ipynb'), '{}\n');
    writeFileSync(join(dir, 'ko', 'my-experiments.ipynb'), '{}\n');
    const problems = notebookProblems({ lessons, dir });
    expect(problems.map((p) => p.problem)).toEqual(['orphan']);
    expect(problems[0].message).toMatch(/07-gone\.ipynb has no lesson \(no lessons\/ko\/07-gone\.md\)/);
    expect(writeNotebooks({ lessons, dir }).removed).toEqual([expect.stringMatching(/07-gone\.ipynb$/)]);
    expect(existsSync(join(dir, 'ko', '07-gone.ipynb'))).toBe(false);
    expect(existsSync(join(dir, 'ko', 'my-experiments.ipynb'))).toBe(true);
  });

  it('has nothing to do without lessons', () => {
    expect(notebookProblems({ lessons: [], dir })).toEqual([]);
    expect(writeNotebooks({ lessons: [], dir })).toEqual({ written: [], unchanged: [], removed: [] });
  });
});

// The generated code must compile and run in tslab as a learner's kernel runs it: TypeScript 5.0,
// started in the repository root. tslab's own converter and executor run in this process here (the
// notebook runner covers the kernel over ZeroMQ); a cell's `console.log` is the global one.
describe('generated code in tslab', () => {
  it('runs the fixture lesson and prints what its output blocks expect, and nothing more', async () => {
    const { createConverter } = await import('tslab/dist/converter.js');
    const { createExecutor } = await import('tslab/dist/executor.js');
    const cwd = process.cwd();
    expect(cwd).toBe(fromRoot()); // tslab type-checks only files below its working folder
    const convs = {
      node: createConverter({ isBrowser: false }),
      browser: createConverter({ isBrowser: true }),
      close() {
        this.node.close();
        this.browser.close();
      },
    };
    const out: string[] = [];
    const capture = (...args: unknown[]): void => {
      out.push(args.map(String).join(' '));
    };
    const log = vi.spyOn(console, 'log').mockImplementation(capture);
    // tslab prints type errors and throws through the console it is given: collect them too.
    const executor = createExecutor(cwd, convs, { log: capture, error: capture });
    try {
      expect(await executor.execute(hello.setupCode!), out.join('\n')).toBe(true);
      for (const cell of hello.cells) {
        out.length = 0;
        expect(await executor.execute(cell.code), `cell ${cell.number}: ${out.join('\n')}`).toBe(true);
        if (cell.expected) expect(compareOutput(cell.expected.text, out.join('\n'))).toEqual({ ok: true });
        if (cell.number === 3) expect(out.join('\n')).toMatch(/does-not-exist/);
      }
      // A failing command fails its cell.
      out.length = 0;
      expect(await executor.execute('await run(`exit 4`);')).toBe(false);
    } finally {
      log.mockRestore();
      executor.close();
      convs.close();
    }
  }, 60_000);
});
