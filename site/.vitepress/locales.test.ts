// SPDX-License-Identifier: Apache-2.0
// Every string the site says exists in both languages, and a page's language follows its path.
import { describe, expect, it } from 'vitest';
import { KO_SEARCH, langOfPath, STRINGS, THEME_LABELS } from './locales.js';

/** The key paths of an object, e.g. `needs.sandbox.badge`, to compare translations by shape. */
function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key)).sort();
}

describe('translations', () => {
  it('cover the same strings in English and Korean', () => {
    expect(keys(STRINGS.ko)).toEqual(keys(STRINGS.en));
    expect(keys(THEME_LABELS.ko)).toEqual(keys(THEME_LABELS.en));
  });

  it('are really translated, apart from names and code', () => {
    const same = keys(STRINGS.en).filter((key) => {
      const get = (o: unknown) => key.split('.').reduce((v: unknown, k) => (v as Record<string, unknown>)[k], o);
      return typeof get(STRINGS.en) === 'string' && get(STRINGS.en) === get(STRINGS.ko);
    });
    expect(same).toEqual([]);
    expect(STRINGS.ko.cell(3)).toBe('셀 3');
  });

  it('give the search box Korean words', () => {
    expect(KO_SEARCH?.button?.buttonText).toBe('검색');
    expect(KO_SEARCH?.modal?.noResultsText).toBe('검색 결과가 없습니다');
  });
});

describe('langOfPath', () => {
  it.each([
    ['ko/01-custom-resources.md', 'ko'],
    ['ko/index.md', 'ko'],
    ['en/01-custom-resources.md', 'en'],
    ['01-custom-resources.md', 'en'],
    ['korean-notes.md', 'en'],
    [undefined, 'en'],
  ])('%s is %s', (path, lang) => {
    expect(langOfPath(path)).toBe(lang);
  });
});
