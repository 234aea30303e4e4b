import {
  histogramQuantile,
  SignalSummary,
  summarizeTraffic,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { WorkloadSignals } from '@mesh-posture/plugin-mesh-posture-node';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';
import { IstioTelemetry } from './istio/IstioTelemetry';
import { LinkerdTelemetry } from './linkerd/LinkerdTelemetry';

const {
  linkerdSignalsDataset,
  istioSignalsDataset,
} = require('../../scripts/prometheus-fixtures');

jest.setTimeout(90_000);

/*
 * Golden signals against a real Prometheus holding series of known rates and
 * latency distributions. Rates and success rates must equal the truth;
 * quantiles computed from merged buckets must equal what Prometheus's own
 * histogram_quantile answers and fall in the bucket the truth falls in.
 */

const W = 300; // the 5m window in seconds

function expectInBucket(
  value: number | null,
  [lower, upper]: [number, number],
) {
  expect(value).not.toBeNull();
  expect(value!).toBeGreaterThan(lower);
  expect(value!).toBeLessThanOrEqual(upper);
}

async function prometheusQuantile(
  client: PrometheusClient,
  q: number,
  expr: string,
  at: Date,
) {
  const [sample] = await client.query(`histogram_quantile(${q}, ${expr})`, at);
  return sample?.value;
}

describeWithPrometheus('golden signals against a real Prometheus', () => {
  const end = Math.floor(Date.now() / 1000) - 120;

  describe('Linkerd', () => {
    const dataset = linkerdSignalsDataset(end);
    const truth = dataset.truth;
    const at = new Date(dataset.at * 1000);
    let prometheus: RealPrometheus;
    let client: PrometheusClient;
    let inbound: WorkloadSignals;
    let outbound: WorkloadSignals;
    const api: WorkloadRef = {
      cluster: 'prod',
      namespace: 'payments',
      kind: 'Deployment',
      name: 'payments-api',
    };
    const ledger: WorkloadRef = {
      cluster: 'prod',
      namespace: 'payments',
      kind: 'StatefulSet',
      name: 'ledger',
    };
    const fraud: WorkloadRef = {
      cluster: 'prod',
      namespace: 'payments',
      kind: 'Deployment',
      name: 'fraud-scoring',
    };
    const of = (signals: WorkloadSignals, name: string): SignalSummary =>
      summarizeTraffic(
        signals.summaries.filter(s => s.workload.name === name),
        W,
      );

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      client = new PrometheusClient({ url: prometheus.url });
      const telemetry = new LinkerdTelemetry({ prometheus: client });
      const query = {
        cluster: 'prod',
        mesh: 'linkerd' as const,
        workloads: [api, ledger, fraud],
        window: '5m',
        at,
      };
      [inbound, outbound] = await Promise.all([
        telemetry.workloadSignals(
          {
            ...query,
            direction: 'inbound',
            series: { stepSeconds: 15, rateWindow: '1m' },
          },
          {},
        ),
        telemetry.workloadSignals({ ...query, direction: 'outbound' }, {}),
      ]);
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    it('reads request rate, success rate and errors by status', () => {
      const s = of(inbound, 'payments-api');
      const t = truth['payments-api'].inbound;
      expect(s.requestsPerSecond).toBeCloseTo(t.requestsPerSecond, 9);
      expect(s.successRate).toBeCloseTo(t.successRate, 9);
      expect(
        s.errors.map(e => ({
          ...e,
          requestsPerSecond: Math.round(e.requestsPerSecond * 1e6) / 1e6,
        })),
      ).toEqual(t.errors);
    });

    it('computes the quantiles Prometheus computes, in the true buckets', async () => {
      const s = of(inbound, 'payments-api');
      const expr =
        'sum by (le) (rate(response_latency_ms_bucket{namespace="payments",deployment="payments-api",direction="inbound"}[5m]))';
      for (const [key, q] of [
        ['p50', 0.5],
        ['p95', 0.95],
        ['p99', 0.99],
      ] as const) {
        expect(s.latencyMs[key]).toBeCloseTo(
          await prometheusQuantile(client, q, expr, at),
          9,
        );
        expectInBucket(
          s.latencyMs[key],
          truth['payments-api'].inbound.quantileBuckets[key],
        );
      }
    });

    it('reads outbound signals per dependency', () => {
      const deps = outbound.summaries.filter(
        s => s.workload.name === 'payments-api',
      );
      expect(deps.map(d => d.peer)).toEqual([
        { namespace: 'payments', workload: 'ledger' },
      ]);
      const s = summarizeTraffic(deps, W);
      expect(s.requestsPerSecond).toBeCloseTo(
        truth['payments-api'].outbound.ledger.requestsPerSecond,
        9,
      );
      expect(s.successRate).toBe(1);
      expectInBucket(
        s.latencyMs.p50,
        truth['payments-api'].outbound.ledger.quantileBuckets.p50,
      );
      expectInBucket(
        s.latencyMs.p99,
        truth['payments-api'].outbound.ledger.quantileBuckets.p99,
      );
    });

    it('sees through a counter restart', () => {
      const s = of(inbound, 'ledger');
      expect(s.requestsPerSecond).toBeCloseTo(
        truth.ledger.requestsPerSecond,
        9,
      );
      expect(s.successRate).toBe(1);
    });

    it('says "no requests" for a workload without traffic', () => {
      const s = of(inbound, 'fraud-scoring');
      expect(s.requestsPerSecond).toBe(0);
      expect(s.successRate).toBeNull();
      expect(s.latencyMs).toEqual({ p50: null, p95: null, p99: null });
    });

    it('returns a series of the window at the step, each point true', () => {
      const series = inbound.series.find(
        s => s.workload.name === 'payments-api',
      )!;
      expect(series.points).toHaveLength(20);
      for (const p of series.points) {
        expect(p.requestsPerSecond).toBeCloseTo(13.5, 6);
        expect(p.failuresPerSecond).toBeCloseTo(0.135, 6);
        expect(histogramQuantile(0.5, p.latencyBuckets)).toBeCloseTo(10, 6);
      }
    });

    it('names the queries it ran', () => {
      expect(inbound.queries?.map(q => q.title)).toEqual([
        'Requests by classification',
        'Latency buckets',
      ]);
    });
  });

  describe('Istio', () => {
    const dataset = istioSignalsDataset(end);
    const truth = dataset.truth['card-issuing'];
    const at = new Date(dataset.at * 1000);
    let prometheus: RealPrometheus;
    let client: PrometheusClient;
    let summary: SignalSummary;
    const card: WorkloadRef = {
      cluster: 'pci',
      namespace: 'cards',
      kind: 'Deployment',
      name: 'card-issuing',
    };

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      client = new PrometheusClient({ url: prometheus.url });
      const signals = await new IstioTelemetry({
        prometheus: client,
      }).workloadSignals(
        {
          cluster: 'pci',
          mesh: 'istio',
          workloads: [card],
          window: '5m',
          at,
          direction: 'inbound',
        },
        {},
      );
      summary = summarizeTraffic(signals.summaries, W);
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    it('counts 5xx and no response as failures, not 4xx', () => {
      expect(summary.requestsPerSecond).toBeCloseTo(truth.requestsPerSecond, 9);
      expect(summary.successRate).toBeCloseTo(truth.successRate, 9);
      expect(
        summary.errors.map(e => ({
          ...e,
          requestsPerSecond: Math.round(e.requestsPerSecond * 1e6) / 1e6,
        })),
      ).toEqual(truth.errors);
    });

    it('computes the quantiles Prometheus computes, in the true buckets', async () => {
      const expr =
        'sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload="card-issuing"}[5m]))';
      for (const [key, q] of [
        ['p50', 0.5],
        ['p95', 0.95],
        ['p99', 0.99],
      ] as const) {
        expect(summary.latencyMs[key]).toBeCloseTo(
          await prometheusQuantile(client, q, expr, at),
          9,
        );
        expectInBucket(summary.latencyMs[key], truth.quantileBuckets[key]);
      }
    });

    it('reads request and response sizes', () => {
      expect(summary.requestBytes?.p50).not.toBeNull();
      expectInBucket(summary.responseBytes!.p50, truth.responseBytesP50Bucket);
    });
  });
});
