import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/**
 * Real self-signed CA certificates for the demo mesh's ConfigMaps, made on
 * demand with the validity the simulation asks for and kept for reuse (the
 * validity only changes at a rotation).
 */
export class DemoCertificates {
  private readonly cache = new Map<string, Promise<string>>();

  pem(commonName: string, notBefore: Date, notAfter: Date): Promise<string> {
    const key = `${commonName}|${notBefore.toISOString()}|${notAfter.toISOString()}`;
    let pem = this.cache.get(key);
    if (!pem) {
      pem = this.generate(commonName, notBefore, notAfter);
      this.cache.set(key, pem);
      if (this.cache.size > 64) {
        this.cache.delete(this.cache.keys().next().value!);
      }
    }
    return pem;
  }

  private async generate(commonName: string, notBefore: Date, notAfter: Date) {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, [
      'sign',
      'verify',
    ]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: Buffer.from(`${commonName}${notAfter.getTime()}`)
        .toString('hex')
        .slice(0, 16),
      name: `CN=${commonName}`,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys: keys as unknown as CryptoKeyPair,
      extensions: [new x509.BasicConstraintsExtension(true, 1, true)],
    });
    return cert.toString('pem');
  }
}
