// SPDX-License-Identifier: Apache-2.0
// Korean pages get Korean container titles, alert titles and copy buttons; English pages keep
// VitePress's defaults, and a title the author wrote is never replaced.
import { describe, expect, it } from 'vitest';
import { lesson, useSiteRenderer } from './testing.js';

const { render } = useSiteRenderer();

const body = [
  '::: tip',
  'default title',
  ':::',
  '',
  '::: warning 직접 쓴 제목',
  'own title',
  ':::',
  '',
  '::: details',
  'hidden',
  ':::',
  '',
  '> [!CAUTION]',
  '> an alert',
  '',
  '```yaml',
  'a: 1',
  '```',
].join('\n');

const titles = (html: string) => [...html.matchAll(/<p class="custom-block-title">(.*?)<\/p>|<summary>(.*?)<\/summary>/g)].map((m) => m[1] ?? m[2]);

describe('labels on Korean pages', () => {
  it('translates default titles and keeps the ones the author wrote', () => {
    const html = render('ko/01-labels.md', lesson({ title: '레이블', order: 1 }, body));
    expect(titles(html)).toEqual(['팁', '직접 쓴 제목', '세부 정보', '주의']);
  });

  it('titles the copy button in Korean', () => {
    const html = render('ko/01-labels.md', lesson({ title: '레이블', order: 1 }, body));
    expect(html).toContain('<button title="코드 복사" class="copy">');
    expect(html).not.toContain('title="Copy code"');
  });

  it('translates the Korean home page too', () => {
    expect(titles(render('ko/index.md', '::: tip\nx\n:::\n'))).toEqual(['팁']);
  });
});

describe('labels on English pages', () => {
  it("keeps VitePress's defaults", () => {
    const html = render('en/01-labels.md', lesson({ title: 'Labels', order: 1 }, body));
    expect(titles(html)).toEqual(['TIP', '직접 쓴 제목', 'Details', 'CAUTION']);
    expect(html).toContain('<button title="Copy code" class="copy">');
  });
});
