// SPDX-License-Identifier: Apache-2.0
// The shapes shared by the lesson parser, the notebook generator, the notebook runner and the site.
// A lesson file is the single source; everything else is derived from these values.

/** What a lesson needs around it to run. */
export type LessonNeeds =
  /** nothing: plain TypeScript, runs anywhere */
  | 'none'
  /** a Kubernetes API: the embedded sandbox, or a live cluster when one answers */
  | 'sandbox'
  /** a live cluster (minikube): skipped, with the reason printed, when none answers */
  | 'cluster';

export type Lang = 'ko' | 'en';
export const LANGS: readonly Lang[] = ['en', 'ko'];

/** The front matter of a lesson. */
export interface LessonMeta {
  title: string;
  /** position in the course; also the NN of the file name */
  order: number;
  needs: LessonNeeds;
  /** one sentence shown in the sidebar and the notebook's first cell */
  description?: string;
  /** folder (relative to the repository root) where `bash run` cells run; default: the root */
  workdir?: string;
}

/** An expected-output block, as written in the lesson. */
export interface ExpectedOutput {
  text: string;
  /** 1-based line of the block's opening fence in the lesson file */
  line: number;
}

/** One fenced cell of a lesson that runs in the notebook. */
export interface Cell {
  /** 1-based number among the lesson's runnable cells: what error messages name */
  number: number;
  kind: 'ts' | 'bash';
  /** the cell's text as written in the lesson */
  source: string;
  /** 1-based line of the cell's opening fence in the lesson file */
  line: number;
  /** the TypeScript the kernel executes (for `bash run` cells: a call of the shell helper) */
  code: string;
  expected?: ExpectedOutput;
  /** per-cell timeout override in milliseconds (fence flag `timeout=<seconds>`) */
  timeoutMs?: number;
}

/** A parsed lesson file. */
export interface Lesson {
  /** absolute path of the lesson file */
  file: string;
  lang: Lang;
  /** the NN of `NN-slug.md`, e.g. "01" */
  number: string;
  /** the file name without `.md`, e.g. "01-custom-resources" */
  slug: string;
  meta: LessonMeta;
  /** the Markdown body without front matter */
  body: string;
  /** 1-based line in the file where `body` starts */
  bodyLine: number;
  cells: Cell[];
  /**
   * Code of a generated first notebook cell that the runner executes before cell 1, e.g. the
   * import of the shell helper used by `bash run` cells. Absent when the lesson needs none.
   */
  setupCode?: string;
}

/** A lesson problem that names the place: `lessons/en/01-x.md:42: unterminated fence`. */
export class LessonError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'LessonError';
  }
}
