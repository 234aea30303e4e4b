/*
 * The benchmark: `yarn bench` at the root. Against real Prometheus servers
 * backfilled with the many-services dataset (scripts/many-services-dataset.js)
 * and the stand-in Kubernetes objects the tests use, it measures
 *
 * - the scorecard snapshot at 100, 1,000 and 5,000 services on one cluster,
 *   and 1,000 and 5,000 across 10 clusters (one Prometheus each, and all 10
 *   on one endpoint told apart by a `cluster` label): median of 3 runs,
 *   Prometheus queries, Kubernetes reads, peak RSS of the process taking it,
 *   and the per-entity path for the smaller sizes; then the notifier after
 *   the run, on SQLite, with a week of runs before it;
 * - the entity page (posture, golden signals, canary) through the HTTP API
 *   of a running backend, cold and warm, with 2,000 services in the entity's
 *   namespace, beside a catalog read on the same backend;
 * - the suite's frontend JavaScript, minified and gzipped.
 *
 * It prints a table and ends with the summary lines. Figures, not
 * assertions: nothing here fails on a slow machine. Needs `prometheus` and
 * `promtool` (Debian: apt-get install prometheus) and ~8 GB of free memory
 * while promtool backfills.
 *
 *   yarn bench [--quick] [--only=5000x10] [--profile]
 *   (--quick: 100 and 2,000 services on one cluster; --only: one scenario,
 *   <services>x<clusters>, or 5000x10-shared; --profile: each scenario's
 *   snapshot queries by Prometheus's own timings, costliest first)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  backfillOpenMetrics,
  RealPrometheus,
  servePrometheus,
} from '../src/__testUtils__/realPrometheus';
import type { ManyServicesLayout } from '../src/__testUtils__/manyServices';
import { measureEntityPage, PageFigures } from './bench/entityPage';
import { measureFrontend } from './bench/frontend';

const {
  writeManyServicesOpenMetrics,
  clusterOf,
} = require('./many-services-dataset');

/** Services per promtool run: ~3.4 GB of promtool memory per 1,000. */
const PART_SERVICES = 1000;
/** Scrapes every 15 s (linkerd-viz scrapes every 10 s) over 65 minutes. */
const STEP_SECONDS = 15;
const DURATION_SECONDS = 65 * 60;
/** The entity page's namespace holds this many services. */
const PER_NAMESPACE = 2000;

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-posture-bench-'));
const end = Math.floor(Date.now() / 1000) - 60;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A Prometheus holding services [from, to): written and backfilled in parts
 * of PART_SERVICES, two promtool runs at a time (one per core).
 */
async function prometheusOf(
  name: string,
  layout: ManyServicesLayout & { services: number },
  from: number,
  to: number,
  /** Labels each service's series carry: a shared endpoint's `cluster`. */
  extraLabels?: (i: number) => Record<string, string>,
): Promise<RealPrometheus> {
  const tsdb = path.join(work, `${name}-tsdb`);
  const running: Promise<void>[] = [];
  for (let start = from; start < to; start += PART_SERVICES) {
    const file = path.join(work, `${name}-${start}.om`);
    writeManyServicesOpenMetrics(file, {
      layout,
      from: start,
      to: Math.min(to, start + PART_SERVICES),
      end,
      stepSeconds: STEP_SECONDS,
      durationSeconds: DURATION_SECONDS,
      extraLabels,
    });
    running.push(
      backfillOpenMetrics(file, tsdb).finally(() => fs.rmSync(file)),
    );
    if (running.length >= 2) await running.shift();
  }
  await Promise.all(running);
  return servePrometheus(tsdb, {
    queryLogFile: profile ? queryLogOf(name) : undefined,
  });
}

function queryLogOf(name: string): string {
  return path.join(work, `${name}-queries.log`);
}

/**
 * The snapshot's queries grouped by shape (label values and durations
 * blanked), with the execution time Prometheus logged for them, per run.
 */
function queryProfile(names: string[], runs: number): string {
  const shapes = new Map<string, { count: number; seconds: number }>();
  for (const name of names) {
    const file = queryLogOf(name);
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line);
      const shape = String(entry.params?.query ?? '')
        .replace(/"(?:[^"\\]|\\.)*"/g, '""')
        .replace(/\[[0-9smhd:]+\]/g, '[]')
        .replace(/\s+/g, ' ');
      const seen = shapes.get(shape) ?? { count: 0, seconds: 0 };
      seen.count += 1;
      seen.seconds += entry.stats?.timings?.execTotalTime ?? 0;
      shapes.set(shape, seen);
    }
  }
  const total = [...shapes.values()].reduce((a, b) => a + b.seconds, 0);
  return [...shapes.entries()]
    .sort((a, b) => b[1].seconds - a[1].seconds)
    .map(
      ([shape, { count, seconds: s }]) =>
        `${(s / runs).toFixed(2).padStart(7)} s ${String(
          Math.round(count / runs),
        ).padStart(4)}x  ${shape.slice(0, 150)}`,
    )
    .concat(`${(total / runs).toFixed(2).padStart(7)} s in all, per run`)
    .join('\n');
}

/** Waits until Prometheus has merged the parts' overlapping blocks. */
async function settled(tsdb: string[], timeoutMs = 6 * 60_000) {
  const blocks = (dir: string) =>
    fs.readdirSync(dir).filter(f => /^[0-9A-Z]{26}$/.test(f)).length;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && tsdb.some(dir => blocks(dir) > 2)) {
    await new Promise(r => setTimeout(r, 2000));
  }
}

interface SnapshotFigures {
  label: string;
  services: number;
  clusters: number;
  medianMs: number;
  times: number[];
  usage: { prometheusQueries: number; kubernetesReads: number };
  failed: string[];
  scorecards: number;
  measured: number;
  snapshotRss: number;
  perEntity?: {
    entities: number;
    ms: number;
    usage: { prometheusQueries: number; kubernetesReads: number };
  };
  /** The notifier after the run: first (every regression new), then quiet. */
  notifier?: { ms: number; sent: number; quietMs: number; quietSent: number };
  warnings: string[];
}

function runSnapshot(args: object): Promise<any> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const child = spawn(
      process.execPath,
      [
        '-r',
        'sucrase/register',
        path.join(__dirname, 'bench', 'snapshot-run.ts'),
        JSON.stringify(args),
      ],
      { cwd: path.resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err = (err + d).slice(-4000)));
    child.on('exit', code => {
      const line = out.trim().split('\n').pop();
      if (code === 0 && line) resolve(JSON.parse(line));
      else reject(new Error(`snapshot run failed (${code}): ${err}`));
    });
  });
}

async function snapshotScenario(
  services: number,
  clusters: number,
  perEntity: number,
  /** All clusters' series in one Prometheus, told apart by `cluster`. */
  shared: boolean,
  keep?: (
    prometheus: RealPrometheus[],
    layout: ManyServicesLayout,
  ) => Promise<void>,
): Promise<SnapshotFigures> {
  const layout = { services, perNamespace: PER_NAMESPACE, clusters };
  const label = `${services} services${
    clusters > 1 ? ` ${clusters} clusters` : ''
  }${shared ? ' one endpoint' : ''}`;
  const started = Date.now();
  const size = Math.ceil(services / clusters);
  const prometheus: RealPrometheus[] = [];
  const names: string[] = [];
  try {
    if (shared) {
      const name = `s${services}-c${clusters}-shared`;
      names.push(name);
      prometheus.push(
        await prometheusOf(name, layout, 0, services, i => ({
          cluster: `prod-${clusterOf(i, layout).index}`,
        })),
      );
    }
    for (let k = 0; k < (shared ? 0 : clusters); k++) {
      const name = `s${services}-c${clusters}-${k}`;
      names.push(name);
      prometheus.push(
        await prometheusOf(
          name,
          layout,
          k * size,
          Math.min(services, (k + 1) * size),
        ),
      );
    }
    await settled(names.map(n => path.join(work, `${n}-tsdb`)));
    process.stderr.write(
      `[bench] ${label}: Prometheus ready in ${seconds(
        Date.now() - started,
      )}\n`,
    );
    const result = await runSnapshot({
      services,
      layout,
      prometheusUrls: prometheus.map(p => p.url),
      shared,
      at: end,
      runs: 3,
      perEntity,
    });
    const figures: SnapshotFigures = {
      label,
      services,
      clusters,
      medianMs: median(result.times),
      ...result,
    };
    process.stderr.write(
      `[bench] ${label}: snapshot ${seconds(figures.medianMs)} (${result.times
        .map((t: number) => seconds(t))
        .join(', ')})${
        result.failed.length ? `; failed: ${result.failed.join(', ')}` : ''
      }\n`,
    );
    if (profile) {
      process.stderr.write(
        `[bench] ${label}: Prometheus execution time by query shape\n${queryProfile(
          names,
          3,
        )}\n`,
      );
    }
    if (keep) await keep(prometheus, layout);
    return figures;
  } finally {
    await Promise.all(prometheus.map(p => p.stop()));
    for (const n of names) {
      fs.rmSync(path.join(work, `${n}-tsdb`), { recursive: true, force: true });
    }
  }
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ');
  return [
    line(header),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}

async function main() {
  const snapshots: SnapshotFigures[] = [];
  let page: PageFigures | undefined;
  // The entity page is measured on the largest one-cluster Prometheus,
  // while it runs: 2,000 services share the entity's namespace.
  const withPage =
    (services: number) =>
    async (prometheus: RealPrometheus[], layout: ManyServicesLayout) => {
      page = await measureEntityPage({
        prometheusUrl: prometheus[0].url,
        layout,
        services,
        work,
      });
    };
  // [services, clusters, per-entity entities, page?, one endpoint?]
  const scenarios: Array<[number, number, number, boolean, boolean]> = quick
    ? [
        [100, 1, 100, false, false],
        [2000, 1, 100, true, false],
      ]
    : [
        [100, 1, 100, false, false],
        [1000, 1, 100, false, false],
        [5000, 1, 0, true, false],
        // Ten clusters behind one endpoint, then each with its own.
        [1000, 10, 0, false, true],
        [1000, 10, 0, false, false],
        [5000, 10, 0, false, true],
        [5000, 10, 0, false, false],
      ];
  const only = process.argv.find(a => a.startsWith('--only='))?.slice(7);
  try {
    for (const [
      services,
      clusters,
      perEntity,
      measurePage,
      shared,
    ] of scenarios) {
      const name = `${services}x${clusters}${shared ? '-shared' : ''}`;
      if (only && only !== name) continue;
      snapshots.push(
        await snapshotScenario(
          services,
          clusters,
          perEntity,
          shared,
          measurePage ? withPage(services) : undefined,
        ),
      );
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const frontend = await measureFrontend();

  const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
  console.log(
    '\nScorecard snapshot (median of 3; per-entity: posture and signals entity by entity)',
  );
  console.log(
    table(
      [
        'scenario',
        'snapshot',
        'runs',
        'PromQL',
        'k8s reads',
        'peak RSS',
        'scored',
        'per-entity',
        'per-entity PromQL',
        'notifier',
        'failed sources',
      ],
      snapshots.map(s => [
        s.label,
        seconds(s.medianMs),
        s.times.map(t => (t / 1000).toFixed(1)).join('/'),
        String(s.usage.prometheusQueries),
        String(s.usage.kubernetesReads),
        mb(s.snapshotRss),
        `${s.measured}/${s.scorecards}`,
        s.perEntity
          ? `${seconds(s.perEntity.ms)} for ${s.perEntity.entities}`
          : '-',
        s.perEntity ? String(s.perEntity.usage.prometheusQueries) : '-',
        s.notifier
          ? `${seconds(s.notifier.ms)} (${
              s.notifier.sent
            } sent), quiet ${seconds(s.notifier.quietMs)}`
          : '-',
        s.failed.join(', ') || '-',
      ]),
    ),
  );
  if (page) {
    console.log(
      `\nEntity page through the HTTP API (${page.samples} requests each; ${page.namespaceServices} services in the namespace; first posture call after start ${page.firstCallMs} ms)`,
    );
    console.log(
      table(
        ['request', 'p50', 'p95', 'max', 'bytes'],
        page.rows.map(r => [
          r.name,
          `${r.p50} ms`,
          `${r.p95} ms`,
          `${r.max} ms`,
          String(r.bytes),
        ]),
      ),
    );
  }
  console.log(
    `\nFrontend: ${frontend.files} files, ${Math.round(
      frontend.minifiedBytes / 1024,
    )} KB minified, ${Math.round(frontend.gzipBytes / 1024)} KB gzip (${
      frontend.note
    })\n`,
  );
  const last = snapshots[snapshots.length - 1];
  console.log(
    `snapshot ${last.services} services ${last.clusters} clusters: ${seconds(
      last.medianMs,
    )}, ${last.usage.prometheusQueries} PromQL, ${
      last.usage.kubernetesReads
    } kubernetes reads, ${mb(last.snapshotRss)} peak RSS`,
  );
  if (last.notifier) {
    console.log(
      `notifier after it: ${seconds(last.notifier.ms)} with ${
        last.notifier.sent
      } notifications to send, ${seconds(
        last.notifier.quietMs,
      )} for the next run with none new (${last.notifier.quietSent} sent)`,
    );
  }
  if (page) {
    const row = (name: string) => page!.rows.find(r => r.name === name)!;
    console.log(
      `page posture cold p95 ${row('posture cold').p95} ms, warm p95 ${
        row('posture warm').p95
      } ms, catalog read p95 ${row('catalog read').p95} ms`,
    );
  }
  console.log(`frontend ${Math.round(frontend.gzipBytes / 1024)} KB gzip`);
  if (page) {
    console.log(
      `page signals cold p95 ${
        page.rows.find(r => r.name === 'signals cold')!.p95
      } ms with ${page.namespaceServices} services in the namespace`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
