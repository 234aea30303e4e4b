import {
  AdmittedIdentity,
  CertificateStatus,
  NetworkIsolation,
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
import { describeCheckFinding } from './findings';

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
    // Its proxies have been reporting for a fortnight, up to this hour.
    ...(meshed > 0
      ? {
          telemetryFrom: '2026-11-08T10:00:00.000Z',
          telemetryUntil: '2026-11-22T10:00:00.000Z',
        }
      : {}),
  };
}

const denyPort: PortAuthorization = {
  workload: ledger,
  port: '8080 (http)',
  selectedBy: 'Server payments/ledger-http',
  access: 'deny',
  grants: [
    {
      policy: 'AuthorizationPolicy payments/ledger-callers',
      identities: [
        'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
      ],
      networks: ['0.0.0.0/0', '::/0'],
      unauthenticated: false,
    },
  ],
  explanation: 'Server ledger-http: 1 authorization',
};

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

/**
 * A workload's network isolation as the backend reads it from
 * NetworkPolicies (plugins/mesh-posture-backend/src/network).
 */
function isolation(
  pods: number,
  open: { ingress?: number; egress?: number } = {},
  meshPorts: NetworkIsolation['meshPorts'] = [
    { port: 4143, name: 'linkerd-proxy', allowed: true },
    { port: 4191, name: 'linkerd-admin', allowed: true },
  ],
): NetworkIsolation {
  const direction = (unisolated: number) => ({
    unisolatedPods: unisolated,
    policies: unisolated === pods ? [] : ['payments/default-deny'],
    rules: [],
  });
  return {
    workload: ledger,
    pods,
    ingress: direction(open.ingress ?? 0),
    egress: direction(open.egress ?? 0),
    meshPorts,
  };
}

const check = (p: ReturnType<typeof assessPosture>, id: string) =>
  p.verdict.checks.find(c => c.id === id)!;

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
        authorization: [denyPort, { ...denyPort, port: '*' }],
        admittedIdentities: [
          {
            workload: ledger,
            identity:
              'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
            grantedBy: ['AuthorizationPolicy payments/ledger-callers'],
            seen: true,
          },
        ],
        networkIsolation: [isolation(3)],
        egress: {
          policies: [
            {
              workload: ledger,
              mode: 'declared-only',
              decidedBy: 'EgressNetwork payments/egress denies by default',
              declared: [],
            },
          ],
          calls: [],
        },
      }),
    );
    expect(p.inbound).toEqual({
      requestsPerSecond: 16.5,
      mtlsShare: 1,
      plaintextRequestsPerSecond: 0,
      unverifiedRequestsPerSecond: 0,
      probeRequestsPerSecond: 0,
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
      'mTLS 100% inbound · 3/3 pods meshed · default-deny · network default-deny · egress declared · no over-grants · certificates valid 212 days',
    );
    expect(
      Object.fromEntries(p.verdict.checks.map(c => [c.id, c.status])),
    ).toEqual({
      'inbound-mtls': 'pass',
      // Nothing called out in the window: nothing to encrypt.
      'outbound-mtls': 'not-applicable',
      'meshed-pods': 'pass',
      'default-deny': 'pass',
      'network-default-deny': 'pass',
      'egress-declared': 'pass',
      'no-over-grants': 'pass',
      'denied-callers': 'pass',
      certificates: 'pass',
    });
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
    const inboundCheck = check(p, 'inbound-mtls');
    expect(inboundCheck.status).toBe('fail');
    expect(inboundCheck.detail).toContain(
      'an unidentified client (no_tls_from_remote)',
    );
    expect(p.verdict.status).toBe('fail');
  });

  it('says "no requests" rather than 0% or 100% without traffic', () => {
    const p = assessPosture(facts({}));
    expect(p.inbound.mtlsShare).toBeNull();
    // The proxies report, and saw no request: nothing to encrypt.
    expect(check(p, 'inbound-mtls')).toMatchObject({
      status: 'not-applicable',
      detail: 'no inbound requests or TCP connections in the last 5m',
    });
  });

  it('does not read silence as "no requests" when the proxies report nothing at all', () => {
    const silent = { ...workload(3, 3), telemetryFrom: undefined };
    const p = assessPosture(facts({ workloads: [silent] }));
    for (const id of ['inbound-mtls', 'outbound-mtls', 'denied-callers']) {
      expect(p.verdict.checks.find(c => c.id === id)).toMatchObject({
        status: 'unknown',
        detail: expect.stringContaining('reported no metrics'),
      });
    }
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

  it('does not pass checks that only a proxy could answer', () => {
    const p = assessPosture(
      facts({
        workloads: [workload(2, 0)],
        // The cluster's trust anchor is fine, but no proxy here uses it.
        certificates: [cert(300)],
      }),
    );
    const statuses = Object.fromEntries(
      p.verdict.checks.map(c => [c.id, c.status]),
    );
    expect(statuses).toEqual({
      'inbound-mtls': 'fail',
      'outbound-mtls': 'fail',
      'meshed-pods': 'fail',
      'default-deny': 'fail',
      // No NetworkPolicy was read: beneath the mesh, nothing is known.
      'egress-declared': 'unknown',
      'network-default-deny': 'unknown',
      'no-over-grants': 'not-applicable',
      'denied-callers': 'not-applicable',
      certificates: 'not-applicable',
    });
  });

  it('names the callers its clients report, and fails inbound mTLS on them', () => {
    const p = assessPosture(
      facts({
        workloads: [workload(2, 0)],
        traffic: [
          {
            workload: ledger,
            direction: 'inbound',
            peer: { namespace: 'payments', workload: 'payments-api' },
            mtls: false,
            noTlsReason: 'not_provided_by_service_discovery',
            reportedBy: 'peer',
            requestsPerSecond: 1.9,
          },
        ],
      }),
    );
    expect(p.edges[0]).toMatchObject({
      peer: { workload: 'payments-api' },
      reportedBy: 'peer',
      mtlsShare: 0,
    });
    expect(check(p, 'inbound-mtls').detail).toBe(
      "no pod is meshed: 0% of 1.9 req/s inbound over mTLS; plaintext from payments/payments-api (not_provided_by_service_discovery) (seen by the callers' proxies)",
    );
  });
});

describe('assessPosture of a workload with no proxy beside a meshed one', () => {
  // A metrics exporter deployed without injection, under the same entity.
  const exporter: WorkloadPosture = {
    workload: { ...ledger, name: 'ledger-exporter' },
    mesh: 'linkerd',
    totalPods: 2,
    meshedPods: 0,
    readyPods: 2,
    dataPlane: 'none',
    proxyVersions: [],
  };
  const mixed = () =>
    assessPosture(
      facts({
        workloads: [workload(3, 3), exporter],
        traffic: [inbound('payments-api', 5, true)],
        authorization: [port('deny')],
      }),
    );

  it('does not pass default-deny on the meshed ports alone', () => {
    expect(check(mixed(), 'default-deny')).toMatchObject({
      status: 'fail',
      detail:
        '2 pods run without a proxy: no authorization is enforced on them',
    });
  });

  it('warns on the mTLS the meshed pods saw and is unknown on their silence', () => {
    const p = mixed();
    expect(check(p, 'meshed-pods').status).toBe('warn');
    expect(check(p, 'inbound-mtls')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        '2 pods run without a proxy, unobserved and unauthenticated',
      ),
    });
    // No outbound request from the meshed pods says nothing of the others.
    expect(check(p, 'outbound-mtls')).toMatchObject({
      status: 'unknown',
      detail:
        'no outbound requests or TCP connections seen by the meshed pods in the last 5m; 2 pods run without a proxy, whose traffic is not observed',
    });
  });

  it('says whose refusals a pass of refused callers covers', () => {
    expect(check(mixed(), 'denied-callers')).toMatchObject({
      status: 'pass',
      detail:
        'none in 7d by the meshed pods; 2 pods run without a proxy, which refuses no one (see default-deny)',
    });
  });

  it('passes no check of mTLS or authorization', () => {
    const passing = mixed()
      .verdict.checks.filter(c => c.status === 'pass')
      .map(c => c.id);
    for (const id of ['inbound-mtls', 'outbound-mtls', 'default-deny']) {
      expect(passing).not.toContain(id);
    }
  });
});

describe('assessPosture of traffic it cannot judge', () => {
  it('keeps probes out of the mTLS share and counts them apart', () => {
    const probe: TrafficObservation = {
      ...inbound('?', 0.2, false, 'no_tls_from_remote'),
      probe: true,
    };
    const p = assessPosture(
      facts({ traffic: [inbound('payments-api', 5, true), probe] }),
    );
    expect(p.inbound).toMatchObject({
      requestsPerSecond: 5,
      mtlsShare: 1,
      plaintextRequestsPerSecond: 0,
      probeRequestsPerSecond: 0.2,
    });
    expect(p.edges).toHaveLength(1);
    expect(check(p, 'inbound-mtls').status).toBe('pass');
  });

  it('is unknown, not failing, on requests no proxy at the far end reported', () => {
    const p = assessPosture(
      facts({
        traffic: [
          {
            workload: ledger,
            direction: 'outbound',
            peer: { namespace: 'cards', workload: 'card-vault' },
            mtls: false,
            unverified: true,
            noTlsReason:
              'not observed at the destination: it runs in another cluster (pci)',
            requestsPerSecond: 2,
          },
          {
            workload: ledger,
            direction: 'outbound',
            peer: { namespace: 'payments', workload: 'payments-api' },
            mtls: true,
            requestsPerSecond: 6,
          },
        ],
      }),
    );
    expect(p.outbound).toMatchObject({
      requestsPerSecond: 8,
      mtlsShare: 1,
      plaintextRequestsPerSecond: 0,
      unverifiedRequestsPerSecond: 2,
    });
    expect(p.edges.find(e => e.peer.workload === 'card-vault')).toMatchObject({
      mtlsShare: null,
      unverifiedRequestsPerSecond: 2,
      plaintextReasons: [],
    });
    expect(check(p, 'outbound-mtls')).toMatchObject({
      status: 'unknown',
      detail:
        '2.0 req/s outbound not observed at the destination: cards/card-vault (not observed at the destination: it runs in another cluster (pci)); the rest (100%) over mTLS',
    });
  });

  it('warns, not passes, when some pods run without a proxy', () => {
    const p = assessPosture(
      facts({
        workloads: [workload(3, 2)],
        traffic: [inbound('payments-api', 5, true)],
      }),
    );
    expect(check(p, 'inbound-mtls').status).toBe('warn');
    expect(check(p, 'inbound-mtls').detail).toContain(
      '1 pod runs without a proxy',
    );
  });
});

describe('silence is evidence only from proxies that report', () => {
  it('does not take stale proxies for reporting ones', () => {
    const stale = {
      ...workload(3, 3),
      telemetryUntil: '2026-11-20T10:00:00.000Z',
    };
    const p = assessPosture(facts({ workloads: [stale] }));
    for (const id of ['inbound-mtls', 'outbound-mtls', 'denied-callers']) {
      expect(check(p, id)).toMatchObject({
        status: 'unknown',
        detail: expect.stringContaining(
          'last reported 2026-11-20T10:00:00.000Z',
        ),
      });
    }
  });

  it('needs every meshed workload to report', () => {
    const silent: WorkloadPosture = {
      ...workload(2, 2),
      workload: { ...ledger, name: 'ledger-replica' },
      telemetryFrom: undefined,
      telemetryUntil: undefined,
    };
    const p = assessPosture(facts({ workloads: [workload(3, 3), silent] }));
    expect(check(p, 'denied-callers')).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('payments/ledger-replica'),
    });
  });

  it('says how long "none refused" covers when the proxies are younger than the window', () => {
    const young = {
      ...workload(3, 3),
      telemetryFrom: '2026-11-20T10:00:00.000Z',
    };
    expect(
      check(assessPosture(facts({ workloads: [young] })), 'denied-callers'),
    ).toEqual(
      expect.objectContaining({
        status: 'pass',
        detail: 'none in the 48 hours its proxies have reported (of 7d)',
      }),
    );
  });

  it('reads an ambient workload by the connections ztunnel reports', () => {
    const ambient = { ...workload(2, 2), dataPlane: 'ambient' as const };
    // Nothing in the window: ztunnel's connections are read, so this is idle.
    expect(
      check(assessPosture(facts({ workloads: [ambient] })), 'inbound-mtls'),
    ).toMatchObject({ status: 'not-applicable' });
    const secured = assessPosture(
      facts({
        workloads: [ambient],
        traffic: [tcpInbound('vault', 2048, true)],
      }),
    );
    expect(check(secured, 'inbound-mtls')).toMatchObject({
      status: 'pass',
      detail: '100% of 2.0 KB/s TCP inbound over mTLS',
    });
  });
});

function tcpInbound(
  peer: string,
  bytesPerSecond: number,
  mtls: boolean,
  noTlsReason?: string,
): TrafficObservation {
  return {
    ...inbound(peer, 0, mtls, noTlsReason),
    protocol: 'tcp',
    tcp: { bytesPerSecond, openConnections: 2 },
  };
}

describe('TCP edges', () => {
  it('fail inbound mTLS on a plaintext TCP client beside all-mTLS HTTP', () => {
    // A service at 100% HTTP mTLS whose database port takes one plaintext client.
    const p = assessPosture(
      facts({
        traffic: [
          inbound('payments-api', 12, true),
          tcpInbound('batch', 50_000, false, 'no_tls_from_remote'),
        ],
      }),
    );
    expect(p.inbound.mtlsShare).toBe(1);
    expect(p.inbound.tcp).toEqual({
      bytesPerSecond: 50_000,
      mtlsShare: 0,
      plaintextBytesPerSecond: 50_000,
      unverifiedBytesPerSecond: 0,
      openConnections: 2,
    });
    const c = check(p, 'inbound-mtls');
    expect(c.status).toBe('fail');
    expect(c.detail).toBe(
      '100% of 12.0 req/s and 0% of 50.0 KB/s TCP inbound over mTLS; plaintext from an unidentified client over TCP (no_tls_from_remote)',
    );
    expect(p.verdict.status).toBe('fail');
    expect(p.verdict.summary).toContain('mTLS 0% inbound');
  });

  it('are edges of their own, weighed in bytes, beside the HTTP edge to the same peer', () => {
    const p = assessPosture(
      facts({
        traffic: [
          inbound('payments-api', 12, true),
          tcpInbound('payments-api', 3000, true),
          tcpInbound('payments-api', 1000, true),
        ],
      }),
    );
    const edges = p.edges.filter(e => e.direction === 'inbound');
    expect(edges.map(e => [e.protocol, e.requestsPerSecond, e.tcp])).toEqual([
      ['http', 12, undefined],
      ['tcp', 0, { bytesPerSecond: 4000, openConnections: 4 }],
    ]);
    expect(check(p, 'inbound-mtls')).toMatchObject({
      status: 'pass',
      detail: '100% of 12.0 req/s and 100% of 4.0 KB/s TCP inbound over mTLS',
    });
  });

  it('pass on TCP alone, and never on connections that carried no bytes', () => {
    const idle = {
      ...tcpInbound('payments-api', 0, true),
      tcp: { bytesPerSecond: 0, openConnections: 5 },
    };
    expect(
      check(assessPosture(facts({ traffic: [idle] })), 'inbound-mtls').status,
    ).toBe('not-applicable');
    expect(
      check(
        assessPosture(
          facts({ traffic: [tcpInbound('payments-api', 10, true)] }),
        ),
        'inbound-mtls',
      ),
    ).toMatchObject({
      status: 'pass',
      detail: '100% of 10.0 B/s TCP inbound over mTLS',
    });
  });

  it('keep unobserved TCP unknown, not mTLS', () => {
    const unseen: TrafficObservation = {
      ...tcpInbound(
        'payments-api',
        500,
        false,
        'not reported by the destination',
      ),
      unverified: true,
    };
    const c = check(
      assessPosture(facts({ traffic: [unseen] })),
      'inbound-mtls',
    );
    expect(c.status).toBe('unknown');
    expect(c.detail).toContain('500 B/s TCP inbound not observed');
  });
});

describe('certificates', () => {
  it('do not pass while part of the chain could not be read', () => {
    const p = assessPosture(
      facts({
        certificates: [cert(200)],
        gaps: [
          {
            topic: 'certificates',
            cluster: 'prod',
            message: 'issuer expiry unknown: no issuer_cert_ttl_seconds metric',
          },
        ],
      }),
    );
    expect(check(p, 'certificates')).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('issuer expiry unknown'),
    });
  });
});

describe('the verdict', () => {
  it('does not pass while an mTLS check is unjudged, however many others pass', () => {
    const p = assessPosture(
      facts({
        traffic: [
          inbound('payments-api', 5, true),
          {
            workload: ledger,
            direction: 'outbound',
            peer: { namespace: 'cards', workload: 'card-vault' },
            mtls: false,
            unverified: true,
            noTlsReason: 'not observed at the destination',
            requestsPerSecond: 1,
          },
        ],
        authorization: [port('deny')],
        certificates: [cert(200)],
      }),
    );
    expect(check(p, 'outbound-mtls').status).toBe('unknown');
    expect(
      p.verdict.checks.filter(c => c.status === 'pass').length,
    ).toBeGreaterThan(3);
    expect(p.verdict.status).toBe('unknown');
  });

  it('is unknown when one check passes and the others could not be judged', () => {
    const silent = { ...workload(3, 3), telemetryFrom: undefined };
    const p = assessPosture(facts({ workloads: [silent] }));
    expect(p.verdict.checks.filter(c => c.status === 'pass')).toHaveLength(1);
    expect(p.verdict.status).toBe('unknown');
    expect(p.verdict.summary).toContain('not judged');
  });

  it('passes when the passing checks outnumber the unjudged ones', () => {
    const p = assessPosture(
      facts({
        traffic: [inbound('payments-api', 5, true)],
        authorization: [port('deny')],
        certificates: [cert(200)],
      }),
    );
    // Unjudged: none; not applicable: outbound (idle), over-grants (none admitted).
    expect(p.verdict.status).toBe('pass');
  });
});

describe('authorization checks', () => {
  it('passes default-deny only when every port is deny', () => {
    expect(
      check(
        assessPosture(facts({ authorization: [port('deny')] })),
        'default-deny',
      ),
    ).toMatchObject({
      status: 'pass',
      detail: 'default-deny on its only port',
    });
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

  it('does not pass over-grants while some identities are unjudged', () => {
    const p = assessPosture(
      facts({
        authorization: [port('deny')],
        admittedIdentities: [
          admitted('a', true),
          admitted('b', null),
          admitted('c', null),
        ],
        gaps: [
          {
            topic: 'callers',
            cluster: 'prod',
            message:
              'telemetry holds 72 h of history; judging "never seen calling" needs 168 h',
          },
        ],
      }),
    );
    expect(check(p, 'no-over-grants')).toEqual(
      expect.objectContaining({
        status: 'unknown',
        detail:
          '2 of 3 admitted identities could not be judged: telemetry holds 72 h of history; judging "never seen calling" needs 168 h',
      }),
    );
    // An unused one is evidence, and the unjudged rest is named with it.
    const unused = assessPosture(
      facts({
        authorization: [port('deny')],
        admittedIdentities: [admitted('a', false), admitted('b', null)],
      }),
    );
    expect(check(unused, 'no-over-grants')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('; 1 other could not be judged'),
    });
  });

  it('says "the only admitted identity" when there is one', () => {
    const p = assessPosture(
      facts({
        authorization: [port('deny')],
        admittedIdentities: [admitted('a', true)],
      }),
    );
    expect(check(p, 'no-over-grants')).toMatchObject({
      status: 'pass',
      detail: 'the only admitted identity called in 7d',
    });
  });

  it('counts an identity admitted to a canary and its primary once', () => {
    const primary = { ...ledger, name: 'ledger-primary' };
    const identity =
      'payments-api.payments.serviceaccount.identity.linkerd.cluster.local';
    const p = assessPosture(
      facts({
        authorization: [port('deny'), { ...port('deny'), workload: primary }],
        admittedIdentities: [
          admitted(identity, true),
          { ...admitted(identity, true), workload: primary },
        ],
      }),
    );
    expect(check(p, 'no-over-grants')).toMatchObject({
      status: 'pass',
      detail: 'the only admitted identity called in 7d',
    });
    expect(describeCheckFinding(check(p, 'no-over-grants'), p).finding).toBe(
      'the only admitted identity called in 7d',
    );
  });

  it('does not pass "every admitted identity is used" on a workload open to everyone', () => {
    const p = assessPosture(
      facts({
        authorization: [port('open', 'default policy all-unauthenticated')],
      }),
    );
    expect(check(p, 'no-over-grants')).toMatchObject({
      status: 'not-applicable',
      detail: expect.stringContaining('no identity is admitted by name'),
    });
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

describe('traffic configured around the proxy', () => {
  const skipping = (
    bypass: NonNullable<WorkloadPosture['bypass']>,
  ): WorkloadPosture => ({ ...workload(2, 2), bypass });

  it('fails inbound mTLS and default-deny on a skipped port, though every request seen was mTLS', () => {
    const p = assessPosture(
      facts({
        workloads: [
          skipping([
            {
              direction: 'inbound',
              ports: ['9102'],
              setting: 'config.linkerd.io/skip-inbound-ports',
              pods: 2,
            },
          ]),
        ],
        traffic: [inbound('payments-api', 12, true)],
        authorization: [denyPort],
      }),
    );
    const mtls = check(p, 'inbound-mtls');
    expect(mtls.status).toBe('fail');
    expect(mtls.detail).toBe(
      'inbound port 9102 skips the proxy (config.linkerd.io/skip-inbound-ports, on 2 pods): neither authenticated, encrypted nor observed by the mesh; what the proxies saw: 100% of 12.0 req/s inbound over mTLS',
    );
    const deny = check(p, 'default-deny');
    expect(deny.status).toBe('fail');
    expect(deny.detail).toBe(
      'inbound port 9102 skips the proxy (config.linkerd.io/skip-inbound-ports, on 2 pods): no authorization policy applies there',
    );
    // Outbound is not touched by an inbound setting.
    expect(check(p, 'outbound-mtls').status).not.toBe('fail');
    expect(p.verdict.summary).toContain('inbound traffic outside the mesh');
  });

  it('fails outbound mTLS on skipped ranges, even with no outbound traffic seen', () => {
    const p = assessPosture(
      facts({
        workloads: [
          skipping([
            {
              direction: 'outbound',
              onlyIpRanges: ['10.0.0.0/8'],
              setting: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
              pods: 1,
            },
          ]),
        ],
      }),
    );
    const c = check(p, 'outbound-mtls');
    expect(c.status).toBe('fail');
    expect(c.detail).toBe(
      'outbound traffic to addresses outside 10.0.0.0/8 skips the proxy (traffic.sidecar.istio.io/includeOutboundIPRanges): neither authenticated, encrypted nor observed by the mesh',
    );
  });

  it('says which pods run on the host network when they are why pods are unmeshed', () => {
    const p = assessPosture(
      facts({ workloads: [{ ...workload(3, 1), hostNetworkPods: 2 }] }),
    );
    expect(check(p, 'meshed-pods').detail).toBe(
      '1/3 pods meshed (2 run on the host network, where no sidecar can capture traffic)',
    );
  });

  it('ignores the settings of pods without a proxy, which the unmeshed checks already fail', () => {
    const p = assessPosture(
      facts({
        workloads: [
          {
            ...workload(1, 0),
            bypass: [
              {
                direction: 'inbound',
                ports: ['80'],
                setting: 'config.linkerd.io/skip-inbound-ports',
                pods: 1,
              },
            ],
          },
        ],
      }),
    );
    expect(check(p, 'inbound-mtls').detail).not.toContain('skips the proxy');
  });
});

describe('certificates of ambient workloads', () => {
  it('names that ztunnel exports no workload-certificate expiry, without holding the pass back', () => {
    const root: CertificateStatus = {
      ...cert(300),
      mesh: 'istio',
      role: 'root',
      subject: 'istiod CA root',
    };
    const p = assessPosture(
      facts({
        workloads: [{ ...workload(2, 2), mesh: 'istio', dataPlane: 'ambient' }],
        certificates: [root],
      }),
    );
    const c = check(p, 'certificates');
    expect(c.status).toBe('pass');
    expect(c.detail).toBe(
      "all 1 mesh certificate valid for at least 300 days; ambient workloads' certificates are not observed (ztunnel exports no expiry)",
    );
  });
});

describe('a certificate with a problem', () => {
  it('fails the check whatever its expiry, naming the problem', () => {
    const issuer: CertificateStatus = {
      ...cert(300),
      role: 'issuer',
      subject: 'identity.linkerd.cluster.local',
      location: 'Secret linkerd/linkerd-identity-issuer',
      problem: 'not issued by any trust anchor of the bundle',
    };
    const p = assessPosture(facts({ certificates: [cert(200), issuer] }));
    const c = check(p, 'certificates');
    expect(c.status).toBe('fail');
    expect(c.detail).toBe(
      'issuer "identity.linkerd.cluster.local" on prod: not issued by any trust anchor of the bundle',
    );
    expect(p.verdict.summary).toContain('issuer not valid');
  });
});

describe('webhook certificates', () => {
  const webhook = (days: number): CertificateStatus => ({
    ...cert(days),
    role: 'webhook',
    subject: 'linkerd-proxy-injector.linkerd.svc',
    location:
      'Certificate linkerd/linkerd-proxy-injector (cert-manager, proxy injector)',
  });

  it('count only when lapsed: cert-manager renews them daily', () => {
    const p = assessPosture(facts({ certificates: [cert(200), webhook(0)] }));
    expect(check(p, 'certificates')).toMatchObject({
      status: 'pass',
      detail:
        'all 1 mesh certificate valid for at least 200 days; webhook certificates current',
    });
    const lapsed = assessPosture(
      facts({ certificates: [cert(200), webhook(-1)] }),
    );
    expect(check(lapsed, 'certificates')).toMatchObject({
      status: 'fail',
      detail:
        'webhook certificate "linkerd-proxy-injector.linkerd.svc" on prod expired today',
    });
  });
});

describe('the network default-deny check', () => {
  const network = (overrides: Partial<PostureFacts>) =>
    check(assessPosture(facts(overrides)), 'network-default-deny');

  it('passes only on NetworkPolicies that isolate every pod both ways, the mesh ports open', () => {
    expect(network({ networkIsolation: [isolation(3)] })).toMatchObject({
      status: 'pass',
      detail:
        "every pod isolated for ingress and egress by 1 NetworkPolicy, the mesh's ports open",
    });
    // Cilium's kinds beside them are not called NetworkPolicies.
    const withCilium = isolation(3);
    withCilium.egress.policies = ['CiliumNetworkPolicy payments/egress'];
    expect(network({ networkIsolation: [withCilium] }).detail).toBe(
      "every pod isolated for ingress and egress by 2 network policies, the mesh's ports open",
    );
  });

  it('is unknown when the policies were not read, or a cluster holds kinds it does not evaluate', () => {
    expect(network({}).status).toBe('unknown');
    expect(
      network({
        networkIsolation: [isolation(3)],
        gaps: [
          {
            topic: 'network',
            cluster: 'prod',
            message: '1 CiliumNetworkPolicy in the cluster, not evaluated',
          },
        ],
      }),
    ).toMatchObject({
      status: 'unknown',
      detail: 'prod: 1 CiliumNetworkPolicy in the cluster, not evaluated',
    });
  });

  it("is unknown when a cluster's objects could not be read, though another's pass", () => {
    expect(
      network({
        networkIsolation: [isolation(3)],
        sources: [
          ok('kubernetes'),
          ok('prometheus'),
          { ...ok('kubernetes'), cluster: 'dr', status: 'unavailable' },
        ],
      }),
    ).toMatchObject({
      status: 'unknown',
      detail: 'dr: its Kubernetes objects could not be read',
    });
  });

  it('warns on evidence: pods nothing isolates, a rule that allows everything, a mesh port closed', () => {
    expect(
      network({ networkIsolation: [isolation(3, { ingress: 3, egress: 1 })] }),
    ).toMatchObject({
      status: 'warn',
      detail:
        'ingress: no NetworkPolicy selects payments/ledger · egress: no NetworkPolicy selects 1 of 3 pods of payments/ledger',
    });
    const allowAll = isolation(3);
    allowAll.ingress.rules = [
      {
        policy: 'payments/allow-all',
        peers: ['any peer'],
        ports: ['every port'],
        allowsAll: true,
      },
    ];
    expect(network({ networkIsolation: [allowAll] }).detail).toBe(
      'ingress: payments/allow-all allows every peer on every port of payments/ledger',
    );
    expect(
      network({
        networkIsolation: [
          isolation(3, {}, [
            { port: 4191, name: 'linkerd-admin', allowed: false },
          ]),
        ],
      }),
    ).toMatchObject({
      status: 'warn',
      detail:
        "the ingress rules leave closed the mesh's port 4191 (linkerd-admin) of payments/ledger",
    });
  });

  it('does not apply where no pod runs', () => {
    expect(
      network({ workloads: [workload(0, 0)], networkIsolation: [] }).status,
    ).toBe('not-applicable');
  });
});

describe('the egress-declared check', () => {
  // As LinkerdTelemetry names each route.
  const VIA = {
    declared: 'TLSRoute payments/psp on EgressNetwork payments/egress',
    blocked:
      'EgressNetwork payments/egress denies by default (tls-egress-deny)',
    passthrough: 'no EgressNetwork covers it (egress-fallback)',
  };
  const egress = (overrides: Partial<PostureFacts>) =>
    check(assessPosture(facts(overrides)), 'egress-declared');
  const policy = (
    mode: 'declared-only' | 'open',
    decidedBy = mode === 'open'
      ? 'no EgressNetwork in payments or linkerd-egress: calls out of the cluster go through (egress-fallback)'
      : 'EgressNetwork payments/egress denies by default',
  ) => ({ workload: ledger, mode, decidedBy, declared: [] });
  const call = (
    route: 'declared' | 'passthrough' | 'blocked',
    host?: string,
  ) => ({
    workload: ledger,
    ...(host ? { host } : {}),
    port: '443',
    protocol: 'tls' as const,
    route,
    via: VIA[route],
    count: 12,
  });

  it('passes only where undeclared destinations are refused and none went through', () => {
    expect(
      egress({
        egress: {
          policies: [policy('declared-only')],
          calls: [call('declared', 'api.psp.example')],
        },
      }),
    ).toMatchObject({
      status: 'pass',
      detail:
        'undeclared destinations refused (EgressNetwork payments/egress denies by default); calls in 5m went only to 1 declared destination',
    });
  });

  it('fails on a call that went out undeclared, naming it', () => {
    expect(
      egress({
        egress: {
          policies: [policy('declared-only')],
          calls: [call('passthrough', 'directory.example')],
        },
      }),
    ).toMatchObject({
      status: 'fail',
      detail:
        '1 undeclared destination reached in 5m: directory.example:443 from payments/ledger (no EgressNetwork covers it (egress-fallback))',
    });
  });

  it('warns where the policy is open though nothing undeclared was seen, and on refused calls', () => {
    expect(
      egress({ egress: { policies: [policy('open')], calls: [] } }),
    ).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        'open to undeclared destinations: payments/ledger',
      ),
    });
    expect(
      egress({
        egress: {
          policies: [policy('declared-only')],
          calls: [call('blocked', 'github.com')],
        },
      }),
    ).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        '12 calls to undeclared destinations refused: github.com:443',
      ),
    });
  });

  it('never passes on what nothing read or no proxy sees', () => {
    // Not read.
    expect(egress({}).status).toBe('unknown');
    // No meshed pod: nothing sees or controls it.
    expect(
      egress({
        workloads: [workload(2, 0)],
        egress: { policies: [], calls: [] },
      }),
    ).toMatchObject({ status: 'unknown' });
    // A meshed workload without a policy.
    expect(egress({ egress: { policies: [], calls: [] } }).status).toBe(
      'unknown',
    );
    // Pods outside the mesh beside the meshed ones.
    expect(
      egress({
        workloads: [workload(3, 2)],
        egress: { policies: [policy('declared-only')], calls: [] },
      }),
    ).toMatchObject({
      status: 'unknown',
      detail:
        '1 pod without a proxy: their egress is neither seen nor controlled',
    });
    // A source that failed.
    expect(
      egress({
        sources: [
          ok('kubernetes'),
          { ...ok('prometheus'), status: 'unavailable' },
        ],
        egress: { policies: [policy('declared-only')], calls: [] },
      }).status,
    ).toBe('unknown');
  });

  it('is unknown where proxies report no telemetry, or calls went through the egress gateway', () => {
    const silent = { ...workload(3, 3) };
    delete silent.telemetryFrom;
    delete silent.telemetryUntil;
    expect(
      egress({
        workloads: [silent],
        egress: { policies: [policy('declared-only')], calls: [] },
      }),
    ).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('reported no metrics at all'),
    });
    expect(
      egress({
        egress: {
          policies: [policy('declared-only')],
          calls: [
            {
              workload: ledger,
              protocol: 'http',
              route: 'gateway',
              via: 'egress gateway istio-system/istio-egressgateway',
              count: 4,
            },
          ],
        },
      }),
    ).toMatchObject({
      status: 'unknown',
      detail:
        '4 calls through the egress gateway (egress gateway istio-system/istio-egressgateway): where it sends them is not judged',
    });
  });

  it('warns where outbound traffic bypasses the proxy', () => {
    expect(
      egress({
        workloads: [
          {
            ...workload(3, 3),
            bypass: [
              {
                direction: 'outbound',
                ports: ['5432'],
                setting: 'config.linkerd.io/skip-outbound-ports: 5432',
                pods: 3,
              },
            ],
          },
        ],
        egress: { policies: [policy('declared-only')], calls: [] },
      }),
    ).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('outbound traffic bypasses the proxy'),
    });
  });
});
