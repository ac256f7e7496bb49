// SPDX-License-Identifier: Apache-2.0
// The Dockerfiles cannot be built here (no container engine), so these tests check what can be
// checked without one: every file they copy exists, the npm packages they install are the ones
// their entry points import, they run as a numeric non-root user, their entry points are the
// ones the sandbox's kubelet plays for the same image names, and the names are the pinned ones.
// (operator-bundle.test.ts builds the operator image's program and runs it.)
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPERATOR_CONFIG_PATH } from '../../lib/operator/config.js';
import { fromRoot } from '../../lib/paths.js';
import { lookupImage, parseImageRef } from '../../lib/sandbox/kubelet/images.js';
import { contextSources, copyInstructions, imageBuilds, splitImage, stageContext } from '../scripts/images.js';
import { dataFiles, importClosure } from './imports.js';
import { OPERATOR_BUNDLE, OPERATOR_ENV } from './operator-bundle.js';

const root = fromRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/**
 * What each image runs. The model server runs the sources through tsx: the CLI shim, the command
 * table, the commands. The operator image runs one bundle, built in a stage of its own from its
 * entry point by operator-bundle.ts (run by tsx, bundling with esbuild).
 */
interface ImageCode {
  /** the files whose imports are followed */
  entries: string[];
  /** files whose `import()` calls are not followed */
  noDynamic: string[];
  /** packages a RUN line uses without any file importing them (`node --import tsx`) */
  tools: string[];
  /** the build stage whose node_modules the final image copies, if it copies any */
  packagesStage?: string;
}
const SHIM = ['bin/seldon-lab.js', 'lib/cli/main.ts'];
const IMAGES: Record<string, ImageCode> = {
  modelServer: { entries: [...SHIM, 'lib/server/cli/serve.ts', 'lib/server/cli/storage-init.ts'], noDynamic: ['lib/cli/main.ts'], tools: [], packagesStage: 'packages' },
  operator: { entries: ['cluster/images/operator-main.ts', 'cluster/images/operator-bundle.ts'], noDynamic: [], tools: ['tsx'] },
};

/** The package names after `runtime-package.mjs` in the Dockerfile's RUN line: runtime ones, and build tools after --dev. */
function installedPackages(dockerfile: string): { runtime: string[]; dev: string[] } {
  const m = /^RUN node \S*runtime-package\.mjs\s+([^\n\\&]+)/m.exec(dockerfile);
  if (!m) throw new Error('the Dockerfile does not run runtime-package.mjs');
  const words = m[1].trim().split(/\s+/);
  const dev = words.indexOf('--dev');
  return dev < 0 ? { runtime: words, dev: [] } : { runtime: words.slice(0, dev), dev: words.slice(dev + 1) };
}

/** The arguments of every `name` instruction (continuation lines joined). */
function instruction(dockerfile: string, name: string): string[] {
  return dockerfile.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
}

describe.each(imageBuilds())('$dockerfile', (build) => {
  const dockerfile = read(build.dockerfile);

  it('is pinned in cluster/images.json with a repository and a tag', () => {
    const pinned = JSON.parse(read('cluster/images.json')) as Record<string, string>;
    expect(build.image).toBe(pinned[build.key]);
    const { repository, tag } = splitImage(build.image);
    expect(repository).toMatch(/^seldon-lab\//);
    expect(tag).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('copies only files that exist, and no tests', () => {
    const sources = contextSources(dockerfile);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(join(root, source)), `${source} (COPY in ${build.dockerfile})`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'seldon-lab-image-'));
    try {
      stageContext(build, dir);
      expect(existsSync(join(dir, 'Dockerfile'))).toBe(true);
      for (const entry of IMAGES[build.key].entries) expect(existsSync(join(dir, entry)), `${entry} staged`).toBe(true);
      expect(existsSync(join(dir, 'lib', 'paths.ts'))).toBe(true);
      expect(existsSync(join(dir, 'lib', 'paths.test.ts')) || existsSync(join(dir, 'lib', 'server', 'app.test.ts'))).toBe(false);
      expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('installs exactly the npm packages its entry points import', () => {
    const code = IMAGES[build.key];
    const closure = importClosure(root, code.entries, { noDynamic: code.noDynamic });
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const needed = [...new Set([...closure.packages.keys(), ...code.tools])];
    // Build tools that are devDependencies go after --dev; everything else must be a runtime dependency.
    const dev = needed.filter((name) => !(name in pkg.dependencies) && name in pkg.devDependencies).sort();
    const runtime = needed.filter((name) => !dev.includes(name)).sort();
    const installed = installedPackages(dockerfile);
    const imports = `imports: ${[...closure.packages].map(([p, f]) => `${p} (${f})`).join(', ')}`;
    expect(installed.runtime.sort(), imports).toEqual(runtime);
    expect(installed.dev.sort(), imports).toEqual(dev);
    // ...and every one of them has a version in the lock file, and the runtime ones are dependencies.
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> };
    for (const name of runtime) expect(pkg.dependencies[name], `${name} in package.json dependencies`).toBeDefined();
    for (const name of needed) expect(lock.packages[`node_modules/${name}`]?.version, `${name} in package-lock.json`).toBeDefined();
  });

  it('copies every source file its entry points load', () => {
    const code = IMAGES[build.key];
    const closure = importClosure(root, code.entries, { noDynamic: code.noDynamic });
    const sources = contextSources(dockerfile);
    const covered = (file: string) => sources.some((s) => file === s || file.startsWith(`${s}/`));
    expect(closure.files.filter((f) => !covered(f))).toEqual([]);
    // ...and every repository file that code reads at run time (fromRoot), except lessons/ which
    // only the course tools read.
    const data = dataFiles(root, closure).filter((f) => !f.startsWith('lessons/') && f !== 'package.json');
    expect(data.filter((f) => !covered(f))).toEqual([]);
  });

  it('runs as a numeric non-root user, from the kit\'s node base', () => {
    const users = instruction(dockerfile, 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0].split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    // The chart's runAsUser for the operator must be this user (runAsNonRoot checks the number).
    if (build.key === 'operator') expect(read('cluster/charts/seldon-lab-operator/templates/deployment.yaml')).toContain(`runAsUser: ${uid}`);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    // The final stage copies installed packages (or the bundle) out of a build stage: no npm at run time.
    const fromStages = copyInstructions(dockerfile).filter((c) => c.fromStage);
    const { packagesStage } = IMAGES[build.key];
    if (packagesStage) expect(fromStages.filter((c) => c.fromStage === packagesStage).map((c) => c.destination)).toContain('./node_modules');
    else expect(fromStages.flatMap((c) => c.sources).filter((s) => s.includes('node_modules'))).toEqual([]);
  });

  it('has the entry point the sandbox kubelet plays for the same image name', () => {
    const entry = lookupImage(parseImageRef(build.image));
    expect(entry, `the sandbox has no entry for ${build.image}`).toBeDefined();
    const [entrypoint] = instruction(dockerfile, 'ENTRYPOINT');
    expect(JSON.parse(entrypoint)).toEqual(entry!.entrypoint);
    expect(entry!.cmd).toEqual([]);
  });

  it('has a .dockerignore that keeps what it copies and drops node_modules', () => {
    const ignore = read(`${build.dockerfile}.dockerignore`).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('**');
    const included = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    expect(included.sort()).toEqual(contextSources(dockerfile).sort());
    expect(ignore).toContain('**/*.test.ts');
  });
});

describe('operator.Dockerfile', () => {
  const dockerfile = read('cluster/images/operator.Dockerfile');

  it('runs the bundle its build stage makes, as `seldon-lab`', () => {
    const build = /^RUN node --import tsx (\S+) --outdir (\S+)$/m.exec(dockerfile);
    expect(build?.[1]).toBe('cluster/images/operator-bundle.ts');
    const outdir = build![2];
    // The final stage takes that folder whole, and links the command the entry point names to the bundle.
    expect(copyInstructions(dockerfile).filter((c) => c.fromStage === 'build')).toEqual([{ sources: [`${outdir}/`], destination: './', fromStage: 'build' }]);
    expect(instruction(dockerfile, 'WORKDIR').at(-1)).toBe(outdir);
    expect(instruction(dockerfile, 'RUN')).toContain(`ln -s ${outdir}/${OPERATOR_BUNDLE} /usr/local/bin/seldon-lab`);
    // lib/paths.ts finds the kit's root (and cluster/operator-config.yaml in it) there.
    const env = instruction(dockerfile, 'ENV').join(' ');
    expect(env).toContain(`SELDON_LAB_ROOT=${outdir}`);
    // ...with the environment bench/operator.ts measures the image with.
    for (const [name, value] of Object.entries(OPERATOR_ENV)) expect(env).toContain(`${name}=${value}`);
    expect(copyInstructions(dockerfile).find((c) => c.sources.includes('cluster/operator-config.yaml'))?.destination).toBe(`./${DEFAULT_OPERATOR_CONFIG_PATH}`);
  });
});

describe('runtime-package.mjs', () => {
  it('keeps only the named dependencies and refuses unknown names', async () => {
    const { execa } = await import('execa');
    const dir = mkdtempSync(join(tmpdir(), 'seldon-lab-pkg-'));
    try {
      const file = join(dir, 'package.json');
      const pkg = { name: 'seldon-lab', type: 'module', dependencies: { a: '1', b: '2', c: '3' }, devDependencies: { d: '4' }, scripts: { test: 'x' } };
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, JSON.stringify(pkg));
      const script = join(root, 'cluster', 'images', 'runtime-package.mjs');
      await execa(process.execPath, [script, '--file', file, 'a', 'c']);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ name: 'seldon-lab', type: 'module', dependencies: { a: '1', c: '3' } });
      const bad = await execa(process.execPath, [script, '--file', file, 'zz'], { reject: false });
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toContain('no dependency named zz');
      // A build stage's tools: devDependencies named after --dev stay too, as dependencies.
      writeFileSync(file, JSON.stringify(pkg));
      await execa(process.execPath, [script, '--file', file, 'b', '--dev', 'd']);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ name: 'seldon-lab', type: 'module', dependencies: { b: '2', d: '4' } });
      writeFileSync(file, JSON.stringify(pkg));
      const notDev = await execa(process.execPath, [script, '--file', file, 'b', '--dev', 'a'], { reject: false });
      expect(notDev.exitCode).toBe(1);
      expect(notDev.stderr).toContain('no devDependency named a');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
