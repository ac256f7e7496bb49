// SPDX-License-Identifier: Apache-2.0
// The site's lesson list: read with the course's parser, in order, with links where the site puts
// the pages, and no lessons at all is a valid course (the site still builds).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LessonError } from '../../lib/course/types.js';
import { lessonLink, loadLessons } from './lessons.js';
import { lesson, makeRepo } from './testing.js';

const root = makeRepo({
  'lessons/en/index.md': '---\nlayout: home\n---\n',
  'lessons/en/02-operators.md': lesson({ title: 'Operators', order: 2, needs: 'sandbox' }, 'Text.\n'),
  'lessons/en/01-custom-resources.md': lesson({ title: 'Custom Resources', order: 1, needs: 'none', description: 'What a CR is.' }, 'Text.\n'),
  'lessons/ko/01-custom-resources.md': lesson({ title: '커스텀 리소스', order: 1, needs: 'none' }, '본문.\n'),
  'broken/en/01-bad.md': '---\ntitle: Bad\norder: one\n---\n',
});
process.env.SELDON_LAB_ROOT = root;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadLessons', () => {
  it('lists the lessons of a language in order, with their site links', () => {
    expect(loadLessons(join(root, 'lessons'), 'en')).toEqual([
      {
        lang: 'en',
        slug: '01-custom-resources',
        number: '01',
        title: 'Custom Resources',
        order: 1,
        needs: 'none',
        description: 'What a CR is.',
        link: '/01-custom-resources',
        file: join(root, 'lessons', 'en', '01-custom-resources.md'),
      },
      expect.objectContaining({ slug: '02-operators', needs: 'sandbox', link: '/02-operators' }),
    ]);
  });

  it('puts Korean lessons under /ko/', () => {
    expect(loadLessons(join(root, 'lessons'), 'ko').map((l) => l.link)).toEqual(['/ko/01-custom-resources']);
    expect(lessonLink('ko', '03-helm')).toBe('/ko/03-helm');
  });

  it('finds no lessons where there are none yet', () => {
    expect(loadLessons(join(root, 'nothing-here'), 'en')).toEqual([]);
  });

  it('stops at a malformed lesson with its file and line', () => {
    expect(() => loadLessons(join(root, 'broken'), 'en')).toThrow(LessonError);
    expect(() => loadLessons(join(root, 'broken'), 'en')).toThrow(/01-bad\.md:3:/);
  });
});
