import type {
  CertificateRole,
  CertificateStatus,
  MeshKind,
} from '@mesh-posture/plugin-mesh-posture-common';

const DAY_MS = 24 * 3600_000;

/**
 * A certificate's status from known validity dates (a metric, a CR status,
 * a parsed certificate): shared by the backend's readers and cluster
 * modules that know their certificates' dates.
 * @public
 */
export function statusOf(
  cert: { subject: string; notBefore?: Date; notAfter: Date },
  context: {
    cluster: string;
    mesh: MeshKind;
    role: CertificateRole;
    location: string;
    now: Date;
  },
): CertificateStatus {
  return {
    cluster: context.cluster,
    mesh: context.mesh,
    role: context.role,
    subject: cert.subject,
    location: context.location,
    notBefore: (cert.notBefore ?? new Date(0)).toISOString(),
    notAfter: cert.notAfter.toISOString(),
    daysToExpiry: Math.floor(
      (cert.notAfter.getTime() - context.now.getTime()) / DAY_MS,
    ),
  };
}
