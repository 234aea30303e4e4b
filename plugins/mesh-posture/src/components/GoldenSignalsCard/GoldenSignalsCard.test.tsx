import { Entity } from '@backstage/catalog-model';
import { registerMswTestHooks } from '@backstage/test-utils';
import type { GoldenSignals } from '@mesh-posture/plugin-mesh-posture-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  breachedSignals,
  canarySignals,
  healthySignals,
  idleSignals,
  outboundSignals,
  partialSignals,
  proxylessSignals,
  unmeasuredSignals,
} from '../../__testUtils__/signalsFixtures';
import { GoldenSignalsCard } from './GoldenSignalsCard';
import { TEST_BASE_URL, mockLayout } from '../../__testUtils__/testApi';
import {
  renderOnEntityPage,
  serviceEntity,
  withoutWorkloadAnnotation,
} from '../../__testUtils__/entityPage';

const server = setupServer();
registerMswTestHooks(server);

mockLayout(400, 160);

const base = TEST_BASE_URL;
const signalsUrl = `${base}/v1/entities/component/default/payments-api/signals`;

const entity = serviceEntity('payments-api');

/** Serves by query string and records every query the card asked for. */
function serve(
  pick: (
    query: URLSearchParams,
  ) => GoldenSignals | { status: number; body: object },
) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(signalsUrl, ({ request }) => {
      const query = new URL(request.url).searchParams;
      queries.push(query);
      const answer = pick(query);
      if ('status' in answer && typeof answer.status === 'number') {
        return HttpResponse.json(answer.body, { status: answer.status });
      }
      return HttpResponse.json(answer);
    }),
  );
  return queries;
}

async function renderCard(forEntity: Entity = entity) {
  return renderOnEntityPage(<GoldenSignalsCard />, { entity: forEntity });
}

describe('GoldenSignalsCard', () => {
  it('sets the canary beside its primary while a rollout runs', async () => {
    serve(() => canarySignals());
    await renderCard();
    const sides = await screen.findByRole('table', {
      name: 'Primary and canary',
    });
    const rows = within(sides)
      .getAllByRole('row')
      .slice(1)
      .map(r =>
        within(r)
          .getAllByRole('cell')
          .map(c => c.textContent),
      );
    expect(rows).toEqual([
      [
        'primary fraud-scoring-primary',
        '64,800',
        '18.0 req/s',
        '99.950%',
        '90.0 ms',
      ],
      ['canary fraud-scoring', '7,200', '2.0 req/s', '98.1%', '240 ms'],
    ]);
  });

  it('has no primary-and-canary table outside a rollout', async () => {
    serve(() => healthySignals());
    await renderCard();
    await screen.findAllByText('SLO met');
    expect(
      screen.queryByRole('table', { name: 'Primary and canary' }),
    ).not.toBeInTheDocument();
  });

  it('shows a healthy service: figures, objectives met, charts, errors and links', async () => {
    const queries = serve(() => healthySignals());
    await renderCard();

    expect(await screen.findByText('99.982%')).toBeInTheDocument();
    expect(screen.getByText('42.5 req/s')).toBeInTheDocument();
    expect(screen.getByText('153,000 in 1h')).toBeInTheDocument();
    expect(screen.getByText('4.20 ms / 18.0 ms / 41.0 ms')).toBeInTheDocument();
    expect(screen.getAllByText('SLO met')).toHaveLength(2);
    // The success objective is the entity's own; the latency one the portal's.
    expect(screen.getByText('target 99.900%')).toBeInTheDocument();
    expect(
      screen.getByText('p99 target 250 ms (portal default)'),
    ).toBeInTheDocument();
    expect(screen.getByText('82%')).toBeInTheDocument();
    expect(screen.queryByText(/Request size/)).toBeNull();

    const errors = screen.getByRole('table', { name: 'Errors by status' });
    expect(within(errors).getByText('HTTP 503')).toBeInTheDocument();
    expect(within(errors).getByText('0.02%')).toBeInTheDocument();

    // Three charts drawn by recharts (svg surfaces), one per signal.
    expect(
      document.querySelectorAll('.recharts-surface').length,
    ).toBeGreaterThanOrEqual(3);
    // The rate as an area; success and p50/p95/p99 as lines.
    expect(document.querySelectorAll('.recharts-area')).toHaveLength(1);
    expect(document.querySelectorAll('.recharts-line')).toHaveLength(4);
    expect(
      screen.getByRole('link', { name: /^Open in Prometheus \(prod-eu-1\)/ }),
    ).toHaveAttribute(
      'href',
      'https://prometheus.prod-eu-1.example.com/graph?g0.expr=x',
    );
    expect(queries[0].get('window')).toBe('1h');
    expect(queries[0].get('direction')).toBe('inbound');
  });

  it('always draws the success objective and the p99 target, and never a success axis past 100%', async () => {
    // 99.98% success all hour against 99.9%, p99 41 ms against 250 ms: both
    // objectives lie outside the data, and must widen the axes to show.
    serve(() => healthySignals());
    await renderCard();
    await screen.findByText('99.982%');
    // Recharts draws a reference line only inside its axis's domain.
    const lines = document.querySelectorAll('.recharts-reference-line');
    expect(lines).toHaveLength(2);
    const [success, latency] = [
      ...document.querySelectorAll('.recharts-wrapper'),
    ]
      .slice(1, 3)
      .map(chart =>
        [
          ...chart.querySelectorAll(
            '.recharts-yAxis .recharts-cartesian-axis-tick-value',
          ),
        ].map(t => Number(t.textContent)),
      );
    expect(Math.max(...success)).toBe(100);
    expect(Math.max(...latency)).toBeGreaterThanOrEqual(250);
  });

  it('shows request and response sizes where the mesh reports them (Istio)', async () => {
    const istio = healthySignals();
    serve(() => ({
      ...istio,
      summary: {
        ...istio.summary!,
        requestBytes: { p50: 420, p99: 2_600 },
        responseBytes: { p50: 1_800, p99: 48_000 },
      },
    }));
    await renderCard();
    expect(
      await screen.findByText(
        'Request size p50 420 B, p99 2.6 kB · Response size p50 1.8 kB, p99 48.0 kB',
      ),
    ).toBeInTheDocument();
  });

  it('marks breached objectives and an overspent budget', async () => {
    serve(() => breachedSignals());
    await renderCard();

    expect(await screen.findByText('96.2%')).toBeInTheDocument();
    expect(screen.getAllByText('SLO breached')).toHaveLength(2);
    expect(screen.getByText('35.0 ms / 480 ms / 1.25 s')).toBeInTheDocument();
    // A spent budget is an error state, said as how far over it went
    // (3.8% failed of 0.1% allowed), never as a negative share.
    const overspent = screen.getByText('38× over budget');
    expect(overspent).toHaveClass('MuiTypography-colorError');
    expect(screen.queryByText(/^-\d+%$/)).not.toBeInTheDocument();
    const errors = screen.getByRole('table', { name: 'Errors by status' });
    expect(
      within(errors).getByText('gRPC UNAVAILABLE (14)'),
    ).toBeInTheDocument();
  });

  it('says "no requests" for an idle service whose sources all answered', async () => {
    serve(() => idleSignals());
    await renderCard();

    expect(
      await screen.findByText(/No requests reached the service/),
    ).toBeInTheDocument();
    expect(screen.getAllByText('no requests').length).toBeGreaterThanOrEqual(2);
    expect(screen.queryByText(/unknown/i)).toBeNull();
    expect(document.querySelector('.recharts-surface')).toBeNull();
  });

  it('says "unknown", never "no requests" or zero, when Prometheus did not answer', async () => {
    serve(() => unmeasuredSignals());
    await renderCard();

    expect(
      await screen.findByText(/The golden signals are unknown/),
    ).toBeInTheDocument();
    expect(screen.getAllByText('unknown').length).toBeGreaterThanOrEqual(3);
    expect(screen.getAllByText('SLO unknown')).toHaveLength(2);
    expect(screen.queryByText('no requests')).toBeNull();
    expect(screen.queryByText(/^0( req\/s)?$/)).toBeNull();
    expect(
      screen.getByText(/Prometheus on prod-eu-1: timeout \(no answer/),
    ).toBeInTheDocument();
  });

  it('does not say "no requests" when the cluster that answered had none and another did not answer', async () => {
    const partial = partialSignals();
    serve(() => ({ ...partial, summary: idleSignals().summary, series: [] }));
    await renderCard();

    expect(await screen.findAllByText('SLO unknown')).toHaveLength(2);
    expect(screen.queryByText('no requests')).toBeNull();
    expect(screen.getAllByText('unknown').length).toBeGreaterThanOrEqual(2);
  });

  it('shows figures from the clusters that answered as a lower bound, objectives unknown', async () => {
    serve(() => partialSignals());
    await renderCard();

    expect(await screen.findByText('≥ 42.5 req/s')).toBeInTheDocument();
    expect(screen.getAllByText('SLO unknown')).toHaveLength(2);
    expect(screen.queryByText('SLO met')).toBeNull();
    expect(
      screen.getByText(
        /Prometheus on prod-eu-2: unavailable \(connection refused/,
      ),
    ).toBeInTheDocument();
  });

  it('asks again for the window and direction the user picks', async () => {
    const queries = serve(q =>
      q.get('direction') === 'outbound' ? outboundSignals() : healthySignals(),
    );
    await renderCard();
    await screen.findByText('99.982%');

    fireEvent.click(screen.getByRole('button', { name: '24h' }));
    await screen.findByText('99.982%');
    expect(queries.at(-1)?.get('window')).toBe('24h');

    fireEvent.click(screen.getByRole('button', { name: 'Outbound' }));
    const dependencies = await screen.findByRole('table', {
      name: 'Dependencies',
    });
    expect(queries.at(-1)?.get('direction')).toBe('outbound');
    expect(queries.at(-1)?.get('window')).toBe('24h');
    expect(
      within(dependencies).getByText('accounts-service'),
    ).toBeInTheDocument();
    expect(
      within(dependencies).getByText('ledger/ledger-db-proxy'),
    ).toBeInTheDocument();
    expect(within(dependencies).getByText('97.0%')).toBeInTheDocument();
    expect(within(dependencies).getByText('140 ms')).toBeInTheDocument();
  });

  it('shows the API error when the request is refused', async () => {
    serve(() => ({
      status: 400,
      // The body the Backstage error handler writes.
      body: {
        error: {
          name: 'InputError',
          message: 'window must be one of 5m, 1h, 6h, 24h, 7d',
        },
        request: {
          method: 'GET',
          url: '/v1/entities/component/default/payments-api/signals',
        },
        response: { statusCode: 400 },
      },
    }));
    await renderCard();
    expect(
      await screen.findByText('window must be one of 5m, 1h, 6h, 24h, 7d'),
    ).toBeInTheDocument();
    expect(screen.getByText('400: InputError')).toBeInTheDocument();
  });

  it('asks for the annotation when the entity has none', async () => {
    const queries = serve(() => healthySignals());
    await renderCard(withoutWorkloadAnnotation(entity));
    expect(
      await screen.findByText('backstage.io/kubernetes-id'),
    ).toBeInTheDocument();
    expect(queries).toHaveLength(0);
  });

  describe('a workload without a proxy', () => {
    const says = (text: string) => screen.getAllByText(text);

    it("says it is not in the mesh, and shows what its callers' proxies saw", async () => {
      serve(() => proxylessSignals('inbound'));
      await renderCard();
      const notice = await screen.findByRole('alert', {
        name: 'Not in the mesh',
      });
      expect(
        within(notice).getByText(
          'messaging/notifications runs without a Linkerd proxy (0 of 2 pods meshed), so its own traffic cannot be observed.',
        ),
      ).toBeInTheDocument();
      expect(
        within(notice).getByText(
          "Its requests below are what its callers' proxies report sending it (their latency includes the network); callers without a proxy are not seen.",
        ),
      ).toBeInTheDocument();
      expect(screen.getByText('3.0 req/s')).toBeInTheDocument();
      // How to fix: the inject annotation for its namespace, to copy.
      expect(
        within(notice).getByText(
          /^kubectl annotate namespace messaging linkerd.io\/inject=enabled/,
        ),
      ).toBeInTheDocument();
      expect(
        within(notice).getByRole('button', {
          name: 'Copy: Mesh the namespace and restart its pods',
        }),
      ).toBeInTheDocument();
      // Said once, in the notice, not again in the notes.
      expect(screen.queryByText(/has no proxy, so its own/)).toBeNull();
    });

    it('never reads as idle when no meshed caller reported it', async () => {
      serve(() => proxylessSignals('inbound', { callers: false }));
      await renderCard();
      await screen.findByRole('alert', { name: 'Not in the mesh' });
      expect(
        says(
          'No meshed caller reported requests to it in the last 1h; callers without a proxy are not observed.',
        ),
      ).toHaveLength(1);
      expect(screen.queryByText(/no requests/i)).toBeNull();
      expect(screen.queryByText('Success rate')).toBeNull();
    });

    it('says what it sends is not observed, not unknown figures', async () => {
      serve(query =>
        proxylessSignals(
          query.get('direction') === 'outbound' ? 'outbound' : 'inbound',
        ),
      );
      await renderCard();
      await screen.findByRole('alert', { name: 'Not in the mesh' });
      fireEvent.click(screen.getByRole('button', { name: 'Outbound' }));
      expect(
        await screen.findByText(
          'The requests it makes are not observed: it has no proxy to report them.',
        ),
      ).toBeInTheDocument();
      expect(screen.queryByText('unknown')).toBeNull();
      expect(screen.queryByText('Requests')).toBeNull();
      expect(screen.queryByText(/no requests/i)).toBeNull();
    });
  });
});
