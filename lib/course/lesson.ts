// SPDX-License-Identifier: Apache-2.0
// Reading a lesson: `lessons/<lang>/NN-slug.md` -> a `Lesson` with its front matter and runnable cells.
//
// A lesson file is the single source of the course: the notebook, the site page and the test run all
// come from what this parser finds. Fences are found with markdown-it's own block parser (the one
// VitePress renders the site with), so a fence counts as a cell exactly when the site shows it as a
// code block. Every problem becomes a `LessonError` that names the file and line, because the person
// who has to fix it is looking at the Markdown, not at a notebook or a stack trace.
import MarkdownIt from 'markdown-it';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { fromRoot, repoRoot } from '../paths.js';
import { expandEmbeds } from './regions.js';
import {
  type Cell,
  type ExpectedOutput,
  type Lang,
  LANGS,
  type Lesson,
  LessonError,
  type LessonMeta,
  type LessonNeeds,
} from './types.js';

/** `NN-slug.md`: two digits, then lower-case words joined by dashes. */
const FILE_NAME = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;
/** What `loadLessons` picks up in a language folder; anything else there (README.md) is not a lesson. */
const LESSON_CANDIDATE = /^\d{2}-.*\.md$/;
const NEEDS: readonly LessonNeeds[] = ['none', 'sandbox', 'cluster'];
const META_KEYS = ['title', 'order', 'needs', 'description', 'workdir'] as const;

/**
 * The first notebook cell of a lesson with ```bash run``` cells: it brings the shell helper into scope.
 * The kernel runs with the repository root as its working folder (tslab type-checks only files
 * below its working folder), so the import is relative to the root, not to `notebooks/<lang>/`.
 */
export const SHELL_SETUP = "import { run, sh } from './lib/course/shell.js';";

/** A lesson in reading order: prose between cells, and each runnable cell with its expected output. */
export type LessonPart =
  | { kind: 'prose'; text: string; /** 1-based line of `text` in the lesson file */ line: number }
  | { kind: 'cell'; cell: Cell; /** `bash run fails`: the command must exit non-zero */ fails: boolean };

/** Where a lesson file is shown in messages: relative to the repository when it is inside it. */
export function displayPath(file: string): string {
  let root: string | undefined;
  try {
    root = repoRoot();
  } catch {
    root = undefined;
  }
  const abs = resolve(file);
  const rel = root ? relative(root, abs) : abs;
  return (rel.startsWith('..') || isAbsolute(rel) ? abs : rel).split(sep).join('/');
}

/** Parses one lesson file. `text` defaults to the file's contents. Throws `LessonError`. */
export function parseLesson(file: string, text?: string): Lesson {
  const abs = resolve(file);
  const where = displayPath(abs);
  const name = FILE_NAME.exec(basename(abs));
  if (!name) {
    throw new LessonError(where, 1, 'a lesson file is named NN-slug.md (two digits, a dash, lower-case words joined by dashes)');
  }
  const lang = basename(dirname(abs));
  if (!(LANGS as readonly string[]).includes(lang)) {
    throw new LessonError(where, 1, `a lesson lives in lessons/en/ or lessons/ko/, not in a folder named '${lang}'`);
  }
  const source = (text ?? readFileSync(abs, 'utf8')).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const { meta, body, bodyLine } = readFrontMatter(where, source, Number(name[1]));
  const parts = scanBody(where, body, bodyLine, meta);
  const cells = parts.flatMap((p) => (p.kind === 'cell' ? [p.cell] : []));
  // Check the code embeds now, so a missing file or region is reported with the lesson, not later.
  for (const p of parts) if (p.kind === 'prose') expandEmbeds(p.text, abs, p.line, where);
  const lesson: Lesson = {
    file: abs,
    lang: lang as Lang,
    number: name[1],
    slug: basename(abs, '.md'),
    meta,
    body,
    bodyLine,
    cells,
  };
  if (cells.some((c) => c.kind === 'bash')) lesson.setupCode = SHELL_SETUP;
  return lesson;
}

/** The lesson in reading order: the notebook generator turns prose into markdown cells. */
export function lessonParts(lesson: Lesson): LessonPart[] {
  return scanBody(displayPath(lesson.file), lesson.body, lesson.bodyLine, lesson.meta);
}

/**
 * All lessons of one language (or of both, English first), sorted by `order`.
 * `root` is the lessons folder; tests point it at fixtures.
 */
export function loadLessons(lang?: Lang, root: string = fromRoot('lessons')): Lesson[] {
  const langs = lang ? [lang] : [...LANGS];
  const lessons: Lesson[] = [];
  for (const l of langs) {
    const dir = join(root, l);
    if (!existsSync(dir)) continue;
    const found = readdirSync(dir)
      .filter((f) => LESSON_CANDIDATE.test(f))
      .map((f) => parseLesson(join(dir, f)))
      .sort((a, b) => a.meta.order - b.meta.order);
    for (let i = 1; i < found.length; i++) {
      if (found[i].meta.order === found[i - 1].meta.order) {
        throw new LessonError(
          displayPath(found[i].file),
          1,
          `order ${found[i].meta.order} is also the order of ${basename(found[i - 1].file)}: give each lesson its own number`,
        );
      }
    }
    lessons.push(...found);
  }
  return lessons;
}

/**
 * Korean and English lessons are twins: same file names, same `needs` and `workdir`, and the same
 * cells (kind, `fails`, whether an output is checked) in the same order. Returns every problem found
 * (empty when the twins agree), each naming the place to fix.
 */
export function checkTwins(lessons: Lesson[] = loadLessons()): LessonError[] {
  const problems: LessonError[] = [];
  const bySlug = new Map<string, Partial<Record<Lang, Lesson>>>();
  for (const l of lessons) bySlug.set(l.slug, { ...bySlug.get(l.slug), [l.lang]: l });
  for (const [slug, pair] of bySlug) {
    const { en, ko } = pair;
    if (!en || !ko) {
      const present = (en ?? ko) as Lesson;
      const missing = en ? 'ko' : 'en';
      problems.push(new LessonError(displayPath(present.file), 1, `no twin: lessons/${missing}/${slug}.md is missing`));
      continue;
    }
    const koWhere = displayPath(ko.file);
    const enWhere = displayPath(en.file);
    for (const key of ['needs', 'workdir'] as const) {
      if (ko.meta[key] !== en.meta[key]) {
        problems.push(
          new LessonError(koWhere, 1, `${key} is ${String(ko.meta[key])} but ${enWhere} says ${String(en.meta[key])}`),
        );
      }
    }
    const koParts = cellShapes(ko);
    const enParts = cellShapes(en);
    if (koParts.length !== enParts.length) {
      problems.push(
        new LessonError(koWhere, 1, `${koParts.length} runnable cells but ${enWhere} has ${enParts.length}`),
      );
    }
    for (let i = 0; i < Math.min(koParts.length, enParts.length); i++) {
      if (koParts[i].shape !== enParts[i].shape) {
        problems.push(
          new LessonError(
            koWhere,
            koParts[i].line,
            `cell ${i + 1} is ${koParts[i].shape} but its twin at ${enWhere}:${enParts[i].line} is ${enParts[i].shape}`,
          ),
        );
        break; // after the first difference the rest is usually the same shift repeated
      }
    }
  }
  return problems;
}

function cellShapes(lesson: Lesson): { shape: string; line: number }[] {
  return lessonParts(lesson).flatMap((p) =>
    p.kind === 'cell'
      ? [
          {
            shape: `\`${p.cell.kind}${p.fails ? ' fails' : ''}\`${p.cell.expected ? ' with an output block' : ' without an output block'}`,
            line: p.cell.line,
          },
        ]
      : [],
  );
}

// ---------------------------------------------------------------------------------------------
// Front matter

function readFrontMatter(where: string, source: string, fileNumber: number): { meta: LessonMeta; body: string; bodyLine: number } {
  const lines = source.split('\n');
  const howTo = 'a lesson starts with front matter: a line `---`, YAML with title, order and needs, and a closing `---`';
  if (lines[0]?.trimEnd() !== '---') throw new LessonError(where, 1, `missing front matter: ${howTo}`);
  const close = lines.findIndex((l, i) => i > 0 && l.trimEnd() === '---');
  if (close < 0) throw new LessonError(where, 1, `front matter is not closed: ${howTo}`);

  const yamlText = lines.slice(1, close).join('\n');
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  // Line 1 of the YAML is line 2 of the file.
  const fileLine = (offset: number) => lineCounter.linePos(offset).line + 1;
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new LessonError(where, fileLine(err.pos[0]), `malformed front matter: ${err.message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents)) throw new LessonError(where, 2, `malformed front matter: ${howTo}`);

  const lineOf = new Map<string, number>();
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const at = isScalar(pair.key) && pair.key.range ? fileLine(pair.key.range[0]) : 2;
    if (!(META_KEYS as readonly string[]).includes(key)) {
      throw new LessonError(where, at, `unknown front matter key '${key}': use ${META_KEYS.join(', ')}`);
    }
    lineOf.set(key, at);
  }
  const raw = doc.toJS() as Record<string, unknown>;
  const at = (key: string) => lineOf.get(key) ?? 2;

  if (typeof raw.title !== 'string' || raw.title.trim() === '') {
    throw new LessonError(where, at('title'), 'front matter needs a title (a non-empty string)');
  }
  if (typeof raw.order !== 'number' || !Number.isInteger(raw.order) || raw.order < 0) {
    throw new LessonError(where, at('order'), 'front matter needs order: a whole number, the NN of the file name');
  }
  if (raw.order !== fileNumber) {
    throw new LessonError(
      where,
      at('order'),
      `order is ${raw.order} but the file name starts with ${String(fileNumber).padStart(2, '0')}: make them agree`,
    );
  }
  const needs = raw.needs ?? 'none';
  if (typeof needs !== 'string' || !(NEEDS as readonly string[]).includes(needs)) {
    throw new LessonError(where, at('needs'), `unknown needs '${String(needs)}': use ${NEEDS.join(', ')}`);
  }
  if (raw.description !== undefined && typeof raw.description !== 'string') {
    throw new LessonError(where, at('description'), 'description is one sentence of text');
  }
  const meta: LessonMeta = { title: raw.title.trim(), order: raw.order, needs: needs as LessonNeeds };
  if (typeof raw.description === 'string') meta.description = raw.description.trim();
  if (raw.workdir !== undefined) {
    const workdir = raw.workdir;
    if (typeof workdir !== 'string' || isAbsolute(workdir) || normalize(workdir).split(sep)[0] === '..') {
      throw new LessonError(where, at('workdir'), 'workdir is a folder inside the repository, relative to its root (e.g. cluster/samples)');
    }
    meta.workdir = normalize(workdir).split(sep).join('/');
  }
  return { meta, body: lines.slice(close + 1).join('\n'), bodyLine: close + 2 };
}

// ---------------------------------------------------------------------------------------------
// Cells

const md = new MarkdownIt({ html: true });

/** What a fence's info string says: the language word and the flags after it. */
interface FenceInfo {
  lang: string;
  flags: string[];
}

function scanBody(where: string, body: string, bodyLine: number, meta: LessonMeta): LessonPart[] {
  const lines = body.split('\n');
  const parts: LessonPart[] = [];
  let proseStart = 0; // body line where the current prose run begins
  let last: { part: Extract<LessonPart, { kind: 'cell' }>; end: number } | undefined; // the previous runnable cell
  let number = 0;

  const pushProse = (end: number) => {
    const text = lines.slice(proseStart, end).join('\n');
    if (text.trim() !== '') parts.push({ kind: 'prose', text, line: bodyLine + proseStart });
  };

  for (const token of md.parse(body, {})) {
    if (token.type !== 'fence' || !token.map) continue;
    const [start, end] = token.map;
    const line = bodyLine + start;
    checkClosed(where, lines, token.markup, start, end, bodyLine);
    const info = splitInfo(token.info);
    const role = roleOf(where, line, info);
    if (role === 'shown') continue;

    if (token.level !== 0) {
      throw new LessonError(
        where,
        line,
        `a \`\`\`${info.lang} block inside a list or quote: runnable cells and output blocks stand at the top level of the lesson`,
      );
    }
    const content = token.content.replace(/\n$/, '');

    if (role === 'output') {
      if (!last) {
        throw new LessonError(where, line, 'an ```output block with no cell before it: put it right after the ```ts or ```bash run cell that prints it');
      }
      const { cell } = last.part;
      if (cell.expected) {
        throw new LessonError(
          where,
          line,
          `a second \`\`\`output block for cell ${cell.number}: a cell has one (a line holding only ... matches any lines)`,
        );
      }
      if (lines.slice(last.end, start).some((l) => l.trim() !== '')) {
        throw new LessonError(
          where,
          line,
          `an \`\`\`output block must follow its cell directly, with only blank lines between (cell ${cell.number} is at line ${cell.line})`,
        );
      }
      const expected: ExpectedOutput = { text: content, line };
      cell.expected = expected;
      last.end = end;
      proseStart = end;
      continue;
    }

    if (content.trim() === '') throw new LessonError(where, line, `an empty \`\`\`${info.lang} cell: write code in it or remove it`);
    pushProse(start);
    number += 1;
    const fails = info.flags.includes('fails');
    const cell: Cell = {
      number,
      kind: role,
      source: content,
      line,
      code: role === 'ts' ? content : bashCellCode(content, { cwd: meta.workdir, fails }),
    };
    const timeout = info.flags.find((f) => f.startsWith('timeout='));
    if (timeout) cell.timeoutMs = Number(timeout.slice('timeout='.length)) * 1000;
    last = { part: { kind: 'cell', cell, fails }, end };
    parts.push(last.part);
    proseStart = end;
  }
  pushProse(lines.length);
  return parts;
}

function splitInfo(info: string): FenceInfo {
  const [lang = '', ...flags] = info.trim().split(/\s+/).filter((w) => w !== '');
  return { lang, flags };
}

/** What a fence is: a runnable cell, an expected output, or code that is only shown. Checks its flags. */
function roleOf(where: string, line: number, { lang, flags }: FenceInfo): 'ts' | 'bash' | 'output' | 'shown' {
  const allowed: Record<string, readonly string[]> = { ts: ['timeout'], bash: ['run', 'fails', 'timeout'], output: [] };
  if (lang === 'bash' && !flags.includes('run')) {
    const stray = flags.find((f) => f === 'fails' || f.startsWith('timeout='));
    if (stray) throw new LessonError(where, line, `flag '${stray}' needs a \`\`\`bash run cell: add 'run', or drop the flag`);
    return 'shown';
  }
  if (!(lang in allowed)) return 'shown';
  for (const flag of flags) {
    const name = flag.split('=')[0];
    if (!allowed[lang].includes(name)) {
      const known = allowed[lang].map((f) => (f === 'timeout' ? 'timeout=<seconds>' : f));
      throw new LessonError(
        where,
        line,
        `unknown flag '${flag}' on a \`\`\`${lang === 'bash' ? 'bash run' : lang} ${lang === 'output' ? 'block' : 'cell'}` +
          (known.length ? `: use ${known.join(', ')}` : ': an output block takes no flags'),
      );
    }
    if (name === 'timeout' && !(/^timeout=\d+(\.\d+)?$/.test(flag) && Number(flag.slice(8)) > 0)) {
      throw new LessonError(where, line, `'${flag}': write the timeout in seconds, e.g. timeout=120`);
    }
    if (name === 'run' && flag !== 'run') throw new LessonError(where, line, `unknown flag '${flag}': write just 'run'`);
    if (name === 'fails' && flag !== 'fails') throw new LessonError(where, line, `unknown flag '${flag}': write just 'fails'`);
  }
  return lang === 'ts' ? 'ts' : lang === 'bash' ? 'bash' : 'output';
}

/**
 * markdown-it closes a fence that never ends at the end of the document (or of its list item or
 * quote), so the rest of the lesson silently becomes code. A closed fence's last line is a closing
 * marker of the same character, at least as long as the opening one; anything else is unterminated.
 */
function checkClosed(where: string, lines: string[], markup: string, start: number, end: number, bodyLine: number): void {
  const closing = end - 1 > start ? lines[end - 1] : undefined;
  const marker = closing?.replace(/^[\s>]*/, '').trimEnd() ?? '';
  const ok = marker.length >= markup.length && marker.split('').every((c) => c === markup[0]);
  if (!ok) {
    throw new LessonError(where, bodyLine + start, `unterminated fence: this ${markup} block has no closing ${markup} line`);
  }
}

// ---------------------------------------------------------------------------------------------
// bash run -> TypeScript

/**
 * `s` as a JavaScript template literal whose value is exactly `s`. Backslashes, backticks and `${`
 * are escaped; a carriage return is written as `\r` because a raw one would be read as a newline.
 */
export function templateLiteral(s: string): string {
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/`/g, '\\`')
    .replace(/\$\{/g, '\\${')
    .replace(/\r/g, '\\r');
  return '`' + body + '`';
}

/**
 * The notebook code of a ```bash run``` cell: the command as a terminal shows it (`// $ ...`, with
 * `// > ` for continuation lines), then a call of the shell helper that runs it.
 */
export function bashCellCode(command: string, opts: { cwd?: string; fails?: boolean } = {}): string {
  const shown = command.split('\n').map((text, i, all) => {
    const prompt = i > 0 && all[i - 1].endsWith('\\') ? '// >' : '// $';
    // A line terminator inside a comment would end it: show those characters as spaces.
    const safe = text.replace(/[\r\u2028\u2029]/g, ' ');
    return safe === '' ? prompt : `${prompt} ${safe}`;
  });
  const options: string[] = [];
  if (opts.cwd) options.push(`cwd: ${JSON.stringify(opts.cwd)}`);
  if (opts.fails) options.push('fails: true');
  const args = templateLiteral(command) + (options.length ? `, { ${options.join(', ')} }` : '');
  return `${shown.join('\n')}\nawait run(${args});`;
}
