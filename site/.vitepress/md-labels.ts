// SPDX-License-Identifier: Apache-2.0
// Korean titles for Markdown containers and alerts, and a Korean copy button, on Korean pages.
//
// VitePress 1.6 takes these labels from one global `markdown` option, so every locale would say
// "TIP" and "Copy Code". This plugin fills in the page's language instead: a container or alert
// without an explicit title gets the translated default, and the copy button's title is replaced
// in the rendered code block. English pages keep VitePress's defaults.
import type { MarkdownRenderer as MarkdownIt } from 'vitepress';
import { langOfPath, STRINGS, type SiteStrings } from './locales.js';

type ContainerKind = keyof SiteStrings['containers'];
const KINDS = Object.keys(STRINGS.en.containers) as ContainerKind[];

/** The copy button title VitePress is configured with (config.ts passes the same constant). */
export const COPY_TITLE_EN = STRINGS.en.copyCode;

/** markdown-it plugin: translate default container/alert titles and the copy button per page. */
export function labelsPlugin(md: MarkdownIt): void {
  // Runs at the end of the core chain: after block parsing (containers) and VitePress's
  // github-alerts rule, which has already turned `> [!TIP]` into an alert token with a title.
  md.core.ruler.push('seldon-lab-labels', (state) => {
    const lang = langOfPath((state.env as { relativePath?: string }).relativePath);
    if (lang === 'en') return;
    const titles = STRINGS[lang].containers;
    for (const token of state.tokens) {
      const container = /^container_(\w+)_open$/.exec(token.type);
      if (container && (KINDS as string[]).includes(container[1]) && token.info.trim() === container[1]) {
        token.info = `${container[1]} ${titles[container[1] as ContainerKind]}`;
      }
      if (token.type === 'github_alert_open') {
        const meta = token.meta as { title?: string; type?: string } | null;
        const kind = meta?.type as ContainerKind | undefined;
        if (meta && kind && KINDS.includes(kind) && meta.title === STRINGS.en.containers[kind]) {
          meta.title = titles[kind];
        }
      }
    }
  });

  const fence = md.renderer.rules.fence;
  if (!fence) throw new Error('labelsPlugin: markdown-it has no fence renderer; install it after VitePress sets up its own');
  const englishTitle = `title="${COPY_TITLE_EN}"`;
  md.renderer.rules.fence = (tokens, idx, opts, env, self) => {
    const html = fence(tokens, idx, opts, env, self);
    const lang = langOfPath((env as { relativePath?: string }).relativePath);
    return lang === 'en' ? html : html.replace(englishTitle, `title="${STRINGS[lang].copyCode}"`);
  };
}
