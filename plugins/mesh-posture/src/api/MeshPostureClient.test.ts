import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { completeThreatModel } from '../__testUtils__/checklistFixtures';
import { ChecklistConflictError } from './MeshPostureApi';
import { MeshPostureClient } from './MeshPostureClient';

const server = setupServer();
registerMswTestHooks(server);

const base = 'http://localhost:7007/api/mesh-posture';
const client = new MeshPostureClient({
  discoveryApi: { getBaseUrl: async () => base },
  fetchApi: { fetch: (input, init) => fetch(input, init) },
});

describe('MeshPostureClient', () => {
  it('asks for the posture with the entity ref encoded and the window', async () => {
    let seen: URL | undefined;
    server.use(
      http.get(
        `${base}/v1/entities/:kind/:namespace/:name/posture`,
        ({ request }) => {
          seen = new URL(request.url);
          return HttpResponse.json({
            entityRef: 'component:default/payments-api',
          });
        },
      ),
    );
    const posture = await client.getPosture(
      { kind: 'Component', namespace: 'default', name: 'payments api/x' },
      { window: '1h' },
    );
    expect(posture.entityRef).toBe('component:default/payments-api');
    expect(seen?.pathname).toBe(
      '/api/mesh-posture/v1/entities/Component/default/payments%20api%2Fx/posture',
    );
    expect(seen?.searchParams.get('window')).toBe('1h');
  });

  it('throws a ResponseError carrying the backend message', async () => {
    server.use(
      http.get(
        `${base}/v1/entities/:kind/:namespace/:name/posture/history`,
        () =>
          HttpResponse.json(
            {
              error: {
                name: 'InputError',
                message: 'days must be a whole number from 1 to 400',
              },
              response: { statusCode: 400 },
            },
            { status: 400 },
          ),
      ),
    );
    const error = await client
      .getPostureHistory(
        { kind: 'component', namespace: 'default', name: 'x' },
        { days: 999 },
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.message).toBe('Request failed with 400 Bad Request');
    expect(error.cause.message).toBe(
      'days must be a whole number from 1 to 400',
    );
  });

  const accounts = {
    kind: 'Component',
    namespace: 'default',
    name: 'accounts-service',
  };
  const checklists = `${base}/v1/entities/Component/default/accounts-service/checklists`;

  it('sends checklist writes as JSON to the documented paths', async () => {
    const seen: Array<[string, string, unknown, string | null]> = [];
    const view = completeThreatModel().view();
    const record = async ({ request }: { request: Request }) => {
      const url = new URL(request.url);
      seen.push([
        request.method,
        url.pathname + url.search,
        request.method === 'DELETE' ? undefined : await request.json(),
        request.headers.get('content-type'),
      ]);
      return HttpResponse.json(view);
    };
    server.use(
      http.put(`${checklists}/:template/items/:item/answer`, record),
      http.put(`${checklists}/:template/items/:item/exemption`, record),
      http.delete(`${checklists}/:template/items/:item/exemption`, record),
      http.post(`${checklists}/:template/attestations`, record),
    );
    await expect(
      client.answerChecklistItem(accounts, 'threat-model', 'trust-boundaries', {
        baseVersion: 3,
        value: 'yes',
      }),
    ).resolves.toEqual(view);
    await client.exemptChecklistItem(accounts, 'zero-trust', 'default-deny', {
      baseVersion: 2,
      justification: 'Next sprint',
      expiresAt: '2027-01-31',
    });
    await client.revokeChecklistExemption(
      accounts,
      'zero-trust',
      'default-deny',
      { baseVersion: 3 },
    );
    await client.attestChecklist(accounts, 'threat-model', {
      baseVersion: 12,
    });
    const root =
      '/api/mesh-posture/v1/entities/Component/default/accounts-service/checklists';
    expect(seen).toEqual([
      [
        'PUT',
        `${root}/threat-model/items/trust-boundaries/answer`,
        { baseVersion: 3, value: 'yes' },
        'application/json',
      ],
      [
        'PUT',
        `${root}/zero-trust/items/default-deny/exemption`,
        {
          baseVersion: 2,
          justification: 'Next sprint',
          expiresAt: '2027-01-31',
        },
        'application/json',
      ],
      [
        'DELETE',
        `${root}/zero-trust/items/default-deny/exemption?baseVersion=3`,
        undefined,
        null,
      ],
      [
        'POST',
        `${root}/threat-model/attestations`,
        { baseVersion: 12 },
        'application/json',
      ],
    ]);
  });

  it('turns a 409 into a ChecklistConflictError carrying the current checklist', async () => {
    const current = completeThreatModel().view();
    server.use(
      http.put(`${checklists}/threat-model/items/:item/answer`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'ConflictError',
              message: 'changed since version 3',
            },
            response: { statusCode: 409 },
            current,
          },
          { status: 409 },
        ),
      ),
    );
    const error = await client
      .answerChecklistItem(accounts, 'threat-model', 'x', {
        baseVersion: 3,
        value: 'yes',
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(ChecklistConflictError);
    expect(error.message).toBe('changed since version 3');
    expect(error.current).toEqual(current);
  });

  it('reads history pages and downloads exports with their file name', async () => {
    let query = '';
    server.use(
      http.get(`${checklists}/threat-model/history`, ({ request }) => {
        query = new URL(request.url).search;
        return HttpResponse.json({ events: [], hasMore: false });
      }),
      http.get(
        `${checklists}/export`,
        () =>
          new HttpResponse('{"format":"mesh-posture.checklists/v1"}', {
            headers: {
              'Content-Type': 'application/json',
              'Content-Disposition': 'attachment; filename="checklists-x.json"',
            },
          }),
      ),
    );
    await client.getChecklistHistory(accounts, 'threat-model', {
      limit: 50,
      beforeVersion: 7,
    });
    expect(query).toBe('?limit=50&beforeVersion=7');
    const file = await client.exportChecklists(accounts, 'json');
    expect(file.filename).toBe('checklists-x.json');
    expect(await file.content.text()).toBe(
      '{"format":"mesh-posture.checklists/v1"}',
    );
  });

  it('sends each scorecard filter value as its own parameter', async () => {
    const seen: URL[] = [];
    server.use(
      http.get(`${base}/v1/scorecards`, ({ request }) => {
        seen.push(new URL(request.url));
        return HttpResponse.json({ run: null, entities: [] });
      }),
      http.get(`${base}/v1/scorecards/trend`, ({ request }) => {
        seen.push(new URL(request.url));
        return HttpResponse.json({ days: 90, catalog: [], groups: [] });
      }),
    );
    await client.getScorecards({
      owner: ['group:default/a&b', 'group:default/c'],
      level: ['none'],
    });
    await client.getScoreTrend({
      days: 90,
      groupBy: 'system',
      filter: { mesh: ['istio'] },
    });
    expect(seen[0].searchParams.getAll('owner')).toEqual([
      'group:default/a&b',
      'group:default/c',
    ]);
    expect(seen[0].searchParams.getAll('level')).toEqual(['none']);
    expect(Object.fromEntries(seen[1].searchParams)).toEqual({
      mesh: 'istio',
      days: '90',
      groupBy: 'system',
    });
  });

  it('exports the scorecards as a CSV file named by the backend, and takes snapshots', async () => {
    server.use(
      http.get(
        `${base}/v1/scorecards/export`,
        () =>
          new HttpResponse('entity\r\n', {
            headers: {
              'Content-Type': 'text/csv',
              'Content-Disposition':
                'attachment; filename="zero-trust-scorecards-2026-11-22.csv"',
            },
          }),
      ),
      http.post(`${base}/v1/snapshots`, () =>
        HttpResponse.json({ run: { id: 7 } }, { status: 201 }),
      ),
    );
    const file = await client.exportScorecardsCsv({ system: ['system:x/y'] });
    expect(file.filename).toBe('zero-trust-scorecards-2026-11-22.csv');
    expect(await file.content.text()).toBe('entity\r\n');
    await expect(client.takeSnapshot()).resolves.toEqual({ run: { id: 7 } });
  });
});
