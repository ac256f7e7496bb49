// SPDX-License-Identifier: Apache-2.0
// The sandbox's own certificate authority and serving certificate, so that kubectl, helm and
// client-node talk to it over verified HTTPS, with no `insecure-skip-tls-verify` anywhere, just as
// they talk to a real cluster (whose CA is in the kubeconfig too).
//
// The CA is made on first start and kept in `--data-dir` when there is one (a kubeconfig written
// yesterday still verifies today). The serving certificate names 127.0.0.1 and localhost, where
// kubectl reaches the server, and, like a real API server's, the names and address of the
// `kubernetes` Service that pods use (kubernetes.default.svc, 10.96.0.1, and 127.96.0.1, the
// loopback address where the sandbox's Service proxy really serves that Service; see
// lib/sandbox/network/address.ts). So an in-cluster client verifies the server with the `ca.crt`
// of its ServiceAccount, no insecure flag. Keys are ECDSA P-256: generated in milliseconds, so a
// fresh start stays well under a second.
import type * as X509 from '@peculiar/x509';
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

/** The names and addresses the serving certificate is valid for. */
export interface ServingNames {
  ips: string[];
  dns: string[];
}

/** Where clients on this machine reach the server: what every serving certificate names. */
export const LOCAL_NAMES: ServingNames = { ips: ['127.0.0.1'], dns: ['localhost'] };

function withLocal(names: ServingNames): ServingNames {
  return { ips: [...new Set([...LOCAL_NAMES.ips, ...names.ips])], dns: [...new Set([...LOCAL_NAMES.dns, ...names.dns])] };
}

let loading: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509, loaded on first use. Only making a certificate needs it, and loading it (with its
 * ASN.1 stack) takes about a tenth of a second, a fifth of the sandbox's start-up budget: a sandbox
 * that finds valid certificates in its data folder starts without it.
 */
function library(): Promise<typeof X509> {
  loading ??= (async () => {
    await import('reflect-metadata'); // @peculiar/x509 uses tsyringe, which needs the Reflect metadata API
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    return lib;
  })();
  return loading;
}

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

/** A serving certificate for `names` (and 127.0.0.1 and localhost), signed by the given CA. */
async function servingCertificate(caPem: string, caKey: webcrypto.CryptoKey, names: ServingNames): Promise<{ cert: string; key: string }> {
  const x509 = await library();
  const ca = new x509.X509Certificate(caPem);
  const all = withLocal(names);
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
        ...all.ips.map((value) => ({ type: 'ip' as const, value })),
        ...all.dns.map((value) => ({ type: 'dns' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await privatePem(keys.privateKey) };
}

/** A new CA and a serving certificate signed by it, valid for `names` too. */
export async function generateTls(names: ServingNames = LOCAL_NAMES): Promise<TlsMaterial> {
  const x509 = await library();
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
  const caCert = ca.toString('pem') + '\n';
  return { caCert, caKey: await privatePem(caKeys.privateKey), ...(await servingCertificate(caCert, caKeys.privateKey, names)) };
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

/** True when the certificate names every address and name in `names` (`subjectAltName` reads `IP Address:1.2.3.4, DNS:x`). */
export function covers(certPem: string, names: ServingNames): boolean {
  let san: string;
  try {
    san = new X509Certificate(certPem).subjectAltName ?? '';
  } catch {
    return false;
  }
  const entries = new Set(san.split(',').map((e) => e.trim()));
  const all = withLocal(names);
  return all.ips.every((ip) => entries.has(`IP Address:${ip}`)) && all.dns.every((d) => entries.has(`DNS:${d}`));
}

/**
 * The TLS material kept in `dir` (made on first use), or a fresh one when there is no `dir`. A
 * serving certificate close to expiry, or one that does not name all of `names` (it was made by
 * an older version), is renewed under the same CA, so kubeconfigs written before still verify.
 */
export async function loadOrCreateTls(dir?: string, names: ServingNames = LOCAL_NAMES): Promise<TlsMaterial> {
  if (!dir) return generateTls(names);
  const paths = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dir, f)])) as Record<keyof TlsMaterial, string>;
  if (Object.values(paths).every((p) => existsSync(p))) {
    const material = Object.fromEntries(Object.entries(paths).map(([k, p]) => [k, readFileSync(p, 'utf8')])) as unknown as TlsMaterial;
    if (fresh(material.caCert) && fresh(material.cert) && covers(material.cert, names)) return material;
    if (fresh(material.caCert)) {
      const caKey = await webcrypto.subtle.importKey('pkcs8', Buffer.from(material.caKey.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'), ALGORITHM, true, ['sign']);
      const renewed = { ...material, ...(await servingCertificate(material.caCert, caKey, names)) };
      save(dir, paths, renewed);
      return renewed;
    }
  }
  const material = await generateTls(names);
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
