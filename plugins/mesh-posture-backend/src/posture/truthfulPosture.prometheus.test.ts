import { testAssembler } from '../__testUtils__/testAssembler';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AssessedPosture,
  labelEquals,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { MeshCluster } from '@mesh-posture/plugin-mesh-posture-node';
import { PeerEntities } from '../catalog/PeerEntities';
import { IstioTelemetry } from '../mesh/istio/IstioTelemetry';
import { LinkerdTelemetry } from '../mesh/linkerd/LinkerdTelemetry';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { SignalsService } from '../signals/SignalsService';
import { FakeObject, objectSourceOf } from '../__testUtils__/fakeKubernetesApi';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';
import { selfSignedPem } from '../__testUtils__/testCertificates';
import { PostureAssembler } from './PostureAssembler';

const {
  linkerdTruthfulDataset,
  istioTruthfulDataset,
} = require('../../scripts/prometheus-fixtures');

jest.setTimeout(180_000);

/*
 * The whole posture of a Linkerd cluster against a real Prometheus holding
 * eight days of series shaped as the proxy and linkerd-viz emit them (see
 * linkerdTruthfulDataset), and Kubernetes objects as the API serves them,
 * read with the documented defaults: a 7d caller window and 7 days of
 * minimum history. Every answer below was wrong before.
 */

const CP = 'linkerd-prod';
const TD = 'bank.example';
const DAY = 86400_000;

function proxy(defaultPolicy: string) {
  // As the injector writes it (linkerd2 charts/partials/templates/_proxy.tpl).
  return {
    name: 'linkerd-proxy',
    image: 'cr.l5d.io/linkerd/proxy:edge-26.8.3',
    ports: [
      { name: 'linkerd-proxy', containerPort: 4143 },
      { name: 'linkerd-admin', containerPort: 4191 },
    ],
    env: [
      {
        name: 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME',
        value: `$(_pod_sa).$(_pod_ns).serviceaccount.identity.${CP}.${TD}`,
      },
      { name: 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY', value: defaultPolicy },
    ],
  };
}

function pod(options: {
  name: string;
  namespace: string;
  id: string;
  owner?: { kind: string; name: string };
  serviceAccount: string;
  meshed: boolean;
  ports: Array<{ name: string; containerPort: number }>;
  defaultPolicy?: string;
  labels?: Record<string, string>;
  readinessPath?: string;
}): FakeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: {
        app: options.id,
        'backstage.io/kubernetes-id': options.id,
        ...(options.meshed ? { 'linkerd.io/control-plane-ns': CP } : {}),
        ...options.labels,
      },
      ownerReferences: options.owner
        ? [{ apiVersion: 'apps/v1', ...options.owner, controller: true }]
        : [],
    },
    spec: {
      serviceAccountName: options.serviceAccount,
      containers: [
        ...(options.meshed
          ? [proxy(options.defaultPolicy ?? 'all-unauthenticated')]
          : []),
        {
          name: options.id,
          image: 'registry.example/app:1',
          ports: options.ports,
          ...(options.readinessPath
            ? {
                readinessProbe: {
                  httpGet: { path: options.readinessPath, port: 'http' },
                },
              }
            : {}),
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

function policyObjects(): FakeObject[] {
  const server = (name: string, app: string, port: string): FakeObject => ({
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name, namespace: 'payments' },
    spec: {
      podSelector: { matchLabels: { app } },
      port,
      proxyProtocol: 'HTTP/2',
    },
  });
  const callers = (
    name: string,
    refs: Array<[string, string]>,
  ): FakeObject => ({
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'MeshTLSAuthentication',
    metadata: { name, namespace: 'payments' },
    spec: {
      identityRefs: refs.map(([ns, sa]) => ({
        kind: 'ServiceAccount',
        name: sa,
        namespace: ns,
      })),
    },
  });
  const policy = (
    name: string,
    serverName: string,
    authn: string,
  ): FakeObject => ({
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: 'payments' },
    spec: {
      targetRef: {
        group: 'policy.linkerd.io',
        kind: 'Server',
        name: serverName,
      },
      requiredAuthenticationRefs: [
        {
          group: 'policy.linkerd.io',
          kind: 'MeshTLSAuthentication',
          name: authn,
        },
      ],
    },
  });
  return [
    server('ledger-grpc', 'ledger', 'grpc'),
    callers('ledger-callers', [
      ['payments', 'payments-api'],
      ['payments', 'report-builder'],
      ['batch', 'reconciliation'],
    ]),
    policy('ledger-grpc', 'ledger-grpc', 'ledger-callers'),
    server('statements-http', 'statements', 'http'),
    // Its probes' own route, and the policy that admits kubelet on it.
    {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'statements-probes', namespace: 'payments' },
      spec: {
        parentRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'Server',
            name: 'statements-http',
          },
        ],
        rules: [
          {
            matches: [
              { path: { type: 'Exact', value: '/ready' }, method: 'GET' },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'statements-probes', namespace: 'payments' },
      spec: {
        targetRef: {
          group: 'policy.linkerd.io',
          kind: 'HTTPRoute',
          name: 'statements-probes',
        },
        requiredAuthenticationRefs: [],
      },
    },
    callers('statements-callers', [
      ['payments', 'payments-api'],
      ['compliance', 'audit-exporter'],
    ]),
    policy('statements-http', 'statements-http', 'statements-callers'),
  ];
}

async function clusterObjects(at: Date): Promise<FakeObject[]> {
  const namespaces = ['payments', 'messaging', 'ingress'].map(name => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  }));
  return [
    ...namespaces,
    pod({
      name: 'ledger-0',
      namespace: 'payments',
      id: 'ledger',
      owner: { kind: 'StatefulSet', name: 'ledger' },
      serviceAccount: 'ledger',
      meshed: true,
      defaultPolicy: 'deny',
      ports: [
        { name: 'grpc', containerPort: 9090 },
        { name: 'metrics', containerPort: 9102 },
      ],
    }),
    pod({
      name: 'statements-6c9d8f7b5-q2w3e',
      namespace: 'payments',
      id: 'statements',
      owner: { kind: 'ReplicaSet', name: 'statements-6c9d8f7b5' },
      labels: { 'pod-template-hash': '6c9d8f7b5' },
      serviceAccount: 'statements',
      meshed: true,
      readinessPath: '/ready',
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'public', containerPort: 8081 },
      ],
    }),
    pod({
      name: 'payments-api-7d9f8b6c5-a1b2c',
      namespace: 'payments',
      id: 'payments-api',
      owner: { kind: 'ReplicaSet', name: 'payments-api-7d9f8b6c5' },
      labels: { 'pod-template-hash': '7d9f8b6c5' },
      serviceAccount: 'payments-api',
      meshed: true,
      ports: [{ name: 'http', containerPort: 8080 }],
    }),
    pod({
      name: 'notifications-84c6d-m9n8b',
      namespace: 'messaging',
      id: 'notifications',
      owner: { kind: 'ReplicaSet', name: 'notifications-84c6d' },
      labels: { 'pod-template-hash': '84c6d' },
      serviceAccount: 'notifications',
      meshed: false,
      ports: [{ name: 'http', containerPort: 8080 }],
    }),
    // A Job of its own, named like a CronJob's Job.
    pod({
      name: 'db-migrate-20261130-p4k9s',
      namespace: 'payments',
      id: 'db-migrate',
      owner: { kind: 'Job', name: 'db-migrate-20261130' },
      serviceAccount: 'db-migrate',
      meshed: true,
      ports: [],
    }),
    // A CronJob's pod: owned by its Job, `<cronjob>-<scheduled minute>`.
    pod({
      name: 'report-builder-29412345-x7k2p',
      namespace: 'payments',
      id: 'report-builder',
      owner: { kind: 'Job', name: 'report-builder-29412345' },
      labels: { 'batch.kubernetes.io/job-name': 'report-builder-29412345' },
      serviceAccount: 'report-builder',
      meshed: true,
      ports: [],
    }),
    ...policyObjects(),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'linkerd-identity-trust-roots', namespace: CP },
      data: {
        'ca-bundle.crt': await selfSignedPem({
          commonName: `root.${TD}`,
          notBefore: new Date(at.getTime() - 65 * DAY),
          notAfter: new Date(at.getTime() + 300 * DAY),
        }),
      },
    },
  ];
}

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': name },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/payments',
  },
});

/** The documented defaults (config.ts): a 7d caller window, 7 days of history. */
function defaultAssembler(cluster: MeshCluster, at: Date) {
  return testAssembler([cluster], {
    sourceTimeoutMs: 30_000,
    callerWindow: '7d',
    minimumCallerHistoryMs: 7 * DAY,
    now: () => at,
  });
}

/** Each entity's posture, its workloads found by `backstage.io/kubernetes-id`. */
async function posturesOf(
  assembler: PostureAssembler,
  cluster: string,
  names: string[],
): Promise<Map<string, AssessedPosture>> {
  const out = new Map<string, AssessedPosture>();
  for (const name of names) {
    out.set(
      name,
      await assembler.assemble(
        `component:default/${name}`,
        {
          selector: labelEquals('backstage.io/kubernetes-id', name),
          cluster,
          explicit: [],
        },
        '5m',
      ),
    );
  }
  return out;
}

type Edge = AssessedPosture['edges'][number];
const byRate = <T extends { rps: number }>(list: T[]) =>
  [...list].sort((a, b) => b.rps - a.rps);
const simple = (e: Edge) => ({
  ...(e.peer.namespace ? { namespace: e.peer.namespace } : {}),
  ...(e.peer.workload ? { workload: e.peer.workload } : {}),
  ...(e.peer.identity ? { identity: e.peer.identity } : {}),
  mtls: e.mtlsShare === 1,
  ...(e.plaintextReasons.length
    ? { reason: e.plaintextReasons.join(',') }
    : {}),
  rps: Math.round(e.requestsPerSecond * 1e6) / 1e6,
});

describeWithPrometheus(
  'a Linkerd posture read true against a real Prometheus',
  () => {
    const dataset = linkerdTruthfulDataset(Math.floor(Date.now() / 1000) - 120);
    const truth = dataset.truth;
    const at = new Date(dataset.at * 1000);
    let prometheus: RealPrometheus;
    let assembler: PostureAssembler;
    let signals: SignalsService;
    const postures = new Map<string, AssessedPosture>();

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      const cluster: MeshCluster = {
        name: 'prod',
        mesh: 'linkerd',
        settings: { linkerdNamespace: CP, trustDomain: TD },
        objects: objectSourceOf(await clusterObjects(at)),
        telemetry: new LinkerdTelemetry({
          prometheus: new PrometheusClient({ url: prometheus.url }),
        }),
      };
      const logger = mockServices.logger.mock();
      const built = defaultAssembler(cluster, at);
      assembler = built.assembler;
      const names = [
        'ledger',
        'statements',
        'notifications',
        'report-builder',
        'db-migrate',
      ];
      signals = new SignalsService({
        registry: built.registry,
        caller: built.caller,
        cache: { get: async () => undefined, set: async () => {} } as any,
        logger,
        cacheTtlMs: 0,
        sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
        peers: new PeerEntities({
          catalog: catalogServiceMock({ entities: names.map(entity) }),
          logger,
        }),
        now: () => at,
      });
      for (const [name, posture] of await posturesOf(
        assembler,
        'prod',
        names,
      )) {
        postures.set(name, posture);
      }
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    const check = (name: string, id: string) =>
      postures.get(name)!.verdict.checks.find(c => c.id === id)!;

    it('judges "never seen calling" with the default window on eight days of data', () => {
      const ledger = postures.get('ledger')!;
      expect(
        ledger.admittedIdentities.map(a => [a.identity, a.seen]).sort(),
      ).toEqual(
        [
          [truth.identity.paymentsApi, true],
          [truth.identity.reconciliation, false],
          [truth.identity.reportBuilder, true],
        ].sort(),
      );
      expect(check('ledger', 'no-over-grants')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining(truth.identity.reconciliation),
      });
      expect(ledger.gaps.filter(g => g.topic === 'callers')).toEqual([]);
      expect(ledger.workloads[0].telemetryFrom).toBeDefined();
    });

    it('leaves over-grants unjudged on two days of history, and says how much is needed', () => {
      const statements = postures.get('statements')!;
      expect(
        statements.admittedIdentities.map(a => [a.identity, a.seen]).sort(),
      ).toEqual(
        [
          [truth.identity.auditExporter, null],
          [truth.identity.paymentsApi, true],
        ].sort(),
      );
      expect(check('statements', 'no-over-grants').status).toBe('unknown');
      const gap = statements.gaps.find(g => g.topic === 'callers')!;
      // The probe's resolution is an hour.
      expect(gap.message).toMatch(
        /^telemetry holds (47|48) h of history of payments\/statements; judging "never seen calling" needs 168 h$/,
      );
    });

    it('keeps kubelet probes out of the mTLS share and shows them apart', () => {
      const ledger = postures.get('ledger')!;
      expect(ledger.inbound.probeRequestsPerSecond).toBeCloseTo(
        truth.ledger.probeRps,
        6,
      );
      expect(ledger.inbound.mtlsShare).toBe(1);
      expect(check('ledger', 'inbound-mtls').status).toBe('pass');
    });

    it('names inbound peers with identities minted in a non-default control plane namespace', () => {
      const inbound = postures
        .get('ledger')!
        .edges.filter(e => e.direction === 'inbound')
        .map(simple);
      expect(byRate(inbound)).toEqual(byRate(truth.ledger.inbound));
    });

    it('names a plaintext caller from its own outbound series', () => {
      const inbound = postures
        .get('statements')!
        .edges.filter(e => e.direction === 'inbound')
        .map(simple);
      expect(byRate(inbound)).toEqual(byRate(truth.statements.inbound));
      expect(check('statements', 'inbound-mtls').detail).toContain(
        'plaintext from ingress/ingress-nginx-controller (no_tls_from_remote)',
      );
    });

    it('reads a workload without a proxy from its callers, and passes nothing it cannot hold', () => {
      const notifications = postures.get('notifications')!;
      expect(notifications.edges.map(simple)).toEqual(
        truth.notifications.inbound,
      );
      expect(notifications.edges[0].reportedBy).toBe('peer');
      const statuses = Object.fromEntries(
        notifications.verdict.checks.map(c => [c.id, c.status]),
      );
      expect(statuses).toMatchObject({
        'inbound-mtls': 'fail',
        'meshed-pods': 'fail',
        'denied-callers': 'not-applicable',
        'no-over-grants': 'not-applicable',
        certificates: 'not-applicable',
      });
    });

    it("measures a proxy-less workload's golden signals at its callers", async () => {
      const result = await signals.getSignals(
        entity('notifications'),
        '1h',
        'inbound',
        mockCredentials.user(),
      );
      expect(result.summary!.requestsPerSecond).toBeCloseTo(0.5, 6);
      expect(result.summary!.successRate).toBeCloseTo(
        truth.notifications.successRate,
        6,
      );
      expect(result.summary!.latencyMs.p50).not.toBeNull();
      expect(result.notes).toContain(
        "messaging/notifications has no proxy, so its own requests are not observable: they are measured by its callers' proxies (their latency includes the network).",
      );
    });

    it('finds the CronJob pod that no owner label names', () => {
      const builder = postures.get('report-builder')!;
      expect(builder.workloads.map(w => w.workload)).toEqual([
        {
          cluster: 'prod',
          namespace: 'payments',
          kind: 'CronJob',
          name: 'report-builder',
        },
      ]);
      expect(builder.edges.map(simple)).toEqual(truth.reportBuilder.outbound);
      expect(builder.workloads[0].identity).toBe(truth.identity.reportBuilder);
      expect(check('report-builder', 'outbound-mtls').status).toBe('pass');
    });

    it('counts a lone refusal that increase() would read as none', () => {
      // The proxy created the counter at its first (and only) refusal.
      expect(postures.get('ledger')!.deniedCallers).toEqual([
        expect.objectContaining({
          identity: truth.ledger.denied[0].identity,
          count: truth.ledger.denied[0].count,
        }),
      ]);
      expect(check('ledger', 'denied-callers').status).toBe('warn');
    });

    it("keeps probes on a Server's own probe route out of the mTLS share", () => {
      const statements = postures.get('statements')!;
      expect(statements.inbound.probeRequestsPerSecond).toBeCloseTo(
        truth.statements.probeRps,
        6,
      );
      // The probe route's unauthenticated grant does not open the port.
      expect(
        statements.authorization.find(p => p.port === '8080 (http)')?.access,
      ).toBe('deny');
    });

    it('joins a Job Linkerd labels k8s_job, whatever its name looks like', () => {
      const migrate = postures.get('db-migrate')!;
      expect(migrate.edges.map(simple)).toEqual(truth.dbMigrate.outbound);
    });

    it('passes "no caller is refused" only where the proxies report, for as long as they have', () => {
      expect(check('statements', 'denied-callers')).toMatchObject({
        status: 'pass',
        detail: expect.stringMatching(
          /^none in the (47|48) hours its proxies have reported \(of 7d\)$/,
        ),
      });
    });
  },
);

/*
 * An Istio cluster the same way: pods and security.istio.io policies as the
 * API serves them, and istioTruthfulDataset's series. The rules are Istio's
 * (see istioPolicy.ts and IstioTelemetry.ts for the upstream files).
 */
function istioObjects(rootPem: string): FakeObject[] {
  const sidecar = {
    name: 'istio-proxy',
    image: 'docker.io/istio/proxyv2:1.28.1',
    ports: [{ name: 'http-envoy-prom', containerPort: 15090 }],
  };
  const istioPod = (
    name: string,
    namespace: string,
    id: string,
    mode: 'sidecar' | 'ambient' | 'none',
  ): FakeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${id}-7c9d8-${name}`,
      namespace,
      labels: {
        app: id,
        'backstage.io/kubernetes-id': id,
        'pod-template-hash': '7c9d8',
        ...(mode === 'ambient' ? { 'istio.io/dataplane-mode': 'ambient' } : {}),
      },
      annotations: {
        ...(mode === 'sidecar' ? { 'sidecar.istio.io/status': '{}' } : {}),
        ...(mode === 'ambient'
          ? { 'ambient.istio.io/redirection': 'enabled' }
          : {}),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${id}-7c9d8`,
          controller: true,
        },
      ],
    },
    spec: {
      serviceAccountName: id,
      containers: [
        { name: id, ports: [{ name: 'http', containerPort: 8080 }] },
        ...(mode === 'sidecar' ? [sidecar] : []),
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
  const policy = (
    kind: string,
    namespace: string,
    name: string,
    spec: any,
  ) => ({
    apiVersion: 'security.istio.io/v1',
    kind,
    metadata: { name, namespace, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec,
  });
  return [
    ...['cards', 'batch'].map(name => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    })),
    istioPod('a1b2c', 'cards', 'card-issuing', 'sidecar'),
    istioPod('d3e4f', 'cards', 'tokenizer', 'ambient'),
    istioPod('g5h6i', 'batch', 'legacy-batch', 'none'),
    policy('PeerAuthentication', 'istio-system', 'default', {
      mtls: { mode: 'PERMISSIVE' },
    }),
    // Any authenticated caller may reach card-issuing.
    policy('AuthorizationPolicy', 'cards', 'card-issuing-mesh', {
      selector: { matchLabels: { app: 'card-issuing' } },
      rules: [{ from: [{ source: { principals: ['*'] } }] }],
    }),
    // The namespace-isolation pattern, for tokenizer.
    policy('AuthorizationPolicy', 'cards', 'tokenizer-isolation', {
      selector: { matchLabels: { app: 'tokenizer' } },
      action: 'DENY',
      rules: [{ from: [{ source: { notNamespaces: ['cards'] } }] }],
    }),
    ...['cards', 'batch'].map(namespace => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio-ca-root-cert', namespace },
      data: { 'root-cert.pem': rootPem },
    })),
  ];
}

describeWithPrometheus(
  'an Istio posture read true against a real Prometheus',
  () => {
    const dataset = istioTruthfulDataset(Math.floor(Date.now() / 1000) - 120);
    const truth = dataset.truth;
    const at = new Date(dataset.at * 1000);
    let prometheus: RealPrometheus;
    const postures = new Map<string, AssessedPosture>();

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      const rootPem = await selfSignedPem({
        commonName: 'Bank PCI Root CA',
        notBefore: new Date(at.getTime() - 100 * DAY),
        notAfter: new Date(at.getTime() + 400 * DAY),
      });
      const cluster: MeshCluster = {
        name: 'pci',
        mesh: 'istio',
        settings: {
          trustDomain: truth.trustDomain,
          istioRootNamespace: 'istio-system',
        },
        objects: objectSourceOf(istioObjects(rootPem)),
        telemetry: new IstioTelemetry({
          prometheus: new PrometheusClient({ url: prometheus.url }),
        }),
      };
      const read = await posturesOf(
        defaultAssembler(cluster, at).assembler,
        'pci',
        ['card-issuing', 'tokenizer', 'legacy-batch'],
      );
      for (const [name, posture] of read) postures.set(name, posture);
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    const check = (name: string, id: string) =>
      postures.get(name)!.verdict.checks.find(c => c.id === id)!;

    it('reads principals: ["*"] as open to any authenticated caller, and judges it', () => {
      const issuing = postures.get('card-issuing')!;
      expect(check('card-issuing', 'default-deny').status).not.toBe('pass');
      expect(issuing.admittedIdentities.map(a => a.identity)).toEqual(['*']);
      expect(issuing.workloads[0].identity).toBe(
        `spiffe://${truth.trustDomain}/ns/cards/sa/card-issuing`,
      );
    });

    it('does not call unreported calls plaintext, and does not pass them either', () => {
      const outbound = check('card-issuing', 'outbound-mtls');
      expect(outbound.status).toBe('unknown');
      expect(outbound.detail).toContain('not observed at the destination');
      expect(outbound.detail).toContain('cluster eu-2');
      expect(outbound.detail).toContain('UH: no healthy upstream');
    });

    it("names the peer's cluster when it is another one (destination_cluster)", () => {
      const edge = postures
        .get('card-issuing')!
        .edges.find(e => e.peer.workload === 'ledger-replica')!;
      expect(edge.peer.cluster).toBe('eu-2');
      expect(edge.workload.cluster).toBe('pci');
      expect(check('card-issuing', 'outbound-mtls').detail).toContain(
        'payments/ledger-replica on eu-2',
      );
      // Peers on our own cluster keep our cluster's name.
      const vault = postures
        .get('card-issuing')!
        .edges.find(e => e.peer.workload === 'card-vault')!;
      expect(vault.peer.cluster).toBe('pci');
    });

    it('reads namespace isolation as narrowed, and counts the denials ztunnel made', () => {
      expect(check('tokenizer', 'default-deny').status).toBe('pass');
      const tokenizer = postures.get('tokenizer')!;
      expect(tokenizer.workloads[0].dataPlane).toBe('ambient');
      expect(tokenizer.deniedCallers).toEqual([
        expect.objectContaining({
          identity: truth.tokenizer.denied[0].identity,
          protocol: 'tcp',
        }),
      ]);
      expect(check('tokenizer', 'denied-callers').status).toBe('warn');
    });

    it("shows a sidecar-less workload's callers, in plaintext, and judges nothing else", () => {
      const legacy = postures.get('legacy-batch')!;
      expect(legacy.edges.map(simple)).toEqual([
        {
          namespace: 'cards',
          workload: 'card-issuing',
          mtls: false,
          reason: 'no proxy at the destination to terminate mTLS',
          rps: 0.25,
        },
      ]);
      expect(check('legacy-batch', 'certificates').status).toBe(
        'not-applicable',
      );
      expect(check('legacy-batch', 'denied-callers').status).toBe(
        'not-applicable',
      );
    });
  },
);
