import type { PrometheusQueries, PromSample } from './PrometheusClient';
import { SharedEndpoint } from './SharedEndpoint';
import { eq, scopePlaceholder, selector, sumBy } from './promql';
import { builtInMeshAdapters } from '../mesh/adapters';

/** A client that records what it is asked and answers from `series`. */
function recordingClient(series: PromSample[] = []) {
  const asked: string[] = [];
  const client: PrometheusQueries = {
    query: async (promql, _time, options) => {
      asked.push(promql);
      await new Promise(r => setTimeout(r, 1));
      if (options?.signal?.aborted) throw new Error('aborted');
      return series;
    },
    queryRange: async promql => {
      asked.push(promql);
      return series.map(s => ({ labels: s.labels, points: [] }));
    },
  };
  return { client, asked };
}

const at = new Date('2026-12-01T00:00:00Z');
const sample = (cluster: string, value: number): PromSample => ({
  labels: { cluster, namespace: 'team-0' },
  value,
  timestamp: at.getTime() / 1000,
});
const question = sumBy(
  ['cluster', 'namespace'],
  selector('request_total', [scopePlaceholder('cluster'), eq('tls', 'true')]),
);

describe('SharedEndpoint', () => {
  it('asks a question several clusters ask at once in one query and gives each its own series', async () => {
    const { client, asked } = recordingClient([
      sample('a', 1),
      sample('b', 2),
      sample('c', 3),
    ]);
    const endpoint = new SharedEndpoint(client, 'cluster');
    const [a, b] = await Promise.all([
      endpoint.forCluster('a').query(question, at),
      endpoint.forCluster('b').query(question, at),
    ]);
    expect(asked).toEqual([
      'sum by (cluster, namespace) (request_total{cluster=~"a|b",tls="true"})',
    ]);
    expect(a.map(s => s.value)).toEqual([1]);
    expect(b.map(s => s.value)).toEqual([2]);
  });

  it('asks one cluster with an equality matcher, and different questions apart', async () => {
    const { client, asked } = recordingClient();
    const endpoint = new SharedEndpoint(client, 'cluster');
    const other = question.replace('tls="true"', 'tls="false"');
    await Promise.all([
      endpoint.forCluster('a').query(question, at),
      endpoint.forCluster('b').query(other, at),
      endpoint.forCluster('b').query(question, new Date(at.getTime() + 1000)),
    ]);
    expect(asked.sort()).toEqual([
      'sum by (cluster, namespace) (request_total{cluster="a",tls="true"})',
      'sum by (cluster, namespace) (request_total{cluster="b",tls="false"})',
      'sum by (cluster, namespace) (request_total{cluster="b",tls="true"})',
    ]);
  });

  it('splits a merged question so no query asks about more than the bound of workloads', async () => {
    const { client, asked } = recordingClient();
    const endpoint = new SharedEndpoint(client, 'cluster', {
      maxWorkloads: 1000,
    });
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map(c =>
        endpoint.forCluster(c).query(question, at, { workloads: 400 }),
      ),
    );
    expect(asked.map(q => /cluster=~?"([^"]*)"/.exec(q)![1])).toEqual([
      'a|b',
      'c|d',
      'e',
    ]);
  });

  it('fails every cluster of a merged question when the endpoint fails', async () => {
    const endpoint = new SharedEndpoint(
      {
        query: async () => {
          throw new Error('down');
        },
        queryRange: async () => [],
      },
      'cluster',
    );
    const answers = await Promise.allSettled([
      endpoint.forCluster('a').query(question, at),
      endpoint.forCluster('b').query(question, at),
    ]);
    expect(answers.map(x => x.status)).toEqual(['rejected', 'rejected']);
  });

  it('gives up the merged query only when every cluster asking it has', async () => {
    const signals: AbortSignal[] = [];
    const endpoint = new SharedEndpoint(
      {
        query: (_q, _t, options) =>
          new Promise((resolve, reject) => {
            signals.push(options!.signal!);
            options!.signal!.addEventListener('abort', () =>
              reject(new Error('aborted')),
            );
            setTimeout(() => resolve([sample('b', 2)]), 50);
          }),
        queryRange: async () => [],
      },
      'cluster',
    );
    const first = new AbortController();
    const a = endpoint
      .forCluster('a')
      .query(question, at, { signal: first.signal });
    const b = endpoint.forCluster('b').query(question, at, {});
    await new Promise(r => setTimeout(r, 20));
    first.abort(new Error('a gave up'));
    await expect(a).rejects.toThrow('a gave up');
    expect(signals[0].aborted).toBe(false);
    expect((await b).map(s => s.value)).toEqual([2]);
  });
});

/*
 * Every question both meshes' telemetry asks must carry the scope in every
 * selector and keep its label in every aggregation, or a merged answer
 * would mix clusters (or drop series the split cannot place).
 */
describe.each(Object.keys(builtInMeshAdapters))(
  '%s telemetry on a shared endpoint',
  mesh => {
    it('scopes every selector and keeps the cluster label in every aggregation', async () => {
      const { client, asked } = recordingClient();
      const telemetry = builtInMeshAdapters[
        mesh as keyof typeof builtInMeshAdapters
      ].telemetry(client, undefined, [eq('cluster', 'prod-a')]);
      const workloads = [
        {
          cluster: 'prod-a',
          namespace: 'team-0',
          kind: 'Deployment',
          name: 'svc-0',
        },
      ] as const;
      const query = {
        cluster: 'prod-a',
        mesh,
        workloads: [...workloads],
        window: '1h',
        at,
      };
      await telemetry.workloadTelemetry({ ...query, callerWindow: '7d' }, {});
      for (const direction of ['inbound', 'outbound'] as const) {
        await telemetry.workloadSignals(
          {
            ...query,
            direction,
            series: { stepSeconds: 60, rateWindow: '5m' },
          },
          {},
        );
      }
      await telemetry.workloadSignals(
        { ...query, direction: 'inbound', observedBy: 'callers' },
        {},
      );
      expect(asked.length).toBeGreaterThan(10);
      for (const promql of asked) {
        const selectors = promql.match(/[a-z_:]+\{[^}]*\}/g) ?? [];
        expect(selectors.length).toBeGreaterThan(0);
        for (const s of selectors) expect(s).toContain('cluster="prod-a"');
        const aggregations = [
          ...promql.matchAll(/\b(?:sum|min|max|count) by \(([^)]*)\)/g),
        ];
        expect(aggregations.length).toBeGreaterThan(0);
        for (const [, by] of aggregations) {
          expect(by.split(', ')).toContain('cluster');
        }
      }
    });
  },
);
