/*
 * One benchmark measurement in a process of its own, so its peak RSS is the
 * snapshot's: the scorecard snapshot of every service (median of `runs`),
 * then, if asked, the per-entity path (posture and golden signals entity by
 * entity, as the service pages ask) over the first `perEntity` services.
 * Prints one JSON line. Started by scripts/bench.ts.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { EntityScorecard } from '@mesh-posture/plugin-mesh-posture-common';
import knexFactory from 'knex';
import { readMeshPostureConfig } from '../../src/config';
import { migrateToLatest } from '../../src/database/migrate';
import { NoticeStore } from '../../src/database/NoticeStore';
import { ScorecardStore } from '../../src/database/ScorecardStore';
import { PostureNotifier } from '../../src/notifications/PostureNotifier';
import { countingSourceUsage } from '@mesh-posture/plugin-mesh-posture-node';
import { resolveWorkloadTarget } from '../../src/posture/resolveWorkloadTarget';
import { PrometheusClient } from '../../src/prometheus/PrometheusClient';
import { SharedEndpoint } from '../../src/prometheus/SharedEndpoint';
import {
  ManyServicesLayout,
  manyServicesCluster,
  manyServicesPaths,
} from '../../src/__testUtils__/manyServices';

interface SnapshotRunArgs {
  services: number;
  layout: ManyServicesLayout;
  prometheusUrls: string[];
  /** One Prometheus for every cluster, told apart by `cluster`. */
  shared?: boolean;
  at: number;
  runs: number;
  perEntity: number;
}

// Quiet: the figures are the output; warnings name failed sources.
const warnings: string[] = [];
const logger: any = {
  debug() {},
  info() {},
  warn: (m: string) => warnings.push(m),
  error: (m: string) => warnings.push(m),
  child: () => logger,
};

async function main() {
  const args: SnapshotRunArgs = JSON.parse(process.argv[2]);
  const at = new Date(args.at * 1000);
  const count = args.shared
    ? args.layout.clusters ?? 1
    : args.prometheusUrls.length;
  const endpoint = args.shared
    ? new SharedEndpoint(
        new PrometheusClient({ url: args.prometheusUrls[0] }),
        'cluster',
      )
    : undefined;
  const clusters = Array.from({ length: count }, (_, index) =>
    manyServicesCluster(
      args.services,
      args.prometheusUrls[endpoint ? 0 : index],
      { layout: args.layout, index, endpoint },
    ),
  );
  const paths = manyServicesPaths({
    cluster: clusters,
    entityCount: args.services,
    at,
    logger,
    defaults: true,
  });
  const times: number[] = [];
  let usage = { prometheusQueries: 0, kubernetesReads: 0 };
  let failed: string[] = [];
  let scorecards = 0;
  let measured = 0;
  let last: Awaited<ReturnType<typeof paths.snapshot.measure>> | undefined;
  for (let run = 0; run < args.runs; run++) {
    const started = performance.now();
    const result = await countingSourceUsage(() => paths.snapshot.measure(at));
    times.push(performance.now() - started);
    last = result.value;
    usage = result.usage;
    failed = result.value.failedSources;
    scorecards = result.value.scorecards.length;
    measured = result.value.scorecards.filter(
      c => c.figures.successRate !== null,
    ).length;
  }
  const snapshotRss = process.resourceUsage().maxRSS * 1024;
  const notifier = last ? await measureNotifier(last, at) : undefined;

  let perEntity:
    | { entities: number; ms: number; usage: typeof usage }
    | undefined;
  if (args.perEntity > 0) {
    const few = paths.entities.slice(0, args.perEntity);
    const started = performance.now();
    const alone = await countingSourceUsage(async () => {
      for (const e of few) {
        await paths.assembler.assemble(
          `component:default/${e.metadata.name}`,
          resolveWorkloadTarget(e)!,
          '1h',
        );
        await paths.signals.getSignals(
          e,
          '1h',
          'inbound',
          mockCredentials.service(),
        );
      }
    });
    perEntity = {
      entities: few.length,
      ms: performance.now() - started,
      usage: alone.usage,
    };
  }
  process.stdout.write(
    `${JSON.stringify({
      times,
      usage,
      failed,
      scorecards,
      measured,
      snapshotRss,
      perEntity,
      notifier,
      warnings: warnings.slice(0, 5),
    })}\n`,
  );
}

/**
 * The notifier after the run, on SQLite: a week of daily runs before it in
 * which every check that fails or warns now still passed (each one a
 * regression, the most it can have to tell), then the run itself; the
 * time of `afterRun`, which reads the runs back, works out the notices and
 * records each one told.
 */
async function measureNotifier(
  measured: Awaited<
    ReturnType<ReturnType<typeof manyServicesPaths>['snapshot']['measure']>
  >,
  at: Date,
) {
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  try {
    await migrateToLatest(db);
    const store = new ScorecardStore(db);
    const record = (when: Date, scorecards: EntityScorecard[]) =>
      store.recordRun({
        startedAt: when,
        finishedAt: when,
        prometheusQueries: 0,
        kubernetesReads: 0,
        failedSources: [],
        scorecards,
        flows: [],
        certificates: measured.certificates,
      });
    const passing = measured.scorecards.map(card => ({
      ...card,
      checks: card.checks.map(c =>
        c.status === 'fail' || c.status === 'warn'
          ? { ...c, status: 'pass' as const }
          : c,
      ),
    }));
    for (let day = 7; day >= 1; day--) {
      await record(new Date(at.getTime() - day * 24 * 3600_000), passing);
    }
    const run = await record(at, measured.scorecards);
    let sent = 0;
    const notifier = new PostureNotifier({
      notifications: {
        async send() {
          sent++;
        },
      },
      settings: readMeshPostureConfig(
        new ConfigReader({ meshPosture: { notifications: { enabled: true } } }),
      ).notifications,
      scorecards: store,
      notices: new NoticeStore(db),
      logger,
      now: () => at,
    });
    const started = performance.now();
    await notifier.afterRun(run, measured.findings);
    const ms = performance.now() - started;
    // The next run tells nothing new: the cost of a quiet hour.
    const again = await record(
      new Date(at.getTime() + 3600_000),
      measured.scorecards,
    );
    const quietStarted = performance.now();
    const quiet = await notifier.afterRun(again, measured.findings);
    return {
      ms,
      sent,
      quietMs: performance.now() - quietStarted,
      quietSent: quiet.sent,
    };
  } finally {
    await db.destroy();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
