// SPDX-License-Identifier: Apache-2.0
// The Dockerfiles cannot be built here (no container engine), so these tests check what can be
// checked without one: every file they copy exists, the npm packages they install are the ones
// their entry points import, they run as a numeric non-root user, their entry points are the
// ones the sandbox's kubelet plays for the same image names, and the names are the pinned ones.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../lib/paths.js';
import { lookupImage, parseImageRef } from '../../lib/sandbox/kubelet/images.js';
import { contextSources, copyInstructions, imageBuilds, splitImage, stageContext } from '../scripts/images.js';
import { dataFiles, importClosure } from './imports.js';

const root = fromRoot();
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** What each image's entry point runs: the CLI shim, the command table, and the commands. */
const ENTRY_POINTS: Record<string, string[]> = {
  modelServer: ['lib/server/cli/serve.ts', 'lib/server/cli/storage-init.ts'],
  operator: ['lib/operator/cli.ts'],
};
const SHIM = ['bin/seldon-lab.js', 'lib/cli/main.ts'];

/** The package names after `runtime-package.mjs` in the Dockerfile's RUN line. */
function installedPackages(dockerfile: string): string[] {
  const m = /^RUN node \S*runtime-package\.mjs\s+([^\n\\&]+)/m.exec(dockerfile);
  if (!m) throw new Error('the Dockerfile does not run runtime-package.mjs');
  return m[1].trim().split(/\s+/);
}

function instruction(dockerfile: string, name: string): string[] {
  return dockerfile.split('\n').filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
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
      expect(existsSync(join(dir, 'bin', 'seldon-lab.js'))).toBe(true);
      expect(existsSync(join(dir, 'lib', 'paths.ts'))).toBe(true);
      expect(existsSync(join(dir, 'lib', 'paths.test.ts')) || existsSync(join(dir, 'lib', 'server', 'app.test.ts'))).toBe(false);
      expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('installs exactly the npm packages its entry points import', () => {
    const closure = importClosure(root, [...SHIM, ...ENTRY_POINTS[build.key]], { noDynamic: ['lib/cli/main.ts'] });
    const needed = [...closure.packages.keys()].sort();
    expect(installedPackages(dockerfile).sort(), `imports: ${[...closure.packages].map(([p, f]) => `${p} (${f})`).join(', ')}`).toEqual(needed);
    // ...and every one of them is a runtime dependency with a version in the lock file.
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> };
    for (const name of needed) {
      expect(pkg.dependencies[name], `${name} in package.json dependencies`).toBeDefined();
      expect(lock.packages[`node_modules/${name}`]?.version, `${name} in package-lock.json`).toBeDefined();
    }
  });

  it('copies every source file its entry points load', () => {
    const closure = importClosure(root, [...SHIM, ...ENTRY_POINTS[build.key]], { noDynamic: ['lib/cli/main.ts'] });
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
    // The final stage copies installed packages out of the first, never npm at run time.
    expect(copyInstructions(dockerfile).filter((c) => c.fromStage === 'packages').map((c) => c.destination)).toContain('./node_modules');
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
