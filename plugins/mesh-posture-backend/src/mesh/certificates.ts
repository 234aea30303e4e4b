import { X509Certificate } from 'node:crypto';
import type {
  CertificateRole,
  CertificateStatus,
  MeshKind,
} from '@mesh-posture/plugin-mesh-posture-common';
import { statusOf } from '@mesh-posture/plugin-mesh-posture-node';

const PEM_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The common name of a subject, or the whole subject when it has none. */
function subjectName(cert: X509Certificate): string {
  const cn = cert.subject.split('\n').find(part => part.startsWith('CN='));
  return cn ? cn.slice(3) : cert.subject.replace(/\n/g, ', ');
}

export class CertificateParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateParseError';
  }
}

/**
 * Reads every certificate of a PEM bundle (a trust-anchor bundle holds
 * several during a rotation). Throws when the text holds none, or a block
 * that is not a certificate.
 */
export function parsePemBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new CertificateParseError('no PEM certificate found');
  }
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new CertificateParseError(
        `certificate ${i + 1} of the bundle is not valid X.509: ${
          (error as Error).message
        }`,
      );
    }
  });
}

/** The status of each certificate of a bundle, judged at `now`. */
export function certificateStatuses(
  pem: string,
  context: {
    cluster: string;
    mesh: MeshKind;
    role: CertificateRole;
    location: string;
    now: Date;
  },
): CertificateStatus[] {
  return parsePemBundle(pem).map(cert =>
    statusOf(
      {
        subject: subjectName(cert),
        notBefore: new Date(cert.validFrom),
        notAfter: new Date(cert.validTo),
      },
      context,
    ),
  );
}
