import { HOSTILE_VALUES } from '../__testUtils__/hostileValues';
import {
  describeWithPrometheus,
  RealPrometheus,
  startPrometheus,
} from '../__testUtils__/realPrometheus';
import { PrometheusClient } from './PrometheusClient';
import { eq, oneOf, rate, selector, sumBy } from './promql';

const { hostileDataset } = require('../../scripts/prometheus-fixtures');

jest.setTimeout(60_000);

/*
 * The query builder against the real PromQL engine: every query built from a
 * hostile value must parse, and must match exactly the one series holding
 * that value — no breakout, no regex widening.
 */
describeWithPrometheus('the query builder against a real Prometheus', () => {
  const end = Math.floor(Date.now() / 1000) - 60;
  const dataset = hostileDataset(HOSTILE_VALUES, end);
  let prometheus: RealPrometheus;
  let client: PrometheusClient;

  beforeAll(async () => {
    prometheus = await startPrometheus(dataset.openMetrics);
    client = new PrometheusClient({ url: prometheus.url });
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  const at = () => new Date(dataset.at * 1000);

  it.each(HOSTILE_VALUES)(
    'an equality matcher on %j matches only its series',
    async value => {
      const query = sumBy(
        ['deployment'],
        rate(
          selector('request_total', [
            eq('namespace', 'hostile'),
            eq('deployment', value),
          ]),
          '5m',
        ),
      );
      const samples = await client.query(query, at());
      expect(samples).toHaveLength(1);
      expect(samples[0].labels.deployment).toBe(value);
      expect(samples[0].value).toBeCloseTo(dataset.truth[value], 9);
    },
  );

  it('a set matcher over every hostile value matches exactly those series', async () => {
    const query = sumBy(
      ['deployment'],
      rate(
        selector('request_total', [oneOf('deployment', HOSTILE_VALUES)]),
        '5m',
      ),
    );
    const samples = await client.query(query, at());
    expect(samples.map(s => s.labels.deployment).sort()).toEqual(
      [...HOSTILE_VALUES].sort(),
    );
    for (const s of samples) {
      expect(s.value).toBeCloseTo(dataset.truth[s.labels.deployment], 9);
    }
  });

  it('a set of regex metacharacters does not widen into a pattern', async () => {
    const query = sumBy(
      ['deployment'],
      rate(
        selector('request_total', [oneOf('deployment', ['.*', 'a|b'])]),
        '5m',
      ),
    );
    const samples = await client.query(query, at());
    expect(samples.map(s => s.labels.deployment).sort()).toEqual(['.*', 'a|b']);
  });
});
