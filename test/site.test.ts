// SPDX-License-Identifier: Apache-2.0
// The course site, built and opened in a real browser.
//
// Builds the site exactly as `npm run site:build` does (into a temporary folder, so a developer's
// site/.vitepress/dist is left alone), serves it on 127.0.0.1, and drives Debian's Chromium through
// playwright-core over every page in both languages: no console errors, the lesson's title, every
// expected output under its cell, diagrams drawn, Korean drawn with a Korean font (not boxes), and a
// Korean search that only works when our tokenizer runs in the browser. Each page leaves a
// screenshot in test-results/screenshots/ for a human to look at.
//
// The build is checked even without Chromium (it catches broken embeds and dead links); the browser
// part skips, saying what to install, when /usr/bin/chromium is missing.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLesson } from '../lib/course/lesson.js';
import { LANGS, type Lang } from '../lib/course/types.js';
import { fromRoot } from '../lib/paths.js';
import { loadLessons, type LessonEntry } from '../site/.vitepress/lessons.js';
import { hasNotebook, notebookPath } from '../site/.vitepress/notebooks.js';

/** The checkout holding this test: its site/ and node_modules/ (lessons/ come from fromRoot()). */
const checkout = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log('skipped: needs /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)');

/** One page the browser visits: a home page or a lesson. */
interface SitePage {
  lang: Lang;
  path: string;
  /** `index` for home pages, the lesson's slug otherwise */
  name: string;
  lesson?: LessonEntry;
}

const lessons: Record<Lang, LessonEntry[]> = { en: loadLessons(fromRoot('lessons'), 'en'), ko: loadLessons(fromRoot('lessons'), 'ko') };
const pages: SitePage[] = LANGS.flatMap((lang) => [
  { lang, path: lang === 'en' ? '/' : `/${lang}/`, name: 'index' },
  ...lessons[lang].map((lesson) => ({ lang, path: lesson.link, name: lesson.slug, lesson })),
]);

/** How many Mermaid diagrams a lesson draws (the lesson parser does not track shown blocks). */
function diagramCount(lesson: LessonEntry): number {
  return new MarkdownIt()
    .parse(readFileSync(lesson.file, 'utf8'), {})
    .filter((token) => token.type === 'fence' && token.info.trim() === 'mermaid').length;
}

// ── Build and serve ─────────────────────────────────────────────────────────────────────────

const outDir = mkdtempSync(join(tmpdir(), 'seldon-lab-site-'));
let server: Server | undefined;
let origin = '';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.woff2': 'font/woff2', '.svg': 'image/svg+xml', '.png': 'image/png', '.ipynb': 'application/x-ipynb+json',
};

/** A static server for the built site with clean URLs (`/01-x` → `01-x.html`), as any static host does it. */
function serve(root: string): Promise<Server> {
  const http = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const base = resolve(root, `.${path}`);
    const file = [base, `${base}.html`, join(base, 'index.html')].find(
      (candidate) => (candidate === root || candidate.startsWith(root + sep)) && isFile(candidate),
    );
    res.statusCode = file ? 200 : 404;
    res.setHeader('Content-Type', TYPES[extname(file ?? '.html')] ?? 'application/octet-stream');
    res.end(readFileSync(file ?? join(root, '404.html')));
  });
  return new Promise((ok, fail) => {
    http.once('error', fail);
    http.listen(0, '127.0.0.1', () => ok(http));
  });
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

let buildSeconds = 0;

/**
 * The environment for the build, as a shell would give it: vitest copies Vite's `import.meta.env`
 * into process.env (SSR=1, DEV=1, MODE=test, …), and a child Vite build that inherits those
 * renders nothing.
 */
function buildEnv(): NodeJS.ProcessEnv {
  const leaked = new Set(['TEST', 'NODE_ENV', 'MODE', 'BASE_URL', 'PROD', 'DEV', 'SSR']);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !leaked.has(key) && !key.startsWith('VITEST')));
}

beforeAll(async () => {
  const started = performance.now();
  const vitepress = join(checkout, 'node_modules', 'vitepress', 'bin', 'vitepress.js');
  const result = await new Promise<{ code: number; output: string }>((done) => {
    execFile(process.execPath, [vitepress, 'build', 'site', '--outDir', outDir], { cwd: checkout, env: buildEnv(), maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
  buildSeconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`vitepress build site failed (exit ${result.code}):\n${result.output.slice(-4000)}`);
  console.log(`site build: ${buildSeconds.toFixed(1)} s for ${pages.length} pages`);
  server = await serve(outDir);
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the static server has no TCP address');
  origin = `http://127.0.0.1:${address.port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  rmSync(outDir, { recursive: true, force: true });
});

describe('site build', () => {
  it('writes a page for each home page and lesson in both languages', () => {
    for (const page of pages) {
      const file = page.path.endsWith('/') ? join(outDir, page.path, 'index.html') : join(outDir, `${page.path}.html`);
      expect(existsSync(file), `${page.path} was not built (${file})`).toBe(true);
    }
    expect(existsSync(join(outDir, '404.html'))).toBe(true);
  });

  it('copies each existing notebook into the site, and leaves out the missing ones without failing', () => {
    for (const lang of LANGS) {
      for (const lesson of lessons[lang]) {
        const copied = existsSync(join(outDir, notebookPath(lang, lesson.slug)));
        expect(copied, `${lang}/${lesson.slug}.ipynb`).toBe(hasNotebook(fromRoot('notebooks'), lang, lesson.slug));
      }
    }
  });

  it('ships the search tokenizer to the browser as a function', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).toContain('"tokenize\\":\\"_vp-fn_function tokenize(text)');
  });
});

// ── In the browser ──────────────────────────────────────────────────────────────────────────

/**
 * Runs in the page: draws `sample` (Hangul) and a code point that no font has (U+0378, unassigned)
 * with the font of `selector`, and says whether the two drawings differ. Missing glyphs are all
 * drawn as the same "tofu" box, so identical pixels mean Korean came out as boxes.
 */
const GLYPH_PROBE = `(([selector, sample]) => {
  const el = document.querySelector(selector);
  if (!el) return { error: 'no element ' + selector };
  const font = getComputedStyle(el).font;
  const draw = (text) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext('2d');
    ctx.font = font.replace(/\\d+(\\.\\d+)?px/, '40px');
    ctx.fillStyle = '#000';
    ctx.textBaseline = 'top';
    ctx.fillText(text, 4, 4);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(',');
  };
  const hangul = draw(sample);
  return { font, differsFromTofu: hangul !== draw('\\u0378'), inked: /[1-9]/.test(hangul) };
})`;

/** Font families fontconfig says can draw Korean (empty when fc-list is not installed). */
function koreanFamilies(): Set<string> {
  const result = spawnSync('fc-list', [':lang=ko', 'family'], { encoding: 'utf8' });
  if (result.status !== 0) return new Set();
  return new Set(result.stdout.split('\n').flatMap((line) => line.split(',')).map((f) => f.trim()).filter(Boolean));
}

describe.skipIf(!hasChromium)('site in Chromium', () => {
  let context: BrowserContext;
  let profile: string;
  const shots = join(checkout, 'test-results', 'screenshots');

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'seldon-lab-chromium-'));
    mkdirSync(shots, { recursive: true });
    // A persistent context on a fresh folder = a fresh --user-data-dir; playwright adds --headless.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens a page and collects everything the browser complains about while it loads. */
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
    const response = await page.goto(origin + path, { waitUntil: 'load' });
    expect(response?.status(), `HTTP status of ${path}`).toBe(200);
    // VitePress hydrates after load; its dark/light switch exists only once the app is live.
    await page.locator('.VPSwitchAppearance').first().waitFor({ state: 'attached' });
    return { page, problems };
  }

  for (const sitePage of pages) {
    it(`${sitePage.path} renders${sitePage.lesson ? ` "${sitePage.lesson.title}"` : ''} without errors`, async () => {
      const { page, problems } = await open(sitePage.path);
      try {
        expect(await page.getAttribute('html', 'lang')).toBe(sitePage.lang);
        if (sitePage.lesson) await checkLesson(page, sitePage.lesson);
        else await expect.poll(() => page.locator('.VPHero .name').textContent()).toContain('seldon-lab');
        // A Korean page's prose (its title may be all Latin, e.g. "Helm"), or the home page's tagline.
        if (sitePage.lang === 'ko') await checkKoreanGlyphs(page, sitePage.lesson ? '.vp-doc p' : '.VPHero .text');
        await page.screenshot({ path: join(shots, `${sitePage.lang}-${sitePage.name}.png`), fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  async function checkLesson(page: Page, lesson: LessonEntry): Promise<void> {
    expect(await page.title()).toContain(lesson.title);
    expect(await page.locator('.vp-doc h1').first().textContent()).toContain(lesson.title);
    // The cells and outputs the notebook runner checks, read by the same parser.
    const { cells } = parseLesson(lesson.file);
    // Every runnable cell carries its number, in order.
    const numbers = await page.locator('.vp-doc .cell').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-cell'))));
    expect(numbers).toEqual(cells.map((cell) => cell.number));
    // Every expected output is on the page, under a label, with its text.
    const outputs = cells.flatMap((cell) => (cell.expected ? [cell.expected] : []));
    const shown = page.locator('.vp-doc .cell-output');
    expect(await shown.count()).toBe(outputs.length);
    for (const [i, output] of outputs.entries()) {
      const text = (await shown.nth(i).locator('pre').innerText()).trim();
      expect(text, `expected output at ${lesson.slug}.md:${output.line}`).toBe(output.text.trim());
    }
    // Diagrams are drawn (Mermaid renders on the client).
    const diagrams = diagramCount(lesson);
    if (diagrams > 0) await expect.poll(() => page.locator('.vp-doc .mermaid svg').count(), { timeout: 15_000 }).toBe(diagrams);
    // The notebook is offered when it exists, and then it downloads as a notebook.
    const link = page.locator('.vp-doc a.notebook-link');
    if (hasNotebook(fromRoot('notebooks'), lesson.lang, lesson.slug)) {
      const href = await link.getAttribute('href');
      expect(href).toBe(notebookPath(lesson.lang, lesson.slug));
      const notebook = (await (await fetch(origin + href)).json()) as { nbformat?: number };
      expect(notebook.nbformat).toBe(4);
    } else {
      expect(await link.count()).toBe(0);
      expect(await page.locator('.vp-doc .notebook-missing').count()).toBe(1);
    }
  }

  async function checkKoreanGlyphs(page: Page, selector: string): Promise<void> {
    const probe = (await page.evaluate(`${GLYPH_PROBE}(${JSON.stringify([selector, '한글'])})`)) as {
      error?: string; font?: string; differsFromTofu?: boolean; inked?: boolean;
    };
    expect(probe.error).toBeUndefined();
    expect(probe.inked, `nothing drawn for Hangul in ${probe.font}`).toBe(true);
    expect(probe.differsFromTofu, `Hangul is drawn as missing-glyph boxes in ${probe.font}; install fonts-noto-cjk`).toBe(true);
    // Which fonts Chromium actually used for the element, straight from its layout engine.
    const families = koreanFamilies();
    if (families.size === 0) return;
    const cdp = await page.context().newCDPSession(page);
    try {
      const { root } = (await cdp.send('DOM.getDocument')) as { root: { nodeId: number } };
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      await cdp.send('CSS.enable');
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      const used = fonts.map((f) => f.familyName);
      expect(used.some((family) => families.has(family)), `fonts used: ${used.join(', ')}; none can draw Korean`).toBe(true);
    } finally {
      await cdp.detach();
    }
  }

  it('Korean search finds a word by its stem, and by the stem with another particle', async () => {
    const { page, problems } = await open('/ko/');
    try {
      // The home page says "사이트를" (사이트 + the object particle 를).
      expect(await page.locator('.vp-doc').innerText()).toContain('사이트를');
      // The tokenizer arrived as a working function, not as a string.
      const stems = await page.evaluate(
        `window.__VP_SITE_DATA__.themeConfig.search.options.miniSearch.options.tokenize('사이트에서는')`,
      );
      expect(stems).toEqual(expect.arrayContaining(['사이트']));

      await page.locator('.VPNavBarSearch button').click();
      const input = page.locator('#localsearch-input');
      const hits = page.locator('.VPLocalSearchBox .results a.result');
      // The bare stem: 사이트 finds the section with 사이트를.
      await input.fill('사이트');
      await expect.poll(() => hits.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toContainEqual(
        expect.stringMatching(/^\/ko\/(#|$)/),
      );
      // Stem plus a different particle: 사이트에서는 is neither a prefix of 사이트를 nor within
      // MiniSearch's fuzzy distance of it; only the Korean tokenizer, running in this page, finds it.
      await input.fill('사이트에서는');
      await expect.poll(() => hits.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toContainEqual(
        expect.stringMatching(/^\/ko\/(#|$)/),
      );
      expect(await page.locator('.VPNavBarSearch .DocSearch-Button-Placeholder').textContent()).toBe('검색');
      await page.screenshot({ path: join(shots, 'ko-search.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('Korean pages use the Korean UI labels', async () => {
    const target = pages.find((p) => p.lang === 'ko' && p.lesson) ?? pages.find((p) => p.lang === 'ko');
    const { page, problems } = await open(target?.path ?? '/ko/');
    try {
      // Labels that every page has, whatever its content.
      expect(await page.locator('.VPNavBarTranslations button').first().getAttribute('aria-label')).toBe('언어 변경');
      expect(await page.locator('.VPNavBarAppearance .VPSwitchAppearance').getAttribute('title')).toBe('어두운 테마로 전환');
      // Labels that depend on the page: an outline when it has sections, prev/next between lessons.
      if (target?.lesson) {
        if ((await page.locator('.vp-doc h2').count()) > 0) {
          expect(await page.locator('.VPDocAsideOutline .outline-title').textContent()).toBe('이 페이지의 내용');
        }
        if (lessons.ko.length > 1) {
          expect(await page.locator('.VPDocFooter .pager .desc').allTextContents()).toEqual(
            expect.arrayContaining([expect.stringMatching(/^(이전 강의|다음 강의)$/)]),
          );
        }
      }
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
