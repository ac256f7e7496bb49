// SPDX-License-Identifier: Apache-2.0
// Code embedded in a page must exist, region included, or the page does not render.
//
// `<<< @/../lib/operator/render.ts#render` shows the tested code of lib/ in a lesson. VitePress 1.6
// fails on a missing file with a bare ENOENT, and on a missing region it quietly shows the whole
// file, so a renamed region would put the whole file into a lesson without anyone noticing. Before
// any embed renders, this rule resolves it with the course's own resolver (lib/course/regions.ts,
// the one the notebook generator uses), which fails with the lesson's file and line and says what
// to do. Lesson files are also checked when the config loads them; this catches pages edited while
// the dev server runs, and pages that are not lessons (the home pages).
import { readFileSync } from 'node:fs';
import type { MarkdownRenderer as MarkdownIt } from 'vitepress';
import { displayPath } from '../../lib/course/lesson.js';
import { resolveEmbed } from '../../lib/course/regions.js';
import { embedSource } from './md-cells.js';

interface PageEnv {
  /** absolute path of the page's Markdown file (VitePress sets it) */
  path?: string;
}

/** markdown-it plugin: throw a LessonError for an embed whose file or region does not exist. */
export function embedsPlugin(md: MarkdownIt): void {
  md.core.ruler.push('seldon-lab-embeds', (state) => {
    const embeds = state.tokens.filter((token) => embedSource(token) && token.map);
    if (embeds.length === 0) return;
    const file = (state.env as PageEnv).path ?? '(page)';
    const body = state.src.split('\n');
    // VitePress parses the body without its front matter; count those lines back in for messages.
    const offset = countLines(file) - body.length;
    for (const token of embeds) {
      const at = (token.map as [number, number])[0];
      const spec = /^ {0,3}<<<\s*(.*?)\s*$/.exec(body[at] ?? '')?.[1];
      if (!spec) continue;
      resolveEmbed(spec, { file, line: offset + at + 1, where: displayPath(file) });
    }
  });
}

function countLines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').length;
  } catch {
    return 0;
  }
}
