import { Entity } from '@backstage/catalog-model';
import { readSloAnnotations } from '../annotations';
import {
  assessSlo,
  histogramQuantile,
  mergeBuckets,
  minimumObservations,
  signalPoint,
  summarizeTraffic,
} from './summarize';
import { formatRate } from '../posture/assessPosture';
import { describeStatus } from './grpcStatus';
import type { HistogramBucketRates, RawTrafficSignals } from './types';

/** 100 req/s: 50 under 10 ms, 40 in (10, 50], 9 in (50, 100], 1 above 100. */
const buckets: HistogramBucketRates = [
  { le: 10, rate: 50 },
  { le: 50, rate: 90 },
  { le: 100, rate: 99 },
  { le: Infinity, rate: 100 },
];

describe('histogramQuantile', () => {
  it('interpolates inside the bucket the rank falls in, as Prometheus does', () => {
    expect(histogramQuantile(0.5, buckets)).toBe(10);
    expect(histogramQuantile(0.25, buckets)).toBe(5);
    expect(histogramQuantile(0.7, buckets)).toBe(30);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(50 + (50 * 5) / 9, 9);
  });

  it('answers the last finite bound for a rank in the +Inf bucket', () => {
    expect(histogramQuantile(0.995, buckets)).toBe(100);
  });

  it('is null without observations or without a +Inf bucket', () => {
    expect(
      histogramQuantile(
        0.5,
        buckets.map(b => ({ ...b, rate: 0 })),
      ),
    ).toBeNull();
    expect(histogramQuantile(0.5, buckets.slice(0, 3))).toBeNull();
    expect(histogramQuantile(0.5, [])).toBeNull();
  });

  it('mends non-monotonic buckets and ignores NaN', () => {
    expect(
      histogramQuantile(0.5, [
        { le: 10, rate: 60 },
        { le: 50, rate: 55 },
        { le: 100, rate: Number.NaN },
        { le: Infinity, rate: 100 },
      ]),
    ).toBeCloseTo(10 * (50 / 60), 9);
  });

  it('merges histograms bound by bound', () => {
    expect(mergeBuckets([buckets, buckets])).toEqual(
      buckets.map(b => ({ le: b.le, rate: b.rate * 2 })),
    );
  });
});

function part(overrides: Partial<RawTrafficSignals> = {}): RawTrafficSignals {
  return {
    requestsPerSecond: 100,
    failuresPerSecond: 1,
    latencyBuckets: buckets,
    errors: [{ status: '503', protocol: 'http', requestsPerSecond: 1 }],
    ...overrides,
  };
}

describe('summarizeTraffic', () => {
  it('adds rates and takes quantiles from the merged histograms', () => {
    const slow: HistogramBucketRates = [
      { le: 10, rate: 0 },
      { le: 50, rate: 0 },
      { le: 100, rate: 10 },
      { le: Infinity, rate: 10 },
    ];
    const s = summarizeTraffic(
      [
        part(),
        part({
          requestsPerSecond: 10,
          failuresPerSecond: 0,
          latencyBuckets: slow,
          errors: [],
        }),
      ],
      60,
    );
    expect(s.requestsPerSecond).toBe(110);
    expect(s.requests).toBe(6600);
    expect(s.successRate).toBeCloseTo(109 / 110, 12);
    // Merged: 110 in all; p99 rank 108.9 falls in (50, 100] holding 19.
    expect(s.latencyMs.p99).toBeCloseTo(50 + 50 * ((108.9 - 90) / 19), 9);
    expect(s.errors).toEqual([
      { status: '503', protocol: 'http', requestsPerSecond: 1 },
    ]);
  });

  it('says "no requests" with null, never 0% or 100%', () => {
    const s = summarizeTraffic([], 3600);
    expect(s).toMatchObject({
      requestsPerSecond: 0,
      requests: 0,
      successRate: null,
      latencyMs: { p50: null, p95: null, p99: null },
    });
  });

  it('does not estimate a quantile from too few requests', () => {
    expect(minimumObservations(0.5)).toBe(2);
    expect(minimumObservations(0.95)).toBe(20);
    expect(minimumObservations(0.99)).toBe(100);
    // 0.5 req/s over 60 s = 30 requests: p50 and p95, not p99.
    const s = summarizeTraffic(
      [
        part({
          requestsPerSecond: 0.5,
          latencyBuckets: buckets.map(b => ({ ...b, rate: b.rate / 200 })),
        }),
      ],
      60,
    );
    expect(s.latencyMs.p50).not.toBeNull();
    expect(s.latencyMs.p95).not.toBeNull();
    expect(s.latencyMs.p99).toBeNull();
  });

  it('ignores NaN and infinite rates from the source', () => {
    const s = summarizeTraffic(
      [
        part({ requestsPerSecond: Number.NaN }),
        part({ failuresPerSecond: Infinity }),
      ],
      60,
    );
    expect(s.requestsPerSecond).toBe(100);
    expect(s.successRate).toBe(1);
  });

  it('builds series points with the same rules', () => {
    expect(signalPoint(1000, [part()], 60)).toEqual({
      t: 1000,
      requestsPerSecond: 100,
      successRate: 0.99,
      p50: 10,
      p95: histogramQuantile(0.95, buckets),
      p99: histogramQuantile(0.99, buckets),
    });
  });
});

describe('assessSlo', () => {
  const targets = {
    successRate: 0.999,
    latencyP99Ms: 300,
    from: { successRate: 'default', latencyP99: 'annotation' },
  } as const;
  const summary = (successRate: number | null, p99: number | null) => ({
    requestsPerSecond: successRate === null ? 0 : 10,
    requests: successRate === null ? 0 : 36000,
    successRate,
    latencyMs: { p50: null, p95: null, p99 },
    errors: [],
  });

  it('meets, risks and breaches the success objective by error budget', () => {
    expect(assessSlo(summary(0.9999, 100), targets)).toMatchObject({
      successRate: 'met',
      latencyP99: 'met',
    });
    expect(
      assessSlo(summary(0.9999, 100), targets).errorBudgetRemaining,
    ).toBeCloseTo(0.9, 9);
    expect(assessSlo(summary(0.9991, 100), targets)).toMatchObject({
      successRate: 'at-risk',
    });
    const breached = assessSlo(summary(0.995, 100), targets);
    expect(breached.successRate).toBe('breached');
    expect(breached.errorBudgetRemaining).toBeCloseTo(-4, 9);
  });

  it('judges p99 against its target with an 80% warning line', () => {
    expect(assessSlo(summary(1, 250), targets).latencyP99).toBe('at-risk');
    expect(assessSlo(summary(1, 301), targets).latencyP99).toBe('breached');
  });

  it('reports no traffic rather than a pass', () => {
    expect(assessSlo(summary(null, null), targets)).toMatchObject({
      successRate: 'no-traffic',
      latencyP99: 'no-traffic',
      errorBudgetRemaining: null,
    });
  });

  it('is unknown, never no-traffic, when nothing was measured or a source did not answer', () => {
    const unknown = {
      successRate: 'unknown',
      latencyP99: 'unknown',
      errorBudgetRemaining: null,
    };
    expect(assessSlo(null, targets)).toMatchObject(unknown);
    // What the clusters that answered show is not the whole traffic.
    expect(
      assessSlo(summary(0.5, 900), targets, { complete: false }),
    ).toMatchObject(unknown);
    expect(
      assessSlo(summary(null, null), targets, { complete: false }),
    ).toMatchObject(unknown);
  });

  it('does not call too few requests for a p99 "no requests"', () => {
    expect(assessSlo(summary(1, null), targets)).toMatchObject({
      successRate: 'met',
      latencyP99: 'unknown',
    });
  });
});

describe('readSloAnnotations', () => {
  const entity = (annotations: Record<string, string>): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'x', annotations },
  });

  it('reads a percentage and milliseconds', () => {
    expect(
      readSloAnnotations(
        entity({
          'mesh-posture.io/slo-success-rate': '99.95',
          'mesh-posture.io/slo-latency-p99-ms': '250',
        }),
      ),
    ).toEqual({ ok: true, successRate: 0.9995, latencyP99Ms: 250 });
    expect(readSloAnnotations(entity({}))).toEqual({ ok: true });
  });

  it.each([
    ['mesh-posture.io/slo-success-rate', '100'],
    ['mesh-posture.io/slo-success-rate', '0.999"}'],
    ['mesh-posture.io/slo-success-rate', '-1'],
    ['mesh-posture.io/slo-latency-p99-ms', '0'],
    ['mesh-posture.io/slo-latency-p99-ms', '1e3'],
  ])('refuses %s=%j with a message naming it', (annotation, value) => {
    const result = readSloAnnotations(entity({ [annotation]: value }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(annotation);
  });
});

describe('describeStatus', () => {
  it('names gRPC codes and the HTTP status of no response', () => {
    expect(describeStatus('grpc', '14')).toBe('gRPC UNAVAILABLE (14)');
    expect(describeStatus('grpc', '4')).toBe('gRPC DEADLINE_EXCEEDED (4)');
    expect(describeStatus('grpc', '99')).toBe('gRPC 99');
    expect(describeStatus('grpc', 'UNAVAILABLE')).toBe('gRPC UNAVAILABLE');
    expect(describeStatus('http', '503')).toBe('HTTP 503');
    expect(describeStatus('http', '0')).toBe('HTTP 0 (no response)');
    // Linkerd's failures without a response carry no status code.
    expect(describeStatus('http', 'no response')).toBe('no response');
  });
});

describe('formatRate', () => {
  it('keeps rare failures visible', () => {
    expect(formatRate(0)).toBe('0.00 req/s');
    expect(formatRate(0.0077)).toBe('0.46 req/min');
    expect(formatRate(0.00001)).toBe('< 0.01 req/min');
    expect(formatRate(0.42)).toBe('0.42 req/s');
    expect(formatRate(42.5)).toBe('42.5 req/s');
    expect(formatRate(1234.4)).toBe('1234 req/s');
  });
});
