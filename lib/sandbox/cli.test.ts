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

  it('reads the ingress port, leaving it to the default (8003, or a free port) when not given', () => {
    expect(parseSandboxArgs(['--ingress-port', '0']).ingressPort).toBe(0);
    expect(parseSandboxArgs(['--ingress-port=9003']).ingressPort).toBe(9003);
    expect(parseSandboxArgs([]).ingressPort).toBeUndefined();
  });

  it('refuses bad input with a message that says what was wrong', () => {
    expect(() => parseSandboxArgs(['--port', 'http'])).toThrow(UsageError);
    expect(() => parseSandboxArgs(['--port', 'http'])).toThrow("--port takes a port number from 0 to 65535, not 'http'");
    expect(() => parseSandboxArgs(['--bogus'])).toThrow(UsageError);
    expect(() => parseSandboxArgs(['--ingress-port', '70000'])).toThrow("--ingress-port takes a port number from 0 to 65535, not '70000'");
    expect(() => parseSandboxArgs(['--port', '7000', '--ingress-port', '7000'])).toThrow('--port and --ingress-port are both 7000');
  });
});

describe('seldon-lab sandbox', () => {
  it('starts, prints the export line and the ingress URL, serves with its kubeconfig, and stops on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('./lib/sandbox/cli.ts').then(async (m) => process.exit(await m.main(['--port', '0', '--ingress-port', '0', '--kubeconfig', ${JSON.stringify(kubeconfig)}])))`], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!out.includes('Stop with Ctrl-C.') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(out).toContain(`export KUBECONFIG=${kubeconfig}`);
    const ingress = /^Ingress \(the Ambassador gateway\): (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
    expect(ingress, out).toBeDefined();
    // The gateway answers as Envoy does where no Mapping routes.
    const notFound = await fetch(`${ingress}/seldon/seldon/nothing/api/v1.0/predictions`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('server')).toBe('envoy');
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
