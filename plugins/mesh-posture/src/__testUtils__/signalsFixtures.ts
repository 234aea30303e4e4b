import type {
  GoldenSignals,
  SignalPoint,
  SignalSummary,
} from '@mesh-posture/plugin-mesh-posture-common';

const T0 = Date.parse('2026-11-22T09:00:00Z');

function series(
  count: number,
  stepSeconds: number,
  success: number,
): SignalPoint[] {
  return Array.from({ length: count }, (_, i) => ({
    t: T0 + i * stepSeconds * 1000,
    requestsPerSecond: 40 + (i % 5),
    successRate: success,
    p50: 4.2,
    p95: 18,
    p99: 41,
  }));
}

const healthySummary: SignalSummary = {
  requestsPerSecond: 42.5,
  requests: 153000,
  successRate: 0.99982,
  latencyMs: { p50: 4.2, p95: 18, p99: 41 },
  errors: [{ status: '503', protocol: 'http', requestsPerSecond: 0.0077 }],
};

/** payments-api over the last hour, inside its objectives. */
export function healthySignals(
  overrides: Partial<GoldenSignals> = {},
): GoldenSignals {
  return {
    entityRef: 'component:default/payments-api',
    generatedAt: '2026-11-22T10:00:00.000Z',
    window: '1h',
    direction: 'inbound',
    demo: false,
    workloads: [
      {
        cluster: 'prod-eu-1',
        namespace: 'payments',
        name: 'payments-api',
        kind: 'Deployment',
      },
    ],
    summary: healthySummary,
    complete: true,
    stepSeconds: 60,
    series: series(60, 60, 0.9998),
    slo: {
      successRateTarget: 0.999,
      latencyP99TargetMs: 250,
      from: { successRate: 'annotation', latencyP99: 'default' },
      successRate: 'met',
      latencyP99: 'met',
      errorBudgetRemaining: 0.82,
    },
    dependencies: [],
    notes: [],
    links: [
      {
        title: 'Open in Prometheus (prod-eu-1)',
        url: 'https://prometheus.prod-eu-1.example.com/graph?g0.expr=x',
      },
    ],
    sources: [
      {
        role: 'prometheus',
        cluster: 'prod-eu-1',
        status: 'ok',
        demo: false,
        durationMs: 38,
      },
    ],
    ...overrides,
  };
}

/** Failing and slow: both objectives breached, budget overspent. */
export function breachedSignals(): GoldenSignals {
  return healthySignals({
    summary: {
      requestsPerSecond: 12,
      requests: 43200,
      successRate: 0.962,
      latencyMs: { p50: 35, p95: 480, p99: 1250 },
      errors: [
        { status: '503', protocol: 'http', requestsPerSecond: 0.4 },
        { status: '14', protocol: 'grpc', requestsPerSecond: 0.056 },
      ],
    },
    series: series(60, 60, 0.96),
    slo: {
      successRateTarget: 0.999,
      latencyP99TargetMs: 250,
      from: { successRate: 'annotation', latencyP99: 'annotation' },
      successRate: 'breached',
      latencyP99: 'breached',
      errorBudgetRemaining: -37,
    },
  });
}

/** A service nobody called in the window: every source answered. */
export function idleSignals(): GoldenSignals {
  return healthySignals({
    summary: {
      requestsPerSecond: 0,
      requests: 0,
      successRate: null,
      latencyMs: { p50: null, p95: null, p99: null },
      errors: [],
    },
    series: [],
    slo: {
      successRateTarget: 0.999,
      latencyP99TargetMs: 250,
      from: { successRate: 'default', latencyP99: 'default' },
      successRate: 'no-traffic',
      latencyP99: 'no-traffic',
      errorBudgetRemaining: null,
    },
    notes: ['No requests reached the service in the last 1h.'],
    links: [],
    sources: [
      {
        role: 'prometheus',
        cluster: 'prod-eu-1',
        status: 'ok',
        demo: false,
        durationMs: 41,
      },
    ],
  });
}

/** Prometheus timed out in both clusters: nothing was measured. */
export function unmeasuredSignals(): GoldenSignals {
  const timedOut = (cluster: string) => ({
    role: 'prometheus' as const,
    cluster,
    status: 'timeout' as const,
    message: 'no answer within 5000 ms',
    demo: false,
    durationMs: 5000,
  });
  return healthySignals({
    summary: null,
    complete: false,
    series: [],
    slo: {
      successRateTarget: 0.999,
      latencyP99TargetMs: 250,
      from: { successRate: 'default', latencyP99: 'default' },
      successRate: 'unknown',
      latencyP99: 'unknown',
      errorBudgetRemaining: null,
    },
    notes: [
      'The golden signals are unknown: no telemetry source answered for component:default/payments-api.',
      'Missing: prometheus on prod-eu-1 (timeout), prometheus on prod-eu-2 (timeout).',
    ],
    links: [],
    sources: [timedOut('prod-eu-1'), timedOut('prod-eu-2')],
  });
}

/** One of two clusters answered: the figures are a lower bound. */
export function partialSignals(): GoldenSignals {
  const healthy = healthySignals();
  return {
    ...healthy,
    complete: false,
    slo: {
      ...healthy.slo,
      successRate: 'unknown',
      latencyP99: 'unknown',
      errorBudgetRemaining: null,
    },
    sources: [
      ...healthy.sources,
      {
        role: 'prometheus',
        cluster: 'prod-eu-2',
        status: 'unavailable',
        message: 'connection refused by prometheus.prod-eu-2:9090',
        demo: false,
        durationMs: 3,
      },
    ],
  };
}

/** Outbound: what payments-api sees of its dependencies. */
export function outboundSignals(): GoldenSignals {
  return healthySignals({
    direction: 'outbound',
    dependencies: [
      {
        peer: {
          namespace: 'accounts',
          workload: 'accounts-service',
          entityRef: 'component:default/accounts-service',
        },
        summary: {
          ...healthySummary,
          requestsPerSecond: 30,
          successRate: 0.9995,
          latencyMs: { p50: 3, p95: 9, p99: 22 },
        },
      },
      {
        peer: { namespace: 'ledger', workload: 'ledger-db-proxy' },
        summary: {
          ...healthySummary,
          requestsPerSecond: 12.5,
          successRate: 0.97,
          latencyMs: { p50: 8, p95: 60, p99: 140 },
        },
      },
    ],
  });
}

const notifications = {
  cluster: 'prod-eu-1',
  namespace: 'messaging',
  name: 'notifications',
  kind: 'Deployment' as const,
};

/**
 * notifications, whose two pods run without a proxy, as the backend
 * answers: inbound read from its callers' proxies (`callers: false`: none
 * of them reported calling), outbound not observed at all.
 */
export function proxylessSignals(
  direction: 'inbound' | 'outbound',
  options: { callers?: boolean } = {},
): GoldenSignals {
  const { callers = true } = options;
  const base = healthySignals({
    entityRef: 'component:default/notifications',
    direction,
    workloads: [notifications],
    proxyless: [{ workload: notifications, mesh: 'linkerd', pods: 2 }],
    links: [],
  });
  if (direction === 'outbound') {
    return {
      ...base,
      summary: null,
      series: [],
      slo: {
        ...base.slo,
        successRate: 'unknown',
        latencyP99: 'unknown',
        errorBudgetRemaining: null,
      },
      notes: [
        'messaging/notifications has no proxy, so the requests it makes are not observed.',
      ],
    };
  }
  const note =
    "messaging/notifications has no proxy, so its own requests are not observable: they are measured by its callers' proxies (their latency includes the network).";
  if (!callers) {
    return {
      ...base,
      summary: {
        requestsPerSecond: 0,
        requests: 0,
        successRate: null,
        latencyMs: { p50: null, p95: null, p99: null },
        errors: [],
      },
      series: [],
      slo: {
        ...base.slo,
        successRate: 'no-traffic',
        latencyP99: 'no-traffic',
        errorBudgetRemaining: null,
      },
      notes: [
        note,
        'No meshed caller reported requests to it in the last 1h; callers without a proxy are not observed.',
      ],
    };
  }
  return {
    ...base,
    summary: {
      requestsPerSecond: 3,
      requests: 10800,
      successRate: 0.999,
      latencyMs: { p50: 31, p95: 90, p99: 152 },
      errors: [],
    },
    notes: [note],
  };
}

/**
 * fraud-scoring mid-rollout: 10 % of its requests on the canary, which
 * fails more and is slower than the primary.
 */
export function canarySignals(): GoldenSignals {
  const ref = (name: string) => ({
    cluster: 'prod-eu-west',
    namespace: 'payments',
    kind: 'Deployment' as const,
    name,
  });
  const side = (
    role: 'primary' | 'canary',
    name: string,
    rps: number,
    successRate: number,
    p99: number,
  ) => ({
    role,
    workloads: [ref(name)],
    summary: {
      requestsPerSecond: rps,
      requests: Math.round(rps * 3600),
      successRate,
      latencyMs: { p50: 20, p95: p99 / 2, p99 },
      errors: [],
    },
  });
  return healthySignals({
    entityRef: 'component:default/fraud-scoring',
    workloads: [ref('fraud-scoring-primary'), ref('fraud-scoring')],
    canary: [
      side('primary', 'fraud-scoring-primary', 18, 0.9995, 90),
      side('canary', 'fraud-scoring', 2, 0.981, 240),
    ],
  });
}
