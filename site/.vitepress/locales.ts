// SPDX-License-Identifier: Apache-2.0
// Every word the site itself says, in English and Korean.
//
// VitePress 1.6 translates its theme per locale (`themeConfig` inside `locales`), but its Markdown
// labels (container titles, the copy button) are one global setting. The `markdown` strings below
// are therefore applied per page by our own Markdown plugins (md-labels.ts, md-cells.ts), keyed by
// the page's language. Keeping all of it in one file makes a missing translation easy to spot.
import type { DefaultTheme } from 'vitepress';
import type { Lang, LessonNeeds } from '../../lib/course/types.js';

/** Strings our Markdown plugins and Vue components use. */
export interface SiteStrings {
  lessons: string;
  /** "Cell 3": the number the test report names when a cell fails */
  cell: (n: number) => string;
  tsCell: string;
  bashRunCell: string;
  /** a `bash run fails` cell: the command must exit non-zero */
  bashRunFailsCell: string;
  expectedOutput: string;
  embeddedFrom: string;
  needs: Record<LessonNeeds, { badge: string; explain: string }>;
  notebook: string;
  notebookMissing: string;
  noLessons: string;
  copyCode: string;
  /** default titles of `::: tip` containers and `> [!TIP]` alerts */
  containers: Record<'tip' | 'info' | 'warning' | 'danger' | 'details' | 'note' | 'important' | 'caution', string>;
}

export const STRINGS: Record<Lang, SiteStrings> = {
  en: {
    lessons: 'Lessons',
    cell: (n) => `Cell ${n}`,
    tsCell: 'runs in the notebook and in the tests',
    bashRunCell: 'terminal command · runs in the tests',
    bashRunFailsCell: 'terminal command · runs in the tests, and must fail',
    expectedOutput: 'Expected output',
    embeddedFrom: 'from',
    needs: {
      none: { badge: 'no cluster', explain: 'Plain TypeScript: runs anywhere.' },
      sandbox: { badge: 'sandbox', explain: 'Needs a Kubernetes API: the embedded sandbox, or minikube when one answers.' },
      cluster: { badge: 'live cluster', explain: 'Needs a live cluster (minikube); skipped, with the reason printed, when none answers.' },
    },
    notebook: 'Download the notebook',
    notebookMissing: 'The notebook for this lesson has not been generated yet (npm run notebooks).',
    noLessons: 'No lessons yet.',
    copyCode: 'Copy code',
    containers: {
      tip: 'TIP', info: 'INFO', warning: 'WARNING', danger: 'DANGER', details: 'Details',
      note: 'NOTE', important: 'IMPORTANT', caution: 'CAUTION',
    },
  },
  ko: {
    lessons: '강의',
    cell: (n) => `셀 ${n}`,
    tsCell: '노트북과 테스트에서 실행됩니다',
    bashRunCell: '터미널 명령 · 테스트에서 실행됩니다',
    bashRunFailsCell: '터미널 명령 · 테스트에서 실행되며, 실패해야 합니다',
    expectedOutput: '예상 출력',
    embeddedFrom: '출처',
    needs: {
      none: { badge: '클러스터 불필요', explain: '순수 TypeScript: 어디서나 실행됩니다.' },
      sandbox: { badge: '샌드박스', explain: '쿠버네티스 API 가 필요합니다: 내장 샌드박스, 또는 응답하는 minikube.' },
      cluster: { badge: '실제 클러스터', explain: '실제 클러스터(minikube)가 필요합니다. 없으면 이유를 출력하고 건너뜁니다.' },
    },
    notebook: '노트북 내려받기',
    notebookMissing: '이 강의의 노트북이 아직 생성되지 않았습니다 (npm run notebooks).',
    noLessons: '아직 강의가 없습니다.',
    copyCode: '코드 복사',
    containers: {
      tip: '팁', info: '정보', warning: '경고', danger: '위험', details: '세부 정보',
      note: '참고', important: '중요', caution: '주의',
    },
  },
};

/** The language of a page, from its path in `lessons/` (or its rewritten path): `ko/…` is Korean. */
export function langOfPath(relativePath: string | undefined): Lang {
  return relativePath?.replace(/\\/g, '/').startsWith('ko/') ? 'ko' : 'en';
}

/** The theme's own labels for each locale; English ones are VitePress's defaults, listed to be explicit. */
export const THEME_LABELS: Record<Lang, Partial<DefaultTheme.Config>> = {
  en: {
    outline: { level: [2, 3], label: 'On this page' },
    docFooter: { prev: 'Previous lesson', next: 'Next lesson' },
    lastUpdated: { text: 'Last updated' },
    darkModeSwitchLabel: 'Appearance',
    lightModeSwitchTitle: 'Switch to light theme',
    darkModeSwitchTitle: 'Switch to dark theme',
    sidebarMenuLabel: 'Menu',
    returnToTopLabel: 'Return to top',
    langMenuLabel: 'Change language',
    skipToContentLabel: 'Skip to content',
    notFound: {
      title: 'PAGE NOT FOUND',
      quote: 'This page is not part of the course. The lessons are listed on the home page.',
      linkLabel: 'go to the home page',
      linkText: 'Back to the course',
    },
  },
  ko: {
    outline: { level: [2, 3], label: '이 페이지의 내용' },
    docFooter: { prev: '이전 강의', next: '다음 강의' },
    lastUpdated: { text: '마지막 수정' },
    darkModeSwitchLabel: '화면 모드',
    lightModeSwitchTitle: '밝은 테마로 전환',
    darkModeSwitchTitle: '어두운 테마로 전환',
    sidebarMenuLabel: '메뉴',
    returnToTopLabel: '맨 위로',
    langMenuLabel: '언어 변경',
    skipToContentLabel: '본문으로 건너뛰기',
    notFound: {
      title: '페이지를 찾을 수 없습니다',
      quote: '이 페이지는 강의에 없습니다. 강의 목록은 첫 페이지에 있습니다.',
      linkLabel: '첫 페이지로 이동',
      linkText: '강의로 돌아가기',
    },
  },
};

/** The search box's words in Korean (English uses VitePress's defaults). */
export const KO_SEARCH: DefaultTheme.LocalSearchOptions['translations'] = {
  button: { buttonText: '검색', buttonAriaLabel: '검색' },
  modal: {
    displayDetails: '상세 목록 표시',
    resetButtonTitle: '검색어 지우기',
    backButtonTitle: '검색 닫기',
    noResultsText: '검색 결과가 없습니다',
    footer: {
      selectText: '선택',
      selectKeyAriaLabel: '엔터',
      navigateText: '이동',
      navigateUpKeyAriaLabel: '위쪽 화살표',
      navigateDownKeyAriaLabel: '아래쪽 화살표',
      closeText: '닫기',
      closeKeyAriaLabel: 'Esc',
    },
  },
};
