import type {
  ErrorsByStatus,
  SignalPoint,
  HistogramBucketRates,
  LatencyQuantiles,
  RawTrafficSignals,
  SignalSummary,
  SloAssessment,
  SloStatus,
} from './types';

/**
 * The φ-quantile of a cumulative histogram, as Prometheus's
 * `histogram_quantile` computes it: linear interpolation inside the bucket
 * the rank falls in; the upper bound of the last finite bucket when it falls
 * in +Inf; null without observations. Non-monotonic buckets (from scraping
 * races) are made monotonic first, as Prometheus does.
 * @public
 */
export function histogramQuantile(
  q: number,
  buckets: HistogramBucketRates,
): number | null {
  if (!(q >= 0 && q <= 1)) return null;
  const sorted = buckets
    .filter(b => Number.isFinite(b.rate) && !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1].le !== Infinity) {
    return null;
  }
  let max = 0;
  const counts = sorted.map(b => (max = Math.max(max, b.rate)));
  const total = counts[counts.length - 1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let i = counts.findIndex(c => c >= rank);
  if (i === sorted.length - 1) {
    return sorted[sorted.length - 2].le;
  }
  if (i === 0 && sorted[0].le <= 0) {
    return sorted[0].le;
  }
  let lower = 0;
  let lowerCount = 0;
  if (i > 0) {
    lower = sorted[i - 1].le;
    lowerCount = counts[i - 1];
  }
  // Skip empty buckets before the rank, as the rank is inside bucket i.
  while (i > 0 && counts[i] === lowerCount && i < sorted.length - 1) i++;
  const upper = sorted[i].le;
  const inBucket = counts[i] - lowerCount;
  if (inBucket <= 0) return upper;
  return lower + (upper - lower) * ((rank - lowerCount) / inBucket);
}

/** Sums the buckets of several histograms bound by bound. @public */
export function mergeBuckets(
  histograms: HistogramBucketRates[],
): HistogramBucketRates {
  const byLe = new Map<number, number>();
  for (const h of histograms) {
    for (const b of h) {
      if (Number.isFinite(b.rate)) {
        byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.rate);
      }
    }
  }
  return [...byLe.entries()]
    .map(([le, rate]) => ({ le, rate }))
    .sort((a, b) => a.le - b.le);
}

/**
 * Fewest observations a quantile is estimated from: with fewer than
 * 1/(1-q), the q-quantile is just the largest observation's bucket.
 * @public
 */
export function minimumObservations(q: number): number {
  return Math.ceil(1 / (1 - q) - 1e-9);
}

function quantiles(
  buckets: HistogramBucketRates,
  windowSeconds: number,
  qs: Array<[keyof LatencyQuantiles, number]>,
): LatencyQuantiles {
  const total = buckets.length ? Math.max(...buckets.map(b => b.rate)) : 0;
  const observations = total * windowSeconds;
  const out: LatencyQuantiles = { p50: null, p95: null, p99: null };
  for (const [key, q] of qs) {
    out[key] =
      observations >= minimumObservations(q)
        ? histogramQuantile(q, buckets)
        : null;
  }
  return out;
}

const QUANTILES: Array<[keyof LatencyQuantiles, number]> = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
];

/**
 * The golden signals of several parts of traffic together (for example a
 * canary's two workloads), over a window: rates add up, quantiles come from
 * the merged histograms, never from averaging quantiles.
 * @public
 */
export function summarizeTraffic(
  allParts: RawTrafficSignals[],
  windowSeconds: number,
): SignalSummary {
  const finite = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  // A part whose request rate is not a number says nothing reliable.
  const parts = allParts.filter(p => Number.isFinite(p.requestsPerSecond));
  const requestsPerSecond = parts.reduce(
    (n, p) => n + finite(p.requestsPerSecond),
    0,
  );
  const failuresPerSecond = Math.min(
    requestsPerSecond,
    parts.reduce((n, p) => n + finite(p.failuresPerSecond), 0),
  );
  const errors = new Map<string, ErrorsByStatus>();
  for (const p of parts) {
    for (const e of p.errors) {
      if (!(e.requestsPerSecond > 0)) continue;
      const key = `${e.protocol}|${e.status}`;
      const existing = errors.get(key);
      errors.set(key, {
        ...e,
        requestsPerSecond:
          (existing?.requestsPerSecond ?? 0) + e.requestsPerSecond,
      });
    }
  }
  const summary: SignalSummary = {
    requestsPerSecond,
    requests: Math.round(requestsPerSecond * windowSeconds),
    successRate:
      requestsPerSecond > 0 ? 1 - failuresPerSecond / requestsPerSecond : null,
    latencyMs: quantiles(
      mergeBuckets(parts.map(p => p.latencyBuckets)),
      windowSeconds,
      QUANTILES,
    ),
    errors: [...errors.values()].sort(
      (a, b) => b.requestsPerSecond - a.requestsPerSecond,
    ),
  };
  const sizes = (
    pick: (p: RawTrafficSignals) => HistogramBucketRates | undefined,
  ) => {
    const present = parts
      .map(pick)
      .filter((b): b is HistogramBucketRates => !!b);
    if (present.length === 0) return undefined;
    const { p50, p99 } = quantiles(mergeBuckets(present), windowSeconds, [
      ['p50', 0.5],
      ['p99', 0.99],
    ]);
    return { p50, p99 };
  };
  const requestBytes = sizes(p => p.requestBytesBuckets);
  const responseBytes = sizes(p => p.responseBytesBuckets);
  if (requestBytes) summary.requestBytes = requestBytes;
  if (responseBytes) summary.responseBytes = responseBytes;
  return summary;
}

/**
 * How a window measures up against the objectives. The error budget is the
 * share of requests allowed to fail (1 - target) over the window; "at risk"
 * once three quarters of it are spent, or p99 within 80% of its target.
 * @public
 */
export function assessSlo(
  summary: SignalSummary | null,
  targets: {
    successRate: number;
    latencyP99Ms: number;
    from: SloAssessment['from'];
  },
  options: { complete?: boolean } = {},
): SloAssessment {
  const base = {
    successRateTarget: targets.successRate,
    latencyP99TargetMs: targets.latencyP99Ms,
    from: targets.from,
  };
  // Part of the traffic, or none of it, is not evidence either way.
  if (summary === null || options.complete === false) {
    return {
      ...base,
      successRate: 'unknown',
      latencyP99: 'unknown',
      errorBudgetRemaining: null,
    };
  }
  let successRate: SloStatus = 'no-traffic';
  let errorBudgetRemaining: number | null = null;
  if (summary.successRate !== null) {
    // Targets are validated to be below 100%, so some failure is allowed.
    const allowed = Math.max(1 - targets.successRate, Number.EPSILON);
    const failed = 1 - summary.successRate;
    errorBudgetRemaining = 1 - failed / allowed;
    if (summary.successRate < targets.successRate) successRate = 'breached';
    else if (errorBudgetRemaining < 0.25) successRate = 'at-risk';
    else successRate = 'met';
  }
  let latencyP99: SloStatus = 'no-traffic';
  const p99 = summary.latencyMs.p99;
  if (p99 !== null) {
    if (p99 > targets.latencyP99Ms) latencyP99 = 'breached';
    else if (p99 > 0.8 * targets.latencyP99Ms) latencyP99 = 'at-risk';
    else latencyP99 = 'met';
  } else if (summary.requests > 0) {
    // Traffic, but too little (or no histogram) to estimate p99.
    latencyP99 = 'unknown';
  }
  return { ...base, successRate, latencyP99, errorBudgetRemaining };
}

/**
 * Step and rate window of a signal series per window: a few hundred points
 * at most, each a rate over at least four scrape intervals.
 * @public
 */
export const SIGNAL_SERIES: Record<
  '5m' | '1h' | '6h' | '24h' | '7d',
  { stepSeconds: number; rateWindow: string; rateWindowSeconds: number }
> = {
  '5m': { stepSeconds: 15, rateWindow: '1m', rateWindowSeconds: 60 },
  '1h': { stepSeconds: 15, rateWindow: '1m', rateWindowSeconds: 60 },
  '6h': { stepSeconds: 90, rateWindow: '5m', rateWindowSeconds: 300 },
  '24h': { stepSeconds: 300, rateWindow: '5m', rateWindowSeconds: 300 },
  '7d': { stepSeconds: 3600, rateWindow: '1h', rateWindowSeconds: 3600 },
};

/** Seconds in each signal window. @public */
export const SIGNAL_WINDOW_SECONDS: Record<
  '5m' | '1h' | '6h' | '24h' | '7d',
  number
> = {
  '5m': 300,
  '1h': 3600,
  '6h': 21600,
  '24h': 86400,
  '7d': 604800,
};

/**
 * One series point from the raw rates of several workloads at one step; a
 * quantile is null when the step saw too few requests to estimate it.
 * @public
 */
export function signalPoint(
  t: number,
  parts: Array<{
    requestsPerSecond: number;
    failuresPerSecond: number;
    latencyBuckets: HistogramBucketRates;
  }>,
  rateWindowSeconds: number,
): SignalPoint {
  const summary = summarizeTraffic(
    parts.map(p => ({ ...p, errors: [] })),
    rateWindowSeconds,
  );
  return {
    t,
    requestsPerSecond: summary.requestsPerSecond,
    successRate: summary.successRate,
    p50: summary.latencyMs.p50,
    p95: summary.latencyMs.p95,
    p99: summary.latencyMs.p99,
  };
}
