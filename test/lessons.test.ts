// SPDX-License-Identifier: Apache-2.0
// Every lesson, in both languages, run cell by cell in a fresh tslab kernel: what `npm test` runs
// before class. One test per lesson; a failure names the lesson file, the cell, its line and its
// first line, with the cell's stderr or the diff of its output.
//
// Lessons that need a Kubernetes API (`needs: sandbox`) run on one cluster for the whole run:
// `connect()` here, once, finds the cluster of the current kube context when it answers (minikube),
// else starts or joins the shared sandbox cluster, and points KUBECONFIG at it. Each lesson's
// kernel inherits that KUBECONFIG, so its own `connect()` and its `kubectl` cells find the same
// cluster, and the sandbox stays up between lessons. Lessons that need a live cluster
// (`needs: cluster`) are skipped, with the reason printed, when only the sandbox is there.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLessons } from '../lib/course/lesson.js';
import { cellPath } from '../lib/course/shell.js';
import { DEFAULT_CELL_TIMEOUT_MS, formatFailure, runLesson } from '../lib/course/runner.js';
import type { Lesson } from '../lib/course/types.js';
import { connect, type Connection } from '../lib/kube/connect.js';

/** Room for a lesson: the kernel's start, every cell's own timeout, and the shutdown. */
function budgetMs(lesson: Lesson): number {
  const cells = lesson.cells.reduce((sum, cell) => sum + (cell.timeoutMs ?? DEFAULT_CELL_TIMEOUT_MS), 0);
  return 60_000 + cells + 15_000;
}

/** Time for the first connect(): the sandbox process starts, compiling the kit, on a busy machine. */
const CONNECT_TIMEOUT_MS = 120_000;

const nameOf = (lesson: Lesson) => `${lesson.lang}/${lesson.slug}`;

/** Can a lesson's terminal cells run `program` (on PATH, or in the kit's .tools/, where they also look)? */
function canRun(program: string): boolean {
  return cellPath().split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
const HAS_KUBECTL = canRun('kubectl');

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

  let cluster: Connection | undefined;
  let clusterError: Error | undefined;
  beforeAll(async (suite) => {
    // Only when a lesson that needs a cluster will run (`-t en/00` runs one that does not).
    const running = new Set(suite.tasks.filter((task) => task.mode === 'run').map((task) => task.name));
    if (!lessons.some((lesson) => lesson.meta.needs !== 'none' && running.has(nameOf(lesson)))) return;
    try {
      cluster = await connect({ print: (line) => console.log(`lessons: ${line}`) });
    } catch (error) {
      clusterError = error as Error;
    }
  }, CONNECT_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.close();
  });

  /** Why this lesson cannot run here, or undefined when it can. */
  function skipReason(lesson: Lesson): string | undefined {
    if (!HAS_KUBECTL && lesson.cells.some((cell) => cell.kind === 'bash' && /\bkubectl\b/.test(cell.source))) {
      return 'its terminal cells run kubectl, and there is none (install Debian\'s kubernetes-client or any kubectl, or run `npm run tools -- kubectl`)';
    }
    if (lesson.meta.needs !== 'cluster') return undefined;
    if (cluster && cluster.kind !== 'sandbox') return undefined;
    return 'needs a live cluster (minikube): none answers at the current kube context, and the sandbox cluster cannot stand in for it';
  }

  for (const lesson of lessons) {
    const name = nameOf(lesson);
    it(name, { timeout: budgetMs(lesson) }, async (context) => {
      const reason = skipReason(lesson);
      if (reason) {
        console.log(`lessons: ${name} skipped: ${reason}`);
        context.skip(reason);
      }
      if (lesson.meta.needs !== 'none' && !cluster) {
        throw new Error(`${name} needs a Kubernetes API, and none could be had: ${clusterError?.message ?? 'connect() did not run'}`);
      }
      const run = await runLesson(lesson);
      // Thrown as is, so the report shows the message and nothing around it.
      if (!run.ok) throw new Error(formatFailure(run));
      expect(run.cells.every((cell) => cell.passed)).toBe(true);
    });
  }
});
