#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Rewrites package.json for an image: only the npm packages named on the command line stay in
// `dependencies`, and devDependencies and scripts go. `npm install --omit=dev` then installs those
// packages, at the versions package-lock.json pins, and nothing the image's entry point never
// imports (tslab, zeromq, the course tooling).
//
//   node runtime-package.mjs [--file package.json] tsx yaml ajv
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
if (args.length === 0) {
  console.error('usage: node runtime-package.mjs [--file package.json] <package> [<package> ...]');
  process.exit(2);
}

const pkg = JSON.parse(readFileSync(file, 'utf8'));
const unknown = args.filter((name) => !(pkg.dependencies && name in pkg.dependencies));
if (unknown.length > 0) {
  console.error(`${file} has no dependency named ${unknown.join(', ')}: add it to package.json's dependencies (not devDependencies), or drop it from the image's list.`);
  process.exit(1);
}
pkg.dependencies = Object.fromEntries(Object.entries(pkg.dependencies).filter(([name]) => args.includes(name)));
delete pkg.devDependencies;
delete pkg.scripts;
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`${file}: dependencies ${Object.keys(pkg.dependencies).join(', ')}`);
