import type { EntityScorecard } from '@mesh-posture/plugin-mesh-posture-common';
import { readMeshPostureConfig } from '../config';
import { ConfigReader } from '@backstage/config';
import type { StoredCertificate } from '../database/ScorecardStore';
import { NoticeInput, postureNotices } from './notices';

const now = new Date('2026-12-07T12:00:00Z');
const DAY = 24 * 3600_000;
const settings = readMeshPostureConfig(
  new ConfigReader({ meshPosture: { notifications: { enabled: true } } }),
).notifications;

function card(
  name: string,
  checks: EntityScorecard['checks'],
  overrides: Partial<EntityScorecard> = {},
): EntityScorecard {
  return {
    entityRef: `component:default/${name}`,
    title: `${name} (title)`,
    kind: 'Component',
    namespace: 'default',
    name,
    owner: 'group:default/open-banking-team',
    system: null,
    lifecycle: 'production',
    clusters: ['prod-eu-west'],
    meshes: ['linkerd'],
    score: 50,
    level: null,
    checks,
    figures: {
      totalPods: 2,
      meshedPods: 2,
      inboundMtlsShare: 1,
      outboundMtlsShare: null,
      inboundRequestsPerSecond: 1,
      successRate: 1,
      latencyP99Ms: 10,
      certificateDaysLeft: null,
    },
    missing: [],
    demo: false,
    ...overrides,
  };
}

// The anchor's and issuer's CNs as Linkerd's certificate guide has `step`
// create them (linkerd/website, tasks/generate-certificates.md); a
// workload's is its proxy's identity in trust domain cluster.local.
const SUBJECTS: Record<string, string> = {
  'trust-anchor': 'root.linkerd.cluster.local',
  issuer: 'identity.linkerd.cluster.local',
  workload:
    'accounts-service.accounts.serviceaccount.identity.linkerd.cluster.local',
  webhook: 'linkerd-proxy-injector.linkerd.svc',
};

function certificate(
  role: StoredCertificate['certificate']['role'],
  daysLeft: number,
  entityRef?: string,
): StoredCertificate {
  return {
    ...(entityRef ? { entityRef } : {}),
    certificate: {
      cluster: 'prod-eu-west',
      mesh: 'linkerd',
      role,
      subject: SUBJECTS[role],
      location:
        role === 'trust-anchor'
          ? 'ConfigMap linkerd/linkerd-identity-trust-roots'
          : 'Secret linkerd/linkerd-identity-issuer',
      notBefore: new Date(now.getTime() - 300 * DAY).toISOString(),
      notAfter: new Date(
        now.getTime() + daysLeft * DAY + 3600_000,
      ).toISOString(),
    },
  };
}

function input(overrides: Partial<NoticeInput>): NoticeInput {
  return {
    now,
    settings,
    scorecards: [],
    passedBefore: new Map(),
    certificates: [],
    findings: { checklists: [], canaryRollbacks: [] },
    ...overrides,
  };
}

describe('postureNotices', () => {
  it("tells the owners of a cluster's services once of its trust anchor within 60 days", () => {
    const notices = postureNotices(
      input({
        scorecards: [
          card('accounts-service', []),
          card('payments-api', [], { owner: 'group:default/payments-team' }),
          card('elsewhere', [], {
            owner: 'group:default/pci-team',
            clusters: ['pci-eu-central'],
          }),
        ],
        certificates: [
          certificate('trust-anchor', 24),
          certificate('issuer', 170),
        ],
      }),
    );
    expect(notices).toEqual([
      expect.objectContaining({
        scope: 'mesh-posture:cluster:prod-eu-west:certificates',
        topic: 'certificates',
        recipients: [
          'group:default/open-banking-team',
          'group:default/payments-team',
        ],
        title:
          'Trust anchor root.linkerd.cluster.local on prod-eu-west expires in 24 days',
        // Within 30 days: high, as the PCI root of the demo is.
        severity: 'high',
        link: '/zero-trust',
      }),
    ]);
    expect(notices[0].conditions).toHaveLength(1);
    expect(notices[0].description).toContain(
      'ConfigMap linkerd/linkerd-identity-trust-roots',
    );
  });

  it('leaves a workload certificate of a day alone, and tells an expired one as critical', () => {
    const ref = 'component:default/accounts-service';
    expect(
      postureNotices(
        input({
          scorecards: [card('accounts-service', [])],
          certificates: [certificate('workload', 0, ref)],
        }),
      ),
    ).toEqual([]);
    const [expired] = postureNotices(
      input({
        scorecards: [card('accounts-service', [])],
        certificates: [certificate('workload', -2, ref)],
      }),
    );
    expect(expired).toMatchObject({
      scope: `mesh-posture:${ref}:certificates`,
      recipients: [ref],
      severity: 'critical',
      link: '/catalog/default/component/accounts-service/zero-trust',
      title: 'accounts-service (title): 1 workload certificate expired',
    });
  });

  it('moves a certificate to a new condition as it nears expiry, so it is told again', () => {
    // One anchor, 30 days from now, seen on later days.
    const anchor = certificate('trust-anchor', 30);
    const at = (daysLater: number) =>
      postureNotices(
        input({
          now: new Date(now.getTime() + daysLater * DAY),
          scorecards: [card('accounts-service', [])],
          certificates: [anchor],
        }),
      )[0].conditions;
    expect(at(10)).toEqual(at(0));
    expect(at(24)).not.toEqual(at(10));
    expect(at(31)).not.toEqual(at(24));
  });

  it('tells a check that passed within the lookback and now fails, not one that is unknown', () => {
    const ref = 'component:default/accounts-service';
    const notices = postureNotices(
      input({
        scorecards: [
          card('accounts-service', [
            {
              id: 'inbound-mtls',
              status: 'fail',
              detail: '83% of 6 req/s over mTLS',
            },
            { id: 'default-deny', status: 'unknown', detail: 'no data' },
            { id: 'meshed-pods', status: 'pass', detail: '2/2' },
            { id: 'certificates', status: 'fail', detail: 'expired' },
          ]),
        ],
        // certificates never passed: failing all along is not a regression.
        passedBefore: new Map([
          [ref, new Set(['inbound-mtls', 'default-deny', 'meshed-pods'])],
        ]),
      }),
    );
    expect(notices).toEqual([
      expect.objectContaining({
        scope: `mesh-posture:${ref}:regressions`,
        topic: 'regressions',
        conditions: ['inbound-mtls:fail'],
        recipients: [ref],
        title: 'accounts-service (title): Inbound mTLS no longer passes',
        severity: 'high',
      }),
    ]);
    expect(notices[0].description).toContain(
      'Inbound mTLS (fails): 83% of 6 req/s over mTLS',
    );
    expect(notices[0].description).toContain('last 7 days');
  });

  it('tells attestations stale or due within 14 days, exemptions about to expire, and rollbacks', () => {
    const ref = 'component:default/accounts-service';
    const notices = postureNotices(
      input({
        scorecards: [card('accounts-service', [])],
        findings: {
          checklists: [
            {
              entityRef: ref,
              template: { id: 'pci-dss', title: 'PCI DSS v4.0' },
              attestation: {
                state: 'expiring',
                validUntil: new Date(now.getTime() + 10 * DAY).toISOString(),
                reasons: [],
              },
              exemptions: [
                {
                  itemId: 'req-1-2-4',
                  expiresAt: new Date(now.getTime() + 5 * DAY).toISOString(),
                },
                {
                  itemId: 'req-4-2-1',
                  expiresAt: new Date(now.getTime() + 90 * DAY).toISOString(),
                },
              ],
            },
            {
              entityRef: ref,
              template: { id: 'threat-model', title: 'Threat model' },
              attestation: {
                state: 'current',
                validUntil: new Date(now.getTime() + 80 * DAY).toISOString(),
                reasons: [],
              },
              exemptions: [],
            },
          ],
          canaryRollbacks: [
            {
              entityRef: ref,
              cluster: 'prod-eu-west',
              namespace: 'accounts',
              name: 'accounts-service',
              at: '2026-12-07T11:20:00Z',
              message: 'Canary analysis failed, Deployment scaled to zero.',
            },
          ],
        },
      }),
    );
    expect(notices.map(n => [n.topic, n.title])).toEqual([
      [
        'attestations',
        'accounts-service (title): PCI DSS v4.0 due for attestation',
      ],
      ['exemptions', 'accounts-service (title): 1 exemption about to expire'],
      [
        'canary-rollbacks',
        'accounts-service (title): Flagger rolled back canary accounts/accounts-service',
      ],
    ]);
    expect(notices[0].link).toBe(
      '/catalog/default/component/accounts-service/compliance',
    );
    expect(notices[1].description).toContain('req-1-2-4');
    expect(notices[1].description).not.toContain('req-4-2-1');
  });

  it('tells nothing of a topic that is switched off', () => {
    const off = readMeshPostureConfig(
      new ConfigReader({
        meshPosture: {
          notifications: {
            enabled: true,
            certificates: { enabled: false },
          },
        },
      }),
    ).notifications;
    expect(
      postureNotices(
        input({
          settings: off,
          scorecards: [card('accounts-service', [])],
          certificates: [certificate('trust-anchor', 3)],
        }),
      ),
    ).toEqual([]);
  });
});
