import {
  buildEdges,
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
import { LinkerdTelemetry } from './linkerd/LinkerdTelemetry';

const {
  linkerdMulticlusterDataset,
} = require('../../scripts/prometheus-fixtures');

jest.setTimeout(90_000);

/*
 * Calls through Linkerd's multicluster gateways, against a real Prometheus
 * holding the series as a client's proxy labels them (see
 * linkerdMulticlusterDataset in scripts/prometheus-fixtures.js for the
 * upstream files).
 */
describeWithPrometheus('Linkerd multicluster against a real Prometheus', () => {
  const dataset = linkerdMulticlusterDataset(
    Math.floor(Date.now() / 1000) - 120,
  );
  const api: WorkloadRef = {
    cluster: 'eu-1',
    namespace: 'payments',
    kind: 'Deployment',
    name: 'payments-api',
  };
  let prometheus: RealPrometheus;
  let telemetry: WorkloadTelemetry;

  beforeAll(async () => {
    prometheus = await startPrometheus(dataset.openMetrics);
    telemetry = await new LinkerdTelemetry({
      prometheus: new PrometheusClient({ url: prometheus.url }),
    }).workloadTelemetry(
      {
        cluster: 'eu-1',
        mesh: 'linkerd',
        workloads: [api],
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

  it('shows the remote service and its cluster, not the gateway, with the gateway as the identity of the hop', () => {
    const edges = buildEdges(telemetry.traffic)
      .filter(e => e.direction === 'outbound')
      .map(e => ({
        peer: e.peer,
        protocol: e.protocol,
        mtls: e.mtlsShare,
      }))
      .sort((a, b) =>
        (a.peer.workload ?? '').localeCompare(b.peer.workload ?? ''),
      );
    expect(edges).toEqual([
      {
        peer: {
          cluster: 'eu-1',
          namespace: 'payments',
          workload: 'ledger',
          identity:
            'ledger.payments.serviceaccount.identity.linkerd.cluster.local',
        },
        protocol: 'http',
        mtls: 1,
      },
      {
        peer: {
          cluster: 'eu-2',
          namespace: 'payments',
          workload: 'ledger-replica',
          identity: dataset.truth.gatewayId,
        },
        protocol: 'http',
        mtls: 1,
      },
      {
        peer: {
          cluster: 'us-1',
          namespace: 'payments',
          workload: 'reports-db',
          identity: dataset.truth.gatewayId,
        },
        protocol: 'tcp',
        mtls: 1,
      },
    ]);
  });

  it('names the gateway its service mirror reports down, and only that one', () => {
    expect(telemetry.gaps).toEqual([
      {
        topic: 'traffic',
        cluster: 'eu-1',
        message:
          "the multicluster gateway to us-1 fails its service mirror's health probes: calls to that cluster may not arrive",
      },
    ]);
  });

  it('judges mTLS per edge across clusters and names the remote peer in the detail', () => {
    const posture = sidecarPostureOf({
      entityRef: 'component:default/payments-api',
      workload: api,
      at: dataset.at,
      traffic: telemetry.traffic,
      gaps: telemetry.gaps,
    });
    const outbound = posture.verdict.checks.find(
      c => c.id === 'outbound-mtls',
    )!;
    expect(outbound.status).toBe('pass');
    expect(outbound.detail).toBe(
      '100% of 24.0 req/s and 100% of 5.0 KB/s TCP outbound over mTLS',
    );
  });
});
