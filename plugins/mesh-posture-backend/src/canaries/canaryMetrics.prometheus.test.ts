import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import type {
  MeshCluster,
  MeshTelemetrySource,
} from '@mesh-posture/plugin-mesh-posture-node';
import { CanaryHistoryStore } from '../database/CanaryHistoryStore';
import { IstioTelemetry } from '../mesh/istio/IstioTelemetry';
import { LinkerdTelemetry } from '../mesh/linkerd/LinkerdTelemetry';
import { PrometheusClient } from '../prometheus/PrometheusClient';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { SourceCaller } from '../sources/SourceCaller';
import { objectSourceOf } from '../__testUtils__/fakeKubernetesApi';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';
import { CanaryService } from './CanaryService';

const {
  linkerdSignalsDataset,
  istioSignalsDataset,
} = require('../../scripts/prometheus-fixtures');

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/*
 * Flagger's built-in metrics, computed by Mesh Posture from a real
 * Prometheus, must equal what Flagger's own queries return there: the
 * queries below are Flagger's (pkg/metrics/observers/linkerd.go, istio.go).
 */

function canaryFor(namespace: string, name: string) {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name, namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      analysis: {
        interval: '1m',
        threshold: 5,
        maxWeight: 50,
        stepWeight: 10,
        metrics: [
          {
            name: 'request-success-rate',
            thresholdRange: { min: 99.5 },
            interval: '1m',
          },
          {
            name: 'request-duration',
            thresholdRange: { max: 500 },
            interval: '1m',
          },
        ],
      },
    },
    status: {
      phase: 'Progressing',
      canaryWeight: 20,
      failedChecks: 1,
      lastTransitionTime: '2026-11-22T09:00:00Z',
    },
  };
}

async function scalar(client: PrometheusClient, promql: string, at: Date) {
  const [sample] = await client.query(promql, at, {});
  return sample.value;
}

async function canaryMetrics(options: {
  mesh: 'linkerd' | 'istio';
  telemetry: MeshTelemetrySource;
  namespace: string;
  name: string;
  at: Date;
}) {
  const cluster: MeshCluster = {
    name: 'prod',
    mesh: options.mesh,
    objects: objectSourceOf([canaryFor(options.namespace, options.name)]),
    telemetry: options.telemetry,
  };
  const logger = mockServices.logger.mock();
  const knex = await databases.init('SQLITE_3');
  const service = new CanaryService({
    registry: new ClusterRegistry(
      [{ getClusters: async () => [cluster] }],
      logger,
    ),
    caller: new SourceCaller({ timeoutMs: 20_000, logger }),
    store: await CanaryHistoryStore.create({
      database: mockServices.database({ knex }),
    }),
    logger,
    now: () => options.at,
  });
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: options.name,
      namespace: 'default',
      annotations: {
        'mesh-posture.io/workload': `prod/${options.namespace}/Deployment/${options.name}`,
      },
    },
    spec: {},
  };
  const response = await service.getCanaries(entity);
  expect(response.sources.filter(s => s.status !== 'ok')).toEqual([]);
  expect(response.canaries).toHaveLength(1);
  const [success, duration] = response.canaries[0].metrics;
  return { success, duration };
}

describeWithPrometheus('canary metrics against a real Prometheus', () => {
  const end = Math.floor(Date.now() / 1000) - 120;

  describe('Linkerd', () => {
    const dataset = linkerdSignalsDataset(end);
    const at = new Date(dataset.at * 1000);
    let prometheus: RealPrometheus;
    let client: PrometheusClient;

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      client = new PrometheusClient({ url: prometheus.url });
    });
    afterAll(async () => {
      await prometheus?.stop();
    });

    it("computes request-success-rate and request-duration as Flagger's queries do", async () => {
      const { success, duration } = await canaryMetrics({
        mesh: 'linkerd',
        telemetry: new LinkerdTelemetry({ prometheus: client }),
        namespace: 'payments',
        name: 'payments-api',
        at,
      });
      const flaggerSuccess = await scalar(
        client,
        'sum(rate(response_total{namespace="payments",deployment=~"payments-api",classification!="failure",direction="inbound"}[1m])) / sum(rate(response_total{namespace="payments",deployment=~"payments-api",direction="inbound"}[1m])) * 100',
        at,
      );
      const flaggerDuration = await scalar(
        client,
        'histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="payments",deployment=~"payments-api",direction="inbound"}[1m])) by (le))',
        at,
      );
      // The fixture's truth: 13.365 of 13.5 req/s succeed.
      expect(flaggerSuccess).toBeCloseTo(99, 6);
      expect(success.value).toBeCloseTo(flaggerSuccess, 2);
      // 99% < 99.5%: Flagger would count a failed check.
      expect(success.status).toBe('fail');
      expect(duration.value).toBeCloseTo(flaggerDuration, 6);
      expect(duration.status).toBe('pass');
    });
  });

  describe('Istio', () => {
    const dataset = istioSignalsDataset(end);
    const at = new Date(dataset.at * 1000);
    let prometheus: RealPrometheus;
    let client: PrometheusClient;

    beforeAll(async () => {
      prometheus = await startPrometheus(dataset.openMetrics);
      client = new PrometheusClient({ url: prometheus.url });
    });
    afterAll(async () => {
      await prometheus?.stop();
    });

    it("computes request-success-rate and request-duration as Flagger's queries do", async () => {
      const { success, duration } = await canaryMetrics({
        mesh: 'istio',
        telemetry: new IstioTelemetry({ prometheus: client }),
        namespace: 'cards',
        name: 'card-issuing',
        at,
      });
      const flaggerSuccess = await scalar(
        client,
        'sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="cards",destination_workload=~"card-issuing",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="cards",destination_workload=~"card-issuing"}[1m])) * 100',
        at,
      );
      const flaggerDuration = await scalar(
        client,
        'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="cards",destination_workload=~"card-issuing"}[1m])) by (le))',
        at,
      );
      expect(success.value).toBeCloseTo(flaggerSuccess, 2);
      expect(duration.value).toBeCloseTo(flaggerDuration, 6);
    });
  });
});
