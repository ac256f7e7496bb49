// SPDX-License-Identifier: Apache-2.0
// The lesson parser: what it finds in a good lesson, and how it names each kind of mistake.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { bashCellCode, checkTwins, lessonParts, loadLessons, parseLesson, SHELL_SETUP, templateLiteral } from './lesson.js';
import { LessonError } from './types.js';

const FIXTURES = fromRoot('lib', 'course', 'fixtures', 'parse');
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

/** 1-based numbers of the lines of `file` that `test` accepts: where an error must point. */
function linesOf(file: string, test: (line: string) => boolean): number[] {
  const found = readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (test(line) ? [i + 1] : []));
  if (found.length === 0) throw new Error(`fixture ${file} has no such line`);
  return found;
}
const lineOf = (file: string, test: (line: string) => boolean) => linesOf(file, test)[0];

function errorOf(fn: () => unknown): LessonError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LessonError) return err;
    throw err;
  }
  throw new Error('expected a LessonError, but nothing was thrown');
}

describe('parseLesson on a good lesson', () => {
  const file = fixture('good', 'en', '01-hello.md');
  const lesson = parseLesson(file);

  it('reads the file name, language and front matter', () => {
    expect(lesson.file).toBe(file);
    expect(lesson.lang).toBe('en');
    expect(lesson.number).toBe('01');
    expect(lesson.slug).toBe('01-hello');
    expect(lesson.meta).toEqual({
      title: 'Hello, cells',
      order: 1,
      needs: 'none',
      description: 'A lesson that uses every kind of block.',
      workdir: 'lib/course/fixtures/parse',
    });
    // the body starts on the line after the closing ---
    expect(lesson.bodyLine).toBe(linesOf(file, (l) => l === '---')[1] + 1);
  });

  it('finds the ts and bash run cells, in order, with their lines and flags', () => {
    expect(lesson.cells.map((c) => [c.number, c.kind, c.line, c.timeoutMs])).toEqual([
      [1, 'ts', lineOf(file, (l) => l === '```ts'), undefined],
      [2, 'bash', lineOf(file, (l) => l === '```bash run'), undefined],
      [3, 'bash', lineOf(file, (l) => l.startsWith('```bash run fails')), 30_000],
      [4, 'ts', lineOf(file, (l) => l.startsWith('```ts timeout=')), 2_500],
    ]);
    expect(lesson.cells[0].source).toBe('const answer: number = 6 * 7;\nconsole.log(`answer=${answer}`);');
    expect(lesson.cells[0].code).toBe(lesson.cells[0].source);
  });

  it('attaches each output block to the cell before it', () => {
    const [first, second, third, fourth] = lesson.cells;
    expect(first.expected).toEqual({ text: 'answer=42', line: lineOf(file, (l) => l === '```output') });
    expect(second.expected?.text).toBe('back`tick ${HOME} and more');
    expect(third.expected).toBeUndefined();
    expect(fourth.expected).toBeUndefined();
  });

  it('turns bash run cells into shell helper calls that keep workdir and fails', () => {
    expect(lesson.cells[2].code).toBe(
      '// $ ls does-not-exist\nawait run(`ls does-not-exist`, { cwd: "lib/course/fixtures/parse", fails: true });',
    );
    expect(lesson.setupCode).toBe(SHELL_SETUP);
  });

  it('leaves plain bash blocks alone and needs no setup without bash run cells', () => {
    const intro = parseLesson(fixture('good', 'en', '00-intro.md'));
    expect(intro.cells).toEqual([]);
    expect(intro.setupCode).toBeUndefined();
    expect(intro.meta.needs).toBe('none'); // needs may be left out
    expect(lesson.cells.some((c) => c.source.includes('minikube start'))).toBe(false);
  });

  it('reads a CRLF file with a byte order mark the same way as an LF file', () => {
    const text = readFileSync(file, 'utf8');
    const crlf = parseLesson(file, '\uFEFF' + text.replace(/\n/g, '\r\n'));
    expect(crlf.cells).toEqual(lesson.cells);
    expect(crlf.meta).toEqual(lesson.meta);
  });

  it('splits the body into prose and cells in reading order', () => {
    const parts = lessonParts(lesson);
    expect(parts.map((p) => (p.kind === 'cell' ? `cell ${p.cell.number}${p.fails ? ' fails' : ''}` : 'prose'))).toEqual([
      'prose',
      'cell 1',
      'prose',
      'cell 2',
      'prose',
      'cell 3 fails',
      'cell 4',
      'prose',
    ]);
    const prose = parts.filter((p) => p.kind === 'prose');
    expect(prose[0]).toMatchObject({ line: lesson.bodyLine, text: expect.stringContaining('Some prose before the first cell.') });
    // Output blocks belong to their cell, never to the prose after it.
    expect(prose.some((p) => p.kind === 'prose' && p.text.includes('```output'))).toBe(false);
    expect(prose[1]).toMatchObject({ text: expect.stringContaining('minikube start') });
  });
});

describe('parseLesson names the file and line of every mistake', () => {
  const bad = (name: string) => fixture('bad', 'en', name);
  const cases: [string, (line: string) => boolean, RegExp][] = [
    ['01-no-front-matter.md', (l) => l.startsWith('# '), /missing front matter/],
    ['02-malformed-yaml.md', (l) => l.startsWith('needs:'), /malformed front matter/],
    ['03-unknown-needs.md', (l) => l.startsWith('needs:'), /unknown needs 'gpu': use none, sandbox, cluster/],
    ['04-unterminated.md', (l) => l === '```ts', /unterminated fence/],
    ['05-orphan-output.md', (l) => l === '```output', /output block with no cell before it/],
    ['06-unknown-flag.md', (l) => l.startsWith('```bash run'), /unknown flag 'quietly'/],
    ['07-order-mismatch.md', (l) => l.startsWith('order:'), /order is 3 but the file name starts with 07/],
    ['08-unclosed-front-matter.md', (l) => l === '---', /front matter is not closed/],
    ['09-missing-title.md', (l) => l.startsWith('order:'), /needs a title/],
    ['10-unknown-key.md', (l) => l.startsWith('neds:'), /unknown front matter key 'neds'/],
    ['11-output-after-prose.md', (l) => l === '```output', /must follow its cell directly/],
    ['12-nested-cell.md', (l) => l.trim() === '```ts', /inside a list or quote/],
    ['13-bad-timeout.md', (l) => l.startsWith('```ts'), /write the timeout in seconds/],
    ['14-fails-without-run.md', (l) => l.startsWith('```bash'), /flag 'fails' needs a ```bash run cell/],
    ['15-missing-embed.md', (l) => l.startsWith('<<<'), /there is no file lib\/course\/fixtures\/parse\/code\/nope\.ts/],
    ['16-missing-region.md', (l) => l.startsWith('<<<'), /no region 'farewell'.*its regions: greet, inner, unnamed-end/],
    ['17-empty-cell.md', (l) => l === '```ts', /an empty ```ts cell/],
    ['18-second-output.md', (l) => l.includes('twice'), /a second ```output block for cell 1/],
    ['19-unnamed-endregion.md', (l) => l.startsWith('<<<'), /end marker without the name/],
    ['20-unterminated-output.md', (l) => l === '```output', /unterminated fence/],
  ];

  it.each(cases)('%s', (name, where, message) => {
    const file = bad(name);
    const err = errorOf(() => parseLesson(file));
    // 18: the second output block opens on the line before the one holding `twice?`
    // 09: a missing key is reported at the start of the front matter (its first line, here `order:`)
    const expectedLine = lineOf(file, where) - (name.startsWith('18-') ? 1 : 0);
    expect(err.file).toBe(`lib/course/fixtures/parse/bad/en/${name}`);
    expect(err.line).toBe(expectedLine);
    expect(err.detail).toMatch(message);
    expect(err.message).toBe(`lib/course/fixtures/parse/bad/en/${name}:${expectedLine}: ${err.detail}`);
  });

  it('a file that is not NN-slug.md', () => {
    expect(errorOf(() => parseLesson(bad('bad_name.md'))).message).toMatch(/bad_name\.md:1: a lesson file is named NN-slug\.md/);
  });

  it('a lesson outside lessons/en or lessons/ko', () => {
    expect(errorOf(() => parseLesson('lessons/fr/01-x.md', '---\ntitle: x\norder: 1\n---\n')).detail).toMatch(
      /lessons\/en\/ or lessons\/ko\//,
    );
  });

  it('a workdir outside the repository', () => {
    const text = '---\ntitle: x\norder: 1\nworkdir: ../elsewhere\n---\n';
    expect(errorOf(() => parseLesson('lessons/en/01-x.md', text))).toMatchObject({ line: 4 });
  });

  it('a zero timeout', () => {
    const text = '---\ntitle: x\norder: 1\n---\n\n```ts timeout=0\n1\n```\n';
    expect(errorOf(() => parseLesson('lessons/en/01-x.md', text))).toMatchObject({ line: 6 });
  });
});

describe('loadLessons', () => {
  const root = fixture('good');

  it('loads both languages sorted by order, English first, skipping files that are not NN-slug.md', () => {
    expect(loadLessons(undefined, root).map((l) => `${l.lang}/${l.slug}`)).toEqual([
      'en/00-intro',
      'en/01-hello',
      'ko/00-intro',
      'ko/01-hello',
    ]);
  });

  it('loads one language when asked', () => {
    expect(loadLessons('ko', root).map((l) => l.lang)).toEqual(['ko', 'ko']);
  });

  it('is empty when there are no lessons yet', () => {
    expect(loadLessons(undefined, fixture('no-such-folder'))).toEqual([]);
  });

  it('refuses two lessons with the same order', () => {
    expect(errorOf(() => loadLessons('en', fixture('dup-order'))).message).toMatch(
      /dup-order\/en\/01-b\.md:1: order 1 is also the order of 01-a\.md/,
    );
  });
});

describe('checkTwins', () => {
  it('finds nothing wrong with twins that agree', () => {
    expect(checkTwins(loadLessons(undefined, fixture('good')))).toEqual([]);
  });

  it('names every disagreement with the place to fix', () => {
    const messages = checkTwins(loadLessons(undefined, fixture('twins'))).map((e) => e.message);
    const ko = 'lib/course/fixtures/parse/twins/ko';
    const en = 'lib/course/fixtures/parse/twins/en';
    const koSecondCell = linesOf(join(FIXTURES, 'twins', 'ko', '01-same.md'), (l) => l === '```ts')[1];
    const enSecondCell = lineOf(join(FIXTURES, 'twins', 'en', '01-same.md'), (l) => l === '```bash run');
    expect(messages).toEqual([
      `${ko}/01-same.md:1: needs is none but ${en}/01-same.md says sandbox`,
      `${ko}/01-same.md:${koSecondCell}: cell 2 is \`ts\` without an output block ` +
        `but its twin at ${en}/01-same.md:${enSecondCell} is \`bash\` without an output block`,
      `${en}/02-only-english.md:1: no twin: lessons/ko/02-only-english.md is missing`,
      `${ko}/03-fewer.md:1: 1 runnable cells but ${en}/03-fewer.md has 2`,
    ]);
  });
});

describe('bash run cells as TypeScript', () => {
  /** Evaluates generated cell code with a stand-in `run`, returning what it was called with. */
  async function callOf(code: string): Promise<unknown[]> {
    const calls: unknown[][] = [];
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
      ...args: string[]
    ) => (...a: unknown[]) => Promise<void>;
    await new AsyncFunction('run', code)((...args: unknown[]) => {
      calls.push(args);
    });
    expect(calls).toHaveLength(1);
    return calls[0];
  }

  it('a template literal holds exactly the text it was made from', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(new Function(`return ${templateLiteral(s)};`)()).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips the awkward characters of shell commands', () => {
    for (const s of ['`whoami`', '${HOME}', '$${x}', '\\${x}', 'a\\', 'back\\`tick', 'a\r\nb', '\u2028']) {
      expect(new Function(`return ${templateLiteral(s)};`)()).toBe(s);
    }
  });

  it('the generated call runs exactly the command, with its options', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary' }),
        fc.option(fc.constantFrom('cluster/samples', "it's/here"), { nil: undefined }),
        fc.boolean(),
        async (command, cwd, fails) => {
          const args = await callOf(bashCellCode(command, { cwd, fails }));
          const opts: Record<string, unknown> = {};
          if (cwd) opts.cwd = cwd;
          if (fails) opts.fails = true;
          expect(args).toEqual(Object.keys(opts).length ? [command, opts] : [command]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('shows the command as a terminal would, above the call', () => {
    expect(bashCellCode('kubectl apply \\\n  -f sample.yaml\ncurl -s localhost')).toBe(
      '// $ kubectl apply \\\n// >   -f sample.yaml\n// $ curl -s localhost\n' +
        'await run(`kubectl apply \\\\\n  -f sample.yaml\ncurl -s localhost`);',
    );
  });
});
