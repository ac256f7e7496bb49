// SPDX-License-Identifier: Apache-2.0
// Notebook cells import lib/ through the tslab kernel, which type-checks every imported file with
// its own TypeScript 5.0 and its own options (not strict, Node10 resolution, ES2022) and then runs
// it as CommonJS. Our `tsc --noEmit` is TypeScript 5.9 in strict mode, so code can pass it and still
// fail in a learner's notebook (e.g. `v === null || typeof v === 'string'` narrows `unknown` only
// with strictNullChecks). This test compiles lib/'s public faces exactly as tslab does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fromRoot, repoRoot } from '../lib/paths.js';

// tslab's compiler, as tslab loads it (a CommonJS package).
const ts = createRequire(fromRoot('node_modules', 'tslab', 'package.json'))('@tslab/typescript-for-tslab') as typeof import('typescript');

/** The files notebooks import: each lib part's face, and the shell helper of `bash run` cells. */
// Lesson 05 also imports the pinned versions and command builders of the live-cluster scripts.
const entryPoints = ['lib/course/shell.ts', 'lib/client/index.ts', 'lib/server/index.ts', 'lib/operator/index.ts', 'lib/kube/index.ts', 'lib/sandbox/index.ts', 'cluster/scripts/pins.ts', 'cluster/scripts/commands.ts']
  .map((p) => fromRoot(p))
  .filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });

function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures' && entry.name !== 'node_modules') out.push(...tsFilesUnder(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

describe('lib/ under tslab', () => {
  it(`type-checks ${entryPoints.length} entry points with tslab's TypeScript ${ts.version} and options`, () => {
    const program = ts.createProgram(entryPoints, {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.NodeJs,
      esModuleInterop: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      resolveJsonModule: true,
      experimentalDecorators: true,
      skipLibCheck: true,
      noEmit: true,
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => !d.file || !d.file.fileName.includes('/node_modules/'))
      .map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        if (!d.file || d.start === undefined) return text;
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        return `${relative(repoRoot(), d.file.fileName)}:${line + 1}:${character + 1}: ${text}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);

  it('uses no import.meta and no top-level await in lib/ (tslab runs lib/ as CommonJS)', () => {
    const offenders: string[] = [];
    for (const file of tsFilesUnder(fromRoot('lib'))) {
      const text = readFileSync(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        if (/\bimport\.meta\b/.test(code)) offenders.push(`${relative(repoRoot(), file)}:${i + 1}: import.meta`);
        if (/^await\b/.test(code)) offenders.push(`${relative(repoRoot(), file)}:${i + 1}: top-level await`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
