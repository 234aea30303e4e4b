import {
  CANARY_PHASES,
  CanaryTransition,
  deploymentsPerWeek,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  canariesTargeting,
  canaryRollouts,
  judgeCanaryMetric,
  readCanary,
} from './flagger';

/** A realistic Canary, as Flagger's docs and a live cluster show one. */
function canary(status: object = {}, spec: object = {}) {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'fraud-scoring', namespace: 'payments' },
    spec: {
      targetRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'fraud-scoring',
      },
      service: { port: 8080 },
      analysis: {
        interval: '1m',
        threshold: 5,
        maxWeight: 50,
        stepWeight: 5,
        metrics: [
          {
            name: 'request-success-rate',
            thresholdRange: { min: 99 },
            interval: '1m',
          },
          {
            name: 'request-duration',
            thresholdRange: { max: 500 },
            interval: '1m',
          },
          {
            name: 'error-budget-burn',
            templateRef: { name: 'burn-rate', namespace: 'flagger' },
            thresholdRange: { max: 2 },
            interval: '5m',
          },
        ],
        webhooks: [
          {
            name: 'acceptance-test',
            type: 'pre-rollout',
            url: 'http://flagger-loadtester.test/?token=secret',
          },
          {
            name: 'load-test',
            url: 'http://flagger-loadtester.test/',
          },
        ],
      },
      ...spec,
    },
    status: {
      canaryWeight: 0,
      failedChecks: 0,
      iterations: 0,
      lastAppliedSpec: '5d6f7b8c9',
      lastTransitionTime: '2026-11-22T09:02:00Z',
      conditions: [
        {
          type: 'Promoted',
          status: 'Unknown',
          reason: 'Progressing',
          message: 'New revision detected, progressing canary analysis.',
        },
      ],
      ...status,
    },
  };
}

describe('readCanary', () => {
  it.each(CANARY_PHASES.map(p => [p]))('reads the phase %s', phase => {
    const view = readCanary(canary({ phase }), 'prod')!;
    expect(view.phase).toBe(phase);
    expect(view.inProgress).toBe(
      [
        'Progressing',
        'Waiting',
        'WaitingPromotion',
        'Promoting',
        'Finalising',
      ].includes(phase),
    );
  });

  it('reads weights, checks, metrics and webhooks of a progressing canary', () => {
    const view = readCanary(
      canary({ phase: 'Progressing', canaryWeight: 25, failedChecks: 1 }),
      'prod-eu-west',
    );
    expect(view).toEqual({
      cluster: 'prod-eu-west',
      namespace: 'payments',
      name: 'fraud-scoring',
      target: { kind: 'Deployment', name: 'fraud-scoring' },
      phase: 'Progressing',
      inProgress: true,
      analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 5 },
      canaryWeight: 25,
      failedChecks: 1,
      iterations: 0,
      lastTransitionTime: '2026-11-22T09:02:00.000Z',
      message: 'New revision detected, progressing canary analysis.',
      revision: '5d6f7b8c9',
      metrics: [
        {
          name: 'request-success-rate',
          builtIn: true,
          thresholdRange: { min: 99 },
          interval: '1m',
          value: null,
          status: 'no-data',
        },
        {
          name: 'request-duration',
          builtIn: true,
          thresholdRange: { max: 500 },
          interval: '1m',
          value: null,
          status: 'no-data',
        },
        {
          name: 'error-budget-burn',
          builtIn: false,
          templateRef: 'flagger/burn-rate',
          thresholdRange: { max: 2 },
          interval: '5m',
          value: null,
          status: 'not-computed',
          note: 'custom metric: evaluated by Flagger from its template',
        },
      ],
      // The host only: the URL's query holds a token.
      webhooks: [
        {
          name: 'acceptance-test',
          type: 'pre-rollout',
          host: 'flagger-loadtester.test',
        },
        { name: 'load-test', type: 'rollout', host: 'flagger-loadtester.test' },
      ],
      skipAnalysis: false,
      suspended: false,
    });
  });

  it('reads step lists, iterations (blue/green) and the legacy threshold field', () => {
    const view = readCanary(
      canary(
        { phase: 'Progressing', iterations: 3 },
        {
          analysis: {
            interval: '30s',
            iterations: 10,
            stepWeights: [1, 10, 'x', 50],
            metrics: [{ name: 'request-duration', threshold: 300 }],
          },
          skipAnalysis: true,
        },
      ),
      'prod',
    )!;
    expect(view.analysis).toEqual({
      interval: '30s',
      iterations: 10,
      stepWeights: [1, 10, 50],
    });
    expect(view.iterations).toBe(3);
    expect(view.metrics[0].thresholdRange).toEqual({ max: 300 });
    expect(view.skipAnalysis).toBe(true);
  });

  it.each([
    [
      'no name',
      { metadata: { namespace: 'x' }, spec: { targetRef: { name: 'a' } } },
    ],
    ['no target', { metadata: { name: 'a', namespace: 'x' }, spec: {} }],
    ['not an object', 'Canary'],
    ['null', null],
  ])('refuses an object with %s', (_why, object) => {
    expect(readCanary(object, 'prod')).toBeUndefined();
  });

  it('ignores fields of the wrong type instead of trusting them', () => {
    const view = readCanary(
      canary(
        {
          phase: 'Exploded',
          canaryWeight: '50',
          failedChecks: -3,
          lastTransitionTime: 'yesterday',
          conditions: 'none',
        },
        {
          analysis: {
            metrics: 'all',
            webhooks: [{ url: 'x' }],
            maxWeight: NaN,
          },
        },
      ),
      'prod',
    )!;
    expect(view.phase).toBe('Unknown');
    expect(view.canaryWeight).toBe(0);
    expect(view.failedChecks).toBe(0);
    expect(view.lastTransitionTime).toBeUndefined();
    expect(view.message).toBeUndefined();
    expect(view.metrics).toEqual([]);
    expect(view.webhooks).toEqual([]);
    expect(view.analysis.maxWeight).toBeUndefined();
  });
});

describe('canariesTargeting', () => {
  it('picks the canaries whose target is one of the workloads, primary included', () => {
    const objects = [
      canary(),
      { ...canary(), metadata: { name: 'other', namespace: 'web' } },
    ];
    expect(
      canariesTargeting(objects, [
        { namespace: 'payments', name: 'fraud-scoring-primary' },
      ]),
    ).toEqual([objects[0]]);
    expect(
      canariesTargeting(objects, [{ namespace: 'web', name: 'fraud-scoring' }]),
    ).toEqual([objects[1]]);
    expect(
      canariesTargeting(objects, [{ namespace: 'payments', name: 'ledger' }]),
    ).toEqual([]);
  });
});

describe('judgeCanaryMetric', () => {
  const success = readCanary(canary(), 'prod')!.metrics[0];
  const duration = readCanary(canary(), 'prod')!.metrics[1];
  it.each([
    [success, 99.5, 'pass'],
    [success, 99, 'pass'],
    [success, 98.9, 'fail'],
    [duration, 480, 'pass'],
    [duration, 501, 'fail'],
  ])('judges %s = %s as %s', (metric, value, status) => {
    expect(judgeCanaryMetric(metric, value as number).status).toBe(status);
  });

  it('has no data without a value, and says why', () => {
    expect(judgeCanaryMetric(success, null)).toMatchObject({
      status: 'no-data',
      value: null,
      note: 'no requests in the interval',
    });
  });
});

describe('rollouts and deployments per week', () => {
  const t = (
    at: string,
    phase: CanaryTransition['phase'],
    revision?: string,
    failedChecks = 0,
  ): CanaryTransition => ({
    cluster: 'prod',
    namespace: 'payments',
    name: 'fraud-scoring',
    phase,
    ...(revision ? { revision } : {}),
    canaryWeight: 0,
    failedChecks,
    at,
  });

  it('finds each rollout with its outcome and duration, newest first', () => {
    const rollouts = canaryRollouts([
      t('2026-11-20T10:00:00.000Z', 'Initialized', 'a'),
      t('2026-11-20T11:00:00.000Z', 'Progressing', 'b'),
      t('2026-11-20T11:30:00.000Z', 'Promoting', 'b'),
      t('2026-11-20T11:35:00.000Z', 'Succeeded', 'b'),
      t('2026-11-21T09:00:00.000Z', 'Progressing', 'c', 0),
      t('2026-11-21T09:10:00.000Z', 'Progressing', 'c', 5),
      t('2026-11-21T09:12:00.000Z', 'Failed', 'c', 5),
      t('2026-11-22T08:00:00.000Z', 'Progressing', 'd'),
      // A newer revision arrives mid-rollout.
      t('2026-11-22T08:20:00.000Z', 'Progressing', 'e'),
    ]);
    expect(rollouts).toEqual([
      {
        revision: 'e',
        startedAt: '2026-11-22T08:20:00.000Z',
        outcome: 'in-progress',
        maxFailedChecks: 0,
      },
      {
        revision: 'd',
        startedAt: '2026-11-22T08:00:00.000Z',
        endedAt: '2026-11-22T08:20:00.000Z',
        outcome: 'superseded',
        durationSeconds: 1200,
        maxFailedChecks: 0,
      },
      {
        revision: 'c',
        startedAt: '2026-11-21T09:00:00.000Z',
        endedAt: '2026-11-21T09:12:00.000Z',
        outcome: 'failed',
        durationSeconds: 720,
        maxFailedChecks: 5,
      },
      {
        revision: 'b',
        startedAt: '2026-11-20T11:00:00.000Z',
        endedAt: '2026-11-20T11:35:00.000Z',
        outcome: 'succeeded',
        durationSeconds: 2100,
        maxFailedChecks: 0,
      },
    ]);
  });

  it('counts succeeded rollouts per week over the history there is', () => {
    const now = new Date('2026-11-22T12:00:00.000Z');
    const succeeded = (date: string) => ({
      startedAt: `${date}T10:00:00.000Z`,
      endedAt: `${date}T10:30:00.000Z`,
      outcome: 'succeeded' as const,
      maxFailedChecks: 0,
    });
    const rollouts = [
      succeeded('2026-11-21'),
      succeeded('2026-11-20'),
      succeeded('2026-11-08'),
      succeeded('2026-10-20'),
    ];
    // Four weeks back from now: October's is older, three remain.
    expect(deploymentsPerWeek(rollouts, { now })).toBe(0.8);
    // Observed for one week only: two in it.
    expect(
      deploymentsPerWeek(rollouts, {
        now,
        observedSince: '2026-11-15T12:00:00.000Z',
      }),
    ).toBe(2);
    expect(deploymentsPerWeek([], { now })).toBe(0);
  });
});
