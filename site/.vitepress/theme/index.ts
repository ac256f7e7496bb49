// SPDX-License-Identifier: Apache-2.0
// The site's theme: VitePress's default theme plus the few pieces a course needs: a header on each
// lesson (what it needs, its notebook), the lesson list of the home pages, and the styles that set
// cells, expected outputs and embedded code apart.
import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import LessonHeader from './components/LessonHeader.vue';
import LessonList from './components/LessonList.vue';
import NeedsBadge from './components/NeedsBadge.vue';
import './style.css';

const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    // Used by name in Markdown: md-lesson-page.ts inserts <LessonHeader />, the home pages use <LessonList />.
    app.component('LessonHeader', LessonHeader);
    app.component('LessonList', LessonList);
    app.component('NeedsBadge', NeedsBadge);
  },
};

export default theme;
