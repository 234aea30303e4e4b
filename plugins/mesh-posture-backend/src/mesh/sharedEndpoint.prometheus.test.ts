import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type { MeshCluster } from '@mesh-posture/plugin-mesh-posture-node';
import { ConfigClusterProvider } from '../ConfigClusterProvider';
import { readMeshPostureConfig } from '../config';
import {
  backfillOpenMetrics,
  describeWithPrometheus,
  RealPrometheus,
  servePrometheus,
} from '../__testUtils__/realPrometheus';

const {
  writeManyServicesOpenMetrics,
} = require('../../scripts/many-services-dataset');

jest.setTimeout(90_000);

/*
 * One Prometheus-compatible endpoint for several clusters (Thanos Query,
 * Mimir, VictoriaMetrics keep each cluster's series apart by an external
 * label, `cluster` by convention). A real Prometheus holds two Linkerd
 * clusters whose services share their names: prod-a runs 8 services in a
 * ring, prod-b 12, so svc-0's caller is svc-7 (1 req/s) in one and svc-11
 * (5 req/s) in the other (many-services-dataset.js). Each cluster's
 * telemetry, configured as a user would, must read its own series only.
 */
describeWithPrometheus('several clusters on one Prometheus endpoint', () => {
  const end = Math.floor(Date.now() / 1000) - 120;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-posture-shared-'));
  let prometheus: RealPrometheus;
  let clusters: MeshCluster[];
  let at: Date;
  let seen: string[] = [];

  beforeAll(async () => {
    const tsdb = path.join(dir, 'tsdb');
    for (const [cluster, services] of [
      ['prod-a', 8],
      ['prod-b', 12],
    ] as const) {
      const file = path.join(dir, `${cluster}.om`);
      ({ at } = (() => {
        const written = writeManyServicesOpenMetrics(file, {
          layout: { services },
          end,
          extraLabels: () => ({ cluster }),
        });
        return { at: new Date(written.at * 1000) };
      })());
      await backfillOpenMetrics(file, tsdb);
    }
    prometheus = await servePrometheus(tsdb);
    const config = readMeshPostureConfig(
      new ConfigReader({
        meshPosture: {
          clusters: ['prod-a', 'prod-b'].map(name => ({
            name,
            mesh: 'linkerd',
            kubernetes: false,
            prometheus: {
              url: prometheus.url,
              // The value defaults to the cluster's name.
              externalLabel: { name: 'cluster' },
              headers: { 'X-Scope-OrgID': 'payments' },
            },
          })),
        },
      }),
    );
    clusters = await new ConfigClusterProvider(config.clusters, {
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
    }).getClusters();
  });

  afterAll(async () => {
    await prometheus?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const svc0 = (cluster: string): WorkloadRef => ({
    cluster,
    namespace: 'team-0',
    kind: 'Deployment',
    name: 'svc-0',
  });

  /** The queries sent while `run` runs, each checked for the tenant header. */
  async function seeing<T>(run: () => Promise<T>): Promise<T> {
    const originalFetch = global.fetch;
    seen = [];
    global.fetch = async (input: any, init?: any) => {
      seen.push(String(new URLSearchParams(String(init?.body)).get('query')));
      expect(new Headers(init?.headers).get('X-Scope-OrgID')).toBe('payments');
      return originalFetch(input, init);
    };
    try {
      return await run();
    } finally {
      global.fetch = originalFetch;
    }
  }

  async function readOf(cluster: MeshCluster) {
    const workloads = [svc0(cluster.name)];
    const query = {
      cluster: cluster.name,
      mesh: cluster.mesh,
      workloads,
      window: '1h',
      at,
    };
    const telemetry = await cluster.telemetry!.workloadTelemetry(
      { ...query, callerWindow: '7d' },
      {},
    );
    const signals = await cluster.telemetry!.workloadSignals(
      {
        ...query,
        direction: 'inbound',
        series: { stepSeconds: 15, rateWindow: '1m' },
      },
      {},
    );
    return { telemetry, signals };
  }

  const read = (cluster: MeshCluster) => seeing(() => readOf(cluster));

  /** The label lists of a query's aggregations. */
  const aggregationsOf = (promql: string) =>
    [...promql.matchAll(/\b(?:sum|min|max|count) by \(([^)]*)\)/g)].map(m =>
      m[1].split(', '),
    );

  it("reads each cluster's own series and nothing of the other's", async () => {
    const [a, b] = clusters;
    const fromA = await read(a);
    const queriesOfA = seen;
    const fromB = await read(b);

    const mtlsCallers = (t: typeof fromA.telemetry) =>
      t.traffic
        .filter(e => e.direction === 'inbound' && e.mtls)
        .map(e => [e.peer.workload, Math.round(e.requestsPerSecond * 1000)]);
    expect(mtlsCallers(fromA.telemetry)).toEqual([['svc-7', 1000]]);
    expect(mtlsCallers(fromB.telemetry)).toEqual([['svc-11', 5000]]);
    // Plus 0.5 req/s of plaintext in each (svc-0 is a fifth service).
    expect(fromA.signals.summaries[0].requestsPerSecond).toBeCloseTo(1.5, 6);
    expect(fromB.signals.summaries[0].requestsPerSecond).toBeCloseTo(5.5, 6);
    expect(fromA.signals.series[0].points.length).toBeGreaterThan(200);

    // Every selector of every query names the cluster.
    expect(queriesOfA.length).toBeGreaterThan(8);
    for (const promql of queriesOfA) {
      const selectors = promql.match(/[a-z_:]+\{[^}]*\}/g) ?? [];
      expect(selectors.length).toBeGreaterThan(0);
      for (const s of selectors) expect(s).toContain('cluster="prod-a"');
    }
  });

  it('keeps the cluster label in every aggregation', async () => {
    await read(clusters[0]);
    const aggregations = seen.flatMap(aggregationsOf);
    expect(aggregations.length).toBeGreaterThan(8);
    for (const by of aggregations) expect(by).toContain('cluster');
  });

  it('asks the same question of both clusters in one query, each answered as if alone', async () => {
    const [a, b] = clusters;
    const alone = [await readOf(a), await readOf(b)];
    await read(a);
    const queriesAlone = seen.length;

    const together = await seeing(() => Promise.all([readOf(a), readOf(b)]));
    // Two reads, one after the other inside each (telemetry, then signals):
    // each of the two rounds goes out once for both clusters.
    expect(seen.length).toBe(queriesAlone);
    for (const promql of seen) {
      expect(promql).toContain('cluster=~"prod-a|prod-b"');
      expect(promql).not.toContain('cluster="prod-a"');
    }
    const figures = (r: (typeof alone)[number]) => ({
      traffic: r.telemetry.traffic
        .map(e => [
          e.direction,
          e.peer.workload,
          e.mtls,
          Math.round(e.requestsPerSecond * 1000),
        ])
        .sort(),
      callers: r.telemetry.callers.map(c => [c.identity, Math.round(c.count)]),
      summary: r.signals.summaries.map(x =>
        Math.round(x.requestsPerSecond * 1000),
      ),
      points: r.signals.series.map(x => x.points.length),
    });
    expect(together.map(figures)).toEqual(alone.map(figures));
    expect(figures(together[0])).not.toEqual(figures(together[1]));
  });
});
