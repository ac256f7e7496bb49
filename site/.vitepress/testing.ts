// SPDX-License-Identifier: Apache-2.0
// Helpers for the site's unit tests: a throw-away repository (package.json, lessons/, lib/,
// notebooks/) and VitePress's real Markdown renderer with the course's plugins, so the tests see
// the HTML the site serves, not a mock of it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createMarkdownRenderer } from 'vitepress';
import { markdownOptions } from './markdown.js';

/** Writes `files` (path relative to the new root → content) under a fresh folder that looks like the kit. */
export function makeRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'seldon-lab-site-test-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'seldon-lab', private: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A lesson file's text with front matter. */
export function lesson(meta: { title: string; order: number; needs?: string; description?: string }, body: string): string {
  const lines = ['---', `title: ${meta.title}`, `order: ${meta.order}`];
  if (meta.needs) lines.push(`needs: ${meta.needs}`);
  if (meta.description) lines.push(`description: ${meta.description}`);
  return [...lines, '---', '', body].join('\n');
}

/**
 * Renders pages of `root`/lessons the way the site does. VitePress keeps one renderer per process,
 * so a test file uses one root. Each page is written to disk first, as VitePress reads it from there.
 */
export async function siteRenderer(root: string): Promise<(relativePath: string, text: string) => string> {
  const srcDir = join(root, 'lessons');
  const md = await createMarkdownRenderer(srcDir, markdownOptions(root));
  return (relativePath, text) => {
    const path = join(srcDir, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return md.render(text, { path, relativePath, cleanUrls: true, includes: [] });
  };
}

/**
 * The usual setup of a site test file: a throw-away repository with `files`, made the kit's root
 * (SELDON_LAB_ROOT), the renderer built before the tests and the folder removed after them.
 */
export function useSiteRenderer(files: Record<string, string> = {}): { root: string; render: (relativePath: string, text: string) => string } {
  const root = makeRepo(files);
  process.env.SELDON_LAB_ROOT = root;
  let renderer: Awaited<ReturnType<typeof siteRenderer>> | undefined;
  beforeAll(async () => {
    renderer = await siteRenderer(root);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return {
    root,
    render: (relativePath, text) => {
      if (!renderer) throw new Error('the site renderer is made in beforeAll: render inside a test');
      return renderer(relativePath, text);
    },
  };
}
