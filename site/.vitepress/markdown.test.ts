// SPDX-License-Identifier: Apache-2.0
// The course's Markdown setup as a whole: Korean emphasis and the plugins working together.
import { describe, expect, it } from 'vitest';
import { lesson, useSiteRenderer } from './testing.js';

const { render } = useSiteRenderer();

describe('Korean emphasis', () => {
  it('closes bold and italics that a particle follows, as Korean writes them', () => {
    const html = render('ko/01-emphasis.md', lesson({ title: '강조', order: 1 }, '**커스텀 리소스(CR)**는 *리소스(resource)*입니다.\n'));
    expect(html).toContain('<strong>커스텀 리소스(CR)</strong>는 <em>리소스(resource)</em>입니다.');
  });
});

describe('a lesson page', () => {
  it('has its title, its header, numbered cells with outputs, and Korean labels together', () => {
    const html = render(
      'ko/02-together.md',
      lesson({ title: '함께', order: 2 }, '::: tip\n팁.\n:::\n\n```ts\nconsole.log(1)\n```\n\n```output\n1\n```\n'),
    );
    const order = ['<h1 id=', '<LessonHeader />', '<p class="custom-block-title">팁</p>', 'data-cell="1"', 'title="코드 복사"', '예상 출력'];
    const positions = order.map((part) => html.indexOf(part));
    expect(positions.every((p) => p >= 0), `missing: ${order.filter((_, i) => positions[i] < 0).join(', ')}`).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });
});
