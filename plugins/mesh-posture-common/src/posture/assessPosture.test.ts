import {
  AdmittedIdentity,
  CertificateStatus,
  PortAuthorization,
  SourceReport,
  TrafficObservation,
  WorkloadPosture,
  WorkloadRef,
} from '../types';
import {
  assessPosture,
  formatExpiry,
  formatShare,
  PostureFacts,
} from './assessPosture';

const ledger: WorkloadRef = {
  cluster: 'prod',
  namespace: 'payments',
  kind: 'Deployment',
  name: 'ledger',
};

function workload(total: number, meshed: number): WorkloadPosture {
  return {
    workload: ledger,
    mesh: 'linkerd',
    totalPods: total,
    meshedPods: meshed,
    readyPods: total,
    dataPlane: meshed > 0 ? 'sidecar' : 'none',
    proxyVersions: meshed > 0 ? ['edge-24.11.8'] : [],
  };
}

function inbound(
  peer: string,
  rps: number,
  mtls: boolean,
  noTlsReason?: string,
): TrafficObservation {
  return {
    workload: ledger,
    direction: 'inbound',
    peer: mtls
      ? {
          namespace: 'payments',
          workload: peer,
          identity: `${peer}.payments.serviceaccount.identity.linkerd.cluster.local`,
        }
      : {},
    mtls,
    noTlsReason,
    requestsPerSecond: rps,
  };
}

const ok = (role: SourceReport['role']): SourceReport => ({
  role,
  cluster: 'prod',
  status: 'ok',
  demo: false,
  durationMs: 3,
});

function facts(overrides: Partial<PostureFacts>): PostureFacts {
  return {
    entityRef: 'component:default/ledger',
    window: '5m',
    generatedAt: new Date('2026-11-22T10:00:00Z'),
    workloads: [workload(3, 3)],
    traffic: [],
    certificates: [],
    authorization: [],
    admittedIdentities: [],
    deniedCallers: [],
    callerWindow: '7d',
    gaps: [],
    sources: [ok('kubernetes'), ok('prometheus')],
    ...overrides,
  };
}

function cert(daysToExpiry: number): CertificateStatus {
  return {
    cluster: 'prod',
    mesh: 'linkerd',
    role: 'trust-anchor',
    subject: 'root.linkerd.cluster.local',
    location: 'ConfigMap linkerd/linkerd-identity-trust-roots',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2027-01-01T00:00:00Z',
    daysToExpiry,
  };
}

describe('assessPosture', () => {
  it('passes a fully meshed service with all traffic over mTLS', () => {
    const p = assessPosture(
      facts({
        traffic: [
          inbound('payments-api', 10, true),
          inbound('payments-api', 2.5, true),
          inbound('fraud-scoring', 4, true),
        ],
        certificates: [cert(212)],
      }),
    );
    expect(p.inbound).toEqual({
      requestsPerSecond: 16.5,
      mtlsShare: 1,
      plaintextRequestsPerSecond: 0,
    });
    expect(p.edges).toHaveLength(2);
    expect(p.edges[0]).toMatchObject({
      peer: { workload: 'payments-api' },
      requestsPerSecond: 12.5,
      mtlsShare: 1,
      plaintextReasons: [],
    });
    expect(p.verdict.status).toBe('pass');
    expect(p.verdict.summary).toBe(
      'mTLS 100% inbound · 3/3 pods meshed · certificates valid 212 days',
    );
    expect(p.totalPods).toBe(3);
    expect(p.demo).toBe(false);
  });

  it('fails on a plaintext caller, names it and its reason, and sorts it first', () => {
    const p = assessPosture(
      facts({
        traffic: [
          inbound('payments-api', 9, true),
          inbound('?', 1, false, 'no_tls_from_remote'),
        ],
      }),
    );
    expect(p.inbound.mtlsShare).toBeCloseTo(0.9);
    expect(p.inbound.plaintextRequestsPerSecond).toBeCloseTo(1);
    expect(p.edges[0]).toMatchObject({
      mtlsShare: 0,
      plaintextReasons: ['no_tls_from_remote'],
    });
    const check = p.verdict.checks.find(c => c.id === 'inbound-mtls')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(
      'an unidentified client (no_tls_from_remote)',
    );
    expect(p.verdict.status).toBe('fail');
  });

  it('says "no requests" rather than 0% or 100% without traffic', () => {
    const p = assessPosture(facts({}));
    expect(p.inbound.mtlsShare).toBeNull();
    const check = p.verdict.checks.find(c => c.id === 'inbound-mtls')!;
    expect(check).toMatchObject({
      status: 'unknown',
      detail: 'no inbound requests in the last 5m',
    });
  });

  it('ignores non-finite and zero rates', () => {
    const p = assessPosture(
      facts({
        traffic: [
          inbound('a', Number.NaN, true),
          inbound('b', Number.POSITIVE_INFINITY, false, 'x'),
          inbound('c', 0, false, 'y'),
        ],
      }),
    );
    expect(p.edges).toEqual([]);
    expect(p.inbound.mtlsShare).toBeNull();
  });

  it('warns on partly meshed workloads and fails on unmeshed ones', () => {
    expect(
      assessPosture(facts({ workloads: [workload(4, 3)] })).verdict.checks.find(
        c => c.id === 'meshed-pods',
      )?.status,
    ).toBe('warn');
    expect(
      assessPosture(facts({ workloads: [workload(2, 0)] })).verdict.status,
    ).toBe('fail');
  });

  it('warns under 60 days to expiry and fails once expired', () => {
    const warn = assessPosture(facts({ certificates: [cert(212), cert(25)] }));
    expect(warn.verdict.status).toBe('warn');
    expect(warn.verdict.summary).toContain('trust anchor expires in 25 days');
    const fail = assessPosture(facts({ certificates: [cert(-3)] }));
    expect(fail.verdict.status).toBe('fail');
    expect(
      fail.verdict.checks.find(c => c.id === 'certificates')?.detail,
    ).toContain('expired 2 days ago');
  });

  it('does not pass when a source failed, and names the gap', () => {
    const p = assessPosture(
      facts({
        traffic: [],
        sources: [
          ok('kubernetes'),
          {
            role: 'prometheus',
            cluster: 'prod',
            status: 'timeout',
            message: 'no answer within 5000 ms',
            demo: false,
            durationMs: 5000,
          },
        ],
      }),
    );
    expect(p.verdict.status).toBe('unknown');
    expect(p.verdict.summary).toContain(
      'missing: prometheus on prod (timeout)',
    );
    expect(p.verdict.checks.find(c => c.id === 'inbound-mtls')?.detail).toBe(
      'traffic could not be read',
    );
  });
});

describe('formatExpiry', () => {
  it('counts whole days, before and after expiry', () => {
    expect(formatExpiry(212)).toBe('expires in 212 days');
    expect(formatExpiry(0)).toBe('expires today');
    expect(formatExpiry(-1)).toBe('expired today');
    expect(formatExpiry(-2)).toBe('expired 1 day ago');
    expect(formatExpiry(-5)).toBe('expired 4 days ago');
  });
});

describe('formatShare', () => {
  it('never rounds up to 100%', () => {
    expect(formatShare(1)).toBe('100%');
    expect(formatShare(0.99996)).toBe('99.9%');
    expect(formatShare(0.5)).toBe('50%');
    expect(formatShare(0.123)).toBe('12.3%');
    expect(formatShare(0.00001)).toBe('<0.1%');
    expect(formatShare(0)).toBe('0%');
  });
});

describe('assessPosture of an unmeshed workload', () => {
  it('fails the mTLS checks instead of reporting "no requests"', () => {
    const p = assessPosture(facts({ workloads: [workload(2, 0)] }));
    const outbound = p.verdict.checks.find(c => c.id === 'outbound-mtls')!;
    expect(outbound.status).toBe('fail');
    expect(outbound.detail).toContain('no pod is meshed');
  });
});

function port(
  access: PortAuthorization['access'],
  explanation = 'test',
): PortAuthorization {
  return {
    workload: ledger,
    port: '9090',
    selectedBy: 'Server payments/ledger-grpc',
    access,
    grants: [],
    explanation,
  };
}

function admitted(identity: string, seen: boolean | null): AdmittedIdentity {
  return {
    workload: ledger,
    identity,
    grantedBy: ['AuthorizationPolicy payments/ledger-callers'],
    seen,
  };
}

const check = (p: ReturnType<typeof assessPosture>, id: string) =>
  p.verdict.checks.find(c => c.id === id)!;

describe('authorization checks', () => {
  it('passes default-deny only when every port is deny', () => {
    expect(
      check(
        assessPosture(facts({ authorization: [port('deny')] })),
        'default-deny',
      ),
    ).toMatchObject({ status: 'pass', detail: 'default-deny on all 1 port' });
    expect(
      check(
        assessPosture(
          facts({
            authorization: [
              port('deny'),
              port('authenticated', 'default policy all-authenticated'),
            ],
          }),
        ),
        'default-deny',
      ).status,
    ).toBe('warn');
    const open = assessPosture(
      facts({
        authorization: [port('open', 'default policy all-unauthenticated')],
      }),
    );
    expect(check(open, 'default-deny')).toMatchObject({
      status: 'fail',
      detail:
        'open to unauthenticated clients: ledger:9090 (default policy all-unauthenticated)',
    });
    expect(open.verdict.status).toBe('fail');
  });

  it('fails default-deny for an unmeshed workload and is unknown without data', () => {
    expect(
      check(
        assessPosture(facts({ workloads: [workload(2, 0)] })),
        'default-deny',
      ).status,
    ).toBe('fail');
    expect(check(assessPosture(facts({})), 'default-deny').status).toBe(
      'unknown',
    );
  });

  it('warns on admitted identities never seen calling', () => {
    const p = assessPosture(
      facts({
        authorization: [port('deny')],
        admittedIdentities: [
          admitted(
            'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
            true,
          ),
          admitted(
            'reconciliation.batch.serviceaccount.identity.linkerd.cluster.local',
            false,
          ),
        ],
      }),
    );
    expect(check(p, 'no-over-grants')).toMatchObject({
      status: 'warn',
      detail:
        '1 admitted identity never seen calling in 7d: reconciliation.batch.serviceaccount.identity.linkerd.cluster.local (by AuthorizationPolicy payments/ledger-callers)',
    });
    expect(p.verdict.summary).toContain('1 over-granted identity');
  });

  it('does not judge over-grants on too little history', () => {
    const p = assessPosture(
      facts({
        authorization: [port('deny')],
        admittedIdentities: [admitted('a', null), admitted('b', null)],
      }),
    );
    expect(check(p, 'no-over-grants').status).toBe('unknown');
  });

  it('warns on denied callers, and is unknown where the mesh cannot tell', () => {
    const denied = assessPosture(
      facts({
        deniedCallers: [
          {
            workload: ledger,
            identity:
              'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
            policy: 'Server/ledger-grpc',
            count: 42,
            protocol: 'http',
          },
        ],
      }),
    );
    expect(check(denied, 'denied-callers')).toMatchObject({
      status: 'warn',
      detail:
        '42 refused in 7d: fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local to ledger (Server/ledger-grpc): 42',
    });
    const istio = assessPosture(
      facts({
        gaps: [
          {
            topic: 'denials',
            cluster: 'pci',
            message: 'sidecars do not report denials',
          },
        ],
      }),
    );
    expect(check(istio, 'denied-callers').status).toBe('unknown');
  });
});
