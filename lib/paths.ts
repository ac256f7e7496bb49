// SPDX-License-Identifier: Apache-2.0
// Where things are in the repository.
//
// Code in lib/ is imported three ways: by tsx (the CLI), by vitest, and by the tslab kernel, which
// compiles each imported file to CommonJS. `import.meta` breaks the third way, so nothing in lib/
// uses it. Instead the root comes from SELDON_LAB_ROOT (set by bin/seldon-lab.js and the notebook
// runner) or is found by walking up from the working directory to this package's package.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

let cached: string | undefined;

/** The repository root: the folder holding seldon-lab's package.json. */
export function repoRoot(): string {
  if (cached) return cached;
  const fromEnv = process.env.SELDON_LAB_ROOT;
  if (fromEnv && isKitRoot(fromEnv)) return (cached = resolve(fromEnv));
  let dir = process.cwd();
  for (;;) {
    if (isKitRoot(dir)) return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `Cannot find the seldon-lab repository above ${process.cwd()}. ` +
      'Run from inside the repository, or set SELDON_LAB_ROOT to its folder.',
  );
}

function isKitRoot(dir: string): boolean {
  const pkg = join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'seldon-lab';
  } catch {
    return false;
  }
}

/** A path inside the repository, e.g. `fromRoot('lessons', 'en')`. */
export function fromRoot(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
