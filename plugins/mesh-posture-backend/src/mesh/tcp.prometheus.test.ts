import {
  assessPosture,
  buildEdges,
  summarizeDirection,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { WorkloadTelemetry } from '@mesh-posture/plugin-mesh-posture-node';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';
import { LinkerdTelemetry } from './linkerd/LinkerdTelemetry';

const { linkerdTcpDataset } = require('../../scripts/prometheus-fixtures');

jest.setTimeout(90_000);

/*
 * TCP the proxies do not read as HTTP, against a real Prometheus holding
 * the transport metrics as linkerd2-proxy labels them (see
 * linkerdTcpDataset in scripts/prometheus-fixtures.js for the upstream
 * files each series follows).
 */

const ref = (kind: WorkloadRef['kind'], name: string): WorkloadRef => ({
  cluster: 'prod',
  namespace: 'payments',
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
    const posture = assessPosture({
      entityRef: 'component:default/ledger',
      window: '5m',
      generatedAt: new Date(dataset.at * 1000),
      workloads: [
        {
          workload: db,
          mesh: 'linkerd',
          totalPods: 1,
          meshedPods: 1,
          readyPods: 1,
          dataPlane: 'sidecar',
          proxyVersions: ['edge-26.10.2'],
          telemetryFrom: new Date((dataset.at - 3600) * 1000).toISOString(),
          telemetryUntil: new Date(dataset.at * 1000).toISOString(),
        },
      ],
      traffic,
      certificates: [],
      authorization: [],
      admittedIdentities: [],
      deniedCallers: [],
      callerWindow: '7d',
      gaps: [],
      sources: [],
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
