import { registerMswTestHooks } from '@backstage/test-utils';
import {
  DEFAULT_SCORECARD_MODEL,
  EntityScoreResponse,
} from '@mesh-posture/plugin-mesh-posture-common';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { zeroTrustPageRouteRef } from '../../routes';
import { accounts } from '../../__testUtils__/scorecardFixtures';
import { ZeroTrustScoreCard } from './ZeroTrustScoreCard';
import { TEST_BASE_URL, mockLayout } from '../../__testUtils__/testApi';
import {
  renderOnEntityPage,
  serviceEntity,
} from '../../__testUtils__/entityPage';
import { pretendNow } from '../../__testUtils__/clock';

const server = setupServer();
registerMswTestHooks(server);

mockLayout(300, 60);
pretendNow();
afterEach(() => jest.useRealTimers());

const base = TEST_BASE_URL;
const scoreUrl = `${base}/v1/entities/component/default/accounts-service/score`;

async function renderCard(answer: EntityScoreResponse | { status: number }) {
  const days: string[] = [];
  server.use(
    http.get(scoreUrl, ({ request }) => {
      days.push(new URL(request.url).searchParams.get('days') ?? '');
      if ('status' in answer) {
        return HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'No entity' },
            request: { method: 'GET', url: scoreUrl },
            response: { statusCode: answer.status },
          },
          { status: answer.status },
        );
      }
      return HttpResponse.json(answer);
    }),
  );
  await renderOnEntityPage(<ZeroTrustScoreCard />, {
    entity: serviceEntity('accounts-service'),
    mountedRoutes: { '/zero-trust': zeroTrustPageRouteRef },
  });
  return days;
}

describe('ZeroTrustScoreCard', () => {
  it('shows the score, the level, what holds it back first, and links to the page', async () => {
    const days = await renderCard({
      entityRef: 'component:default/accounts-service',
      model: DEFAULT_SCORECARD_MODEL,
      current: { ...accounts, at: '2026-11-22T09:00:04.000Z' },
      history: [
        { at: '2026-11-20T12:00:00.000Z', score: 60, level: null },
        { at: '2026-11-21T12:00:00.000Z', score: accounts.score, level: null },
      ],
    });
    expect(await screen.findByLabelText('Score')).toHaveTextContent(
      accounts.score.toFixed(1),
    );
    expect(days).toEqual(['30']);
    expect(screen.getByText(accounts.level ?? 'No level')).toBeInTheDocument();
    expect(screen.getByText(/\(demo data\)/)).toHaveTextContent(
      'From the snapshot taken 1 hour ago (demo data)',
    );
    // One element in the card's subheader, which lays out its children as
    // flex items: loose text beside an element would lose its spaces.
    const subheader = screen.getByTestId('info-card-subheader').firstChild!;
    expect(subheader.childNodes).toHaveLength(1);
    expect(screen.getByText('1 hour ago')).toHaveAttribute(
      'title',
      '2026-11-22 09:00:04 UTC',
    );
    const reasons = within(
      screen.getByRole('list', { name: 'What holds the score back' }),
    ).getAllByRole('listitem');
    // Failing before unknown; passing checks are not listed.
    expect(reasons.map(r => r.textContent)).toEqual([
      'Inbound mTLS fails87% of 4 req/s inbound over mTLS; plaintext from notifications',
      // Checklists by their titles, not their template ids.
      'Checklists attested failsnever attested: Threat model, Zero-trust networking',
      'Golden signals within SLO unknown (no data)no requests to judge',
    ]);
    expect(
      screen.getByRole('link', { name: 'Compare with every service' }),
    ).toHaveAttribute('href', '/zero-trust');
  });

  it('draws the last 30 days of scores with a title, a 0-100 axis and a tick a week', async () => {
    // A month as the demo seeds it: a fix 12 days ago, a regression 4 days ago.
    const scoreOn = (daysAgo: number) => {
      if (daysAgo > 12) return 63.2;
      return daysAgo > 4 ? 75 : 31.6;
    };
    const history = Array.from({ length: 30 }, (_, i) => {
      const daysAgo = 30 - i;
      return {
        at: new Date(
          Date.parse('2026-11-22T12:00:00.000Z') - daysAgo * 24 * 3600_000,
        ).toISOString(),
        score: scoreOn(daysAgo),
        level: null,
      };
    });
    await renderCard({
      entityRef: 'component:default/accounts-service',
      model: DEFAULT_SCORECARD_MODEL,
      current: { ...accounts, at: '2026-11-22T09:00:04.000Z' },
      history,
    });
    const chart = await screen.findByRole('figure', {
      name: 'Score, last 30 days',
    });
    expect(within(chart).getByText('Score, last 30 days')).toBeInTheDocument();
    const ticks = (axis: string) =>
      [
        ...chart.querySelectorAll(
          `.recharts-${axis} .recharts-cartesian-axis-tick-value`,
        ),
      ].map(t => t.textContent);
    expect(ticks('yAxis')).toEqual(['0', '50', '100']);
    // UTC days, a week apart, ending today (the tests' now: 2026-11-22).
    expect(ticks('xAxis')).toEqual([
      '10-25',
      '11-01',
      '11-08',
      '11-15',
      '11-22',
    ]);
    expect(chart.querySelectorAll('.recharts-line')).toHaveLength(1);
  });

  it('explains that no snapshot has included the service yet, and what the latest one scored', async () => {
    await renderCard({
      entityRef: 'component:default/accounts-service',
      model: DEFAULT_SCORECARD_MODEL,
      current: null,
      history: [],
      latestRun: {
        id: 7,
        startedAt: '2026-11-22T09:54:30.000Z',
        finishedAt: '2026-11-22T09:55:00.000Z',
        entities: 9,
        prometheusQueries: 12,
        kubernetesReads: 20,
        failedSources: [],
      },
    });
    expect(
      await screen.findByText(
        /No scorecard snapshot has included this service yet/,
      ),
    ).toHaveTextContent(
      'No scorecard snapshot has included this service yet. The snapshot task scores every service that maps to workloads on its schedule; the latest snapshot, taken 5 minutes ago, scored 9 services.',
    );
  });

  it('says the first snapshot is being taken, then shows the score once it is stored', async () => {
    const pending: EntityScoreResponse = {
      entityRef: 'component:default/accounts-service',
      model: DEFAULT_SCORECARD_MODEL,
      current: null,
      history: [],
      latestRun: null,
    };
    // The card's own clock: five seconds between asks pass at once.
    jest.useFakeTimers({ doNotFake: ['Date', 'queueMicrotask', 'nextTick'] });
    const asked: number[] = [];
    server.use(
      http.get(scoreUrl, () => {
        asked.push(jest.now());
        // Stored between the second ask and the third.
        return HttpResponse.json(
          asked.length < 3
            ? pending
            : {
                ...pending,
                current: { ...accounts, at: '2026-11-22T09:59:30.000Z' },
                history: [
                  {
                    at: '2026-11-22T09:59:30.000Z',
                    score: accounts.score,
                    level: null,
                  },
                ],
              },
        );
      }),
    );
    await renderOnEntityPage(<ZeroTrustScoreCard />, {
      entity: serviceEntity('accounts-service'),
      mountedRoutes: { '/zero-trust': zeroTrustPageRouteRef },
    });
    const waiting = await screen.findByText(
      /The first scorecard snapshot is being taken/,
    );
    expect(waiting).toHaveTextContent(
      'The first scorecard snapshot is being taken. This card shows the score as soon as it is stored.',
    );
    expect(
      screen.queryByText(/No scorecard snapshot has included/),
    ).not.toBeInTheDocument();
    // Asked again every 5 seconds, saying so meanwhile, until it is stored.
    expect(
      await screen.findByLabelText('Score', undefined, { timeout: 15_000 }),
    ).toHaveTextContent(accounts.score.toFixed(1));
    expect(asked).toHaveLength(3);
    expect(asked[2] - asked[1]).toBeGreaterThanOrEqual(4900);
    expect(
      screen.queryByText(/The first scorecard snapshot is being taken/),
    ).not.toBeInTheDocument();
  });

  it('shows an error from the backend', async () => {
    await renderCard({ status: 404 });
    expect((await screen.findAllByText(/No entity/)).length).toBeGreaterThan(0);
  });
});
