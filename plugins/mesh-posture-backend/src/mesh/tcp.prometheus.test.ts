import {
  buildEdges,
  summarizeDirection,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { WorkloadTelemetry } from '@mesh-posture/plugin-mesh-posture-node';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { sidecarPostureOf } from '../__testUtils__/sidecarPosture';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';
import { IstioTelemetry } from './istio/IstioTelemetry';
import { LinkerdTelemetry } from './linkerd/LinkerdTelemetry';

const {
  istioTcpDataset,
  linkerdTcpDataset,
} = require('../../scripts/prometheus-fixtures');

jest.setTimeout(90_000);

/*
 * TCP the proxies do not read as HTTP, against a real Prometheus holding
 * the transport metrics as linkerd2-proxy labels them (see
 * linkerdTcpDataset in scripts/prometheus-fixtures.js for the upstream
 * files each series follows).
 */

const ref = (
  kind: WorkloadRef['kind'],
  name: string,
  namespace = 'payments',
): WorkloadRef => ({
  cluster: 'prod',
  namespace,
  kind,
  name,
});

function tcpEdges(
  telemetry: WorkloadTelemetry,
  name: string,
  direction: 'inbound' | 'outbound',
) {
  return buildEdges(telemetry.traffic.filter(t => t.workload.name === name))
    .filter(e => e.direction === direction && e.protocol === 'tcp')
    .map(e => ({
      peer: e.peer.workload ?? e.peer.identity ?? 'unidentified',
      bytes: Math.round(e.tcp!.bytesPerSecond),
      open: e.tcp!.openConnections,
      mtls: e.mtlsShare,
      reasons: [...e.plaintextReasons, ...(e.unverifiedReasons ?? [])],
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

describeWithPrometheus('Linkerd TCP against a real Prometheus', () => {
  const dataset = linkerdTcpDataset(Math.floor(Date.now() / 1000) - 120);
  const truth = dataset.truth;
  const db = ref('StatefulSet', 'ledger-db');
  const ledger = ref('StatefulSet', 'ledger');
  const api = ref('Deployment', 'payments-api');
  let prometheus: RealPrometheus;
  let telemetry: WorkloadTelemetry;

  beforeAll(async () => {
    prometheus = await startPrometheus(dataset.openMetrics);
    telemetry = await new LinkerdTelemetry({
      prometheus: new PrometheusClient({ url: prometheus.url }),
    }).workloadTelemetry(
      {
        cluster: 'prod',
        mesh: 'linkerd',
        workloads: [db, ledger, api],
        window: '5m',
        callerWindow: '7d',
        at: new Date(dataset.at * 1000),
      },
      {},
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it("reads the database's clients by bytes: the pool over mTLS, the export in plaintext", () => {
    expect(tcpEdges(telemetry, 'ledger-db', 'inbound')).toEqual([
      {
        peer: 'ledger.payments.serviceaccount.identity.linkerd.cluster.local',
        bytes: truth.dbFromLedger,
        open: 12,
        mtls: 1,
        reasons: [],
      },
      {
        peer: 'unidentified',
        bytes: truth.dbPlaintext,
        open: 2,
        mtls: 0,
        reasons: ['no_tls_from_remote'],
      },
    ]);
  });

  it('fails inbound mTLS on the plaintext client: no HTTP at all to pass on', () => {
    const traffic = telemetry.traffic.filter(
      t => t.workload.name === 'ledger-db',
    );
    const totals = summarizeDirection(buildEdges(traffic), 'inbound', traffic);
    expect(totals.requestsPerSecond).toBe(0);
    expect(totals.tcp?.plaintextBytesPerSecond).toBeCloseTo(
      truth.dbPlaintext,
      0,
    );
    const posture = sidecarPostureOf({
      entityRef: 'component:default/ledger',
      workload: db,
      at: dataset.at,
      traffic,
    });
    const inbound = posture.verdict.checks.find(c => c.id === 'inbound-mtls')!;
    expect(inbound.status).toBe('fail');
    expect(inbound.detail).toContain(
      'plaintext from an unidentified client over TCP',
    );
  });

  it("leaves out the proxy's own loopback hop and the connections of HTTP ports", () => {
    // payments-api's port 8080 served requests (and probes): its TCP is theirs.
    expect(tcpEdges(telemetry, 'payments-api', 'inbound')).toEqual([]);
    const probe = telemetry.traffic.find(
      t => t.workload.name === 'payments-api' && t.probe,
    );
    expect(probe).toBeDefined();
    expect(telemetry.traffic.some(t => t.noTlsReason === 'loopback')).toBe(
      false,
    );
  });

  it('reads outbound TCP: mTLS to the database, unverified to an address the mesh does not know', () => {
    expect(tcpEdges(telemetry, 'ledger', 'outbound')).toEqual([
      {
        peer: 'ledger-db',
        bytes: truth.ledgerToDb,
        open: 12,
        mtls: 1,
        reasons: [],
      },
      {
        peer: 'unidentified',
        bytes: truth.ledgerOutside,
        open: 1,
        mtls: null,
        reasons: [
          'no mesh mTLS (not_provided_by_service_discovery); whether the application encrypts this TCP itself is not observed',
        ],
      },
    ]);
  });

  it('counts a TCP client as a caller seen, for the over-grant check', () => {
    expect(
      telemetry.callers
        .filter(c => c.workload.name === 'ledger-db')
        .map(c => c.identity),
    ).toEqual([
      'ledger.payments.serviceaccount.identity.linkerd.cluster.local',
    ]);
  });
});

describeWithPrometheus('Istio TCP against a real Prometheus', () => {
  // See istioTcpDataset in scripts/prometheus-fixtures.js for the upstream
  // sources of each series.
  const dataset = istioTcpDataset(Math.floor(Date.now() / 1000) - 120);
  const truth = dataset.truth;
  const db = ref('StatefulSet', 'card-db', 'cards');
  const issuing = ref('Deployment', 'card-issuing', 'cards');
  const tokenizer = ref('Deployment', 'tokenizer', 'cards');
  let prometheus: RealPrometheus;
  let telemetry: WorkloadTelemetry;

  beforeAll(async () => {
    prometheus = await startPrometheus(dataset.openMetrics);
    telemetry = await new IstioTelemetry({
      prometheus: new PrometheusClient({ url: prometheus.url }),
    }).workloadTelemetry(
      {
        cluster: 'prod',
        mesh: 'istio',
        workloads: [db, issuing, tokenizer],
        window: '5m',
        callerWindow: '7d',
        at: new Date(dataset.at * 1000),
      },
      {},
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it("reads the database's clients from its sidecar: the pool over mTLS, a client without a sidecar in plaintext", () => {
    expect(tcpEdges(telemetry, 'card-db', 'inbound')).toEqual([
      {
        peer: 'card-issuing',
        bytes: truth.dbPool,
        open: 10,
        mtls: 1,
        reasons: [],
      },
      {
        peer: 'unidentified',
        bytes: truth.dbPlaintext,
        open: 1,
        mtls: 0,
        reasons: ['connection_security_policy=none'],
      },
    ]);
    const identities = telemetry.traffic
      .filter(t => t.workload.name === 'card-db' && t.mtls)
      .map(t => t.peer.identity);
    expect(identities).toEqual([
      'spiffe://cluster.local/ns/cards/sa/card-issuing',
    ]);
  });

  it("reads an ambient workload's connections from its ztunnel, plaintext through passthrough included", () => {
    expect(tcpEdges(telemetry, 'tokenizer', 'inbound')).toEqual([
      {
        peer: 'card-issuing',
        bytes: truth.tokenizerFromIssuing,
        open: 3,
        mtls: 1,
        reasons: [],
      },
      {
        // The waypoint's own hop to it, over HBONE.
        peer: 'waypoint',
        bytes: truth.tokenizerFromWaypoint,
        open: 2,
        mtls: 1,
        reasons: [],
      },
      {
        peer: 'legacy-batch',
        bytes: truth.tokenizerPlaintext,
        open: 1,
        mtls: 0,
        reasons: [
          "connection_security_policy=unknown (the destination's ztunnel saw plaintext)",
        ],
      },
    ]);
  });

  it('reads requests through a waypoint as the waypoint reports them: the real client, over mTLS', () => {
    const http = buildEdges(
      telemetry.traffic.filter(t => t.workload.name === 'tokenizer'),
    ).filter(e => e.direction === 'inbound' && e.protocol !== 'tcp');
    expect(
      http.map(e => ({
        peer: e.peer.workload,
        identity: e.peer.identity,
        rps: e.requestsPerSecond,
        mtls: e.mtlsShare,
      })),
    ).toEqual([
      { peer: 'wallet', identity: truth.walletPrincipal, rps: 2, mtls: 1 },
    ]);
    expect(
      telemetry.callers
        .filter(c => c.workload.name === 'tokenizer')
        .map(c => c.identity)
        .sort(),
    ).toEqual(
      [
        'spiffe://cluster.local/ns/cards/sa/card-issuing',
        'spiffe://cluster.local/ns/cards/sa/waypoint',
        truth.walletPrincipal,
      ].sort(),
    );
  });

  it('reads outbound TCP once per connection: the destination when it reports, our sidecar otherwise', () => {
    // tokenizer's ztunnel connections carried card-issuing's requests: they
    // are the HTTP edge (over mTLS), not a second TCP one.
    expect(tcpEdges(telemetry, 'card-issuing', 'outbound')).toEqual([
      {
        peer: 'card-db',
        bytes: truth.dbPool,
        open: 10,
        mtls: 1,
        reasons: [],
      },
      {
        peer: 'smtp.example.net',
        bytes: truth.smtp,
        open: 1,
        mtls: null,
        reasons: [
          'destination outside the mesh: whether the sidecar originates TLS is not in the metrics',
        ],
      },
    ]);
    const http = buildEdges(
      telemetry.traffic.filter(t => t.workload.name === 'card-issuing'),
    ).filter(e => e.direction === 'outbound' && e.protocol !== 'tcp');
    expect(
      http.map(e => ({
        peer: e.peer.workload,
        rps: e.requestsPerSecond,
        mtls: e.mtlsShare,
      })),
    ).toEqual([{ peer: 'tokenizer', rps: 4, mtls: 1 }]);
  });

  it("reads each sidecar workload's soonest certificate from its pods' agents, and none for the ambient one", () => {
    const left = (name: string) =>
      telemetry.workloadCertificates
        .filter(c => c.workload.name === name)
        .map(c =>
          Math.round((c.notAfter.getTime() / 1000 - dataset.at) / 3600),
        );
    expect(left('card-db')).toEqual([20]);
    // Its soonest pod; not the ROOTCA, not card-issuing-v2's pod.
    expect(left('card-issuing')).toEqual([5]);
    expect(left('tokenizer')).toEqual([]);
  });

  it('counts a TCP client admitted over mTLS as a caller seen', () => {
    expect(
      telemetry.callers
        .filter(c => c.workload.name === 'card-db')
        .map(c => c.identity),
    ).toEqual(['spiffe://cluster.local/ns/cards/sa/card-issuing']);
  });
});
