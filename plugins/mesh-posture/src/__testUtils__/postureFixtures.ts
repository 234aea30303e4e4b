import {
  AdmittedIdentity,
  assessPosture,
  CertificateStatus,
  NetworkIsolation,
  PortAuthorization,
  MeshPosture,
  PostureFacts,
  SourceReport,
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';

/*
 * Posture documents for component tests, built by the real assessment from
 * realistic facts, so what the card renders is what the backend would send.
 */

const accounts: WorkloadRef = {
  cluster: 'prod-eu-west',
  namespace: 'open-banking',
  kind: 'Deployment',
  name: 'accounts-service',
};

function caller(name: string, ns: string, rps: number): TrafficObservation {
  return {
    workload: accounts,
    direction: 'inbound',
    peer: {
      namespace: ns,
      workload: name,
      identity: `${name}.${ns}.serviceaccount.identity.linkerd.cluster.local`,
    },
    mtls: true,
    requestsPerSecond: rps,
  };
}

const ok = (role: SourceReport['role']): SourceReport => ({
  role,
  cluster: 'prod-eu-west',
  status: 'ok',
  demo: false,
  durationMs: 12,
});

function anchor(daysToExpiry: number): CertificateStatus {
  const now = Date.parse('2026-11-22T10:00:00Z');
  return {
    cluster: 'prod-eu-west',
    mesh: 'linkerd',
    role: 'trust-anchor',
    subject: 'root.linkerd.cluster.local',
    location: 'ConfigMap linkerd/linkerd-identity-trust-roots',
    notBefore: new Date(now - 300 * 86400_000).toISOString(),
    notAfter: new Date(now + daysToExpiry * 86400_000).toISOString(),
    daysToExpiry,
  };
}

const httpPort: PortAuthorization = {
  workload: accounts,
  port: '8080 (http)',
  selectedBy: 'Server open-banking/accounts-service-http',
  access: 'deny',
  grants: [
    {
      policy: 'AuthorizationPolicy open-banking/accounts-service-http',
      identities: [
        'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
        'open-banking-gateway.open-banking.serviceaccount.identity.linkerd.cluster.local',
        'statements.batch.serviceaccount.identity.linkerd.cluster.local',
      ],
      networks: ['0.0.0.0/0', '::/0'],
      unauthenticated: false,
    },
  ],
  explanation: 'Server accounts-service-http: 1 authorization',
};

const otherPorts: PortAuthorization = {
  workload: accounts,
  port: '*',
  access: 'deny',
  grants: [],
  explanation: 'default policy deny (proxy configuration)',
};

function admitted(identity: string, seen: boolean): AdmittedIdentity {
  return {
    workload: accounts,
    identity,
    grantedBy: ['AuthorizationPolicy open-banking/accounts-service-http'],
    seen,
  };
}

/**
 * accounts-service's NetworkPolicies as the backend reads them
 * (mesh-posture-backend src/network/networkPolicy.ts): the namespace's
 * default-deny both ways, in-cluster callers on the app and proxy ports,
 * linkerd-viz on the proxy's admin port, DNS and in-cluster peers out.
 */
export const accountsIsolated: NetworkIsolation = {
  workload: accounts,
  pods: 2,
  ingress: {
    unisolatedPods: 0,
    policies: [
      'open-banking/default-deny',
      'open-banking/accounts-service-allow',
    ],
    rules: [
      {
        policy: 'open-banking/accounts-service-allow',
        peers: ['every pod in every namespace'],
        ports: ['TCP 8080', 'TCP 4143'],
        allowsAll: false,
      },
      {
        policy: 'open-banking/accounts-service-allow',
        peers: ['every pod in linkerd-viz'],
        ports: ['TCP 4191'],
        allowsAll: false,
      },
    ],
  },
  egress: {
    unisolatedPods: 0,
    policies: [
      'open-banking/default-deny',
      'open-banking/accounts-service-allow',
    ],
    rules: [
      {
        policy: 'open-banking/accounts-service-allow',
        peers: ['every pod in kube-system'],
        ports: ['UDP 53', 'TCP 53'],
        allowsAll: false,
      },
      {
        policy: 'open-banking/accounts-service-allow',
        peers: ['every pod in every namespace'],
        ports: ['every port'],
        allowsAll: false,
      },
    ],
  },
  meshPorts: [
    { port: 4143, name: 'linkerd-proxy', allowed: true },
    {
      port: 4191,
      name: 'linkerd-admin',
      allowed: true,
      from: ['every pod in linkerd-viz'],
    },
  ],
};

function facts(overrides: Partial<PostureFacts>): PostureFacts {
  return {
    entityRef: 'component:default/accounts-service',
    window: '5m',
    generatedAt: new Date('2026-11-22T10:00:00Z'),
    workloads: [
      {
        workload: accounts,
        mesh: 'linkerd',
        totalPods: 2,
        meshedPods: 2,
        readyPods: 2,
        dataPlane: 'sidecar',
        proxyVersions: ['edge-26.10.2'],
        identity:
          'accounts-service.open-banking.serviceaccount.identity.linkerd.cluster.local',
        // Its proxies have reported for a month, up to this hour.
        telemetryFrom: '2026-10-22T10:00:00.000Z',
        telemetryUntil: '2026-11-22T10:00:00.000Z',
      },
    ],
    traffic: [
      caller('web-frontend', 'web', 14.2),
      caller('open-banking-gateway', 'open-banking', 11.5),
    ],
    certificates: [anchor(212)],
    authorization: [httpPort, otherPorts],
    admittedIdentities: [
      admitted(
        'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
        true,
      ),
      admitted(
        'open-banking-gateway.open-banking.serviceaccount.identity.linkerd.cluster.local',
        true,
      ),
      admitted(
        'statements.batch.serviceaccount.identity.linkerd.cluster.local',
        true,
      ),
    ],
    deniedCallers: [],
    networkIsolation: [accountsIsolated],
    // Its namespace denies egress by default and declares nothing it calls.
    egress: {
      policies: [
        {
          workload: accounts,
          mode: 'declared-only',
          decidedBy: 'EgressNetwork open-banking/egress denies by default',
          declared: [],
        },
      ],
      calls: [],
    },
    callerWindow: '7d',
    gaps: [],
    sources: [ok('kubernetes'), ok('prometheus')],
    ...overrides,
  };
}

function serve(f: PostureFacts, extra: Partial<MeshPosture> = {}): MeshPosture {
  return {
    ...assessPosture(f),
    freshness: { cached: false, ageSeconds: 0, ttlSeconds: 30 },
    ...extra,
  };
}

export const healthyPosture = serve(facts({}));

export const plaintextCallerPosture = serve(
  facts({
    traffic: [
      caller('web-frontend', 'web', 14.2),
      {
        workload: accounts,
        direction: 'inbound',
        peer: {},
        mtls: false,
        noTlsReason: 'no_tls_from_remote',
        requestsPerSecond: 1.6,
      },
    ],
  }),
);

/**
 * All HTTP over mTLS, and a plaintext client on an opaque TCP port: the
 * database case, which must not pass on the HTTP figure.
 */
export const plaintextTcpPosture = serve(
  facts({
    traffic: [
      caller('web-frontend', 'web', 14.2),
      {
        workload: accounts,
        direction: 'inbound',
        peer: {},
        mtls: false,
        noTlsReason: 'no_tls_from_remote',
        protocol: 'tcp',
        requestsPerSecond: 0,
        tcp: { bytesPerSecond: 9200, openConnections: 2 },
      },
    ],
  }),
);

/**
 * Every request seen over mTLS, but a metrics port and the database port
 * configured around the proxy.
 */
export const bypassPosture = (() => {
  const base = facts({});
  return serve({
    ...base,
    workloads: [
      {
        ...base.workloads[0],
        bypass: [
          {
            direction: 'inbound',
            ports: ['9102'],
            setting: 'config.linkerd.io/skip-inbound-ports',
            pods: 2,
          },
          {
            direction: 'outbound',
            ports: ['5432'],
            setting: 'config.linkerd.io/skip-outbound-ports',
            pods: 2,
          },
        ],
      },
    ],
  });
})();

/** A caller on another cluster, over mTLS. */
export const crossClusterPosture = serve(
  facts({
    traffic: [
      caller('web-frontend', 'web', 14.2),
      {
        workload: accounts,
        direction: 'inbound',
        peer: {
          cluster: 'prod-eu-2',
          namespace: 'open-banking',
          workload: 'open-banking-gateway',
          identity:
            'open-banking-gateway.open-banking.serviceaccount.identity.linkerd.cluster.local',
        },
        mtls: true,
        requestsPerSecond: 3.5,
      },
    ],
  }),
);

/**
 * Kubelet probes on Linkerd's probe route, and a call whose security the
 * destination (in another cluster) did not report.
 */
export const probesAndUnobservedPosture = serve(
  facts({
    traffic: [
      caller('web-frontend', 'web', 14.2),
      {
        workload: accounts,
        direction: 'inbound',
        peer: {},
        mtls: false,
        noTlsReason: 'no_tls_from_remote',
        probe: true,
        requestsPerSecond: 0.2,
      },
      {
        workload: accounts,
        direction: 'outbound',
        peer: { namespace: 'payments', workload: 'ledger-replica' },
        mtls: false,
        unverified: true,
        noTlsReason:
          "not observed at the destination: it runs in cluster eu-2, whose proxies report to that cluster's Prometheus",
        requestsPerSecond: 1,
      },
    ],
  }),
);

/** A workload with no proxy, seen only by its callers' proxies. */
export const noProxyPosture = serve(
  facts({
    workloads: [
      {
        workload: accounts,
        mesh: 'linkerd',
        totalPods: 2,
        meshedPods: 0,
        readyPods: 2,
        dataPlane: 'none',
        proxyVersions: [],
      },
    ],
    traffic: [
      {
        workload: accounts,
        direction: 'inbound',
        peer: { namespace: 'web', workload: 'web-frontend' },
        mtls: false,
        noTlsReason: 'not_provided_by_service_discovery',
        reportedBy: 'peer',
        requestsPerSecond: 1.9,
      },
    ],
    authorization: [],
    admittedIdentities: [],
    // Its namespace was never given policies either (the demo's messaging):
    // open both ways, and no mesh port to keep open.
    networkIsolation: [
      {
        workload: accounts,
        pods: 2,
        ingress: { unisolatedPods: 2, policies: [], rules: [] },
        egress: { unisolatedPods: 2, policies: [], rules: [] },
        meshPorts: [],
      },
    ],
  }),
);

export const expiredAnchorPosture = serve(
  facts({ certificates: [anchor(-4)] }),
);

export const prometheusDownPosture = serve(
  facts({
    traffic: [],
    sources: [
      ok('kubernetes'),
      {
        role: 'prometheus',
        cluster: 'prod-eu-west',
        status: 'timeout',
        message: 'no answer within 5000 ms',
        demo: false,
        durationMs: 5000,
      },
    ],
  }),
  {
    lastComplete: {
      entityRef: 'component:default/accounts-service',
      observedAt: '2026-11-22T08:00:00.000Z',
      verdict: 'pass',
      totalPods: 2,
      meshedPods: 2,
      inboundMtlsShare: 1,
      outboundMtlsShare: 1,
      inboundRequestsPerSecond: 20,
      outboundRequestsPerSecond: 3,
      complete: true,
    },
  },
);

export const demoPosture = serve(
  facts({
    sources: [
      { ...ok('kubernetes'), demo: true },
      { ...ok('prometheus'), demo: true },
    ],
  }),
);

/** Policy leaves a port open and admits an identity that never calls. */
export const overGrantedPosture = serve(
  facts({
    authorization: [
      httpPort,
      {
        ...otherPorts,
        access: 'open',
        explanation: 'default policy all-unauthenticated (proxy configuration)',
      },
    ],
    admittedIdentities: [
      admitted(
        'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
        true,
      ),
      admitted(
        'statements.batch.serviceaccount.identity.linkerd.cluster.local',
        false,
      ),
    ],
    deniedCallers: [
      {
        workload: accounts,
        identity:
          'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
        policy: 'server/accounts-service-http',
        count: 1210,
        protocol: 'http',
      },
    ],
  }),
);

/**
 * fraud-scoring mid-rollout, as the demo serves it: a canary and its
 * primary (Flagger's `<name>-primary`), both called by payments-api over
 * mTLS and admitting it by the same identity, which is one identity.
 */
export const canaryAndPrimaryPosture = (() => {
  const base = facts({});
  const canary: WorkloadRef = {
    cluster: 'prod-eu-west',
    namespace: 'payments',
    kind: 'Deployment',
    name: 'fraud-scoring',
  };
  const primary: WorkloadRef = { ...canary, name: 'fraud-scoring-primary' };
  const paymentsApi =
    'payments-api.payments.serviceaccount.identity.linkerd.cluster.local';
  const of = (w: WorkloadRef) => ({
    ...base.workloads[0],
    workload: w,
    identity: `fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local`,
    // The new version on the canary, the stable one on the primary.
    imageTags: [w === canary ? '2026.11.5' : '2026.11.4'],
  });
  const called = (w: WorkloadRef, rps: number): TrafficObservation => ({
    workload: w,
    direction: 'inbound',
    peer: {
      namespace: 'payments',
      workload: 'payments-api',
      identity: paymentsApi,
    },
    mtls: true,
    requestsPerSecond: rps,
  });
  const grpc = (w: WorkloadRef): PortAuthorization => ({
    ...httpPort,
    workload: w,
    port: '50051 (grpc)',
  });
  return serve(
    facts({
      entityRef: 'component:default/fraud-scoring',
      workloads: [of(canary), of(primary)],
      traffic: [called(canary, 4.7), called(primary, 14.1)],
      authorization: [grpc(canary), grpc(primary)],
      admittedIdentities: [canary, primary].map(w => ({
        workload: w,
        identity: paymentsApi,
        grantedBy: ['AuthorizationPolicy payments/fraud-scoring-grpc'],
        seen: true,
      })),
      // The new version calls ledger, which admits no fraud-scoring.
      refusedCalls: [
        {
          workload: canary,
          peer: { namespace: 'payments', workload: 'ledger' },
          identity:
            'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
          policy: 'server/ledger-grpc',
          count: 1210,
          protocol: 'grpc',
        },
      ],
    }),
  );
})();

/**
 * accounts-service run on two clusters under the same namespace and name,
 * each called by web-frontend, with the same port, grant, bypass and a
 * caller refused over HTTP and TCP: rows that differ only by cluster or
 * protocol.
 */
export const twinClustersPosture = (() => {
  const base = facts({});
  const twin: WorkloadRef = { ...accounts, cluster: 'prod-eu-2' };
  const bypass = [
    {
      direction: 'inbound' as const,
      ports: ['9102'],
      setting: 'config.linkerd.io/skip-inbound-ports',
      pods: 2,
    },
  ];
  const refused = {
    identity:
      'fraud-scoring.payments.serviceaccount.identity.linkerd.cluster.local',
    policy: 'server/accounts-service-http',
  };
  return serve(
    facts({
      workloads: [
        { ...base.workloads[0], bypass },
        { ...base.workloads[0], workload: twin, bypass },
      ],
      traffic: [
        caller('web-frontend', 'web', 14.2),
        { ...caller('web-frontend', 'web', 3.1), workload: twin },
      ],
      certificates: [anchor(212), { ...anchor(212), cluster: 'prod-eu-2' }],
      authorization: [httpPort, { ...httpPort, workload: twin }],
      admittedIdentities: [
        admitted(
          'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
          true,
        ),
        {
          ...admitted(
            'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
            true,
          ),
          workload: twin,
        },
      ],
      deniedCallers: [
        { workload: accounts, ...refused, count: 12, protocol: 'http' },
        { workload: accounts, ...refused, count: 3, protocol: 'tcp' },
      ],
    }),
  );
})();

/** accounts-service with no NetworkPolicy at all, and its egress open. */
export const networkOpenPosture = serve(
  facts({
    networkIsolation: [
      {
        ...accountsIsolated,
        ingress: { unisolatedPods: 2, policies: [], rules: [] },
        egress: { unisolatedPods: 2, policies: [], rules: [] },
      },
    ],
  }),
);

/** The same where the NetworkPolicies could not be read. */
export const networkUnreadPosture = serve(
  facts({
    networkIsolation: undefined,
    gaps: [
      {
        topic: 'network',
        cluster: 'prod-eu-west',
        message:
          'NetworkPolicies could not be read: not allowed to read networkpolicies.networking.k8s.io on prod-eu-west (403)',
      },
    ],
  }),
);
