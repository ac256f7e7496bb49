// SPDX-License-Identifier: Apache-2.0
// Every lesson, in both languages, run cell by cell in a fresh tslab kernel: what `npm test` runs
// before class. One test per lesson; a failure names the lesson file, the cell, its line and its
// first line, with the cell's stderr or the diff of its output.
//
// Lessons that need a Kubernetes API are skipped, with the reason printed, until the cluster
// connection exists (the sandbox arrives with issue 4).
import { describe, expect, it } from 'vitest';
import { loadLessons } from '../lib/course/lesson.js';
import { DEFAULT_CELL_TIMEOUT_MS, formatFailure, runLesson } from '../lib/course/runner.js';
import type { Lesson, LessonNeeds } from '../lib/course/types.js';

/** Why a lesson cannot run yet, or undefined when it can. */
const NOT_YET: Record<LessonNeeds, string | undefined> = {
  none: undefined,
  sandbox: 'needs a Kubernetes API (the sandbox arrives with issue 4)',
  cluster: 'needs a live cluster (the cluster connection arrives with issue 4)',
};

/** Room for a lesson: the kernel's start, every cell's own timeout, and the shutdown. */
function budgetMs(lesson: Lesson): number {
  const cells = lesson.cells.reduce((sum, cell) => sum + (cell.timeoutMs ?? DEFAULT_CELL_TIMEOUT_MS), 0);
  return 60_000 + cells + 15_000;
}

let lessons: Lesson[] = [];
let loadError: Error | undefined;
try {
  lessons = loadLessons();
} catch (error) {
  loadError = error as Error;
}

describe('lessons', () => {
  if (loadError) {
    // A lesson that does not parse fails here, with the file and line in the message.
    it('all parse', () => {
      throw loadError;
    });
    return;
  }
  if (lessons.length === 0) {
    it('none yet: nothing to run under lessons/en or lessons/ko', () => {
      console.log('lessons: no lesson files found under lessons/en or lessons/ko');
    });
    return;
  }
  for (const lesson of lessons) {
    const name = `${lesson.lang}/${lesson.slug}`;
    const reason = NOT_YET[lesson.meta.needs];
    if (reason) {
      console.log(`lessons: ${name} skipped: ${reason}`);
      it.skip(`${name} (skipped: ${reason})`, () => {});
      continue;
    }
    it(name, { timeout: budgetMs(lesson) }, async () => {
      const run = await runLesson(lesson);
      // Thrown as is, so the report shows the message and nothing around it.
      if (!run.ok) throw new Error(formatFailure(run));
      expect(run.cells.every((cell) => cell.passed)).toBe(true);
    });
  }
});
