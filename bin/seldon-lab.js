#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// The `seldon-lab` command. The kit is written in TypeScript and run from source (no build step),
// so this shim registers tsx's loader and hands over to lib/cli/main.ts. It also tells the rest of
// the kit where the repository is, because code that notebooks import cannot use import.meta.
import { register } from 'tsx/esm/api';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.SELDON_LAB_ROOT ??= root;
register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
