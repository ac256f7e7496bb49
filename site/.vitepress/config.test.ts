// SPDX-License-Identifier: Apache-2.0
// The site config, loaded over a small course: English at the root and Korean under /ko/ with
// Korean labels, a sidebar per language from the lessons' front matter, the Korean-aware search
// tokenizer, and the lesson header's notebook link only where a notebook exists.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DefaultTheme, PageData, SiteConfig, UserConfig } from 'vitepress';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tokenize } from './search-tokenizer.js';
import { lesson, makeRepo } from './testing.js';

const root = makeRepo({
  'lessons/en/index.md': '---\nlayout: home\n---\n',
  'lessons/ko/index.md': '---\nlayout: home\n---\n',
  'lessons/en/01-custom-resources.md': lesson({ title: 'Custom Resources', order: 1, needs: 'none' }, 'Text.\n'),
  'lessons/en/02-operators.md': lesson({ title: 'Operators & <Loops>', order: 2, needs: 'sandbox' }, 'Text.\n'),
  'lessons/ko/01-custom-resources.md': lesson({ title: '커스텀 리소스', order: 1, needs: 'none' }, '본문.\n'),
  'notebooks/en/01-custom-resources.ipynb': '{"nbformat":4}',
});

type Config = UserConfig<DefaultTheme.Config & { lessons?: Array<{ slug: string; link: string }> }>;
let config: Config;
beforeAll(async () => {
  process.env.SELDON_LAB_ROOT = root;
  config = (await import('./config.js')).default as Config;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sidebarLinks = (locale: 'root' | 'ko') =>
  ((config.locales?.[locale]?.themeConfig?.sidebar as DefaultTheme.SidebarItem[])[0].items ?? []).map((item) => item.link);

describe('site config', () => {
  it('reads lessons/ with English at the root and Korean under /ko/', () => {
    expect(config.srcDir).toBe(join(root, 'lessons'));
    expect(config.rewrites).toEqual({ 'en/:rest*': ':rest*' });
    expect(config.srcExclude).toContain('README.md');
    expect(config.locales?.root).toMatchObject({ lang: 'en', label: 'English' });
    expect(config.locales?.ko).toMatchObject({ lang: 'ko', label: '한국어', link: '/ko/' });
  });

  it('builds each sidebar from that language’s lessons, in order, with a needs badge', () => {
    expect(sidebarLinks('root')).toEqual(['/01-custom-resources', '/02-operators']);
    expect(sidebarLinks('ko')).toEqual(['/ko/01-custom-resources']);
    const items = (config.locales?.root?.themeConfig?.sidebar as DefaultTheme.SidebarItem[])[0].items ?? [];
    expect(items[1].text).toBe(
      '<span class="lesson-number">02</span> Operators &amp; &lt;Loops&gt; ' +
        '<span class="needs-badge needs-sandbox" title="Needs a Kubernetes API: the embedded sandbox, or minikube when one answers.">sandbox</span>',
    );
    expect(config.locales?.ko?.themeConfig?.lessons?.map((l) => l.slug)).toEqual(['01-custom-resources']);
  });

  it('labels the Korean theme in Korean', () => {
    const ko = config.locales?.ko?.themeConfig;
    expect(ko?.docFooter).toEqual({ prev: '이전 강의', next: '다음 강의' });
    expect(ko?.outline).toMatchObject({ label: '이 페이지의 내용' });
    expect(ko?.darkModeSwitchLabel).toBe('화면 모드');
    expect(ko?.notFound?.title).toBe('페이지를 찾을 수 없습니다');
  });

  it('searches locally with the Korean-aware tokenizer, and Korean search labels', () => {
    const search = config.themeConfig?.search;
    expect(search?.provider).toBe('local');
    const options = search?.provider === 'local' ? search.options : undefined;
    expect(options?.miniSearch?.options?.tokenize).toBe(tokenize);
    expect(options?.locales?.ko?.translations?.button?.buttonText).toBe('검색');
  });

  it('tells a lesson page about its notebook only when the notebook exists', async () => {
    const transform = config.transformPageData as (page: PageData) => Promise<unknown> | unknown;
    const page = (relativePath: string) => ({ relativePath, filePath: relativePath }) as PageData;
    expect(await transform(page('01-custom-resources.md'))).toEqual({
      lesson: { lang: 'en', slug: '01-custom-resources', notebook: '/notebooks/en/01-custom-resources.ipynb' },
    });
    expect(await transform(page('ko/01-custom-resources.md'))).toEqual({
      lesson: { lang: 'ko', slug: '01-custom-resources', notebook: null },
    });
    expect(await transform(page('index.md'))).toBeUndefined();
  });

  it('copies the notebooks into the built site', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'seldon-lab-out-'));
    try {
      await config.buildEnd?.({ outDir } as SiteConfig);
      expect(existsSync(join(outDir, 'notebooks', 'en', '01-custom-resources.ipynb'))).toBe(true);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});

describe('site config without lessons', () => {
  it('still makes a site: empty sidebars, and the nav points at the home page list', async () => {
    const empty = makeRepo({ 'lessons/en/index.md': '---\nlayout: home\n---\n' });
    try {
      vi.resetModules();
      process.env.SELDON_LAB_ROOT = empty;
      const bare = (await import('./config.js')).default as Config;
      for (const locale of ['root', 'ko'] as const) {
        expect((bare.locales?.[locale]?.themeConfig?.sidebar as DefaultTheme.SidebarItem[])[0].items).toEqual([]);
      }
      expect(bare.locales?.root?.themeConfig?.nav).toEqual([expect.objectContaining({ link: '/#lessons' })]);
      expect(bare.locales?.ko?.themeConfig?.nav).toEqual([expect.objectContaining({ link: '/ko/#lessons' })]);
    } finally {
      process.env.SELDON_LAB_ROOT = root;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
