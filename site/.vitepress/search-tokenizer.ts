// SPDX-License-Identifier: Apache-2.0
// The word splitter of the site's local search, written so that Korean words are found.
//
// MiniSearch (VitePress's local search) splits text on spaces and punctuation by default. Korean
// writes particles onto the word they mark: "학교에" is "학교" (school) + "에" (at), so a search for
// 학교 should find it, and a search for 학교에서 should find 학교는. This tokenizer therefore
//   1. splits text into words with Intl.Segmenter (Unicode word boundaries; also splits Chinese and
//      Japanese, which write no spaces at all),
//   2. for a Hangul word that ends in a particle, also emits the stem without it ("학교에" → "학교에",
//      "학교"), so that index and query meet at the stem,
//   3. for words the segmenter keeps whole, like "sample.yaml" or "spec.predictors", also emits the
//      parts, as the default tokenizer would.
//
// The same function tokenizes the pages at build time (in Node) and the queries in the browser.
// VitePress ships it to the browser as source text (`fn.toString()`, revived with `new Function`),
// so it must be self-contained: everything it uses is declared inside it, and it refers to nothing
// from this module. The unit tests check exactly that by reviving it the way VitePress does.

/** Splits `text` into search terms, adding the stems of Korean words that carry a particle. */
export function tokenize(text: string): string[] {
  // Particles (and the copula forms used in course prose), longest first so that 에서 wins over 에
  // and 으로 over 로. Only a word with at least one syllable left over is stemmed.
  const particles = [
    '에서는', '에게서', '으로는', '으로서', '으로써', '이라고', '입니다',
    '에서', '에게', '에는', '에도', '으로', '로는', '로서', '로써', '까지', '부터', '처럼', '보다',
    '한테', '께서', '이나', '이고', '이며', '이다', '라고', '과는', '와는', '이란',
    '은', '는', '이', '가', '을', '를', '에', '의', '로', '와', '과', '도', '만',
  ];
  const hangul = /^[\uAC00-\uD7A3]+$/;
  const inner = /[._:'’]+/;
  const terms: string[] = [];
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
  for (const { segment, isWordLike } of segmenter.segment(text)) {
    if (!isWordLike) continue;
    terms.push(segment);
    if (inner.test(segment)) {
      for (const part of segment.split(inner)) if (part) terms.push(part);
    }
    if (hangul.test(segment)) {
      const particle = particles.find((p) => segment.length > p.length && segment.endsWith(p));
      if (particle) terms.push(segment.slice(0, -particle.length));
    }
  }
  return terms;
}
