import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';
import { IstioTelemetry } from './istio/IstioTelemetry';
import { LinkerdTelemetry } from './linkerd/LinkerdTelemetry';
import { NAMED_SELECTION_LIMIT } from './selection';

const {
  manyServicesOpenMetrics,
} = require('../../scripts/many-services-dataset');
const { istioCrowdedDataset } = require('../../scripts/prometheus-fixtures');

jest.setTimeout(90_000);

/** A client that tells how many bytes each answer held. */
function countingBytes(url: string, add: (bytes: number) => void) {
  return new PrometheusClient({
    url,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      const text = await res.text();
      add(Buffer.byteLength(text));
      return new Response(text, { status: res.status, headers: res.headers });
    },
  });
}

/*
 * An entity's page must not read its whole namespace: against a real
 * Prometheus holding 30 services in team-0 and 4 in team-1 (the
 * many-services dataset, linkerd-viz labels), what Prometheus returns for
 * one service of the crowded namespace is no larger than for one of the
 * small, and the figures are the service's own. A batch of more workloads
 * than NAMED_SELECTION_LIMIT (the snapshot) is still read by namespace.
 */
describeWithPrometheus(
  'queries about a few workloads select them by name',
  () => {
    const SERVICES = 34;
    const { openMetrics, at: end } = manyServicesOpenMetrics({
      layout: { services: SERVICES, perNamespace: 30 },
      end: Math.floor(Date.now() / 1000) - 120,
    });
    const at = new Date(end * 1000);
    let prometheus: RealPrometheus;
    let bytes = 0;
    let client: PrometheusClient;

    beforeAll(async () => {
      prometheus = await startPrometheus(openMetrics);
      client = countingBytes(prometheus.url, n => (bytes += n));
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    const svc = (i: number): WorkloadRef => ({
      cluster: 'prod',
      namespace: i < 30 ? 'team-0' : 'team-1',
      kind: 'Deployment',
      name: `svc-${i}`,
    });

    /** Bytes Prometheus returned for one page's posture and signals reads. */
    async function pageOf(workloads: WorkloadRef[], selectByName?: boolean) {
      const telemetry = new LinkerdTelemetry({ prometheus: client });
      bytes = 0;
      const posture = await telemetry.workloadTelemetry(
        {
          cluster: 'prod',
          mesh: 'linkerd',
          workloads,
          window: '1h',
          callerWindow: '7d',
          at,
          ...(selectByName ? { selectByName } : {}),
        },
        {},
      );
      const postureBytes = bytes;
      bytes = 0;
      const signals = await telemetry.workloadSignals(
        {
          cluster: 'prod',
          mesh: 'linkerd',
          workloads,
          window: '1h',
          direction: 'inbound',
          series: { stepSeconds: 15, rateWindow: '1m' },
          at,
          ...(selectByName ? { selectByName } : {}),
        },
        {},
      );
      return { posture, postureBytes, signals, signalsBytes: bytes };
    }

    it('returns no more for a service among 30 than for one among 4', async () => {
      const crowded = await pageOf([svc(11)]);
      const small = await pageOf([svc(31)]);
      // Names differ in length by a digit at most: within 5%, where reading
      // the whole namespace would return about seven times as much.
      expect(crowded.signalsBytes).toBeLessThan(small.signalsBytes * 1.05);
      expect(crowded.postureBytes).toBeLessThan(small.postureBytes * 1.05);
      expect(crowded.signalsBytes).toBeGreaterThan(0);

      // The figures are svc-11's own: 2 pods answering its caller svc-10 at
      // (10 % 7 + 1) = 4 req/s with 1% failures (many-services-dataset.js).
      expect(crowded.signals.summaries).toHaveLength(1);
      const [summary] = crowded.signals.summaries;
      expect(summary.workload).toEqual(svc(11));
      expect(summary.requestsPerSecond).toBeCloseTo(4, 6);
      expect(summary.failuresPerSecond).toBeCloseTo(0.04, 6);
      expect(crowded.signals.series).toHaveLength(1);
      expect(crowded.signals.series[0].points.length).toBeGreaterThan(200);

      const inbound = crowded.posture.traffic.filter(
        t => t.direction === 'inbound',
      );
      expect(inbound.map(t => t.peer)).toEqual([
        {
          identity:
            'svc-10.team-0.serviceaccount.identity.linkerd.cluster.local',
          namespace: 'team-0',
          workload: 'svc-10',
        },
      ]);
      const outbound = crowded.posture.traffic.filter(
        t => t.direction === 'outbound',
      );
      expect(outbound.map(t => t.peer.workload)).toEqual(['svc-12']);
    });

    it('selects a plaintext caller of a service the same way', async () => {
      // Every fifth service also takes 0.25 req/s per pod from an unmeshed client.
      const { posture } = await pageOf([svc(15)]);
      const plaintext = posture.traffic.filter(
        t => t.direction === 'inbound' && !t.mtls,
      );
      expect(plaintext).toHaveLength(1);
      expect(plaintext[0].requestsPerSecond).toBeCloseTo(0.5, 6);
      expect(plaintext[0].noTlsReason).toBe('no_tls_from_remote');
    });

    it('reads a batch larger than the limit by namespace, whole', async () => {
      const batch = Array.from({ length: SERVICES }, (_, i) => svc(i));
      expect(batch.length).toBeLessThanOrEqual(NAMED_SELECTION_LIMIT);
      const many = Array.from({ length: NAMED_SELECTION_LIMIT + 1 }, (_, i) =>
        i < SERVICES
          ? svc(i)
          : { ...svc(0), name: `absent-${'x'.repeat(40)}-${i}` },
      );
      const byName = await pageOf(batch);
      const byNamespace = await pageOf(many);
      // A slice of a large namespace, named however many (see inParts.ts):
      // a regex of 65 names, longer than any one label value may be.
      const slice = await pageOf(many, true);
      const figures = (p: typeof slice) =>
        p.signals.summaries
          .map(x => [x.workload.name, x.requestsPerSecond])
          .sort();
      const edges = (p: typeof slice) =>
        p.posture.traffic
          .map(t => [t.workload.name, t.direction, t.requestsPerSecond])
          .sort();
      expect(figures(slice)).toEqual(figures(byNamespace));
      expect(edges(slice)).toEqual(edges(byNamespace));
      expect(slice.signalsBytes).toBeLessThan(byNamespace.signalsBytes * 1.5);
      // Both cover every service, with the same figures.
      expect(byNamespace.signals.summaries).toHaveLength(SERVICES);
      expect(
        byNamespace.signals.summaries
          .map(s => [s.workload.name, s.requestsPerSecond])
          .sort(),
      ).toEqual(
        byName.signals.summaries
          .map(s => [s.workload.name, s.requestsPerSecond])
          .sort(),
      );
    });
  },
);

/*
 * The same for Istio: its series name workloads by `destination_workload` /
 * `source_workload` (istio/istio's standard metrics), so an entity's queries
 * select those, not its namespace. A real Prometheus holds 30 services in
 * `cards` and 4 in `vault` (istioCrowdedDataset).
 */
describeWithPrometheus(
  'Istio queries about a few workloads select them by name',
  () => {
    const { openMetrics, at: end } = istioCrowdedDataset(
      Math.floor(Date.now() / 1000) - 120,
    );
    const at = new Date(end * 1000);
    let prometheus: RealPrometheus;
    let bytes = 0;
    let telemetry: IstioTelemetry;

    beforeAll(async () => {
      prometheus = await startPrometheus(openMetrics);
      telemetry = new IstioTelemetry({
        prometheus: countingBytes(prometheus.url, n => (bytes += n)),
      });
    });

    afterAll(async () => {
      await prometheus?.stop();
    });

    const svc = (i: number): WorkloadRef => ({
      cluster: 'prod',
      namespace: i < 30 ? 'cards' : 'vault',
      kind: 'Deployment',
      name: `svc-${i}`,
    });

    async function pageOf(workloads: WorkloadRef[]) {
      const query = {
        cluster: 'prod',
        mesh: 'istio',
        workloads,
        window: '1h',
        at,
      };
      bytes = 0;
      const posture = await telemetry.workloadTelemetry(
        { ...query, callerWindow: '7d' },
        {},
      );
      const postureBytes = bytes;
      bytes = 0;
      const signals = await telemetry.workloadSignals(
        {
          ...query,
          direction: 'inbound',
          series: { stepSeconds: 15, rateWindow: '1m' },
        },
        {},
      );
      return { posture, postureBytes, signals, signalsBytes: bytes };
    }

    it('returns no more for an Istio service among 30 than for one among 4', async () => {
      const crowded = await pageOf([svc(11)]);
      const small = await pageOf([svc(31)]);
      expect(crowded.signalsBytes).toBeGreaterThan(0);
      expect(crowded.signalsBytes).toBeLessThan(small.signalsBytes * 1.05);
      expect(crowded.postureBytes).toBeLessThan(small.postureBytes * 1.05);

      // svc-11's own figures: called by svc-10 at (11 % 7 + 1) = 5 req/s,
      // 1% failing.
      expect(crowded.signals.summaries).toHaveLength(1);
      const [summary] = crowded.signals.summaries;
      expect(summary.workload).toEqual(svc(11));
      expect(summary.requestsPerSecond).toBeCloseTo(5, 6);
      expect(summary.failuresPerSecond).toBeCloseTo(0.05, 6);
      const inbound = crowded.posture.traffic.filter(
        t => t.direction === 'inbound',
      );
      expect(inbound.map(t => [t.peer.workload, t.mtls])).toEqual([
        ['svc-10', true],
      ]);
      const outbound = crowded.posture.traffic.filter(
        t => t.direction === 'outbound',
      );
      expect(outbound.map(t => t.peer.workload)).toEqual(['svc-12']);
    });

    it("answers a batch of the namespace's 30 services with each one's figures", async () => {
      const batch = Array.from({ length: 30 }, (_, i) => svc(i));
      const many = await telemetry.workloadSignals(
        {
          cluster: 'prod',
          mesh: 'istio',
          workloads: batch,
          window: '1h',
          direction: 'inbound',
          at,
        },
        {},
      );
      const one = (await pageOf([svc(11)])).signals.summaries[0];
      const same = many.summaries.find(s => s.workload.name === 'svc-11')!;
      expect(same.requestsPerSecond).toBeCloseTo(one.requestsPerSecond, 9);
      expect(many.summaries).toHaveLength(30);
    });
  },
);
