// SPDX-License-Identifier: Apache-2.0
// The search tokenizer: Korean stems are found, other scripts still split the way a reader expects,
// and the function survives the trip to the browser (VitePress revives it from its source text).
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import { tokenize } from './search-tokenizer.js';

/** What VitePress does with a function in the theme config: ship `toString()`, revive with `new Function`. */
function revive(fn: (text: string) => string[]): (text: string) => string[] {
  return new Function(`return ${fn.toString()}`)() as (text: string) => string[];
}

/** The search options VitePress's search box uses, with our tokenizer: a realistic index. */
function indexOf(docs: Array<{ id: string; text: string }>, tokenizer?: (text: string) => string[]): MiniSearch {
  const index = new MiniSearch({
    fields: ['text'],
    searchOptions: { fuzzy: 0.2, prefix: true },
    ...(tokenizer ? { tokenize: tokenizer } : {}),
  });
  index.addAll(docs);
  return index;
}

describe('tokenize', () => {
  it('adds the stem of a Korean word that carries a particle', () => {
    expect(tokenize('학교에 갑니다')).toEqual(expect.arrayContaining(['학교에', '학교']));
    expect(tokenize('모델을 배포합니다')).toEqual(expect.arrayContaining(['모델을', '모델']));
  });

  it('strips the longest particle, not a shorter one that ends it', () => {
    // 에서 ends with 서, not with 에; 으로 must win over 로 so the stem is 클러스터, not 클러스터으.
    expect(tokenize('클러스터에서')).toContain('클러스터');
    expect(tokenize('클러스터으로')).toContain('클러스터');
    expect(tokenize('클러스터으로')).not.toContain('클러스터으');
  });

  it('keeps a word that is only a particle and never emits an empty stem', () => {
    const terms = tokenize('CR은 는');
    expect(terms).toEqual(['CR', '은', '는']);
    expect(terms).not.toContain('');
  });

  it('splits words from other scripts at their boundaries, like the default tokenizer would', () => {
    expect(tokenize('kubectl apply -f sample.yaml')).toEqual(expect.arrayContaining(['kubectl', 'apply', 'f', 'sample', 'yaml']));
    expect(tokenize('SeldonDeployment의 spec.predictors')).toEqual(
      expect.arrayContaining(['SeldonDeployment', 'spec.predictors', 'spec', 'predictors']),
    );
  });

  it('drops spaces and punctuation', () => {
    expect(tokenize(' , . ! ')).toEqual([]);
  });

  it('is self-contained, so VitePress can ship it to the browser as source text', () => {
    const revived = revive(tokenize);
    const sample = '학교에서 SeldonDeployment를 sample.yaml로 만듭니다.';
    expect(revived(sample)).toEqual(tokenize(sample));
  });
});

describe('tokenize in MiniSearch (the local search of the site)', () => {
  const docs = [
    { id: 'school', text: '아이들이 학교에 갑니다.' },
    { id: 'other', text: '모델을 클러스터에 배포합니다.' },
  ];

  it('finds a Korean word by its stem', () => {
    expect(indexOf(docs, tokenize).search('학교').map((r) => r.id)).toContain('school');
  });

  it('finds a word by the same stem with a different particle attached, which the default tokenizer misses', () => {
    // 학교에서는 shares only the stem with 학교에: too far apart for fuzzy matching, not a prefix.
    expect(indexOf(docs).search('학교에서는').map((r) => r.id)).not.toContain('school');
    expect(indexOf(docs, tokenize).search('학교에서는').map((r) => r.id)).toContain('school');
  });

  it('still answers the revived copy the same way, as the browser will', () => {
    const revived = revive(tokenize);
    expect(indexOf(docs, revived).search('모델은').map((r) => r.id)).toEqual(['other']);
  });
});
