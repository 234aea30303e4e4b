import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_SCORECARD_MODEL,
  EntityScorecard,
  SCORE_CHECK_IDS,
  scoreEntity,
} from '@mesh-posture/plugin-mesh-posture-common';
import { DateTime } from 'luxon';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  checkFactName,
  meshPostureFactRetriever,
} from './meshPostureFactRetriever';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const base = 'http://mesh-posture.test/api/mesh-posture';

function card(name: string, overrides: Partial<EntityScorecard> = {}) {
  const checks = SCORE_CHECK_IDS.map(id => ({
    id,
    status: id === 'inbound-mtls' ? ('fail' as const) : ('pass' as const),
    detail: id,
  }));
  return {
    entityRef: `component:default/${name}`,
    kind: 'Component',
    namespace: 'default',
    name,
    owner: 'group:default/payments-team',
    system: null,
    lifecycle: 'production',
    clusters: ['prod'],
    meshes: ['linkerd'],
    ...scoreEntity(checks, DEFAULT_SCORECARD_MODEL),
    figures: {
      totalPods: 4,
      meshedPods: 4,
      inboundMtlsShare: 0.875,
      outboundMtlsShare: null,
      inboundRequestsPerSecond: 12,
      successRate: 0.9995,
      latencyP99Ms: 120.5,
      certificateDaysLeft: 43.7,
    },
    missing: [],
    demo: false,
    ...overrides,
  } as EntityScorecard;
}

function context(config: object = {}) {
  return {
    config: new ConfigReader(config),
    discovery: {
      getBaseUrl: async () => base,
      getExternalBaseUrl: async () => base,
    },
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    urlReader: {} as any,
  };
}

describe('meshPostureFactRetriever', () => {
  it('asks once for the whole catalog, with a service token, and maps every entity', async () => {
    const requests: Request[] = [];
    server.use(
      http.get(`${base}/v1/scorecards`, ({ request }) => {
        requests.push(request);
        return HttpResponse.json({
          run: { id: 3, finishedAt: '2026-11-22T09:00:04.000Z' },
          entities: [card('ledger'), card('payments-api')],
        });
      }),
    );
    const facts = await meshPostureFactRetriever.handler(context());
    expect(requests).toHaveLength(1);
    expect(requests[0].headers.get('authorization')).toMatch(/^Bearer .+/);
    expect(facts.map(f => f.entity)).toEqual([
      { kind: 'Component', namespace: 'default', name: 'ledger' },
      { kind: 'Component', namespace: 'default', name: 'payments-api' },
    ]);
    const ledger = facts[0].facts;
    expect(ledger).toMatchObject({
      meshPostureScore: card('ledger').score,
      meshPostureLevel: card('ledger').level ?? 'none',
      inboundMtlsShare: 0.875,
      allPodsMeshed: true,
      certificateDaysLeft: 43,
      successRate: 0.9995,
      latencyP99Ms: 120.5,
      failingChecks: ['inbound-mtls'],
      unknownChecks: [],
      checkInboundMtls: 'fail',
      checkCertificates: 'pass',
    });
    // No outbound traffic: the fact is absent, not 0.
    expect(ledger).not.toHaveProperty('outboundMtlsShare');
    expect((ledger.snapshotAt as DateTime).toUTC().toISO()).toBe(
      '2026-11-22T09:00:04.000Z',
    );
    // Every fact it sends is in the schema.
    for (const name of Object.keys(ledger)) {
      expect(meshPostureFactRetriever.schema).toHaveProperty(name);
    }
  });

  it('publishes nothing before the first snapshot', async () => {
    server.use(
      http.get(`${base}/v1/scorecards`, () =>
        HttpResponse.json({ run: null, entities: [] }),
      ),
    );
    const ctx = context();
    await expect(meshPostureFactRetriever.handler(ctx)).resolves.toEqual([]);
    expect(ctx.logger.info).toHaveBeenCalledWith(
      expect.stringMatching(/no scorecard snapshot yet/),
    );
  });

  it('leaves out garbage figures, statuses and entities instead of publishing them', async () => {
    server.use(
      http.get(`${base}/v1/scorecards`, () =>
        HttpResponse.json({
          run: { id: 3, finishedAt: 'yesterday-ish' },
          entities: [
            card('odd', {
              level: 42 as any,
              checks: [
                { id: 'inbound-mtls', status: 'excellent' as any, detail: '' },
                { id: 'made-up' as any, status: 'fail', detail: '' },
                null as any,
                { id: 'certificates', status: 'unknown', detail: '' },
              ],
              figures: {
                totalPods: 0,
                meshedPods: 0,
                inboundMtlsShare: 'NaN' as any,
                outboundMtlsShare: 1.5,
                inboundRequestsPerSecond: 0,
                successRate: null,
                latencyP99Ms: Infinity as any,
                certificateDaysLeft: null,
              },
            }),
            card('no-figures', { figures: null as any }),
            { kind: 'Component', name: 'no-namespace', score: 10, checks: [] },
            { ...card('no-score'), score: null },
            { ...card('nan-score'), score: 'NaN' },
            { ...card('empty-name'), name: '' },
            null,
          ],
        }),
      ),
    );
    const ctx = context();
    const facts = await meshPostureFactRetriever.handler(ctx);
    expect(facts.map(f => f.entity.name)).toEqual(['odd', 'no-figures']);
    expect(ctx.logger.warn).toHaveBeenCalledWith(
      'Left out 5 malformed Mesh Posture scorecards',
    );
    const odd = facts[0].facts;
    expect(odd).toEqual({
      meshPostureScore: expect.any(Number),
      meshPostureLevel: 'none',
      failingChecks: [],
      unknownChecks: ['certificates'],
      checkCertificates: 'unknown',
    });
    expect(Object.keys(facts[1].facts).sort()).toEqual(
      [
        'meshPostureScore',
        'meshPostureLevel',
        'failingChecks',
        'unknownChecks',
        ...SCORE_CHECK_IDS.map(checkFactName),
      ].sort(),
    );
  });

  it('fails on an answer without a run and its entities, rather than publishing nothing', async () => {
    server.use(
      http.get(`${base}/v1/scorecards`, () => HttpResponse.json({ items: [] })),
    );
    await expect(meshPostureFactRetriever.handler(context())).rejects.toThrow(
      /without a run and its entities/,
    );
  });

  it('fails on an answer that is not JSON', async () => {
    server.use(
      http.get(`${base}/v1/scorecards`, () =>
        HttpResponse.text('<html>proxy error</html>'),
      ),
    );
    await expect(meshPostureFactRetriever.handler(context())).rejects.toThrow(
      /not JSON/,
    );
  });

  it('fails when Mesh Posture cannot be reached, naming the URL and not the token', async () => {
    server.use(http.get(`${base}/v1/scorecards`, () => HttpResponse.error()));
    const error: Error = await meshPostureFactRetriever.handler(context()).then(
      () => {
        throw new Error('expected a failure');
      },
      e => e,
    );
    expect(error.message).toContain(
      `could not be fetched from ${base}/v1/scorecards`,
    );
    expect(String(error.stack)).not.toMatch(/Bearer|mock-service-token/);
  });

  it("gives up on a request that outlasts the retriever's configured timeout", async () => {
    server.use(
      http.get(`${base}/v1/scorecards`, async () => {
        await new Promise(resolve => setTimeout(resolve, 2_000));
        return HttpResponse.json({ run: null, entities: [] });
      }),
    );
    await expect(
      meshPostureFactRetriever.handler(
        context({
          techInsights: {
            factRetrievers: {
              'mesh-posture-retriever': { timeout: { milliseconds: 200 } },
            },
          },
        }),
      ),
    ).rejects.toThrow(/could not be fetched/);
  });

  it("fails with the backend's error, for Tech Insights to record", async () => {
    server.use(
      http.get(`${base}/v1/scorecards`, () =>
        HttpResponse.json(
          {
            error: { name: 'Error', message: 'database is down' },
            request: { method: 'GET', url: '/v1/scorecards' },
            response: { statusCode: 503 },
          },
          { status: 503 },
        ),
      ),
    );
    const error: Error = await meshPostureFactRetriever
      .handler(context())
      .catch(e => e);
    expect(error.message).toMatch(
      `Mesh Posture answered 503 for ${base}/v1/scorecards: database is down`,
    );
    expect(String(error.stack)).not.toMatch(/Bearer|mock-service-token/);
  });

  it('names check facts as identifiers', () => {
    expect(checkFactName('inbound-mtls')).toBe('checkInboundMtls');
    expect(checkFactName('no-over-grants')).toBe('checkNoOverGrants');
    expect(checkFactName('certificates')).toBe('checkCertificates');
  });
});
