// SPDX-License-Identifier: Apache-2.0
// The sandbox's own certificate authority and serving certificate, so that kubectl, helm and
// client-node talk to it over verified HTTPS, with no `insecure-skip-tls-verify` anywhere, just as
// they talk to a real cluster (whose CA is in the kubeconfig too).
//
// The CA is made on first start and kept in `--data-dir` when there is one (a kubeconfig written
// yesterday still verifies today); the serving certificate names 127.0.0.1 and localhost. Keys are
// ECDSA P-256: generated in milliseconds, so a fresh start stays well under a second.
import 'reflect-metadata'; // @peculiar/x509 uses tsyringe, which needs the Reflect metadata API
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsMaterial {
  /** the CA certificate, PEM: what a kubeconfig's certificate-authority-data carries */
  caCert: string;
  caKey: string;
  /** the serving certificate (PEM), signed by the CA */
  cert: string;
  key: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

function pem(label: string, der: ArrayBuffer): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** A positive serial number of 16 random bytes (RFC 5280 allows up to 20). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function privatePem(key: webcrypto.CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

/** A serving certificate for 127.0.0.1 and localhost, signed by the given CA. */
async function servingCertificate(ca: x509.X509Certificate, caKey: webcrypto.CryptoKey): Promise<{ cert: string; key: string }> {
  const keys = await keyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=seldon-lab-sandbox-apiserver',
    issuer: ca.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * DAY),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await privatePem(keys.privateKey) };
}

/** A new CA and a serving certificate signed by it. */
export async function generateTls(): Promise<TlsMaterial> {
  const caKeys = await keyPair();
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=seldon-lab-sandbox-ca',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * DAY),
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serving = await servingCertificate(ca, caKeys.privateKey);
  return { caCert: ca.toString('pem') + '\n', caKey: await privatePem(caKeys.privateKey), ...serving };
}

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', cert: 'apiserver.crt', key: 'apiserver.key' } as const;

/** True when the PEM certificate is valid for at least another week. */
function fresh(certPem: string): boolean {
  try {
    return new X509Certificate(certPem).validTo !== '' && Date.parse(new X509Certificate(certPem).validTo) > Date.now() + 7 * DAY;
  } catch {
    return false;
  }
}

/**
 * The TLS material kept in `dir` (made on first use), or a fresh one when there is no `dir`.
 * A serving certificate close to expiry is renewed under the same CA.
 */
export async function loadOrCreateTls(dir?: string): Promise<TlsMaterial> {
  if (!dir) return generateTls();
  const paths = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dir, f)])) as Record<keyof TlsMaterial, string>;
  if (Object.values(paths).every((p) => existsSync(p))) {
    const material = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, readFileSync(p, 'utf8')])) as unknown as TlsMaterial;
    if (fresh(material.caCert) && fresh(material.cert)) return material;
    if (fresh(material.caCert)) {
      const caKey = await webcrypto.subtle.importKey('pkcs8', Buffer.from(material.caKey.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'), ALGORITHM, true, ['sign']);
      const renewed = { ...material, ...(await servingCertificate(new x509.X509Certificate(material.caCert), caKey)) };
      save(dir, paths, renewed);
      return renewed;
    }
  }
  const material = await generateTls();
  save(dir, paths, material);
  return material;
}

function save(dir: string, paths: Record<keyof TlsMaterial, string>, material: TlsMaterial): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const key of Object.keys(FILES) as (keyof TlsMaterial)[]) {
    const tmp = `${paths[key]}.tmp`;
    writeFileSync(tmp, material[key], { mode: 0o600 });
    renameSync(tmp, paths[key]);
  }
}
