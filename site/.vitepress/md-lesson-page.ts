// SPDX-License-Identifier: Apache-2.0
// The top of every lesson page: its title, then a header with what it needs and its notebook.
//
// A lesson's title lives in its front matter (the notebook uses it too), so a lesson body may start
// without a `# Title` line. This rule gives such a page its H1 from the front matter, and places the
// <LessonHeader /> component (theme/components/LessonHeader.vue) right under the H1 so that it sits
// in the page's flow and styles like the rest of the text.
import type { MarkdownRenderer as MarkdownIt } from 'vitepress';

/** Is this page a lesson (`NN-slug.md`, English or Korean)? */
export function isLessonPath(relativePath: string | undefined): boolean {
  return /^(?:(?:en|ko)\/)?\d{2}-[^/]+\.md$/.test(relativePath?.replace(/\\/g, '/') ?? '');
}

/** markdown-it plugin: ensure an H1 from the front matter title and add the lesson header. */
export function lessonPagePlugin(md: MarkdownIt): void {
  // Before 'inline', so the title we add is parsed (and given an anchor) like a written heading.
  md.core.ruler.before('inline', 'seldon-lab-lesson-page', (state) => {
    const env = state.env as { relativePath?: string; frontmatter?: { title?: unknown } };
    if (!isLessonPath(env.relativePath)) return;
    const tokens = state.tokens;
    let close = tokens.findIndex((t) => t.type === 'heading_close' && t.tag === 'h1');
    if (close < 0) {
      const title = typeof env.frontmatter?.title === 'string' ? env.frontmatter.title : '';
      const open = new state.Token('heading_open', 'h1', 1);
      open.markup = '#';
      open.block = true;
      open.map = [0, 1];
      const inline = new state.Token('inline', '', 0);
      // The title is plain text: escape what Markdown or HTML would read as markup (`<Foo>`, `*`).
      inline.content = title.replace(/[\\`*_{}[\]()#+\-.!<>|~&]/g, '\\$&');
      inline.map = [0, 1];
      inline.children = [];
      const end = new state.Token('heading_close', 'h1', -1);
      end.markup = '#';
      end.block = true;
      tokens.unshift(open, inline, end);
      close = 2;
    }
    const header = new state.Token('html_block', '', 0);
    header.content = '<LessonHeader />\n';
    header.block = true;
    tokens.splice(close + 1, 0, header);
  });
}
