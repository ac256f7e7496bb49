// SPDX-License-Identifier: Apache-2.0
// `seldon-lab sandbox`: argument parsing, and a real run in a child process: it prints the
// `export KUBECONFIG=` line, the kubeconfig works, and SIGTERM stops it cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSandboxArgs, UsageError } from './cli.js';
import { raw } from './testing.js';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseSandboxArgs', () => {
  it('reads port, kubeconfig and data dir', () => {
    const args = parseSandboxArgs(['--port', '0', '--kubeconfig', 'k.yaml', '--data-dir', 'state']);
    expect(args.port).toBe(0);
    expect(args.kubeconfig).toMatch(/k\.yaml$/);
    expect(args.dataDir).toMatch(/state$/);
    expect(parseSandboxArgs([]).port).toBe(6443);
  });

  it('refuses bad input with a message that says what was wrong', () => {
    expect(() => parseSandboxArgs(['--port', 'http'])).toThrow(UsageError);
    expect(() => parseSandboxArgs(['--port', 'http'])).toThrow("--port takes a port number from 0 to 65535, not 'http'");
    expect(() => parseSandboxArgs(['--bogus'])).toThrow(UsageError);
  });
});

describe('seldon-lab sandbox', () => {
  it('starts, prints the export line, serves with its kubeconfig, and stops on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('./lib/sandbox/cli.ts').then(async (m) => process.exit(await m.main(['--port', '0', '--kubeconfig', ${JSON.stringify(kubeconfig)}])))`], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!out.includes('export KUBECONFIG=') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(out).toContain(`export KUBECONFIG=${kubeconfig}`);
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);

    const config = parse(readFileSync(kubeconfig, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[]; 'current-context': string;
    };
    expect(config['current-context']).toBe('seldon-lab-sandbox');
    const target = { url: config.clusters[0].cluster.server, caPem: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), token: config.users[0].user.token };
    expect((await raw(target, 'GET', '/api/v1/namespaces/default')).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('sandbox cluster stopped.');
  });
});
