import type {
  ErrorsByStatus,
  HistogramBucketRates,
} from '@mesh-posture/plugin-mesh-posture-common';
import { dailyLoad, demoCanaryState, unitNoise } from './simulation';

/*
 * The demo's golden signals: each workload serves with a log-normal latency
 * (from its p50 and p99) and an error rate, a little slower and worse at the
 * daily peak, and reported as histogram buckets the way a mesh does.
 */

export interface DemoServiceLevel {
  p50Ms: number;
  p99Ms: number;
  /** Share of requests that fail, 0..1. */
  errorRate: number;
  protocol: 'http' | 'grpc';
}

export const DEMO_SERVICE_LEVELS: Record<string, DemoServiceLevel> = {
  'ingress-nginx-controller': {
    p50Ms: 3,
    p99Ms: 20,
    errorRate: 0.0005,
    protocol: 'http',
  },
  'web-frontend': { p50Ms: 45, p99Ms: 180, errorRate: 0.002, protocol: 'http' },
  'open-banking-gateway': {
    p50Ms: 60,
    p99Ms: 250,
    errorRate: 0.0008,
    protocol: 'http',
  },
  // Leaks errors under load: breaches a 99.9% objective.
  'accounts-service': {
    p50Ms: 25,
    p99Ms: 140,
    errorRate: 0.005,
    protocol: 'http',
  },
  'payments-api': {
    p50Ms: 35,
    p99Ms: 160,
    errorRate: 0.0004,
    protocol: 'http',
  },
  ledger: { p50Ms: 8, p99Ms: 40, errorRate: 0.0001, protocol: 'grpc' },
  // No proxy of its own: these are what its callers' proxies see of it.
  notifications: {
    p50Ms: 30,
    p99Ms: 150,
    errorRate: 0.001,
    protocol: 'http',
  },
  'fraud-scoring-primary': {
    p50Ms: 15,
    p99Ms: 70,
    errorRate: 0.0005,
    protocol: 'grpc',
  },
  // The new model is a little slower.
  'fraud-scoring': {
    p50Ms: 17,
    p99Ms: 95,
    errorRate: 0.0006,
    protocol: 'grpc',
  },
  'istio-ingressgateway': {
    p50Ms: 4,
    p99Ms: 25,
    errorRate: 0.0005,
    protocol: 'http',
  },
  'card-issuing': {
    p50Ms: 80,
    p99Ms: 320,
    errorRate: 0.0009,
    protocol: 'http',
  },
  'card-vault': { p50Ms: 5, p99Ms: 25, errorRate: 0.0001, protocol: 'grpc' },
  'card-tokenizer': {
    p50Ms: 6,
    p99Ms: 30,
    errorRate: 0.0002,
    protocol: 'http',
  },
};

export const LINKERD_LATENCY_BOUNDS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000,
  4000, 5000, 10000, 20000, 30000, 40000, 50000,
];
export const ISTIO_LATENCY_BOUNDS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
  300000, 600000, 1800000, 3600000,
];

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const poly =
    t *
    (0.254829592 +
      t *
        (-0.284496736 +
          t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Cumulative buckets of `rps` requests with a log-normal latency. */
export function logNormalBuckets(
  rps: number,
  p50Ms: number,
  p99Ms: number,
  bounds: number[],
): HistogramBucketRates {
  const mu = Math.log(p50Ms);
  const sigma = Math.log(p99Ms / p50Ms) / 2.3263;
  return [
    ...bounds.map(le => ({
      le,
      rate: rps * normalCdf((Math.log(le) - mu) / sigma),
    })),
    { le: Infinity, rate: rps },
  ];
}

/** A workload's service level at an instant: the daily peak costs latency and errors. */
export function serviceLevelAt(
  name: string,
  at: Date,
): DemoServiceLevel | undefined {
  const base = DEMO_SERVICE_LEVELS[name];
  if (!base) return undefined;
  const load = dailyLoad(at);
  const minute = Math.floor(at.getTime() / 60_000);
  const jitter = 0.9 + 0.2 * unitNoise(`${name}#${minute}`);
  let errorRate = base.errorRate * (0.6 + 0.8 * load) * jitter;
  // The canary gets worse for a while in every fourth rollout, as canaries do.
  if (name === 'fraud-scoring' && demoCanaryState(at).revision % 4 === 3) {
    errorRate *= 6;
  }
  return {
    ...base,
    p50Ms: base.p50Ms * (0.9 + 0.2 * load),
    p99Ms: base.p99Ms * (0.85 + 0.3 * load) * jitter,
    errorRate,
  };
}

/** How the failures of a service split by status. */
export function errorsOf(
  level: DemoServiceLevel,
  failuresPerSecond: number,
): ErrorsByStatus[] {
  if (failuresPerSecond <= 0) return [];
  return level.protocol === 'grpc'
    ? [
        {
          status: '14',
          protocol: 'grpc',
          requestsPerSecond: failuresPerSecond * 0.8,
        },
        {
          status: '4',
          protocol: 'grpc',
          requestsPerSecond: failuresPerSecond * 0.2,
        },
      ]
    : [
        {
          status: '503',
          protocol: 'http',
          requestsPerSecond: failuresPerSecond * 0.7,
        },
        {
          status: '500',
          protocol: 'http',
          requestsPerSecond: failuresPerSecond * 0.3,
        },
      ];
}
