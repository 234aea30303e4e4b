import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/**
 * A real self-signed CA certificate (ECDSA P-256) with the given validity,
 * as PEM: what Linkerd trust anchors and Istio roots look like.
 */
export async function selfSignedPem(options: {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, [
    'sign',
    'verify',
  ]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Math.floor(Math.random() * 1e12).toString(16),
    name: `CN=${options.commonName}`,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    signingAlgorithm: alg,
    keys: keys as unknown as CryptoKeyPair,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true)],
  });
  return cert.toString('pem');
}

/** A CA to sign test certificates with: its PEM and its keys. */
export interface TestCa {
  pem: string;
  name: string;
  keys: CryptoKeyPair;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, [
    'sign',
    'verify',
  ])) as unknown as CryptoKeyPair;
}

/** A self-signed CA (a trust anchor) whose keys can sign more. */
export async function testCa(commonName: string, days = 365): Promise<TestCa> {
  const keys = await keyPair();
  const name = `CN=${commonName}`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Math.floor(Math.random() * 1e12).toString(16),
    name,
    notBefore: new Date(Date.now() - 86400_000),
    notAfter: new Date(Date.now() + days * 86400_000),
    signingAlgorithm: ALG,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, 2, true)],
  });
  return { pem: cert.toString('pem'), name, keys };
}

/** An intermediate CA (Linkerd's issuer) signed by `parent`. */
export async function issuedCa(
  parent: TestCa,
  commonName: string,
  days = 365,
): Promise<TestCa> {
  const keys = await keyPair();
  const name = `CN=${commonName}`;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Math.floor(Math.random() * 1e12).toString(16),
    issuer: parent.name,
    subject: name,
    notBefore: new Date(Date.now() - 86400_000),
    notAfter: new Date(Date.now() + days * 86400_000),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: parent.keys.privateKey,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true)],
  });
  return { pem: cert.toString('pem'), name, keys };
}
