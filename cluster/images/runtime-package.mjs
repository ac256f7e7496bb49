#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Rewrites package.json for an image: only the npm packages named on the command line stay in
// `dependencies`, and devDependencies and scripts go. `npm install --omit=dev` then installs those
// packages, at the versions package-lock.json pins, and nothing the image's entry point never
// imports (tslab, zeromq, the course tooling).
//
//   node runtime-package.mjs [--file package.json] tsx yaml ajv [--dev esbuild]
//
// Names after `--dev` are devDependencies that a build stage runs (esbuild, which bundles the
// operator): they are kept as well, as dependencies, so that `--omit=dev` installs them too.
//
// Which packages an entry point needs is checked against its imports by
// cluster/images/dockerfiles.test.ts, so the list in a Dockerfile cannot fall behind the code.
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
let file = 'package.json';
if (args[0] === '--file') {
  file = args[1];
  args.splice(0, 2);
}
const devAt = args.indexOf('--dev');
const names = devAt < 0 ? args : args.slice(0, devAt);
const devNames = devAt < 0 ? [] : args.slice(devAt + 1);
if (names.length + devNames.length === 0) {
  console.error('usage: node runtime-package.mjs [--file package.json] <package> [<package> ...] [--dev <package> ...]');
  process.exit(2);
}

const pkg = JSON.parse(readFileSync(file, 'utf8'));
const dependencies = pkg.dependencies ?? {};
const devDependencies = pkg.devDependencies ?? {};
const unknown = names.filter((name) => !(name in dependencies));
if (unknown.length > 0) {
  console.error(`${file} has no dependency named ${unknown.join(', ')}: add it to package.json's dependencies (not devDependencies), or drop it from the image's list.`);
  process.exit(1);
}
const unknownDev = devNames.filter((name) => !(name in devDependencies));
if (unknownDev.length > 0) {
  console.error(`${file} has no devDependency named ${unknownDev.join(', ')}: a build tool after --dev must be in package.json's devDependencies.`);
  process.exit(1);
}
pkg.dependencies = {
  ...Object.fromEntries(Object.entries(dependencies).filter(([name]) => names.includes(name))),
  ...Object.fromEntries(Object.entries(devDependencies).filter(([name]) => devNames.includes(name))),
};
delete pkg.devDependencies;
delete pkg.scripts;
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`${file}: dependencies ${Object.keys(pkg.dependencies).join(', ')}`);
