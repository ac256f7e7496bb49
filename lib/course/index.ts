// SPDX-License-Identifier: Apache-2.0
// The public face of lib/course: lessons -> notebooks, output comparison, the shell helper of
// `bash run` cells (and, from the runner's side, the kernel and the notebook runner).
export * from './types.js';
export {
  bashCellCode,
  checkTwins,
  displayPath,
  lessonParts,
  loadLessons,
  parseLesson,
  SHELL_SETUP,
  templateLiteral,
  type LessonPart,
} from './lesson.js';
export { compareOutput, normalise, RULES, type NormaliseRule, type OutputComparison } from './normalise.js';
export {
  lessonToNotebook,
  notebookPath,
  notebookProblems,
  notebookText,
  writeNotebooks,
  type Notebook,
  type NotebookCell,
  type NotebookOptions,
  type NotebookProblem,
  type NotebookSync,
  type StreamOutput,
} from './notebook.js';
export { expandEmbeds, resolveEmbed, type EmbedOrigin, type ResolvedEmbed } from './regions.js';
export { run, sh, type ShellOptions, type ShellResult } from './shell.js';
export {
  KernelError,
  TslabKernel,
  type Display,
  type ExecuteOptions,
  type ExecuteResult,
  type ExecuteStatus,
  type KernelOptions,
  type KernelOutput,
} from './kernel.js';
export {
  DEFAULT_CELL_TIMEOUT_MS,
  firstLine,
  formatFailure,
  runLesson,
  type CellRun,
  type CellStatus,
  type LessonRun,
  type RunEvent,
  type RunOptions,
} from './runner.js';
