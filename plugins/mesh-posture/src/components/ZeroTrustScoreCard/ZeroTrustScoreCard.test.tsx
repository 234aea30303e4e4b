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
    expect(days).toEqual(['90']);
    expect(screen.getByText(accounts.level ?? 'No level')).toBeInTheDocument();
    expect(screen.getByText(/\(demo data\)/)).toHaveTextContent(
      'From the snapshot taken 1 hour ago (demo data)',
    );
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

  it('explains that no snapshot has included the service yet', async () => {
    await renderCard({
      entityRef: 'component:default/accounts-service',
      model: DEFAULT_SCORECARD_MODEL,
      current: null,
      history: [],
    });
    expect(
      await screen.findByText(
        /No scorecard snapshot has included this service yet/,
      ),
    ).toBeInTheDocument();
  });

  it('shows an error from the backend', async () => {
    await renderCard({ status: 404 });
    expect((await screen.findAllByText(/No entity/)).length).toBeGreaterThan(0);
  });
});
