import {
  csvCell,
  type InventoryCertificate,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { StoredCertificate } from '../database/ScorecardStore';
import { evidenceId } from '../evidenceIds';

const DAY = 24 * 3600_000;
const EXPIRING_DAYS = 30;

/** One step up a mesh's chain, by role. */
const ISSUED_BY: Record<string, string[]> = {
  workload: ['issuer', 'root', 'trust-anchor'],
  issuer: ['trust-anchor', 'root'],
};

function evidenceIdOf(c: StoredCertificate['certificate']): string {
  return evidenceId('CERT', [
    c.cluster,
    c.mesh,
    c.role,
    c.subject,
    c.location,
    c.notAfter,
  ]);
}

/**
 * The inventory of the certificates a run read: each certificate once,
 * with the entities it was read through (a cluster's own, every entity of
 * the run on that cluster: `clustersOf`), soonest expiry first. `visible`
 * keeps what the caller may read: a certificate read through no entity of
 * theirs is left out.
 */
export function buildCertificateInventory(
  stored: StoredCertificate[],
  visible: Set<string>,
  now: Date,
  clustersOf: Map<string, string[]> = new Map(),
): InventoryCertificate[] {
  // A cluster's own certificates are read through every entity on it.
  const onCluster = new Map<string, string[]>();
  for (const [entityRef, clusters] of clustersOf) {
    if (!visible.has(entityRef)) continue;
    for (const cluster of clusters) {
      onCluster.set(cluster, [...(onCluster.get(cluster) ?? []), entityRef]);
    }
  }
  const byId = new Map<string, InventoryCertificate>();
  for (const { entityRef, certificate: c } of stored) {
    const through = entityRef
      ? [entityRef].filter(ref => visible.has(ref))
      : onCluster.get(c.cluster) ?? [];
    if (through.length === 0) continue;
    const id = evidenceIdOf(c);
    const known = byId.get(id);
    if (known) {
      for (const ref of through) {
        if (!known.entities.includes(ref)) known.entities.push(ref);
      }
      continue;
    }
    const daysToExpiry = Math.floor(
      (new Date(c.notAfter).getTime() - now.getTime()) / DAY,
    );
    let status: InventoryCertificate['status'] = 'valid';
    if (new Date(c.notAfter) <= now) status = 'expired';
    else if (c.problem) status = 'invalid';
    else if (daysToExpiry < EXPIRING_DAYS) status = 'expiring';
    byId.set(id, {
      evidenceId: id,
      cluster: c.cluster,
      mesh: c.mesh,
      role: c.role,
      subject: c.subject,
      location: c.location,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      daysToExpiry,
      status,
      ...(c.problem ? { problem: c.problem } : {}),
      issuedBy: null,
      entities: [...through],
    });
  }
  const all = [...byId.values()];
  for (const cert of all) {
    const up = ISSUED_BY[cert.role];
    if (!up) continue;
    for (const role of up) {
      const issuers = all.filter(
        o =>
          o.role === role && o.cluster === cert.cluster && o.mesh === cert.mesh,
      );
      if (issuers.length > 0) {
        cert.issuedBy = [...new Set(issuers.map(i => i.subject))]
          .sort()
          .join(', ');
        break;
      }
    }
  }
  for (const cert of all) cert.entities.sort();
  return all.sort(
    (a, b) =>
      a.notAfter.localeCompare(b.notAfter) ||
      a.evidenceId.localeCompare(b.evidenceId),
  );
}

/** The inventory as CSV (RFC 4180, CRLF), spreadsheet formulas defused. */
export function certificateInventoryCsv(
  certificates: InventoryCertificate[],
  meta: { generatedAt: string; generatedBy: string; runAt?: string },
): string {
  const header = [
    'evidence_id',
    'cluster',
    'mesh',
    'role',
    'subject',
    'issued_by',
    'not_before',
    'not_after',
    'days_to_expiry',
    'status',
    'problem',
    'location',
    'entities',
    'snapshot_at',
    'generated_at',
    'generated_by',
  ];
  const rows = certificates.map(c => [
    c.evidenceId,
    c.cluster,
    c.mesh,
    c.role,
    c.subject,
    c.issuedBy,
    c.notBefore,
    c.notAfter,
    c.daysToExpiry,
    c.status,
    c.problem,
    c.location,
    c.entities.join(' '),
    meta.runAt,
    meta.generatedAt,
    meta.generatedBy,
  ]);
  return `${[header, ...rows]
    .map(row => row.map(cell => csvCell(cell)).join(','))
    .join('\r\n')}\r\n`;
}
