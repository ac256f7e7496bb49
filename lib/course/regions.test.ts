// SPDX-License-Identifier: Apache-2.0
// Code embeds: which lines a region gives, and the errors for a missing file or region.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../paths.js';
import { expandEmbeds, resolveEmbed } from './regions.js';
import { LessonError } from './types.js';

// A lesson file in a fixture language folder: relative embeds start from its folder.
const LESSON = fromRoot('lib', 'course', 'fixtures', 'parse', 'good', 'en', '01-hello.md');
const origin = { file: LESSON, line: 7, where: 'lessons/en/01-hello.md' };

function errorOf(fn: () => unknown): LessonError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LessonError) return err;
    throw err;
  }
  throw new Error('expected a LessonError');
}

describe('resolveEmbed', () => {
  it('gives the region without its marker lines, dedented, in the language of the file', () => {
    expect(resolveEmbed('../../code/sample.ts#greet', origin)).toEqual({
      lang: 'ts',
      code: ['greet(name: string): string {', '  const greeting = `Hello, ${name}!`;', '  return greeting;', '}'].join('\n'),
    });
  });

  it('reads @ as the lessons folder, so @/../ is the repository root', () => {
    const viaRoot = resolveEmbed('@/../lib/course/fixtures/parse/code/sample.ts#inner', origin);
    expect(viaRoot.code).toBe('const greeting = `Hello, ${name}!`;');
  });

  it('takes the language from {lang} and ignores line highlights and a title', () => {
    expect(resolveEmbed('../../code/sample.ts#inner{js}', origin).lang).toBe('js');
    expect(resolveEmbed('../../code/sample.ts#inner{1,2-3 typescript}', origin).lang).toBe('typescript');
    expect(resolveEmbed('../../code/sample.ts#inner{2} [sample.ts]', origin).lang).toBe('ts');
  });

  it('finds YAML regions marked with # comments', () => {
    expect(resolveEmbed('../../code/sample.yaml#spec', origin)).toEqual({ lang: 'yaml', code: 'spec:\n  name: iris' });
  });

  it('gives the whole file when no region is named', () => {
    const { code } = resolveEmbed('../../code/sample.yaml', origin);
    expect(code.startsWith('# A fixture for code embeds in YAML.')).toBe(true);
    expect(code.endsWith('# endregion spec')).toBe(true);
  });

  it('names the lesson line and the missing file', () => {
    const err = errorOf(() => resolveEmbed('@/../lib/nope.ts#x', origin));
    expect(err.message).toBe("lessons/en/01-hello.md:7: code embed '<<< @/../lib/nope.ts#x': there is no file lib/nope.ts");
  });

  it('names the missing region and the regions there are', () => {
    expect(errorOf(() => resolveEmbed('../../code/sample.ts#nope', origin)).detail).toBe(
      "there is no region 'nope' in lib/course/fixtures/parse/code/sample.ts (its regions: greet, inner, unnamed-end)",
    );
  });

  it('refuses an end marker without the name, which VitePress would not see', () => {
    expect(errorOf(() => resolveEmbed('../../code/sample.ts#unnamed-end', origin)).detail).toMatch(
      /region 'unnamed-end' in lib\/course\/fixtures\/parse\/code\/sample\.ts:\d+ ends with an end marker without the name/,
    );
  });

  it('refuses what is not an embed spec', () => {
    expect(errorOf(() => resolveEmbed('', origin)).detail).toMatch(/cannot read the code embed/);
  });
});

describe('expandEmbeds', () => {
  it('replaces embed lines by fenced code and leaves the rest as it is', () => {
    const prose = 'Before.\n\n<<< ../../code/sample.ts#inner\n\nAfter.';
    expect(expandEmbeds(prose, LESSON, 20)).toBe('Before.\n\n```ts\nconst greeting = `Hello, ${name}!`;\n```\n\nAfter.');
  });

  it('uses a longer fence when the code holds a fence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regions-'));
    try {
      writeFileSync(join(dir, 'snippet.md'), 'A fence inside:\n```ts\nx\n```\n');
      expect(expandEmbeds(`<<< ${join(dir, 'snippet.md')}`, LESSON, 1)).toBe('````md\nA fence inside:\n```ts\nx\n```\n````');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves <<< alone inside code blocks', () => {
    const prose = '```bash\ncat <<< "here-string"\n<<< not an embed\n```';
    expect(expandEmbeds(prose, LESSON, 1)).toBe(prose);
  });

  it('reports the line of the embed in the lesson file', () => {
    const err = errorOf(() => expandEmbeds('one\ntwo\n<<< ../../code/missing.ts', LESSON, 40, 'lessons/en/01-hello.md'));
    expect(err.line).toBe(42);
    expect(err.file).toBe('lessons/en/01-hello.md');
  });
});
