// SPDX-License-Identifier: Apache-2.0
// The course site: VitePress over lessons/, English at / and Korean at /ko/.
//
// lessons/ is the site's source folder (srcDir), so `@` in `<<< @/../lib/x.ts#region` is lessons/
// and `@/../lib` is the real lib/ folder: a lesson shows the code the tests run. The English folder
// is rewritten to the root (`en/01-x.md` → `/01-x`), the Korean one stays under /ko/. The sidebar
// comes from the lessons' front matter, the search understands Korean particles, and each lesson's
// notebook is copied into the built site for download.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfigWithTheme, type DefaultTheme } from 'vitepress';
import { withMermaid } from 'vitepress-plugin-mermaid';
import type { Lang } from '../../lib/course/types.js';
import { loadLessons, type LessonEntry } from './lessons.js';
import { KO_SEARCH, STRINGS, THEME_LABELS } from './locales.js';
import { markdownOptions } from './markdown.js';
import { isLessonPath } from './md-lesson-page.js';
import { copyNotebooks, hasNotebook, notebookPath, serveNotebooks } from './notebooks.js';
import { tokenize } from './search-tokenizer.js';

/**
 * The repository root. SELDON_LAB_ROOT wins (bin/seldon-lab.js sets it, and it lets a scratch copy
 * of lessons/ stand in for the real one); otherwise it is two folders above this file.
 */
const root = resolve(process.env.SELDON_LAB_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
// The course's parser (lib/course) finds the repository through the same variable; make sure it
// looks where the site looks, also when `vitepress build site` runs from another folder.
process.env.SELDON_LAB_ROOT = root;
const lessonsDir = join(root, 'lessons');
const notebooksDir = join(root, 'notebooks');

/** A cube (a model in a container), in the theme's brand colour. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#3451b2" d="M16 2 29 9v14l-13 7-13-7V9z"/>' +
  '<path fill="#fff" opacity=".85" d="M16 5.5 25.8 11 16 16.4 6.2 11z"/></svg>';

/** What the theme's components know about each lesson (themeConfig.lessons). */
export type ClientLesson = Pick<LessonEntry, 'slug' | 'number' | 'title' | 'needs' | 'description' | 'link'>;

export interface ThemeConfig extends DefaultTheme.Config {
  lessons?: ClientLesson[];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sidebar(lang: Lang, lessons: LessonEntry[]): DefaultTheme.SidebarItem[] {
  const strings = STRINGS[lang];
  return [
    {
      text: strings.lessons,
      items: lessons.map((lesson) => ({
        // Sidebar text is HTML in VitePress: the badge rides along (and is hidden in the doc footer).
        text:
          `<span class="lesson-number">${lesson.number}</span> ${escapeHtml(lesson.title)} ` +
          `<span class="needs-badge needs-${lesson.needs}" title="${escapeHtml(strings.needs[lesson.needs].explain)}">` +
          `${escapeHtml(strings.needs[lesson.needs].badge)}</span>`,
        link: lesson.link,
      })),
    },
  ];
}

function localeConfig(lang: Lang) {
  const lessons = loadLessons(lessonsDir, lang);
  const home = lang === 'en' ? '/' : `/${lang}/`;
  const themeConfig: ThemeConfig = {
    ...THEME_LABELS[lang],
    nav: [
      { text: STRINGS[lang].lessons, link: lessons[0]?.link ?? `${home}#lessons`, activeMatch: lang === 'en' ? '^/\\d{2}-' : `^/${lang}/\\d{2}-` },
    ],
    sidebar: sidebar(lang, lessons),
    lessons: lessons.map(({ slug, number, title, needs, description, link }) => ({ slug, number, title, needs, description, link })),
  };
  return {
    lang,
    label: lang === 'en' ? 'English' : '한국어',
    description:
      lang === 'en'
        ? 'Model serving on Kubernetes the Seldon Core way, hands-on, in TypeScript.'
        : 'Seldon Core 방식의 쿠버네티스 모델 서빙을 TypeScript로 직접 실습합니다.',
    themeConfig,
  };
}

export default withMermaid(
  defineConfigWithTheme<ThemeConfig>({
    title: 'seldon-lab',
    // An inline icon: without one the browser asks for /favicon.ico and logs a 404 on every page.
    head: [['link', { rel: 'icon', href: `data:image/svg+xml,${encodeURIComponent(FAVICON)}` }]],
    srcDir: lessonsDir,
    // lessons/README.md is the authors' guide to the format, not a page of the course.
    srcExclude: ['README.md'],
    rewrites: { 'en/:rest*': ':rest*' },
    cleanUrls: true,
    lastUpdated: true,
    locales: {
      root: localeConfig('en'),
      ko: { ...localeConfig('ko'), link: '/ko/' },
    },
    themeConfig: {
      search: {
        provider: 'local',
        options: {
          locales: { ko: { translations: KO_SEARCH } },
          // Shipped to the browser as source text; see search-tokenizer.ts for why that works.
          miniSearch: { options: { tokenize } },
        },
      },
    },
    markdown: markdownOptions(root),
    // Diagrams are ours and need no HTML or click handlers: keep Mermaid's sanitising on (the
    // plugin's default is 'loose').
    mermaid: { securityLevel: 'strict' },
    /** Tells the lesson header which notebook to offer; a missing notebook is simply not offered. */
    transformPageData(pageData) {
      if (!isLessonPath(pageData.relativePath)) return;
      const lang: Lang = pageData.relativePath.startsWith('ko/') ? 'ko' : 'en';
      const slug = pageData.relativePath.replace(/^ko\//, '').replace(/\.md$/, '');
      return { lesson: { lang, slug, notebook: hasNotebook(notebooksDir, lang, slug) ? notebookPath(lang, slug) : null } };
    },
    buildEnd(siteConfig) {
      copyNotebooks(notebooksDir, siteConfig.outDir);
    },
    vite: {
      plugins: [
        serveNotebooks(notebooksDir),
        {
          // The dev server's first HTML has no <head> from the config yet, so the browser asks.
          name: 'seldon-lab:favicon',
          configureServer(server) {
            server.middlewares.use('/favicon.ico', (_req, res) => {
              res.setHeader('Content-Type', 'image/svg+xml');
              res.end(FAVICON);
            });
          },
        },
      ],
      // The dev server reads lib/ for code embeds and notebooks/ for downloads, both outside lessons/.
      server: { fs: { allow: [root] } },
      // Mermaid's diagram chunks are large by nature and loaded only on pages with diagrams.
      build: { chunkSizeWarningLimit: 1500 },
      // The dev server must pre-bundle Mermaid: it imports CommonJS packages (fastdom, …) that a
      // browser cannot load as they are. The build bundles everything anyway.
      optimizeDeps: { include: ['mermaid'] },
    },
  }),
);
