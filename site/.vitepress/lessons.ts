// SPDX-License-Identifier: Apache-2.0
// The site's view of the course: which lessons exist, in what order, and what each needs.
//
// The sidebar, the home pages' lesson list and each lesson's header all come from the lessons' own
// front matter, so a new lesson file appears on the site without touching the site. The lessons are
// read by the course's own parser (lib/course/lesson.ts), the one the notebooks and `npm test` use,
// so the site never disagrees with them about what a lesson is, and a malformed lesson stops the
// build with its file and line instead of quietly vanishing from the sidebar.
import { loadLessons as parseLessons } from '../../lib/course/lesson.js';
import type { Lang, LessonNeeds } from '../../lib/course/types.js';

/** One lesson as the site shows it. */
export interface LessonEntry {
  lang: Lang;
  /** the file name without `.md`, e.g. "01-custom-resources"; also the notebook's name */
  slug: string;
  /** the NN of the file name, e.g. "01" */
  number: string;
  title: string;
  order: number;
  needs: LessonNeeds;
  description?: string;
  /** the page's path on the site: `/01-custom-resources` (English) or `/ko/01-custom-resources` */
  link: string;
  /** absolute path of the lesson file */
  file: string;
}

/** Where a lesson page lives on the site: English at the root (config.ts rewrites en/), Korean under /ko/. */
export function lessonLink(lang: Lang, slug: string): string {
  return lang === 'en' ? `/${slug}` : `/${lang}/${slug}`;
}

/**
 * The lessons of one language in `lessonsDir` (the folder holding en/ and ko/), sorted by `order`.
 * A missing language folder means no lessons yet: the site still builds, with an empty sidebar.
 */
export function loadLessons(lessonsDir: string, lang: Lang): LessonEntry[] {
  return parseLessons(lang, lessonsDir).map((lesson) => ({
    lang,
    slug: lesson.slug,
    number: lesson.number,
    title: lesson.meta.title,
    order: lesson.meta.order,
    needs: lesson.meta.needs,
    ...(lesson.meta.description ? { description: lesson.meta.description } : {}),
    link: lessonLink(lang, lesson.slug),
    file: lesson.file,
  }));
}
