// SPDX-License-Identifier: Apache-2.0
// Code embeds in lesson prose: `<<< @/../lib/operator/render.ts#render` shows the region `render` of
// that file, so the code a lesson explains is the code the tests run.
//
// This is VitePress's own snippet syntax (the site renders it itself); the notebook generator expands
// it here the same way, so the notebook and the page show the same lines:
// - `@` is the site's source folder, `lessons/`, so `@/../lib/...` is a path from the repository
//   root; a path without `@` is relative to the lesson file;
// - `#name` picks the lines between `// #region name` and `// #endregion name` (also `# region`
//   for YAML and shell files, `/* #region */` and `<!-- #region -->`), drops any marker lines inside,
//   and removes the common indentation;
// - `{ts}` after it names the language of the code block (default: the file's extension);
//   `{1,3}` line highlights and a `[title]` are accepted and ignored here.
import MarkdownIt from 'markdown-it';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fromRoot, repoRoot } from '../paths.js';
import { LessonError } from './types.js';

/** Where an embed line is: for error messages. */
export interface EmbedOrigin {
  /** absolute path of the lesson file (relative embeds are resolved from its folder) */
  file: string;
  /** 1-based line of the embed in the lesson file */
  line: number;
  /** how to name the lesson file in messages (default: `file`) */
  where?: string;
}

export interface ResolvedEmbed {
  /** language of the code block: `{lang}` or the file's extension */
  lang: string;
  code: string;
}

/** `<<< path#region{…}[…]` at the start of a line (up to three spaces in, as Markdown allows). */
const EMBED_LINE = /^ {0,3}<<<\s*(.*?)\s*$/;
/** The part after `<<<`: a path, an optional `#region`, `{lines lang}` and `[title]`. */
const EMBED_SPEC = /^([^\s#{[]+)(?:#([\w-]+))?\s*(?:\{([^}]*)\})?\s*(?:\[[^\]]*\])?$/;

/** Comment styles a region marker may use; an end marker must use its start marker's style. */
const MARKER_STYLES: readonly ((kind: string) => RegExp)[] = [
  (kind) => new RegExp(`^// ?#?(${kind})(?: ([\\w*-]+))?$`), // TypeScript, JavaScript
  (kind) => new RegExp(`^/\\* ?#(${kind})(?: ([\\w*-]+))? ?\\*/$`), // CSS
  (kind) => new RegExp(`^<!-- #?(${kind})(?: ([\\w*-]+))? -->$`), // HTML, Markdown
  (kind) => new RegExp(`^# ?(${kind})(?: ([\\w*-]+))?$`), // YAML, shell, Python
];

/** The code an embed spec (the text after `<<<`) points at. Throws `LessonError`. */
export function resolveEmbed(spec: string, origin: EmbedOrigin): ResolvedEmbed {
  const where = origin.where ?? origin.file;
  const fail = (detail: string): never => {
    throw new LessonError(where, origin.line, detail);
  };
  const m = EMBED_SPEC.exec(spec.trim());
  if (!m) return fail(`cannot read the code embed '<<< ${spec}': write <<< @/../lib/<file>#<region>`);
  const [, rawPath, region, options = ''] = m;
  const path = rawPath.startsWith('@')
    ? resolve(fromRoot('lessons'), `.${rawPath.slice(1)}`)
    : resolve(dirname(origin.file), rawPath);
  const shown = showPath(path);
  if (!existsSync(path) || !statSync(path).isFile()) {
    return fail(`code embed '<<< ${spec}': there is no file ${shown}`);
  }
  const lang = options.split(/\s+/).find((w) => w !== '' && !/^\d+(?:[,-]\d+)*$/.test(w)) ?? extname(path).slice(1);
  const text = readFileSync(path, 'utf8').replace(/\r\n?/g, '\n');
  const code = region ? extractRegion(text, region, shown, fail) : text.replace(/\n$/, '');
  return { lang, code };
}

/** Replaces every embed line of a Markdown text (outside code blocks) by a fenced code block. */
export function expandEmbeds(markdown: string, file: string, firstLine: number, where?: string): string {
  const lines = markdown.split('\n');
  const inCode = new Set<number>();
  for (const token of new MarkdownIt({ html: true }).parse(markdown, {})) {
    if ((token.type === 'fence' || token.type === 'code_block') && token.map) {
      for (let i = token.map[0]; i < token.map[1]; i++) inCode.add(i);
    }
  }
  return lines
    .map((line, i) => {
      const m = inCode.has(i) ? null : EMBED_LINE.exec(line);
      if (!m) return line;
      const { lang, code } = resolveEmbed(m[1], { file, line: firstLine + i, where });
      const fence = '`'.repeat(Math.max(3, longestBacktickRun(code) + 1));
      return `${fence}${lang}\n${code}\n${fence}`;
    })
    .join('\n');
}

function extractRegion(text: string, name: string, shown: string, fail: (d: string) => never): string {
  const lines = text.split('\n');
  for (const style of MARKER_STYLES) {
    const start = lines.findIndex((l) => matches(style('region'), l, name));
    if (start < 0) continue;
    const endMarker = style('endregion');
    const end = lines.findIndex((l, i) => i > start && matches(endMarker, l, name));
    if (end < 0) {
      const bare = lines.findIndex((l, i) => i > start && matches(endMarker, l, undefined));
      return fail(
        bare >= 0
          ? `region '${name}' in ${shown}:${bare + 1} ends with an end marker without the name: ` +
              `name it (e.g. '// #endregion ${name}'), as VitePress, which renders the site, needs`
          : `region '${name}' in ${shown}:${start + 1} has no end marker (e.g. '// #endregion ${name}')`,
      );
    }
    const markers = [style('region'), endMarker];
    const body = lines.slice(start + 1, end).filter((l) => !markers.some((re) => re.test(l.trim())));
    return dedent(body).join('\n');
  }
  const known = lines.flatMap((l) => {
    for (const style of MARKER_STYLES) {
      const m = style('region').exec(l.trim());
      if (m?.[2]) return [m[2]];
    }
    return [];
  });
  return fail(
    `there is no region '${name}' in ${shown}` +
      (known.length ? ` (its regions: ${known.join(', ')})` : ': mark it with // #region and // #endregion lines'),
  );
}

/** Whether `line` is a marker of `re` for region `name` (`undefined`: a marker without a name). */
function matches(re: RegExp, line: string, name: string | undefined): boolean {
  const m = re.exec(line.trim());
  return m !== null && m[2] === name;
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(cut, /^[ \t]*/.exec(l)![0].length)));
}

function longestBacktickRun(code: string): number {
  return Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
}

function showPath(path: string): string {
  let root: string;
  try {
    root = repoRoot();
  } catch {
    return path;
  }
  const rel = relative(root, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}
