// SPDX-License-Identifier: Apache-2.0
// An embed with a missing file or region stops the page with the lesson's file and line, instead of
// VitePress's bare ENOENT or, worse, the whole file shown in place of the region.
import { describe, expect, it } from 'vitest';
import { LessonError } from '../../lib/course/types.js';
import { lesson, useSiteRenderer } from './testing.js';

const { render } = useSiteRenderer({
  'lib/demo.ts': ['// #region shown', 'export const shown = 1;', '// #endregion shown', 'export const secret = 2;', ''].join('\n'),
});

const page = (embed: string) => lesson({ title: 'Embeds', order: 1 }, `Some text.\n\n${embed}\n`);

describe('code embeds', () => {
  it('render only the region', () => {
    const html = render('en/01-embeds.md', page('<<< @/../lib/demo.ts#shown'));
    expect(html).toContain('shown');
    expect(html).not.toContain('secret');
  });

  it('fail on a missing region, naming the lesson line and the regions there are', () => {
    // front matter (4 lines) + blank line + "Some text." + blank line: the embed is line 8.
    const error = (() => {
      try {
        render('en/01-embeds.md', page('<<< @/../lib/demo.ts#renamed'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LessonError);
    expect((error as LessonError).message).toBe(
      "lessons/en/01-embeds.md:8: there is no region 'renamed' in lib/demo.ts (its regions: shown)",
    );
  });

  it('fail on a missing file', () => {
    expect(() => render('en/01-embeds.md', page('<<< @/../lib/nowhere.ts#shown'))).toThrow(
      /lessons\/en\/01-embeds\.md:8: .*there is no file lib\/nowhere\.ts/,
    );
  });

  it('are checked on pages that are not lessons too', () => {
    expect(() => render('ko/index.md', '# 홈\n\n<<< @/../lib/demo.ts#renamed\n')).toThrow(/lessons\/ko\/index\.md:3: there is no region 'renamed'/);
  });
});
