// SPDX-License-Identifier: Apache-2.0
// The course's Markdown setup, in one place for the site config and the tests: VitePress's options
// plus our plugins, installed in the order they depend on each other.
import cjkFriendly from 'markdown-it-cjk-friendly';
import type { MarkdownOptions, MarkdownRenderer } from 'vitepress';
import { cellsPlugin } from './md-cells.js';
import { embedsPlugin } from './md-embeds.js';
import { COPY_TITLE_EN, labelsPlugin } from './md-labels.js';
import { lessonPagePlugin } from './md-lesson-page.js';

/** Markdown options for a site whose repository root is `root` (embeds are named relative to it). */
export function markdownOptions(root: string): MarkdownOptions {
  return {
    codeCopyButtonTitle: COPY_TITLE_EN,
    config(md) {
      // CommonMark does not close `**강조**` when a particle follows it (`**리소스**는`), so Korean
      // bold and italics would show their asterisks; this plugin applies the CJK-aware rule.
      // (Typed against markdown-it's own types; VitePress ships its own copy of the same API.)
      md.use(cjkFriendly as unknown as (md: MarkdownRenderer) => void);
      md.use(lessonPagePlugin); // before 'inline': the H1 it may add is parsed like a written one
      md.use(embedsPlugin); // fails early on a missing file or region
      md.use(cellsPlugin, { root }); // numbers and labels cells, wraps VitePress's fence renderer
      md.use(labelsPlugin); // last: translates what the others rendered, copy button included
    },
  };
}
