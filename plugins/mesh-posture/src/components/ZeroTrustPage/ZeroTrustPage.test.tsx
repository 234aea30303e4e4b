import {
  AlertApi,
  alertApiRef,
  AlertMessage,
  ToastApi,
  toastApiRef,
  ToastApiMessage,
} from '@backstage/frontend-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import type { ScoreTrendResponse } from '@mesh-posture/plugin-mesh-posture-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { SWRConfig } from 'swr';
import { meshPostureApiRef } from '../../api';
import {
  accounts,
  ledger,
  paymentsApi,
  scorecardsResponse,
} from '../../__testUtils__/scorecardFixtures';
import { trendRows } from './ScoreTrendChart';
import { ZeroTrustPage } from './ZeroTrustPage';
import {
  TEST_BASE_URL,
  mockLayout,
  testMeshPostureClient,
} from '../../__testUtils__/testApi';
import { pretendNow } from '../../__testUtils__/clock';

// The page draws charts and MUI selects: slow in jsdom on a busy 2-core machine.
jest.setTimeout(30_000);

const server = setupServer();
registerMswTestHooks(server);

mockLayout(800, 280);
pretendNow();
afterEach(() => jest.useRealTimers());

const base = TEST_BASE_URL;

const trend: ScoreTrendResponse = {
  days: 30,
  catalog: [
    { at: '2026-11-20T12:00:00.000Z', score: 70, entities: 3 },
    { at: '2026-11-21T12:00:00.000Z', score: 74.5, entities: 3 },
  ],
  groups: [
    {
      key: 'group:default/payments-team',
      points: [
        { at: '2026-11-20T12:00:00.000Z', score: 80, entities: 2 },
        { at: '2026-11-21T12:00:00.000Z', score: 85, entities: 2 },
      ],
    },
  ],
};

/** Serves the scorecard endpoints, filtering like the backend, and records the queries. */
function serve(
  options: {
    empty?: boolean;
    /** Answer this many asks with no run, then the scores. */
    emptyFor?: number;
    fail?: boolean;
    stillRunning?: boolean;
  } = {},
): {
  scorecards: URLSearchParams[];
  trends: URLSearchParams[];
  exports: URLSearchParams[];
  certificates: URLSearchParams[];
  snapshots: number;
} {
  const seen = {
    scorecards: [] as URLSearchParams[],
    trends: [] as URLSearchParams[],
    exports: [] as URLSearchParams[],
    certificates: [] as URLSearchParams[],
    snapshots: 0,
  };
  server.use(
    http.get(`${base}/v1/scorecards`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      seen.scorecards.push(query);
      if (options.fail) {
        return HttpResponse.json(
          {
            error: { name: 'Error', message: 'database is down' },
            request: { method: 'GET', url: '/v1/scorecards' },
            response: { statusCode: 500 },
          },
          { status: 500 },
        );
      }
      if (options.empty || seen.scorecards.length <= (options.emptyFor ?? 0)) {
        return HttpResponse.json({ ...scorecardsResponse([], []), run: null });
      }
      const owners = query.getAll('owner');
      const all = [ledger, accounts, paymentsApi];
      return HttpResponse.json(
        scorecardsResponse(
          all.filter(e => owners.length === 0 || owners.includes(e.owner!)),
          all,
        ),
      );
    }),
    http.get(`${base}/v1/scorecards/trend`, ({ request }) => {
      seen.trends.push(new URL(request.url).searchParams);
      return HttpResponse.json(trend);
    }),
    http.get(`${base}/v1/scorecards/export`, ({ request }) => {
      seen.exports.push(new URL(request.url).searchParams);
      return new HttpResponse('entity,title\r\n', {
        headers: {
          'Content-Type': 'text/csv',
          'Content-Disposition':
            'attachment; filename="zero-trust-scorecards-2026-11-22.csv"',
        },
      });
    }),
    http.get(`${base}/v1/certificates`, ({ request }) => {
      seen.certificates.push(new URL(request.url).searchParams);
      return new HttpResponse('evidence_id,cluster\r\n', {
        headers: {
          'Content-Type': 'text/csv',
          'Content-Disposition':
            'attachment; filename="certificate-inventory-2026-11-22.csv"',
        },
      });
    }),
    http.post(`${base}/v1/snapshots`, () => {
      seen.snapshots += 1;
      // 202: the run goes on, on this replica or another.
      if (options.stillRunning) {
        return HttpResponse.json({ run: null }, { status: 202 });
      }
      return HttpResponse.json(
        { run: scorecardsResponse().run },
        { status: 201 },
      );
    }),
  );
  return seen;
}

const alerts: AlertMessage[] = [];
const alertApi: Partial<AlertApi> = {
  post: (alert: AlertMessage) => {
    alerts.push(alert);
  },
};
const toasts: ToastApiMessage[] = [];
const toastApi: ToastApi = {
  post: (toast: ToastApiMessage) => {
    toasts.push(toast);
    return { close: () => {} };
  },
};

beforeEach(() => {
  alerts.length = 0;
  toasts.length = 0;
});

async function renderPage(
  options: {
    maySnapshot?: boolean;
    path?: string;
    /** A legacy app: core-app-api provides AlertApi and no ToastApi. */
    legacy?: boolean;
    /** The catalog's display names, by entity ref. */
    displayNames?: Record<string, string>;
  } = {},
) {
  const api = testMeshPostureClient();
  const permissionApi = mockApis.permission({
    authorize: () =>
      options.maySnapshot ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [meshPostureApiRef, api],
        [permissionApiRef, permissionApi],
        [alertApiRef, alertApi],
        ...(options.legacy ? [] : [[toastApiRef, toastApi] as const]),
        ...(options.displayNames
          ? [
              [
                entityPresentationApiRef,
                presentationOf(options.displayNames),
              ] as const,
            ]
          : []),
      ]}
    >
      <SWRConfig value={{ provider: () => new Map() }}>
        <ZeroTrustPage />
      </SWRConfig>
    </TestApiProvider>,
    {
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      routeEntries: [options.path ?? '/zero-trust'],
    },
  );
}

/** The catalog's presentation of entities: the given names, else the ref's name. */
function presentationOf(names: Record<string, string>) {
  return {
    forEntity: (ref: string) => {
      const snapshot = {
        entityRef: ref,
        primaryTitle: names[ref] ?? ref.slice(ref.indexOf('/') + 1),
      };
      return { snapshot, promise: Promise.resolve(snapshot) };
    },
  };
}

const rows = () =>
  within(screen.getByRole('table', { name: 'Scorecards, worst first' }))
    .getAllByRole('row')
    .slice(1);

describe('ZeroTrustPage', () => {
  it('lists every service worst first with its level and each check, and says how the score is made', async () => {
    serve();
    await renderPage();
    const runLine = await screen.findByText(/Scores from the snapshot taken/);
    expect(runLine).toHaveTextContent(
      'Scores from the snapshot taken 1 hour ago: 3 services.',
    );
    // The run's cost is a detail, on hover.
    expect(runLine).not.toHaveTextContent('Prometheus');
    expect(
      within(runLine).getByRole('button', {
        name: 'About this snapshot: 12 Prometheus queries and 19 Kubernetes reads for the whole catalog',
      }),
    ).toBeInTheDocument();
    expect(within(runLine).getByText('1 hour ago')).toHaveAttribute(
      'title',
      '2026-11-22 09:00:04 UTC',
    );
    expect(
      rows().map(r => within(r).getAllByRole('cell')[0].textContent),
    ).toEqual(['accounts-service', 'payments-api', 'ledger']);
    const worst = rows()[0];
    expect(
      within(worst).getByText(accounts.score.toFixed(1)),
    ).toBeInTheDocument();
    // A failing and an unknown check say what was seen; unknown is not a pass.
    expect(
      within(worst).getByRole('img', {
        name: 'Inbound mTLS fails: 87% of 4 req/s inbound over mTLS; plaintext from notifications',
      }),
    ).toBeInTheDocument();
    expect(
      within(worst).getByRole('img', {
        name: 'Golden signals within SLO unknown (no data): no requests to judge',
      }),
    ).toBeInTheDocument();
    // Checklists by their titles, not their template ids.
    expect(
      within(worst).getByRole('img', {
        name: 'Checklists attested fails: never attested: Threat model, Zero-trust networking',
      }),
    ).toBeInTheDocument();
    expect(within(rows()[2]).getByText('Gold')).toBeInTheDocument();
    expect(screen.getByText(/^Demo data/)).toBeInTheDocument();

    // Roll-ups: the payments team's two services average their scores.
    const byOwner = screen.getByRole('table', { name: 'Owner' });
    const payments = within(byOwner).getByText('payments-team').closest('tr')!;
    expect(payments).toHaveTextContent(
      ((ledger.score + paymentsApi.score) / 2).toFixed(1),
    );

    await userEvent.click(screen.getByText('How the score is made'));
    expect(
      within(screen.getByRole('table', { name: 'Levels' })).getByText(
        /score ≥ 90 and passing: Inbound mTLS/,
      ),
    ).toBeInTheDocument();
  });

  it('filters by owner, asking the backend, and keeps the filter in the URL', async () => {
    const seen = serve();
    await renderPage();
    await screen.findByRole('table', { name: 'Scorecards, worst first' });
    expect(rows()).toHaveLength(3);

    await userEvent.click(screen.getByRole('button', { name: /^Owner/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'payments-team' }),
    );
    // A multiple select stays open (and hides the page) until dismissed.
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(seen.scorecards.at(-1)!.getAll('owner')).toEqual([
      'group:default/payments-team',
    ]);
    await waitFor(() =>
      expect(seen.trends.at(-1)!.getAll('owner')).toEqual([
        'group:default/payments-team',
      ]),
    );
  });

  it('names owners by their display names in the filter, and keeps the service column in view', async () => {
    serve();
    await renderPage({
      displayNames: { 'group:default/payments-team': 'Payments' },
    });
    await screen.findByRole('table', { name: 'Scorecards, worst first' });
    await userEvent.click(screen.getByRole('button', { name: /^Owner/ }));
    expect(
      await screen.findByRole('option', { name: 'Payments' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('option', { name: 'payments-team' })).toBeNull();
    await userEvent.keyboard('{Escape}');
    // Sideways scrolling keeps each row's service beside its checks.
    const [service] = within(rows()[0]).getAllByRole('cell');
    expect(getComputedStyle(service).position).toBe('sticky');
  });

  it('starts from the filter in the URL', async () => {
    const seen = serve();
    await renderPage({
      path: '/zero-trust?owner=group%3Adefault%2Fopen-banking-team&level=none',
    });
    await screen.findByRole('table', { name: 'Scorecards, worst first' });
    expect(rows()).toHaveLength(1);
    // One service, in the singular.
    expect(screen.getByText('1 service')).toBeInTheDocument();
    expect(seen.scorecards[0].getAll('owner')).toEqual([
      'group:default/open-banking-team',
    ]);
    expect(seen.scorecards[0].getAll('level')).toEqual(['none']);
    expect(
      screen.getByRole('button', { name: 'Clear filters' }),
    ).toBeInTheDocument();
  });

  it('downloads the filtered CSV under the name the backend gives', async () => {
    const seen = serve();
    const created: Blob[] = [];
    const downloads: string[] = [];
    URL.createObjectURL = jest.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:csv';
    });
    URL.revokeObjectURL = jest.fn();
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push(this.download);
      });
    await renderPage({
      path: '/zero-trust?owner=group%3Adefault%2Fpayments-team',
    });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Download CSV' }),
    );
    await waitFor(() =>
      expect(downloads).toEqual(['zero-trust-scorecards-2026-11-22.csv']),
    );
    expect(seen.exports[0].get('format')).toBe('csv');
    expect(seen.exports[0].getAll('owner')).toEqual([
      'group:default/payments-team',
    ]);
    expect(await created[0].text()).toBe('entity,title\r\n');
  });

  it('downloads the certificate inventory as CSV', async () => {
    const seen = serve();
    const created: Blob[] = [];
    const downloads: string[] = [];
    URL.createObjectURL = jest.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:csv';
    });
    URL.revokeObjectURL = jest.fn();
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        downloads.push(this.download);
      });
    await renderPage();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Certificate inventory' }),
    );
    await waitFor(() =>
      expect(downloads).toEqual(['certificate-inventory-2026-11-22.csv']),
    );
    expect(seen.certificates[0].get('format')).toBe('csv');
    expect(await created[0].text()).toBe('evidence_id,cluster\r\n');
  });

  it('offers "Snapshot now" only to those allowed, and refreshes after it', async () => {
    const seen = serve();
    await renderPage({ maySnapshot: false });
    await screen.findByRole('table', { name: 'Scorecards, worst first' });
    expect(screen.queryByRole('button', { name: 'Snapshot now' })).toBeNull();

    const again = serve();
    await renderPage({ maySnapshot: true });
    const button = await screen.findByRole('button', { name: 'Snapshot now' });
    const before = again.scorecards.length;
    await userEvent.click(button);
    await waitFor(() => expect(again.snapshots).toBe(1));
    await waitFor(() =>
      expect(again.scorecards.length).toBeGreaterThan(before),
    );
    expect(seen.snapshots).toBe(0);
  });

  it('says a snapshot still running is running, not failed, in a toast', async () => {
    const seen = serve({ stillRunning: true });
    await renderPage({ maySnapshot: true });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Snapshot now' }),
    );
    await waitFor(() => expect(seen.snapshots).toBe(1));
    await waitFor(() =>
      expect(toasts).toEqual([
        {
          status: 'info',
          title:
            'The snapshot is still running; the scores update when it is stored.',
          timeout: 5000,
        },
      ]),
    );
    // Not the deprecated AlertApi, which warns in the console of a new app.
    expect(alerts).toEqual([]);
  });

  it('falls back to the AlertApi in a legacy app, which has no ToastApi', async () => {
    const seen = serve();
    await renderPage({ maySnapshot: true, legacy: true });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Snapshot now' }),
    );
    await waitFor(() => expect(seen.snapshots).toBe(1));
    await waitFor(() =>
      expect(alerts).toEqual([
        {
          severity: 'success',
          message: 'Snapshot taken: 3 services scored.',
          display: 'transient',
        },
      ]),
    );
  });

  it('says the first snapshot is being taken, and fills in once it is stored', async () => {
    // The page's own clock: five seconds between asks pass at once.
    jest.useFakeTimers({ doNotFake: ['Date', 'queueMicrotask', 'nextTick'] });
    const seen = serve({ emptyFor: 2 });
    await renderPage();
    expect(
      await screen.findByText('The first scorecard snapshot is being taken'),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole(
        'table',
        { name: 'Scorecards, worst first' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(seen.scorecards).toHaveLength(3);
    // The trend is asked again for the run now stored.
    expect(seen.trends.length).toBeGreaterThanOrEqual(2);
    expect(
      screen.queryByText('The first scorecard snapshot is being taken'),
    ).not.toBeInTheDocument();
  });

  it('shows a backend error as an error panel', async () => {
    serve({ fail: true });
    await renderPage();
    expect(
      (await screen.findAllByText(/database is down/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('charts the trend by owner, and by system on request', async () => {
    const seen = serve();
    await renderPage();
    await screen.findByRole('table', { name: 'Scorecards, worst first' });
    await waitFor(() => expect(seen.trends.length).toBeGreaterThan(0));
    expect(seen.trends.at(-1)!.get('groupBy')).toBe('owner');
    expect(seen.trends.at(-1)!.get('days')).toBe('30');
    await userEvent.click(screen.getByRole('button', { name: 'By system' }));
    await waitFor(() =>
      expect(seen.trends.at(-1)!.get('groupBy')).toBe('system'),
    );
    await userEvent.click(screen.getByRole('button', { name: '90 days' }));
    await waitFor(() => expect(seen.trends.at(-1)!.get('days')).toBe('90'));
  });
});

describe('trendRows', () => {
  it('puts the catalog and each group on one row per day', () => {
    expect(trendRows(trend)).toEqual([
      { day: '2026-11-20', catalog: 70, 'payments-team': 80 },
      { day: '2026-11-21', catalog: 74.5, 'payments-team': 85 },
    ]);
  });
});
