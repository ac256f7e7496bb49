// SPDX-License-Identifier: Apache-2.0
// Lesson -> Jupyter notebook (nbformat 4.5, tslab kernel), written to notebooks/<lang>/NN-slug.ipynb.
//
// The notebooks are committed so a learner can open one directly, and they carry the lesson's expected
// outputs as cell outputs, so an unrun notebook already reads like a finished run. They are derived
// files: the text is a pure function of the lesson, formatted exactly as Jupyter saves a notebook
// (sorted keys, one-space indent, final newline), so a test can demand that the committed file equals
// what the generator writes, and a learner's "save" of an unchanged notebook changes nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../paths.js';
import { displayPath, lessonParts, loadLessons } from './lesson.js';
import { expandEmbeds } from './regions.js';
import { type Lang, LANGS, type Lesson } from './types.js';

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: string[];
}

export interface NotebookCell {
  id: string;
  cell_type: 'markdown' | 'code';
  metadata: { tags?: string[] };
  /** the cell's text as lines, each but the last ending in "\n" (Jupyter's own layout) */
  source: string[];
  execution_count?: number | null;
  outputs?: StreamOutput[];
}

export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: 4;
  nbformat_minor: 5;
}

/** What the tslab kernel says about itself (kernel_info); Jupyter copies it into a notebook it saves. */
const LANGUAGE_INFO = {
  codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
  file_extension: '.ts',
  mimetype: 'text/typescript',
  name: 'typescript',
  version: '3.7.2',
};

const GENERATED_NOTE: Record<Lang, (source: string) => string> = {
  en: (source) => `> Generated from \`${source}\` — edit that file, then run \`npm run notebooks\`.`,
  ko: (source) => `> \`${source}\`에서 만든 노트북입니다. 고칠 때는 그 파일을 고친 뒤 \`npm run notebooks\`를 실행하세요.`,
};

/** The notebook of a lesson. Throws `LessonError` when a code embed cannot be resolved. */
export function lessonToNotebook(lesson: Lesson): Notebook {
  const source = displayPath(lesson.file);
  const parts = lessonParts(lesson);
  const cells: NotebookCell[] = [];

  // The title: the front matter's, unless the lesson opens with its own `# heading`, which then moves
  // up here so the notebook does not show two titles.
  let title = `# ${lesson.meta.title}`;
  const first = parts[0];
  if (first?.kind === 'prose') {
    const lines = first.text.split('\n');
    const h1 = lines.findIndex((l) => l.trim() !== '');
    if (/^# /.test(lines[h1])) {
      title = lines[h1].trim();
      first.text = lines.slice(h1 + 1).join('\n');
      first.line += h1 + 1;
    }
  }
  const intro = [title, lesson.meta.description, GENERATED_NOTE[lesson.lang](source)].filter(Boolean);
  cells.push(markdownCell('title', intro.join('\n\n')));

  let count = 0;
  if (lesson.setupCode) {
    cells.push(codeCell('setup', lesson.setupCode, ++count, ['setup']));
  }
  let cellsSoFar = 0;
  for (const part of parts) {
    if (part.kind === 'prose') {
      const text = expandEmbeds(part.text, lesson.file, part.line, source).replace(/^\n+|\s+$/g, '');
      if (text !== '') cells.push(markdownCell(`prose-${cellsSoFar}`, text));
      continue;
    }
    const { cell, fails } = part;
    cellsSoFar = cell.number;
    const tags = cell.kind === 'bash' ? ['bash', ...(fails ? ['fails'] : [])] : [];
    cells.push(codeCell(`cell-${cell.number}`, cell.code, ++count, tags, cell.expected?.text));
  }

  return {
    cells,
    metadata: {
      kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
      language_info: LANGUAGE_INFO,
      seldon_lab: { lesson: source, needs: lesson.meta.needs },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** The notebook file's text, byte for byte as Jupyter would save it. */
export function notebookText(lesson: Lesson): string {
  return JSON.stringify(sortKeys(lessonToNotebook(lesson)), null, 1) + '\n';
}

/** Where a lesson's notebook lives: `notebooks/<lang>/<slug>.ipynb` under `dir` (default: the repository's). */
export function notebookPath(lesson: Lesson, dir: string = fromRoot('notebooks')): string {
  return join(dir, lesson.lang, `${lesson.slug}.ipynb`);
}

export interface NotebookOptions {
  /** the lessons to write (default: all of them) */
  lessons?: Lesson[];
  /** the notebooks folder (default: `notebooks/` of the repository) */
  dir?: string;
}

export interface NotebookSync {
  written: string[];
  unchanged: string[];
  /** generated notebooks (`NN-*.ipynb`) whose lesson no longer exists */
  removed: string[];
}

/** Writes every lesson's notebook that differs from the generated text, and removes orphans. */
export function writeNotebooks(opts: NotebookOptions = {}): NotebookSync {
  const result: NotebookSync = { written: [], unchanged: [], removed: [] };
  for (const item of survey(opts)) {
    if (item.state === 'orphan') {
      rmSync(item.file);
      result.removed.push(displayPath(item.file));
    } else if (item.state === 'fresh') {
      result.unchanged.push(displayPath(item.file));
    } else {
      mkdirSync(join(item.file, '..'), { recursive: true });
      writeFileSync(item.file, item.text);
      result.written.push(displayPath(item.file));
    }
  }
  return result;
}

export interface NotebookProblem {
  /** the notebook, relative to the repository */
  file: string;
  problem: 'stale' | 'missing' | 'orphan';
  /** a sentence saying what is wrong and what to do */
  message: string;
}

/** Notebooks that differ from their lessons, are missing, or have no lesson. Empty when all is fresh. */
export function notebookProblems(opts: NotebookOptions = {}): NotebookProblem[] {
  const problems: NotebookProblem[] = [];
  for (const item of survey(opts)) {
    const file = displayPath(item.file);
    if (item.state === 'stale') {
      problems.push({ file, problem: 'stale', message: `${file} differs from its lesson ${item.lesson}: run npm run notebooks` });
    } else if (item.state === 'missing') {
      problems.push({ file, problem: 'missing', message: `${file} is missing for lesson ${item.lesson}: run npm run notebooks` });
    } else if (item.state === 'orphan') {
      problems.push({
        file,
        problem: 'orphan',
        message: `${file} has no lesson (no ${item.lesson}): run npm run notebooks to remove it, or restore the lesson`,
      });
    }
  }
  return problems;
}

type Surveyed =
  | { state: 'fresh' | 'stale' | 'missing'; file: string; lesson: string; text: string }
  | { state: 'orphan'; file: string; lesson: string };

/** Every lesson's notebook with its state, and every generated-looking notebook without a lesson. */
function survey(opts: NotebookOptions): Surveyed[] {
  const dir = opts.dir ?? fromRoot('notebooks');
  const lessons = opts.lessons ?? loadLessons();
  const out: Surveyed[] = [];
  const expected = new Set<string>();
  for (const lesson of lessons) {
    const file = notebookPath(lesson, dir);
    expected.add(file);
    const text = notebookText(lesson);
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const state = current === undefined ? 'missing' : current === text ? 'fresh' : 'stale';
    out.push({ state, file, lesson: displayPath(lesson.file), text });
  }
  for (const lang of LANGS) {
    const langDir = join(dir, lang);
    if (!existsSync(langDir)) continue;
    for (const name of readdirSync(langDir).sort()) {
      const file = join(langDir, name);
      if (/^\d{2}-.*\.ipynb$/.test(name) && !expected.has(file)) {
        out.push({ state: 'orphan', file, lesson: `lessons/${lang}/${name.replace(/\.ipynb$/, '.md')}` });
      }
    }
  }
  return out;
}

function markdownCell(id: string, text: string): NotebookCell {
  return { cell_type: 'markdown', id, metadata: {}, source: lines(text) };
}

function codeCell(id: string, code: string, count: number, tags: string[], output?: string): NotebookCell {
  return {
    cell_type: 'code',
    execution_count: count,
    id,
    metadata: tags.length ? { tags } : {},
    outputs: output === undefined ? [] : [{ name: 'stdout', output_type: 'stream', text: lines(output + '\n') }],
    source: lines(code),
  };
}

/** Jupyter's multi-line string layout: the text split after each newline. */
function lines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((l) => l !== '');
}

/** A copy with object keys sorted at every level, as Python's json.dumps(sort_keys=True) writes them. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
