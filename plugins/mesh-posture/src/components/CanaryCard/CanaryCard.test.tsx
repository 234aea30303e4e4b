import { registerMswTestHooks } from '@backstage/test-utils';
import type { EntityCanaryResponse } from '@mesh-posture/plugin-mesh-posture-common';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { CanaryCard } from './CanaryCard';
import { TEST_BASE_URL } from '../../__testUtils__/testApi';
import {
  renderOnEntityPage,
  serviceEntity,
} from '../../__testUtils__/entityPage';
import { pretendNow } from '../../__testUtils__/clock';
import { canaryAndPrimaryPosture } from '../../__testUtils__/postureFixtures';

const server = setupServer();
registerMswTestHooks(server);
pretendNow('2026-11-22T10:20:00.000Z');

const base = TEST_BASE_URL;
const url = `${base}/v1/entities/component/default/fraud-scoring/canary`;
const postureUrl = `${base}/v1/entities/component/default/fraud-scoring/posture`;

const progressing: EntityCanaryResponse = {
  entityRef: 'component:default/fraud-scoring',
  generatedAt: '2026-11-22T10:20:00.000Z',
  demo: false,
  workloads: [],
  flaggerMissing: [],
  sources: [],
  notes: [],
  canaries: [
    {
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
      lastTransitionTime: '2026-11-22T10:02:00.000Z',
      message: 'New revision detected, progressing canary analysis.',
      revision: 'abc',
      metrics: [
        {
          name: 'request-success-rate',
          builtIn: true,
          thresholdRange: { min: 99 },
          interval: '1m',
          value: 98.5,
          status: 'fail',
        },
        {
          name: 'request-duration',
          builtIn: true,
          thresholdRange: { max: 500 },
          interval: '1m',
          value: 212.4,
          status: 'pass',
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
      webhooks: [
        { name: 'load-test', type: 'rollout', host: 'flagger-loadtester.test' },
      ],
      skipAnalysis: false,
      suspended: false,
      deploymentsPerWeek: 23.5,
      deployments: {
        succeeded: 94,
        rollouts: 101,
        since: '2026-10-25T10:20:00.000Z',
        days: 28,
        perWeek: 23.5,
      },
      rollouts: [
        {
          revision: 'abc',
          startedAt: '2026-11-22T10:02:00.000Z',
          outcome: 'in-progress',
          maxFailedChecks: 1,
        },
        {
          revision: 'abb',
          startedAt: '2026-11-22T09:02:00.000Z',
          endedAt: '2026-11-22T09:57:00.000Z',
          outcome: 'succeeded',
          durationSeconds: 3300,
          maxFailedChecks: 0,
        },
      ],
    },
  ],
};

async function renderCard(answer: EntityCanaryResponse | { status: number }) {
  server.use(
    http.get(url, () =>
      'status' in answer
        ? HttpResponse.json(
            {
              error: { name: 'Error', message: 'catalog is down' },
              request: { method: 'GET', url },
              response: { statusCode: answer.status },
            },
            { status: answer.status },
          )
        : HttpResponse.json(answer),
    ),
  );
  await renderOnEntityPage(<CanaryCard />, {
    entity: serviceEntity('fraud-scoring'),
  });
}

describe('CanaryCard refused calls', () => {
  const canaryContent = () =>
    screen.findByRole('region', { name: 'Canary payments/fraud-scoring' });

  it('shows the calls the canary made that a callee refused, apart from the primary', async () => {
    server.use(
      http.get(postureUrl, () => HttpResponse.json(canaryAndPrimaryPosture)),
    );
    await renderCard(progressing);
    const section = await canaryContent();
    const refused = await within(section).findByRole('table', {
      name: 'Refused calls',
    });
    const rows = within(refused).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('canary');
    expect(rows[0]).toHaveTextContent('payments/ledger');
    expect(rows[0]).toHaveTextContent('server/ledger-grpc');
    expect(rows[0]).toHaveTextContent('1,210 gRPC calls');
    expect(within(refused).getByText('Refused in 7d')).toBeInTheDocument();
  });

  it('says when neither side had a call refused, and nothing where the mesh cannot tell', async () => {
    server.use(
      http.get(postureUrl, () =>
        HttpResponse.json({ ...canaryAndPrimaryPosture, refusedCalls: [] }),
      ),
    );
    await renderCard(progressing);
    expect(
      await screen.findByText(
        'No call of the canary or the primary was refused in the last 7d.',
      ),
    ).toBeInTheDocument();
  });

  it('does not claim the canary had no call refused once Flagger scaled it to zero', async () => {
    // Promoting: only the primary has pods, and refusals are read for
    // workloads with pods.
    server.use(
      http.get(postureUrl, () =>
        HttpResponse.json({
          ...canaryAndPrimaryPosture,
          workloads: canaryAndPrimaryPosture.workloads.filter(
            w => w.workload.name === 'fraud-scoring-primary',
          ),
          refusedCalls: [],
        }),
      ),
    );
    await renderCard({
      ...progressing,
      canaries: [
        { ...progressing.canaries[0], phase: 'Promoting', canaryWeight: 0 },
      ],
    });
    expect(
      await screen.findByText(
        /^The canary has no pods now \(Flagger scales it to zero between rollouts\)/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No call of the primary was refused in the last 7d.'),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/No call of the canary or the primary/),
    ).not.toBeInTheDocument();
  });

  it('stands without the posture', async () => {
    server.use(
      http.get(postureUrl, () => HttpResponse.json({}, { status: 503 })),
    );
    await renderCard(progressing);
    const section = await canaryContent();
    expect(within(section).getByText('Recent rollouts')).toBeInTheDocument();
    expect(
      within(section).queryByText('Refused calls'),
    ).not.toBeInTheDocument();
  });
});

describe('CanaryCard', () => {
  it('shows a canary mid-rollout: phase, weight, checks, metrics, webhooks and rollouts', async () => {
    await renderCard(progressing);
    const section = await screen.findByRole('region', {
      name: 'Canary payments/fraud-scoring',
    });
    expect(within(section).getByText('Progressing')).toBeInTheDocument();
    expect(
      within(section).getByText('Progressing: shifting traffic to the canary'),
    ).toBeInTheDocument();
    expect(within(section).getByLabelText('Canary weight')).toHaveTextContent(
      'Canary weight 25% of max 50% (step 5%)',
    );
    expect(
      within(section).getByRole('progressbar', { name: 'Canary weight 25%' }),
    ).toHaveAttribute('aria-valuenow', '50');
    expect(
      within(section).getByText(/Failed checks: 1 of 5 before rollback/),
    ).toBeInTheDocument();

    const metrics = within(section).getByRole('table', {
      name: 'Analysis metrics',
    });
    const success = within(metrics)
      .getByText('request-success-rate')
      .closest('tr')!;
    expect(success).toHaveTextContent('≥ 99%');
    expect(success).toHaveTextContent('98.50%');
    const latency = within(metrics)
      .getByText('request-duration')
      .closest('tr')!;
    expect(latency).toHaveTextContent('≤ 500 ms');
    expect(latency).toHaveTextContent('212.4 ms');
    const custom = within(metrics)
      .getByText('error-budget-burn')
      .closest('tr')!;
    expect(custom).toHaveTextContent('template flagger/burn-rate');
    expect(custom).toHaveTextContent('by Flagger');

    expect(
      within(section).getByText(
        'Webhooks: load-test (rollout → flagger-loadtester.test)',
      ),
    ).toBeInTheDocument();
    // The rate says what it counts and over which period, beside the list.
    expect(within(section).getByLabelText('Deployments')).toHaveTextContent(
      '94 of 101 rollouts succeeded in the last 28 days: 23.5 deployments a week',
    );
    expect(
      within(section).getByText(/succeeded in the last 28 days/),
    ).toHaveAttribute('title', 'since 2026-10-25 10:20:00 UTC');
    expect(
      within(section).getByText('The latest 2 of 101.'),
    ).toBeInTheDocument();
    const rollouts = within(section).getByRole('table', {
      name: 'Recent rollouts',
    });
    expect(within(rollouts).getAllByRole('row')).toHaveLength(3);
    expect(
      within(rollouts).getByText('succeeded').closest('tr'),
    ).toHaveTextContent('1 hour ago');
    expect(
      within(rollouts).getByText('succeeded').closest('tr'),
    ).toHaveTextContent('55 min');
    // Times read relative, the exact UTC time on hover.
    expect(within(section).getByText(/^Last transition/)).toHaveTextContent(
      'Last transition 18 minutes ago',
    );
    expect(within(section).getAllByText('18 minutes ago')[0]).toHaveAttribute(
      'title',
      '2026-11-22 10:02:00 UTC',
    );
  });

  it('lists the latest five rollouts of a busy canary and counts the rate over the same history', async () => {
    const hourly = Array.from({ length: 7 }, (_, i) => ({
      revision: `r${i}`,
      startedAt: new Date(
        Date.parse('2026-11-22T09:02:00.000Z') - i * 3600_000,
      ).toISOString(),
      endedAt: new Date(
        Date.parse('2026-11-22T09:57:00.000Z') - i * 3600_000,
      ).toISOString(),
      outcome: 'succeeded' as const,
      durationSeconds: 3300,
      maxFailedChecks: 0,
    }));
    await renderCard({
      ...progressing,
      canaries: [
        {
          ...progressing.canaries[0],
          rollouts: hourly,
          deploymentsPerWeek: 49,
          deployments: {
            succeeded: 7,
            rollouts: 7,
            since: '2026-11-21T10:20:00.000Z',
            days: 1,
            perWeek: 49,
          },
        },
      ],
    });
    const section = await screen.findByRole('region', {
      name: 'Canary payments/fraud-scoring',
    });
    expect(within(section).getByLabelText('Deployments')).toHaveTextContent(
      '7 of 7 rollouts succeeded in the last day: 49 deployments a week',
    );
    const rollouts = within(section).getByRole('table', {
      name: 'Recent rollouts',
    });
    expect(within(rollouts).getAllByRole('row')).toHaveLength(6);
    expect(within(section).getByText('The latest 5 of 7.')).toBeInTheDocument();
  });

  it('says over which period a rate from an older backend may be', async () => {
    const { deployments: _none, ...older } = progressing.canaries[0];
    await renderCard({ ...progressing, canaries: [older] });
    expect(
      await screen.findByText(
        '23.5 deployments a week, over the last 4 weeks or the history observed if shorter',
      ),
    ).toBeInTheDocument();
  });

  it('explains a service without a canary instead of showing an error', async () => {
    await renderCard({
      ...progressing,
      canaries: [],
      flaggerMissing: ['pci-eu-central'],
      notes: [
        'Flagger is not installed in cluster pci-eu-central (no Canary CRD).',
      ],
    });
    expect(
      await screen.findByText(
        /No Flagger Canary targets this service's workloads/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Flagger is not installed in cluster pci-eu-central/),
    ).toBeInTheDocument();
  });

  it('names a failed source, and shows errors', async () => {
    await renderCard({
      ...progressing,
      sources: [
        {
          role: 'prometheus',
          cluster: 'prod-eu-west',
          status: 'timeout',
          message: 'no answer within 5000 ms',
          demo: false,
          durationMs: 5000,
        },
      ],
    });
    expect(
      await screen.findByText(/timeout \(no answer within 5000 ms\)/),
    ).toBeInTheDocument();
  });

  it('shows a backend error as an error panel', async () => {
    await renderCard({ status: 500 });
    expect(
      (await screen.findAllByText(/catalog is down/)).length,
    ).toBeGreaterThan(0);
  });
});
