import {
  AdmittedIdentity,
  CertificateStatus,
  PortAuthorization,
  SourceReport,
  TrafficObservation,
  WorkloadPosture,
  WorkloadRef,
} from '../types';
import { assessPosture, PostureFacts } from './assessPosture';
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
    ...(meshed > 0
      ? {
          telemetryFrom: '2026-11-08T10:00:00.000Z',
          telemetryUntil: '2026-11-22T10:00:00.000Z',
        }
      : {}),
  };
}

const ok = (role: SourceReport['role']): SourceReport => ({
  role,
  cluster: 'prod',
  status: 'ok',
  demo: false,
  durationMs: 3,
});

function port(name: string, access: PortAuthorization['access']) {
  return {
    workload: ledger,
    port: name,
    access,
    grants: [],
    explanation: `${access} by default`,
  } satisfies PortAuthorization;
}

function call(
  peer: string,
  rps: number,
  mtls: boolean,
  direction: 'inbound' | 'outbound' = 'inbound',
): TrafficObservation {
  return {
    workload: ledger,
    direction,
    peer: {
      namespace: 'payments',
      workload: peer,
      ...(mtls ? { identity: `${peer}.payments.serviceaccount` } : {}),
    },
    mtls,
    ...(mtls ? {} : { noTlsReason: 'no_tls_from_remote' }),
    requestsPerSecond: rps,
  };
}

function cert(
  role: CertificateStatus['role'],
  daysToExpiry: number,
): CertificateStatus {
  return {
    cluster: 'prod',
    mesh: 'linkerd',
    role,
    subject: `${role}.linkerd.cluster.local`,
    location: 'ConfigMap linkerd/linkerd-identity-trust-roots',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: '2027-01-01T00:00:00Z',
    daysToExpiry,
  };
}

function admitted(identity: string, seen: boolean | null): AdmittedIdentity {
  return { workload: ledger, identity, grantedBy: ['policy'], seen };
}

/** Every check's finding, as "Subject: finding", for the facts given. */
function findings(overrides: Partial<PostureFacts>): Record<string, string> {
  const posture = assessPosture({
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
  });
  return Object.fromEntries(
    posture.verdict.checks.map(c => {
      const { subject, finding } = describeCheckFinding(c, posture);
      return [c.id, `${subject}: ${finding}`];
    }),
  );
}

describe('describeCheckFinding', () => {
  it('states what failing and warning checks found, with their counts', () => {
    const found = findings({
      workloads: [workload(3, 2)],
      traffic: [
        call('web', 10, true),
        call('notifications', 1, false),
        call('batch', 1, false),
        call('ledger-db', 2, false, 'outbound'),
      ],
      authorization: [port('8080', 'open'), port('9090', 'open')],
      admittedIdentities: [admitted('web.payments.serviceaccount', false)],
      deniedCallers: [{ workload: ledger, count: 1210.2, protocol: 'http' }],
      certificates: [cert('trust-anchor', 300), cert('issuer', 12)],
      networkIsolation: [
        {
          workload: ledger,
          pods: 3,
          ingress: { unisolatedPods: 3, policies: [], rules: [] },
          egress: { unisolatedPods: 3, policies: [], rules: [] },
          meshPorts: [{ port: 4191, name: 'linkerd-admin', allowed: true }],
        },
      ],
      egress: {
        policies: [
          {
            workload: ledger,
            mode: 'open',
            decidedBy: 'no EgressNetwork in payments or linkerd-egress',
            declared: [],
          },
        ],
        calls: [
          {
            workload: ledger,
            host: 'directory.example',
            port: '80',
            protocol: 'http',
            route: 'passthrough',
            via: 'no EgressNetwork covers it (egress-fallback)',
            count: 30,
          },
        ],
      },
    });
    expect(found).toEqual({
      'inbound-mtls': 'Inbound mTLS: 2 plaintext callers',
      'outbound-mtls': 'Outbound mTLS: plaintext to 1 peer',
      'meshed-pods': 'Meshed pods: 1 of 3 pods without a proxy',
      'default-deny': 'Default-deny: open on 2 ports',
      'network-default-deny': 'Network policy: ingress open, egress open',
      'egress-declared': 'Egress: 1 undeclared destination reached',
      'no-over-grants':
        'Admitted identities: 1 identity never seen calling in 7d',
      'denied-callers': 'Refused callers: 1,210 denied in 7d',
      certificates: 'Certificates: issuer expires in 12 days',
    });
  });

  it('states passes by what was proved, in the singular where there is one', () => {
    const found = findings({
      workloads: [workload(1, 1)],
      traffic: [call('web', 12.3, true)],
      authorization: [port('8080', 'deny')],
      admittedIdentities: [admitted('web.payments.serviceaccount', true)],
      certificates: [cert('trust-anchor', 300), cert('issuer', 200)],
    });
    expect(found['inbound-mtls']).toBe(
      'Inbound mTLS: all 12.3 req/s over mTLS',
    );
    expect(found['meshed-pods']).toBe('Meshed pods: its only pod is meshed');
    expect(found['default-deny']).toBe('Default-deny: on its only port');
    expect(found['no-over-grants']).toBe(
      'Admitted identities: the only admitted identity called in 7d',
    );
    expect(found.certificates).toBe(
      'Certificates: valid for at least 200 days',
    );
  });

  it('never words an unjudged check as a pass', () => {
    const found = findings({
      sources: [ok('kubernetes'), { ...ok('prometheus'), status: 'timeout' }],
      authorization: [port('8080', 'deny')],
      admittedIdentities: [admitted('web.payments.serviceaccount', null)],
    });
    expect(found['inbound-mtls']).toBe('Inbound mTLS: not judged');
    expect(found['no-over-grants']).toBe(
      'Admitted identities: not judged: 1 of 1',
    );
    expect(found['denied-callers']).toBe('Refused callers: not judged');
    expect(found.certificates).toBe('Certificates: not judged');
  });

  it('says when a check does not apply', () => {
    const found = findings({ workloads: [workload(2, 0)] });
    expect(found['meshed-pods']).toBe('Meshed pods: no pod is meshed');
    expect(found['default-deny']).toBe(
      'Default-deny: not enforced: no pod is meshed',
    );
    expect(found.certificates).toBe('Certificates: does not apply');
  });
});
