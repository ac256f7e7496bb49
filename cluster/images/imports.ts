// SPDX-License-Identifier: Apache-2.0
// What an entry point of the kit loads: every source file reachable through its imports, and the
// npm packages those files import. The image tests compare this with what a Dockerfile installs
// and copies, so an image cannot silently miss a package the code started to use.
//
// It reads import statements with a regular expression, which is enough for this code base: one
// import per statement, string literals only. Type-only imports are skipped (they vanish when
// TypeScript is compiled); `import()` with a literal is followed, since a lazily loaded module
// must be in the image too.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';

const STATIC = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
/** `createRequire(...).resolve('pkg/file')` and `require.resolve('pkg')`: files read from a package. */
const RESOLVE = /\.resolve\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g;

export interface ImportClosure {
  /** repository-relative paths of every source file reached */
  files: string[];
  /** npm package name -> the first file that imports it */
  packages: Map<string, string>;
}

export interface ClosureOptions {
  /** files whose `import()` calls are not followed (a command table that loads every command lazily) */
  noDynamic?: string[];
}

/** The package a bare specifier names: `@scope/name/x` -> `@scope/name`, `name/x` -> `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
}

/** A relative import as a file: `./x.js` may be `x.ts` on disk (TypeScript's ESM convention). */
function resolveFile(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => existsSync(c) && !c.endsWith('/'));
}

export function importClosure(root: string, entries: string[], options: ClosureOptions = {}): ImportClosure {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const noDynamic = new Set((options.noDynamic ?? []).map((f) => resolve(root, f)));
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    const specifiers: string[] = [];
    for (const m of source.matchAll(STATIC)) if (!m[1]) specifiers.push(m[2]);
    if (!noDynamic.has(file)) for (const m of source.matchAll(DYNAMIC)) specifiers.push(m[1]);
    for (const m of source.matchAll(RESOLVE)) if (!isBuiltin(m[1])) packages.set(packageName(m[1]), packages.get(packageName(m[1])) ?? rel);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = resolveFile(file, specifier);
        if (!target) throw new Error(`${rel} imports ${specifier}, which does not exist`);
        visit(target);
      } else if (!isBuiltin(specifier)) {
        const name = packageName(specifier);
        if (!packages.has(name)) packages.set(name, rel);
      }
    }
  };
  for (const entry of entries) visit(resolve(root, entry));
  return { files: [...seen].map((f) => relative(root, f)).sort(), packages };
}

/**
 * The repository files the reached code reads through `fromRoot(...)`: literal arguments joined
 * as a path, or a constant the reached files define (`export const X_PATH = 'cluster/...'`).
 * These must be in the image as well as the code.
 */
export function dataFiles(root: string, closure: ImportClosure): string[] {
  const sources = closure.files.map((f) => readFileSync(resolve(root, f), 'utf8'));
  const constants = new Map<string, string>();
  for (const source of sources) {
    for (const m of source.matchAll(/\bconst\s+([A-Z_][A-Z0-9_]*)\s*=\s*['"]([^'"]+)['"]/g)) constants.set(m[1], m[2]);
  }
  const found = new Set<string>();
  for (const source of sources) {
    for (const m of source.matchAll(/\bfromRoot\(([^)]*)\)/g)) {
      const args = m[1].split(',').map((a) => a.trim()).filter(Boolean);
      const parts = args.map((a) => (/^['"][^'"]*['"]$/.test(a) ? a.slice(1, -1) : constants.get(a)));
      // `fromRoot(...parts)` in paths.ts itself, or an argument computed at run time: not a fixed file.
      if (parts.length === 0 || parts.some((p) => p === undefined)) continue;
      found.add(parts.join('/'));
    }
  }
  return [...found].sort();
}
