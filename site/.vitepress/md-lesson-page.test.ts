// SPDX-License-Identifier: Apache-2.0
// A lesson page starts with its title (from the front matter when the body has no `# Title`) and
// the lesson header right under it; other pages are left alone.
import { describe, expect, it } from 'vitest';
import { isLessonPath } from './md-lesson-page.js';
import { lesson, useSiteRenderer } from './testing.js';

const { render } = useSiteRenderer();

describe('isLessonPath', () => {
  it.each([
    ['en/01-custom-resources.md', true],
    ['ko/01-custom-resources.md', true],
    ['01-custom-resources.md', true],
    ['en/index.md', false],
    ['README.md', false],
    ['ko/notes/01-x.md', false],
  ])('%s → %s', (path, expected) => {
    expect(isLessonPath(path)).toBe(expected);
  });
});

describe('the top of a lesson page', () => {
  it('gets an H1 from the front matter when the body has none, then the header', () => {
    const html = render('en/01-a.md', lesson({ title: 'Custom <Resources>', order: 1 }, 'First paragraph.\n'));
    expect(html).toMatch(/^<h1 id="custom-resources" tabindex="-1">Custom &lt;Resources&gt; <a class="header-anchor"[^>]*>.*?<\/a><\/h1>\n<LessonHeader \/>\n<p>First paragraph\.<\/p>/s);
  });

  it('keeps the H1 the lesson wrote, and puts the header under it', () => {
    const html = render('ko/01-a.md', lesson({ title: '제목', order: 1 }, '# 본문의 제목\n\n첫 문단.\n'));
    expect(html.match(/<h1/g)).toHaveLength(1);
    expect(html).toMatch(/본문의 제목.*<\/h1>\n<LessonHeader \/>\n<p>첫 문단\.<\/p>/s);
  });

  it('leaves other pages alone', () => {
    const html = render('en/index.md', 'Just text.\n');
    expect(html).not.toContain('<h1');
    expect(html).not.toContain('LessonHeader');
  });
});
