// SPDX-License-Identifier: Apache-2.0
// Loaded by kernel.json (`node --require`) before tslab starts, when Jupyter or VS Code starts the
// kernel for a notebook.
//
// Jupyter starts a kernel in the notebook's folder (notebooks/<lang>/). But tslab compiles cells with
// its working folder as TypeScript's rootDir and refuses to import a .ts file outside it, and lessons
// import the kit's code as `./lib/...`. So the kernel moves to the repository root (three folders up
// from this file) before tslab looks at its working folder: the same place `npm test` runs it from.
/* global __dirname -- a CommonJS file: Node gives it its own folder */
process.chdir(`${__dirname}/../../..`);
process.env.SELDON_LAB_ROOT ||= process.cwd();
