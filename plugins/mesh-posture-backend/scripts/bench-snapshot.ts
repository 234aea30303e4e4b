/*
 * Benchmark of the scorecard snapshot against a real Prometheus: for a
 * growing number of entities, the Prometheus queries and Kubernetes reads
 * one snapshot makes and how long it takes, next to the per-entity path
 * (posture and golden signals asked entity by entity, as the service pages
 * do). Prints a table.
 *
 *   yarn workspace @mesh-posture/plugin-mesh-posture-backend bench:snapshot [services]
 *
 * Needs `prometheus` and `promtool` on PATH (Debian: apt-get install prometheus).
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DEFAULT_SCORECARD_MODEL } from '@mesh-posture/plugin-mesh-posture-common';
import type { MeshCluster } from '@mesh-posture/plugin-mesh-posture-node';
import { PeerEntities } from '../src/catalog/PeerEntities';
import { LinkerdTelemetry } from '../src/mesh/linkerd/LinkerdTelemetry';
import { PostureAssembler } from '../src/posture/PostureAssembler';
import { resolveWorkloadTarget } from '../src/posture/resolveWorkloadTarget';
import { PrometheusClient } from '../src/prometheus/PrometheusClient';
import { ScorecardSnapshot } from '../src/scorecards/ScorecardSnapshot';
import { SignalsService } from '../src/signals/SignalsService';
import {
  countingSourceUsage,
  countSourceRequest,
} from '../src/sources/sourceUsage';
import { objectSourceOf } from '../src/__testUtils__/fakeKubernetesApi';
import {
  manyServicesEntity,
  manyServicesObjects,
} from '../src/__testUtils__/manyServices';
import { startPrometheus } from '../src/__testUtils__/realPrometheus';

const { manyWorkloadsDataset } = require('./prometheus-fixtures');

async function main() {
  const services = Number(process.argv[2] ?? 48);
  const dataset = manyWorkloadsDataset(
    Math.floor(Date.now() / 1000) - 120,
    services,
  );
  const at = new Date(dataset.at * 1000);
  const started = Date.now();
  const prometheus = await startPrometheus(dataset.openMetrics);
  console.log(
    `Prometheus with ${services} services backfilled and ready in ${(
      (Date.now() - started) /
      1000
    ).toFixed(1)} s`,
  );
  const rows: string[][] = [];
  try {
    const objects = objectSourceOf(manyServicesObjects(services));
    const cluster: MeshCluster = {
      name: 'prod',
      mesh: 'linkerd',
      objects: {
        list: async (q, o) => {
          countSourceRequest('kubernetesReads');
          return objects.list(q, o);
        },
        get: async (q, o) => {
          countSourceRequest('kubernetesReads');
          return objects.get(q, o);
        },
      },
      telemetry: new LinkerdTelemetry({
        prometheus: new PrometheusClient({ url: prometheus.url }),
      }),
    };
    // Quiet: the figures are the output.
    const logger: any = {
      debug() {},
      info() {},
      warn: console.warn,
      error: console.error,
      child: () => logger,
    };
    for (const count of [1, 6, 12, 24, 48, 96].filter(n => n <= services)) {
      const entities = Array.from({ length: count }, (_, i) =>
        manyServicesEntity(i),
      );
      const catalog = catalogServiceMock({ entities });
      const assembler = new PostureAssembler({
        providers: [{ getClusters: async () => [cluster] }],
        sourceTimeoutMs: 30_000,
        callerWindow: '1h',
        minimumCallerHistoryMs: 30 * 60_000,
        logger,
        now: () => at,
      });
      const peers = new PeerEntities({ catalog, logger });
      const snapshot = new ScorecardSnapshot({
        catalog,
        auth: mockServices.auth(),
        assembler,
        peers,
        store: {} as any,
        model: DEFAULT_SCORECARD_MODEL,
        sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
        logger,
        now: () => at,
      });
      const signals = new SignalsService({
        registry: assembler.registry,
        caller: assembler.caller,
        cache: { get: async () => undefined, set: async () => {} } as any,
        logger,
        cacheTtlMs: 0,
        sloDefaults: { successRate: 0.999, latencyP99Ms: 500 },
        peers,
        now: () => at,
      });

      let t = Date.now();
      const batch = await countingSourceUsage(() => snapshot.measure(at));
      const batchMs = Date.now() - t;

      t = Date.now();
      const alone = await countingSourceUsage(async () => {
        for (const e of entities) {
          await assembler.assemble(
            `component:default/${e.metadata.name}`,
            resolveWorkloadTarget(e)!,
            '1h',
          );
          await signals.getSignals(
            e,
            '1h',
            'inbound',
            mockCredentials.service(),
          );
        }
      });
      const aloneMs = Date.now() - t;
      rows.push([
        String(count),
        String(batch.usage.prometheusQueries),
        String(batch.usage.kubernetesReads),
        String(batchMs),
        String(alone.usage.prometheusQueries),
        String(alone.usage.kubernetesReads),
        String(aloneMs),
      ]);
    }
  } finally {
    await prometheus.stop();
  }
  const header = [
    'entities',
    'snapshot PromQL',
    'snapshot k8s reads',
    'snapshot ms',
    'per-entity PromQL',
    'per-entity k8s reads',
    'per-entity ms',
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (r: string[]) =>
    r.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(line(header));
  rows.forEach(r => console.log(line(r)));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
