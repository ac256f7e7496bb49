// SPDX-License-Identifier: Apache-2.0
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTools, findTool, installHint, kubectlsToTest, missingToolsReport } from './tools.js';

const dir = mkdtempSync(join(tmpdir(), 'seldon-lab-tools-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function program(folder: string, name: string, executable = true): string {
  mkdirSync(join(dir, folder), { recursive: true });
  const path = join(dir, folder, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, executable ? 0o755 : 0o644);
  return path;
}

describe('findTool', () => {
  it('prefers the kit\'s .tools copy, then searches the PATH in order', () => {
    const kit = program('kit', 'helm');
    const first = program('bin1', 'helm');
    program('bin2', 'helm');
    const path = [join(dir, 'bin1'), join(dir, 'bin2')].join(':');
    expect(findTool('helm', { kitDir: join(dir, 'kit'), pathEnv: path })).toEqual({ name: 'helm', path: kit, source: 'kit' });
    expect(findTool('helm', { kitDir: join(dir, 'none'), pathEnv: path })).toEqual({ name: 'helm', path: first, source: 'PATH' });
  });

  it('skips files that are not executable, and folders', () => {
    program('noexec', 'kubectl', false);
    mkdirSync(join(dir, 'dirs', 'kubectl'), { recursive: true });
    expect(findTool('kubectl', { kitDir: join(dir, 'none'), pathEnv: `${join(dir, 'noexec')}:${join(dir, 'dirs')}` })).toBeUndefined();
  });
});

describe('checkTools and the hints', () => {
  it('reports every missing tool at once, each with how to install it', () => {
    const found = program('only-minikube', 'minikube');
    const check = checkTools(['minikube', 'kubectl', 'helm'], { kitDir: join(dir, 'none'), pathEnv: join(dir, 'only-minikube') });
    expect(check.found).toEqual([{ name: 'minikube', path: found, source: 'PATH' }]);
    expect(check.missing).toEqual(['kubectl', 'helm']);
    const report = missingToolsReport(check.missing, 'linux').join('\n');
    expect(report).toMatch(/^Missing: kubectl, helm\. Install them, then run this again\./);
    expect(report).toContain('https://helm.sh/docs/intro/install/');
  });

  it('offers the kit\'s own helm and kubectl on Linux x86-64 only', () => {
    const linux = installHint('helm', 'linux').join('\n');
    if (process.arch === 'x64') expect(linux).toContain('npx tsx cluster/tools/tools.ts helm');
    expect(installHint('helm', 'darwin').join('\n')).toContain('brew install helm');
    expect(installHint('helm', 'darwin').join('\n')).not.toContain('cluster/tools/tools.ts');
    expect(installHint('minikube', 'linux').join('\n')).toContain('minikube-linux-amd64');
  });
});

describe('kubectlsToTest', () => {
  /** A stand-in kubectl that reports `version` the way `kubectl version --client -o json` does. */
  function fakeKubectl(name: string, version: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"${version}"}}'\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('takes the kubectl named by KUBECTL, and says what version it is', () => {
    const path = fakeKubectl('kubectl-a', 'v1.29.0');
    expect(kubectlsToTest({ KUBECTL: path })[0]).toEqual({ path, version: 'v1.29.0' });
  });

  it('leaves out a kubectl that does not run', () => {
    const broken = join(dir, 'kubectl-broken');
    writeFileSync(broken, '#!/bin/sh\nexit 3\n');
    chmodSync(broken, 0o755);
    expect(kubectlsToTest({ KUBECTL: broken }).map((k) => k.path)).not.toContain(broken);
    expect(kubectlsToTest({ KUBECTL: join(dir, 'no-such-kubectl') }).map((k) => k.path)).not.toContain(join(dir, 'no-such-kubectl'));
  });
});
