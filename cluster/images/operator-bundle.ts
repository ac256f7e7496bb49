// SPDX-License-Identifier: Apache-2.0
// Builds the operator image's program: operator-main.ts and everything it imports, the kit's code
// and the npm packages alike, bundled by esbuild into one JavaScript file that needs nothing but
// Node.js.
//
//   npx tsx cluster/images/operator-bundle.ts --outdir DIR    (the Dockerfile's build stage)
//
// Why not run the TypeScript sources through tsx, as everywhere else in the kit? Memory, measured
// by bench/operator.ts (issue 6):
//   - tsx compiles on a loader thread of its own: a second V8 heap for as long as the process lives;
//   - @kubernetes/client-node is nearly a thousand small modules, and loading them one by one
//     costs some 40 MB more than loading the same code as one file;
//   - whitespace and comments are half the text, and V8 keeps a module's whole source in memory
//     (twice over once one comment has a non-ASCII character: such a source is stored as UTF-16).
//     Names are kept, so a stack trace still names the functions.
// The operator behaves the same either way: the same code, only loaded differently.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { fromRoot } from '../../lib/paths.js';

/** The program's entry point, relative to the repository root. */
export const OPERATOR_ENTRY = 'cluster/images/operator-main.ts';
/** The bundle's file name; the image links /usr/local/bin/seldon-lab to it. */
export const OPERATOR_BUNDLE = 'seldon-lab.mjs';

/**
 * The V8 flags the operator runs with, written into the bundle's first line (`#!` line) so that
 * every way of starting the image uses them, and the chart's NODE_OPTIONS adds to them rather than
 * replacing them. A young generation ("semi-space") of at most 2 MB instead of V8's 16 MB: while
 * 200 SeldonDeployments are created the young generation grows to its maximum and those pages stay
 * resident afterwards; capped, the process stays some 25 MB smaller. The price is more, smaller
 * young-generation collections, which bench/operator.ts shows in its CPU and latency rows.
 */
export const OPERATOR_NODE_FLAGS = ['--max-semi-space-size=2'];

/**
 * Environment the image sets for the operator (ENV in operator.Dockerfile). glibc's malloc gives
 * each thread that allocates an arena of its own (up to eight per core), and freed memory stays in
 * them; Node's threads (libuv's pool, V8's compiler and GC helpers) allocate little, so two arenas
 * are plenty and the process keeps some 4 MB less. Only glibc reads it (the image is Debian).
 */
export const OPERATOR_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2' };

export interface BundleOptions {
  /** where to write the bundle and its package.json */
  outdir: string;
  /** another entry point (bench/operator-child.ts), bundled the same way */
  entry?: string;
  /** default: seldon-lab.mjs */
  fileName?: string;
}

export interface Bundle {
  /** the bundle's absolute path */
  file: string;
  bytes: number;
  /** how many source files went in */
  inputs: number;
  /** what the bundle still imports at run time: Node.js built-ins only */
  imports: string[];
}

/**
 * `#!/usr/bin/env -S node <flags>` (env -S splits the flags; plain `#!` passes one argument), then
 * `require` for the CommonJS packages inside an ES module bundle (ws, node-fetch, form-data), which
 * call it for Node's built-ins.
 */
function banner(): string {
  return [
    `#!/usr/bin/env -S node ${OPERATOR_NODE_FLAGS.join(' ')}`,
    "import { createRequire as __seldonLabCreateRequire } from 'node:module';",
    'const require = __seldonLabCreateRequire(import.meta.url);',
  ].join('\n');
}

/**
 * Packages that bundled code loads only if they happen to be installed, inside try/catch, and does
 * without otherwise: ws tries bufferutil and utf-8-validate (native speed-ups), node-fetch tries
 * encoding (for non-UTF-8 bodies), debug tries supports-color. They stay out of the bundle even
 * where node_modules has them (the repository does, the image's build stage does not), so that the
 * bundle is the same wherever it is built and behaves as in the image: without them.
 */
const OPTIONAL_PACKAGES = ['bufferutil', 'encoding', 'supports-color', 'utf-8-validate'];

export async function buildOperatorBundle(options: BundleOptions): Promise<Bundle> {
  const outdir = resolve(options.outdir);
  const file = join(outdir, options.fileName ?? OPERATOR_BUNDLE);
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: fromRoot(),
    entryPoints: [fromRoot(options.entry ?? OPERATOR_ENTRY)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minifyWhitespace: true,
    legalComments: 'none',
    banner: { js: banner() },
    external: OPTIONAL_PACKAGES,
    metafile: true,
    logLevel: 'silent',
  });
  if (result.warnings.length > 0) {
    throw new Error(`esbuild warned while bundling the operator; look at each before shipping the bundle:\n${result.warnings.map((w) => `  ${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`).join('\n')}`);
  }
  const output = Object.values(result.metafile.outputs)[0];
  const imports = [...new Set(output.imports.map((i) => i.path))].sort();
  // The image has no node_modules: an import left in the bundle would fail only when reached.
  const foreign = imports.filter((path) => !isBuiltin(path) && !OPTIONAL_PACKAGES.includes(path));
  if (foreign.length > 0) {
    throw new Error(`the operator bundle still imports ${foreign.join(', ')}; the image has no node_modules, so bundle them (or drop the import).`);
  }
  chmodSync(file, 0o755);
  // lib/paths.ts knows the kit's root by a package.json named seldon-lab: the bundle's folder is
  // that root in the image (SELDON_LAB_ROOT=/app), holding cluster/operator-config.yaml too.
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ name: 'seldon-lab', private: true, license: 'Apache-2.0', type: 'module' }, null, 2)}\n`);
  return { file, bytes: statSync(file).size, inputs: Object.keys(result.metafile.inputs).length, imports };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, entry: { type: 'string' } } });
  if (!values.outdir) {
    console.error('usage: tsx cluster/images/operator-bundle.ts --outdir DIR [--entry FILE]');
    process.exit(2);
  }
  buildOperatorBundle({ outdir: values.outdir, entry: values.entry }).then(
    (bundle) => console.log(`${bundle.file}: ${(bundle.bytes / 1024 / 1024).toFixed(1)} MB from ${bundle.inputs} files; imports ${bundle.imports.join(', ')}`),
    (e: unknown) => {
      console.error((e as Error).message);
      process.exit(1);
    },
  );
}
