// SPDX-License-Identifier: Apache-2.0
// How a lesson's cells look on the site.
//
// A lesson is Markdown whose fences mean something (lessons/README.md): ` ```ts ` and ` ```bash run `
// (also ` ```bash run fails `) are cells that the notebook runs and `npm test` checks, ` ```output `
// is what the cell above must print, and ` ```bash ` without `run` is only shown. The site makes
// that visible: each runnable cell carries its number (the number a failing test names) and says
// where it runs, an expected output sits under its cell in a labelled style of its own, and code
// embedded from lib/ (`<<< @/../lib/…`) names the file it comes from.
//
// Numbering happens in a core rule, once per page, in document order, counting exactly what the
// lesson parser (lib/course/lesson.ts) counts: `ts` and `bash run` fences, not `<<<` embeds. The
// renderer only reads it.
import { relative } from 'node:path';
import type { MarkdownRenderer as MarkdownIt } from 'vitepress';
import { langOfPath, STRINGS } from './locales.js';

type Token = ReturnType<MarkdownIt['parse']>[number];

/** What a fence is, by its info string (`ts`, `bash run`, `output`, `ts timeout=120`, …). */
export type FenceKind = 'ts' | 'bash-run' | 'output' | 'shown';

export function fenceKind(info: string): FenceKind {
  const [lang = '', ...flags] = info.trim().split(/\s+/);
  if (lang === 'ts') return 'ts';
  if (lang === 'bash' && flags.includes('run')) return 'bash-run';
  if (lang === 'output') return 'output';
  return 'shown';
}

interface CellMeta {
  kind: FenceKind;
  /** 1-based among the page's runnable cells; absent for output and shown blocks */
  number?: number;
  /** `bash run fails`: the command is expected to exit non-zero */
  fails?: boolean;
}

export interface CellsOptions {
  /** repository root, to name embedded files relative to it (`lib/operator/render.ts`) */
  root: string;
}

/** Are we on a lesson page (`NN-slug.md`)? Home pages get plain code blocks. */
function isLessonPage(env: { relativePath?: string }): boolean {
  return /(^|\/)\d{2}-[^/]+\.md$/.test(env.relativePath?.replace(/\\/g, '/') ?? '');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** markdown-it plugin: number and label the cells of a lesson page. Install after VitePress's own. */
export function cellsPlugin(md: MarkdownIt, options: CellsOptions): void {
  md.core.ruler.push('seldon-lab-cells', (state) => {
    if (!isLessonPage(state.env as { relativePath?: string })) return;
    let number = 0;
    for (const token of state.tokens) {
      if (token.type !== 'fence' || embedSource(token)) continue;
      const kind = fenceKind(token.info);
      const meta: CellMeta = kind === 'ts' || kind === 'bash-run' ? { kind, number: ++number } : { kind };
      if (kind === 'bash-run' && /\sfails(\s|$)/.test(token.info)) meta.fails = true;
      token.meta = { ...(token.meta as object | null), seldonCell: meta };
    }
  });

  const fence = md.renderer.rules.fence;
  if (!fence) throw new Error('cellsPlugin: markdown-it has no fence renderer; install it after VitePress sets up its own');
  md.renderer.rules.fence = (tokens, idx, opts, env, self) => {
    const token = tokens[idx];
    const strings = STRINGS[langOfPath((env as { relativePath?: string }).relativePath)];
    const source = embedSource(token);
    if (source) {
      const label = `${escapeHtml(relative(options.root, source.file).replace(/\\/g, '/'))}${source.region ? `#${escapeHtml(source.region)}` : ''}`;
      return `<div class="code-embed"><div class="code-embed-label">${strings.embeddedFrom} <code>${label}</code></div>${fence(tokens, idx, opts, env, self)}</div>`;
    }
    const meta = (token.meta as { seldonCell?: CellMeta } | null)?.seldonCell;
    if (!meta || meta.kind === 'shown') return fence(tokens, idx, opts, env, self);
    if (meta.kind === 'output') {
      // Shiki does not know "output": show it as plain text, without a language tag.
      token.info = 'txt';
      const html = fence(tokens, idx, opts, env, self);
      return `<div class="cell-output"><div class="cell-output-label">${strings.expectedOutput}</div>${html}</div>`;
    }
    const note = meta.kind === 'ts' ? strings.tsCell : meta.fails ? strings.bashRunFailsCell : strings.bashRunCell;
    const html = fence(tokens, idx, opts, env, self);
    return (
      `<div class="cell cell-${meta.kind}" data-cell="${meta.number}">` +
      `<div class="cell-label"><span class="cell-number">${strings.cell(meta.number ?? 0)}</span>` +
      `<span class="cell-note">${note}</span></div>${html}</div>`
    );
  };
}

/** The file and region of a `<<< @/…#region` embed (VitePress's snippet plugin sets `token.src`). */
export function embedSource(token: Token): { file: string; region?: string } | undefined {
  const src = (token as Token & { src?: [string, string?] }).src;
  if (!src?.[0]) return undefined;
  return { file: src[0], ...(src[1] ? { region: src[1] } : {}) };
}
