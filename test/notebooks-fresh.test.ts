// SPDX-License-Identifier: Apache-2.0
// The committed notebooks are exactly what `npm run notebooks` writes from lessons/, and the Korean
// and English lessons are twins. Passes trivially while there are no lessons yet.
import { describe, expect, it } from 'vitest';
import { checkTwins, loadLessons } from '../lib/course/lesson.js';
import { notebookProblems } from '../lib/course/notebook.js';

describe('lessons and notebooks', () => {
  const lessons = loadLessons();

  it('every lesson has a fresh notebook, and every notebook a lesson', () => {
    const problems = notebookProblems({ lessons }).map((p) => p.message);
    expect(problems, `notebooks/ is out of step with lessons/: run npm run notebooks and commit the result`).toEqual([]);
  });

  it('Korean and English lessons are twins', () => {
    expect(checkTwins(lessons).map((e) => e.message)).toEqual([]);
  });
});
