import type { StoredCertificate } from '../database/ScorecardStore';
import {
  buildCertificateInventory,
  certificateInventoryCsv,
} from './certificateInventory';

const now = new Date('2026-11-22T10:00:00Z');
const LEDGER = 'component:default/ledger';
const API = 'component:default/payments-api';
const VAULT = 'component:default/card-vault';

const linkerd = (
  role: StoredCertificate['certificate']['role'],
  subject: string,
  notAfter: string,
  extra: Partial<StoredCertificate['certificate']> = {},
): StoredCertificate['certificate'] => ({
  cluster: 'prod-eu-west',
  mesh: 'linkerd',
  role,
  subject,
  location: `${role} location`,
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter,
  ...extra,
});

const anchor = linkerd(
  'trust-anchor',
  'root.linkerd.cluster.local',
  '2027-06-01T00:00:00.000Z',
);
const issuer = linkerd(
  'issuer',
  'identity.linkerd.cluster.local',
  '2026-12-10T00:00:00.000Z',
);
const ledgerCert = linkerd(
  'workload',
  'payments/ledger',
  '2026-11-23T00:00:00.000Z',
);
const vaultRoot: StoredCertificate['certificate'] = {
  ...linkerd('root', 'istiod CA root', '2026-11-01T00:00:00.000Z'),
  cluster: 'pci-eu-central',
  mesh: 'istio',
};

const stored: StoredCertificate[] = [
  // The cluster's anchor and issuer are read through both of its entities.
  { entityRef: LEDGER, certificate: anchor },
  { entityRef: LEDGER, certificate: issuer },
  { entityRef: LEDGER, certificate: ledgerCert },
  { entityRef: API, certificate: anchor },
  { entityRef: API, certificate: issuer },
  { entityRef: VAULT, certificate: vaultRoot },
];

describe('buildCertificateInventory', () => {
  it('lists each certificate once, soonest expiry first, with the entities it was read through', () => {
    const inventory = buildCertificateInventory(
      stored,
      new Set([LEDGER, API, VAULT]),
      now,
    );
    expect(inventory.map(c => [c.subject, c.entities])).toEqual([
      ['istiod CA root', [VAULT]],
      ['payments/ledger', [LEDGER]],
      ['identity.linkerd.cluster.local', [LEDGER, API].sort()],
      ['root.linkerd.cluster.local', [LEDGER, API].sort()],
    ]);
    expect(inventory.map(c => c.status)).toEqual([
      'expired',
      'expiring',
      'expiring',
      'valid',
    ]);
    expect(inventory[0].daysToExpiry).toBe(-22);
  });

  it("names the certificate one step up the same cluster's chain", () => {
    const inventory = buildCertificateInventory(
      stored,
      new Set([LEDGER, API, VAULT]),
      now,
    );
    const by = Object.fromEntries(inventory.map(c => [c.subject, c.issuedBy]));
    expect(by['payments/ledger']).toBe('identity.linkerd.cluster.local');
    expect(by['identity.linkerd.cluster.local']).toBe(
      'root.linkerd.cluster.local',
    );
    // The top of a chain: nothing is claimed about who signed it.
    expect(by['root.linkerd.cluster.local']).toBeNull();
    expect(by['istiod CA root']).toBeNull();
  });

  it('keeps evidence ids stable across runs and apart across certificates', () => {
    const first = buildCertificateInventory(stored, new Set([LEDGER]), now);
    const again = buildCertificateInventory(
      [...stored].reverse(),
      new Set([LEDGER, API]),
      new Date('2026-11-25T00:00:00Z'),
    );
    const id = (list: typeof first, subject: string) =>
      list.find(c => c.subject === subject)!.evidenceId;
    expect(id(first, 'payments/ledger')).toMatch(/^CERT-[0-9A-F]{16}$/);
    expect(id(first, 'payments/ledger')).toBe(id(again, 'payments/ledger'));
    expect(new Set(first.map(c => c.evidenceId)).size).toBe(first.length);
    // A renewed certificate is a new piece of evidence.
    const renewed = buildCertificateInventory(
      [
        {
          entityRef: LEDGER,
          certificate: { ...ledgerCert, notAfter: '2026-11-24T00:00:00.000Z' },
        },
      ],
      new Set([LEDGER]),
      now,
    );
    expect(renewed[0].evidenceId).not.toBe(id(first, 'payments/ledger'));
  });

  it('shows a caller only what was read through entities they may read', () => {
    const inventory = buildCertificateInventory(stored, new Set([API]), now);
    expect(inventory.map(c => c.subject)).toEqual([
      'identity.linkerd.cluster.local',
      'root.linkerd.cluster.local',
    ]);
    expect(inventory.every(c => c.entities.join() === API)).toBe(true);
    expect(buildCertificateInventory(stored, new Set(), now)).toEqual([]);
  });

  it("lists a cluster's own certificate, stored once, through the caller's entities on that cluster", () => {
    const clustersOf = new Map([
      [LEDGER, ['prod-eu-west']],
      [API, ['prod-eu-west']],
      [VAULT, ['pci-eu-central']],
    ]);
    const once: StoredCertificate[] = [
      { certificate: anchor },
      { certificate: vaultRoot },
      { entityRef: LEDGER, certificate: ledgerCert },
    ];
    const all = buildCertificateInventory(
      once,
      new Set([LEDGER, API, VAULT]),
      now,
      clustersOf,
    );
    const of = (subject: string) => all.find(c => c.subject === subject)!;
    expect(of('root.linkerd.cluster.local').entities).toEqual([LEDGER, API]);
    expect(of('istiod CA root').entities).toEqual([VAULT]);
    const mine = buildCertificateInventory(
      once,
      new Set([API]),
      now,
      clustersOf,
    );
    expect(mine.map(c => c.subject)).toEqual(['root.linkerd.cluster.local']);
    expect(mine[0].entities).toEqual([API]);
  });

  it('marks a certificate its chain check failed invalid, whatever its expiry', () => {
    const [cert] = buildCertificateInventory(
      [
        {
          entityRef: LEDGER,
          certificate: { ...issuer, problem: 'not signed by any trust anchor' },
        },
      ],
      new Set([LEDGER]),
      now,
    );
    expect(cert).toMatchObject({
      status: 'invalid',
      problem: 'not signed by any trust anchor',
    });
  });
});

describe('certificateInventoryCsv', () => {
  it('writes one row per certificate, with when and for whom, formulas defused', () => {
    const inventory = buildCertificateInventory(
      [
        {
          entityRef: LEDGER,
          certificate: { ...ledgerCert, subject: '=HYPERLINK("x")' },
        },
      ],
      new Set([LEDGER]),
      now,
    );
    const csv = certificateInventoryCsv(inventory, {
      generatedAt: now.toISOString(),
      generatedBy: 'user:default/marta.kowalska',
      runAt: '2026-11-22T09:55:00.000Z',
    });
    const [header, row, end] = csv.split('\r\n');
    expect(header.split(',')).toEqual([
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
    ]);
    expect(row).toContain(inventory[0].evidenceId);
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain('user:default/marta.kowalska');
    expect(end).toBe('');
  });
});
