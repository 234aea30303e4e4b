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
import { mockCredentials } from '@backstage/backend-test-utils';
import { resolveWorkloadTarget } from '../src/posture/resolveWorkloadTarget';
import { countingSourceUsage } from '@mesh-posture/plugin-mesh-posture-node';
import {
  manyServicesCluster,
  manyServicesPaths,
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
    const cluster = manyServicesCluster(services, prometheus.url);
    // Quiet: the figures are the output.
    const logger: any = {
      debug() {},
      info() {},
      warn: console.warn,
      error: console.error,
      child: () => logger,
    };
    for (const count of [1, 6, 12, 24, 48, 96].filter(n => n <= services)) {
      const { entities, assembler, snapshot, signals } = manyServicesPaths({
        cluster,
        entityCount: count,
        at,
        logger,
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
