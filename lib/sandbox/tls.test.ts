// SPDX-License-Identifier: Apache-2.0
// The sandbox's CA and serving certificate (tls.ts, over @peculiar/x509): a TLS client that
// trusts only the CA accepts the server under every name it is reached by, the certificates say
// what they are for, and material kept in a folder is reused and renewed under the same CA.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type Server } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { covers, generateTls, loadOrCreateTls, type TlsMaterial } from './tls.js';

const dir = mkdtempSync(join(tmpdir(), 'sandbox-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 24 * 3600 * 1000;
const names = { ips: ['10.96.0.1', '127.96.0.1'], dns: ['kubernetes', 'kubernetes.default.svc'] };

/** Serves TLS with `material` and says whether a client trusting only its CA accepts it as `servername`. */
async function handshake(material: TlsMaterial, servername?: string): Promise<{ authorized: boolean; error?: string }> {
  const server: Server = createServer({ key: material.key, cert: material.cert }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    return await new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: material.caCert, servername }, () => {
        resolve({ authorized: socket.authorized });
        socket.end();
      });
      socket.on('error', (error) => resolve({ authorized: false, error: error.message }));
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('generateTls', () => {
  it('makes a CA and a serving certificate it signed, each with its private key', async () => {
    const material = await generateTls(names);
    const ca = new X509Certificate(material.caCert);
    const cert = new X509Certificate(material.cert);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true); // self-signed
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.issuer).toBe(ca.subject);
    expect(ca.checkPrivateKey(createPrivateKey(material.caKey))).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(material.key))).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
  });

  it('is valid from now for a year (the CA for ten)', async () => {
    const material = await generateTls();
    const now = Date.now();
    const cert = new X509Certificate(material.cert);
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(now);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(now + 364 * DAY);
    expect(Date.parse(new X509Certificate(material.caCert).validTo)).toBeGreaterThan(now + 9 * 365 * DAY);
  });

  it('names 127.0.0.1, localhost and the names asked for', async () => {
    const material = await generateTls(names);
    expect(covers(material.cert, names)).toBe(true);
    expect(new X509Certificate(material.cert).subjectAltName).toBe(
      'IP Address:127.0.0.1, IP Address:10.96.0.1, IP Address:127.96.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default.svc',
    );
    expect(covers(material.cert, { ips: ['10.0.0.9'], dns: [] })).toBe(false);
  });

  it('passes the TLS handshake of a client that trusts only the CA, under each name', async () => {
    const material = await generateTls(names);
    expect(await handshake(material)).toEqual({ authorized: true }); // by address: 127.0.0.1
    expect(await handshake(material, 'localhost')).toEqual({ authorized: true });
    expect(await handshake(material, 'kubernetes.default.svc')).toEqual({ authorized: true });
    const elsewhere = await handshake(material, 'example.com');
    expect(elsewhere.authorized).toBe(false);
    expect(elsewhere.error).toMatch(/example\.com/);
  });

  it('is refused by a client that trusts another CA', async () => {
    const [one, other] = [await generateTls(), await generateTls()];
    const result = await handshake({ ...one, caCert: other.caCert });
    expect(result.authorized).toBe(false);
    expect(result.error).toBeDefined();
  });
});

describe('loadOrCreateTls', () => {
  it('makes the material on first use, keeps it private, and reuses it', async () => {
    const tlsDir = join(dir, 'kept');
    const first = await loadOrCreateTls(tlsDir, names);
    for (const file of ['ca.crt', 'ca.key', 'apiserver.crt', 'apiserver.key']) expect(statSync(join(tlsDir, file)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(tlsDir, 'ca.key'), 'utf8')).toBe(first.caKey);
    expect(await loadOrCreateTls(tlsDir, names)).toEqual(first);
  });

  it('renews the serving certificate under the same CA, which a client trusting that CA accepts', async () => {
    const tlsDir = join(dir, 'renewed');
    const before = await loadOrCreateTls(tlsDir);
    const after = await loadOrCreateTls(tlsDir, names); // names the first certificate lacks
    expect(after.caCert).toBe(before.caCert);
    expect(after.cert).not.toBe(before.cert);
    expect(await handshake({ ...after, caCert: before.caCert }, 'kubernetes.default.svc')).toEqual({ authorized: true });
  });

  it('makes a fresh one each time without a folder', async () => {
    expect((await loadOrCreateTls()).caCert).not.toBe((await loadOrCreateTls()).caCert);
  });
});
