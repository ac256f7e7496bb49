// SPDX-License-Identifier: Apache-2.0
// Cells on a lesson page: numbered as the lesson parser numbers them, labelled with where they run,
// expected outputs set apart under their cell, embeds named by file, in the page's language.
import { describe, expect, it } from 'vitest';
import { parseLesson } from '../../lib/course/lesson.js';
import { fenceKind } from './md-cells.js';
import { lesson, useSiteRenderer } from './testing.js';

const { root, render } = useSiteRenderer({
  'lib/demo.ts': '// SPDX-License-Identifier: Apache-2.0\nexport const other = 1;\n// #region greet\nexport const greet = (n: string) => `hi ${n}`;\n// #endregion greet\n',
});

const body = [
  'Text.',
  '',
  '```ts',
  'console.log(1 + 1);',
  '```',
  '',
  '```output',
  '2',
  '```',
  '',
  '```bash',
  'minikube start',
  '```',
  '',
  '<<< @/../lib/demo.ts#greet',
  '',
  '```bash run',
  'echo hello',
  '```',
  '',
  '```output',
  'hello',
  '```',
  '',
  '```bash run fails',
  'false',
  '```',
  '',
  '```ts timeout=120',
  'console.log("<b>&")',
  '```',
  '',
].join('\n');


/** The `data-cell` numbers on a page, in order. */
const cellNumbers = (html: string) => [...html.matchAll(/class="cell cell-[\w-]+" data-cell="(\d+)"/g)].map((m) => Number(m[1]));

describe('fenceKind', () => {
  it.each([
    ['ts', 'ts'],
    ['ts timeout=120', 'ts'],
    ['bash run', 'bash-run'],
    ['bash run fails', 'bash-run'],
    ['bash', 'shown'],
    ['output', 'output'],
    ['yaml', 'shown'],
    ['typescript', 'shown'],
  ])('%s is %s', (info, kind) => {
    expect(fenceKind(info)).toBe(kind);
  });
});

describe('cells on a lesson page', () => {
  it('numbers runnable cells exactly as the lesson parser does', () => {
    const text = lesson({ title: 'Cells', order: 1 }, body);
    const html = render('en/01-cells.md', text);
    const parsed = parseLesson(`${root}/lessons/en/01-cells.md`);
    expect(cellNumbers(html)).toEqual(parsed.cells.map((cell) => cell.number));
    expect(cellNumbers(html)).toEqual([1, 2, 3, 4]);
  });

  it('labels where each cell runs, and a cell that must fail', () => {
    const html = render('en/01-cells.md', lesson({ title: 'Cells', order: 1 }, body));
    expect(html).toContain('<span class="cell-number">Cell 1</span><span class="cell-note">runs in the notebook and in the tests</span>');
    expect(html).toContain('<span class="cell-number">Cell 2</span><span class="cell-note">terminal command · runs in the tests</span>');
    expect(html).toContain('<span class="cell-number">Cell 3</span><span class="cell-note">terminal command · runs in the tests, and must fail</span>');
  });

  it('shows each expected output as labelled plain text, not as code in a language called "output"', () => {
    const html = render('en/01-cells.md', lesson({ title: 'Cells', order: 1 }, body));
    const outputs = [...html.matchAll(/<div class="cell-output"><div class="cell-output-label">Expected output<\/div>(.*?)<\/pre>\s*<\/div><\/div>/gs)];
    expect(outputs).toHaveLength(2);
    expect(outputs[0][1]).toContain('<span>2</span>');
    expect(outputs[1][1]).toContain('<span>hello</span>');
    expect(html).not.toContain('language-output');
  });

  it('leaves plain bash blocks unlabelled and escapes cell code', () => {
    const html = render('en/01-cells.md', lesson({ title: 'Cells', order: 1 }, body));
    expect(html).toMatch(/<\/div><div class="language-bash vp-adaptive-theme"><button title="Copy code" class="copy"><\/button><span class="lang">bash<\/span><pre[^>]*><code><span class="line"><span[^>]*>minikube/);
    expect(html).not.toContain('<b>&');
  });

  it('names the file and region of embedded code', () => {
    const html = render('en/01-cells.md', lesson({ title: 'Cells', order: 1 }, body));
    expect(html).toContain('<div class="code-embed"><div class="code-embed-label">from <code>lib/demo.ts#greet</code></div>');
    expect(html).toContain('greet');
    expect(html).not.toContain('other');
  });

  it('speaks Korean on Korean pages', () => {
    const html = render('ko/01-cells.md', lesson({ title: '셀', order: 1 }, body));
    expect(html).toContain('<span class="cell-number">셀 1</span><span class="cell-note">노트북과 테스트에서 실행됩니다</span>');
    expect(html).toContain('<div class="cell-output-label">예상 출력</div>');
    expect(html).toContain('<div class="code-embed-label">출처 <code>lib/demo.ts#greet</code>');
  });

  it('leaves code on pages that are not lessons (the home pages) as plain code blocks', () => {
    const html = render('en/index.md', '# Home\n\n```ts\nconst a = 1;\n```\n\n```output\n1\n```\n');
    expect(cellNumbers(html)).toEqual([]);
    expect(html).not.toContain('cell-output');
  });
});
