// SPDX-License-Identifier: Apache-2.0
// `npm run notebooks` (`seldon-lab notebooks`): write notebooks/<lang>/NN-slug.ipynb from lessons/.
// With --check it writes nothing and exits 1 when a committed notebook is stale, missing or orphaned,
// which is what CI and the pre-commit habit want.
import { checkTwins, loadLessons } from '../lesson.js';
import { notebookProblems, writeNotebooks } from '../notebook.js';
import { LessonError } from '../types.js';

const USAGE = `usage: seldon-lab notebooks [--check]

  Writes notebooks/<lang>/NN-slug.ipynb for every lesson in lessons/<lang>/,
  and removes generated notebooks whose lesson is gone.

  --check   write nothing; exit 1 and list the notebooks that are out of date`;

export async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--check' && a !== '--help' && a !== '-h');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (unknown.length > 0) {
    console.error(`seldon-lab notebooks: unknown argument ${unknown.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  try {
    const lessons = loadLessons();
    // Twins that disagree are for `npm test` to fail on; here they are a reminder, not a stop.
    for (const problem of checkTwins(lessons)) console.error(`warning: ${problem.message}`);
    if (argv.includes('--check')) {
      const problems = notebookProblems({ lessons });
      for (const p of problems) console.error(p.message);
      if (problems.length === 0) console.log('notebooks are up to date');
      return problems.length === 0 ? 0 : 1;
    }
    const { written, unchanged, removed } = writeNotebooks({ lessons });
    for (const file of written) console.log(`wrote ${file}`);
    for (const file of removed) console.log(`removed ${file} (its lesson is gone)`);
    console.log(`${written.length} written, ${unchanged.length} unchanged, ${removed.length} removed`);
    return 0;
  } catch (err) {
    // A lesson problem names its file and line: show just that, not a stack trace.
    if (err instanceof LessonError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}
