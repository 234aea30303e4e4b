import fs from 'node:fs';
import path from 'node:path';
import {
  BackstageCredentials,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  labelEquals,
  MeshPosture,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  meshPostureClustersExtensionPoint,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { meshPosturePlugin } from '../plugin';
import meshPostureModuleDemo from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import { MAX_BODY_BYTES } from './errors';

const spec = parseYaml(
  fs.readFileSync(path.resolve(__dirname, '../schema/openapi.yaml'), 'utf8'),
);
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

/** Asserts a body matches a schema of the OpenAPI document. */
function expectSchema(schemaName: string, body: unknown) {
  const validate = ajv.getSchema(`openapi#/components/schemas/${schemaName}`)!;
  const valid = validate(body);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

const examples = parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../examples/entities.yaml'),
    'utf8',
  ),
).map(d => ({
  ...(d.toJS() as Entity),
  metadata: { namespace: 'default', ...(d.toJS() as Entity).metadata },
}));

const malformed: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'hostile',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-label-selector': 'app="x"},__name__=~".+',
    },
  },
  spec: { type: 'service', owner: 'payments-team', lifecycle: 'production' },
};

const badSlo: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'bad-slo',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'payments-api',
      'mesh-posture.io/slo-success-rate': '120',
    },
  },
  spec: { type: 'service', owner: 'payments-team', lifecycle: 'production' },
};

const entities = [...examples, malformed, badSlo];
const OUTSIDER = 'user:default/outsider';
/** May read the entity asked for, but no other entity. */
const NARROW = 'user:default/narrow';

/**
 * The catalog as a caller sees it: everything, except that the outsider may
 * read nothing (as a catalog permission policy would make it).
 */
function catalogForCallers() {
  const catalog = catalogServiceMock({ entities });
  const calledWith: string[] = [];
  const callerOf = (options: unknown) =>
    (options as { credentials?: BackstageCredentials } | undefined)?.credentials
      ?.principal as { userEntityRef?: string } | undefined;
  const factory = catalogServiceMock.mock({
    getEntityByRef: async (ref, options) => {
      calledWith.push(callerOf(options)?.userEntityRef ?? 'unknown');
      return callerOf(options)?.userEntityRef === OUTSIDER
        ? undefined
        : catalog.getEntityByRef(ref, options);
    },
    getEntities: async (req, options) =>
      [OUTSIDER, NARROW].includes(callerOf(options)?.userEntityRef ?? '')
        ? { items: [] }
        : catalog.getEntities(req, options),
    queryEntities: async (req, options) =>
      [OUTSIDER, NARROW].includes(callerOf(options)?.userEntityRef ?? '')
        ? { items: [], totalItems: 0, pageInfo: {} }
        : catalog.queryEntities(req, options),
  }).factory;
  return { factory, calledWith };
}

async function startBackend(
  features: any[] = [],
  config: object = { meshPosture: { demo: true } },
) {
  const catalog = catalogForCallers();
  const { server } = await startTestBackend({
    features: [
      meshPosturePlugin,
      meshPostureModuleDemo,
      // Its own scheduler: the default one is shared by every test backend.
      mockServices.scheduler.factory(),
      mockServices.rootConfig.factory({ data: config }),
      catalog.factory,
      ...features,
    ],
  });
  return { server, catalog };
}

const POSTURE = '/api/mesh-posture/v1/entities/component/default';

describe('GET /v1/entities/{kind}/{namespace}/{name}/posture', () => {
  it('answers the demo posture of payments-api, as the spec says', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(`${POSTURE}/payments-api/posture`);
    expect(res.status).toBe(200);
    expectSchema('MeshPosture', res.body);
    const posture: MeshPosture = res.body;
    expect(posture).toMatchObject({
      entityRef: 'component:default/payments-api',
      demo: true,
      window: '5m',
      totalPods: 4,
      meshedPods: 4,
      inbound: { mtlsShare: 1 },
      outbound: { mtlsShare: 1 },
      verdict: { status: 'pass' },
      freshness: { cached: false, ttlSeconds: 30 },
    });
    expect(
      posture.sources.map(s => `${s.role}@${s.cluster}:${s.status}`),
    ).toEqual([
      'kubernetes@pci-eu-central:ok',
      'kubernetes@prod-eu-west:ok',
      'prometheus@prod-eu-west:ok',
    ]);
    // Peers are linked to the catalog entities that run them.
    expect(
      posture.edges.find(e => e.peer.workload === 'ledger')?.peer.entityRef,
    ).toBe('component:default/ledger');
    expect(
      posture.edges.find(e => e.peer.workload === 'fraud-scoring-primary')?.peer
        .entityRef,
    ).toBe('component:default/fraud-scoring');
  });

  it('serves the second read from the cache and records one reading', async () => {
    const { server } = await startBackend();
    await request(server).get(`${POSTURE}/ledger/posture`).expect(200);
    const second = await request(server).get(`${POSTURE}/ledger/posture`);
    expect(second.body.freshness.cached).toBe(true);
    const history = await request(server).get(
      `${POSTURE}/ledger/posture/history?days=7`,
    );
    expect(history.status).toBe(200);
    expectSchema('PostureHistoryResponse', history.body);
    expect(history.body.observations).toHaveLength(1);
    expect(history.body.observations[0]).toMatchObject({
      entityRef: 'component:default/ledger',
      // Its database's plaintext TCP client (the ledger's 3 pods and the database's 1).
      verdict: 'fail',
      meshedPods: 4,
      complete: true,
    });
  });

  it('takes the window from the query', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(
      `${POSTURE}/payments-api/posture?window=1h`,
    );
    expect(res.status).toBe(200);
    expect(res.body.window).toBe('1h');
  });

  it('answers 404 for an entity that does not exist', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(`${POSTURE}/no-such-service/posture`);
    expect(res.status).toBe(404);
    expectSchema('Error', res.body);
  });

  it('answers 404 when the caller cannot read the entity in the catalog', async () => {
    const { server, catalog } = await startBackend();
    const res = await request(server)
      .get(`${POSTURE}/payments-api/posture`)
      .set('Authorization', mockCredentials.user.header(OUTSIDER));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      'No entity component:default/payments-api',
    );
    expect(catalog.calledWith).toEqual([OUTSIDER]);
    const history = await request(server)
      .get(`${POSTURE}/payments-api/posture/history`)
      .set('Authorization', mockCredentials.user.header(OUTSIDER));
    expect(history.status).toBe(404);
  });

  it('answers 403 when the policy denies mesh-posture.posture.read', async () => {
    const { server } = await startBackend([
      mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    ]);
    const res = await request(server).get(`${POSTURE}/payments-api/posture`);
    expect(res.status).toBe(403);
    expectSchema('Error', res.body);
  });

  it('answers 401 without credentials', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .get(`${POSTURE}/payments-api/posture`)
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it.each([
    [
      'a bad window',
      `${POSTURE}/payments-api/posture?window=5m%22%7D`,
      'Query parameter "window" must be equal to one of',
    ],
    [
      'an unknown query parameter',
      `${POSTURE}/payments-api/posture?query=up`,
      'Unknown query parameter',
    ],
    [
      'a repeated parameter',
      `${POSTURE}/payments-api/posture?window=5m&window=1h`,
      'must be given once',
    ],
    [
      'a bad entity name',
      `${POSTURE}/payments%20api%22/posture`,
      'Invalid entity name',
    ],
    [
      'a bad kind',
      '/api/mesh-posture/v1/entities/comp%7Bonent/default/x/posture',
      'Invalid entity kind',
    ],
    [
      'too many days',
      `${POSTURE}/payments-api/posture/history?days=401`,
      'Query parameter "days" must be <= 400',
    ],
    [
      'days that are not a number',
      `${POSTURE}/payments-api/posture/history?days=ten`,
      'Query parameter "days" must be integer',
    ],
    [
      'a hostile label selector annotation',
      `${POSTURE}/hostile/posture`,
      'Annotation backstage.io/kubernetes-label-selector of component:default/hostile is invalid',
    ],
  ])(
    'answers 400 for %s, with a clear message',
    async (_name, url, message) => {
      const { server } = await startBackend();
      const res = await request(server).get(url);
      expect(res.status).toBe(400);
      expectSchema('Error', res.body);
      expect(res.body.error.message).toContain(message);
    },
  );

  it('answers 200 with named gaps, never 500, when sources fail', async () => {
    const broken = createBackendModule({
      pluginId: 'mesh-posture',
      moduleId: 'broken-clusters',
      register(env) {
        env.registerInit({
          deps: { clusters: meshPostureClustersExtensionPoint },
          async init({ clusters }) {
            clusters.addClusterProvider({
              getClusters: async () => {
                throw new Error('provider exploded');
              },
            });
            clusters.addClusterProvider({
              getClusters: async () => [
                {
                  name: 'prod-eu-west',
                  mesh: 'linkerd',
                  objects: {
                    list: async query => {
                      if (query.resource !== 'pods') {
                        throw new SourceError(
                          'timeout',
                          'no answer within 5000 ms',
                        );
                      }
                      expect(query.selector).toEqual(
                        labelEquals(
                          'backstage.io/kubernetes-id',
                          'payments-api',
                        ),
                      );
                      return [
                        {
                          metadata: {
                            name: 'payments-api-0',
                            namespace: 'payments',
                          },
                          status: { phase: 'Running' },
                        },
                      ];
                    },
                    get: async () => undefined,
                  },
                  telemetry: {
                    workloadTelemetry: async () => {
                      throw new TypeError(
                        'Cannot read properties of undefined',
                      );
                    },
                    workloadSignals: async () => {
                      throw new TypeError(
                        'Cannot read properties of undefined',
                      );
                    },
                  },
                },
              ],
            });
          },
        });
      },
    });
    const { server } = await startBackend([broken], {});
    const res = await request(server).get(`${POSTURE}/payments-api/posture`);
    expect(res.status).toBe(200);
    expectSchema('MeshPosture', res.body);
    expect(res.body.demo).toBe(false);
    expect(res.body.totalPods).toBe(1);
    expect(res.body.sources).toEqual([
      expect.objectContaining({
        role: 'kubernetes',
        status: 'timeout',
        message: 'no answer within 5000 ms',
      }),
      expect.objectContaining({
        role: 'prometheus',
        status: 'unavailable',
        message: 'TypeError: Cannot read properties of undefined',
      }),
    ]);
    expect(res.body.verdict.status).not.toBe('pass');

    // The golden signals of a failed source are unknown, not zero.
    const signals = await request(server).get(
      `${POSTURE}/payments-api/signals?window=24h`,
    );
    expect(signals.status).toBe(200);
    expectSchema('GoldenSignals', signals.body);
    expect(signals.body).toMatchObject({
      summary: null,
      complete: false,
      slo: { successRate: 'unknown', latencyP99: 'unknown' },
    });
    expect(signals.body.notes.join(' ')).not.toMatch(/No requests/);
  });

  it('serves its OpenAPI document', async () => {
    const { server } = await startBackend();
    const res = await request(server).get('/api/mesh-posture/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(spec);
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and every $ref resolves', () => {
    expect(spec.openapi).toBe('3.1.0');
    const refs = [
      ...JSON.stringify(spec).matchAll(/"\$ref":"#\/([^"]+)"/g),
    ].map(m => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const pointer = ref.split('/');
      let node: any = spec;
      for (const part of pointer) node = node?.[part];
      expect({ ref, found: node !== undefined }).toEqual({ ref, found: true });
    }
  });
});

describe('GET /v1/entities/{kind}/{namespace}/{name}/canary', () => {
  it('answers the mid-rollout demo canary of fraud-scoring, as the spec says', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(`${POSTURE}/fraud-scoring/canary`);
    expect(res.status).toBe(200);
    expectSchema('EntityCanaryResponse', res.body);
    expect(res.body.demo).toBe(true);
    expect(res.body.canaries).toHaveLength(1);
    const canary = res.body.canaries[0];
    expect(canary).toMatchObject({
      cluster: 'prod-eu-west',
      namespace: 'payments',
      name: 'fraud-scoring',
      target: { kind: 'Deployment', name: 'fraud-scoring' },
      analysis: { threshold: 5, maxWeight: 50, stepWeight: 5 },
    });
    expect(canary.metrics.map((m: any) => m.name)).toEqual([
      'request-success-rate',
      'request-duration',
    ]);
    expect(canary.webhooks).toEqual([
      expect.objectContaining({ name: 'acceptance-test', type: 'pre-rollout' }),
      expect.objectContaining({ name: 'load-test', type: 'rollout' }),
    ]);
    // The phase is recorded: the history holds at least the current one.
    expect(res.body.sources.every((s: any) => s.status === 'ok')).toBe(true);
    // The rate comes with what it counts and over which period: the demo's
    // seeded week of hourly rollouts, every one listed among them.
    const { deployments } = canary;
    expect(deployments.days).toBe(7);
    expect(deployments.perWeek).toBe(canary.deploymentsPerWeek);
    expect(deployments.rollouts).toBeGreaterThanOrEqual(canary.rollouts.length);
    expect(deployments.succeeded).toBeGreaterThanOrEqual(
      canary.rollouts.filter((r: any) => r.outcome === 'succeeded').length,
    );
    expect(
      canary.rollouts.every(
        (r: any) => (r.endedAt ?? r.startedAt) >= deployments.since,
      ),
    ).toBe(true);
  });

  it('lists the rolled-back canary of accounts-service with its custom metric as configured', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(`${POSTURE}/accounts-service/canary`);
    expect(res.status).toBe(200);
    const [canary] = res.body.canaries;
    expect(canary.analysis.stepWeights).toEqual([10, 20, 30]);
    expect(canary.metrics[2]).toMatchObject({
      name: 'consent-errors',
      builtIn: false,
      templateRef: 'flagger/consent-error-ratio',
      status: 'not-computed',
    });
    // The webhook's host only, never its path.
    expect(canary.webhooks[0]).toEqual({
      name: 'promotion-gate',
      type: 'confirm-promotion',
      host: 'flagger-loadtester.test.svc.cluster.local',
    });
  });

  it('answers an empty list, not an error, for a service without a canary', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(`${POSTURE}/ledger/canary`);
    expect(res.status).toBe(200);
    expect(res.body.canaries).toEqual([]);
    expect(res.body.flaggerMissing).toEqual([]);
  });

  it('answers 400 for an unknown query parameter and 404 to the outsider', async () => {
    const { server } = await startBackend();
    const bad = await request(server).get(
      `${POSTURE}/fraud-scoring/canary?window=1h`,
    );
    expect(bad.status).toBe(400);
    const hidden = await request(server)
      .get(`${POSTURE}/fraud-scoring/canary`)
      .set('Authorization', mockCredentials.user.header(OUTSIDER));
    expect(hidden.status).toBe(404);
  });
});

describe('GET /v1/entities/{kind}/{namespace}/{name}/signals', () => {
  it('answers the golden signals of payments-api against its objectives', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(
      `${POSTURE}/payments-api/signals?window=1h`,
    );
    expect(res.status).toBe(200);
    expectSchema('GoldenSignals', res.body);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/payments-api',
      window: '1h',
      direction: 'inbound',
      demo: true,
      stepSeconds: 15,
      slo: {
        // From payments-api's annotations in examples/entities.yaml.
        successRateTarget: 0.999,
        latencyP99TargetMs: 400,
        from: { successRate: 'annotation', latencyP99: 'annotation' },
        successRate: 'met',
        latencyP99: 'met',
      },
    });
    expect(res.body.summary.requestsPerSecond).toBeGreaterThan(0);
    expect(res.body.summary.latencyMs.p99).toBeGreaterThan(
      res.body.summary.latencyMs.p50,
    );
    // A point every 15 s over the hour.
    expect(res.body.series).toHaveLength(240);
  });

  it('breaches the objective of a service that leaks errors', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(
      `${POSTURE}/accounts-service/signals?window=5m`,
    );
    expect(res.status).toBe(200);
    expect(res.body.slo.successRate).toBe('breached');
    expect(res.body.slo.errorBudgetRemaining).toBeLessThan(0);
    expect(res.body.summary.errors.map((e: any) => e.status).sort()).toEqual([
      '500',
      '503',
    ]);
  });

  it('lists outbound dependencies with their own signals', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(
      `${POSTURE}/payments-api/signals?window=5m&direction=outbound`,
    );
    expect(res.status).toBe(200);
    expectSchema('GoldenSignals', res.body);
    const refs = res.body.dependencies.map((d: any) => d.peer.entityRef);
    expect(refs).toContain('component:default/ledger');
    // The canary's primary and the canary are one dependency: fraud-scoring.
    const fraud = res.body.dependencies.filter((d: any) =>
      /fraud-scoring/.test(d.peer.workload),
    );
    expect(fraud).toHaveLength(1);
    expect(fraud[0].peer.entityRef).toBe('component:default/fraud-scoring');
    for (const d of res.body.dependencies) {
      expect(d.summary.requestsPerSecond).toBeGreaterThan(0);
    }
  });

  it('links dependencies only to entities the caller can read', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .get(`${POSTURE}/payments-api/signals?window=5m&direction=outbound`)
      .set('Authorization', mockCredentials.user.header(NARROW));
    expect(res.status).toBe(200);
    expect(res.body.dependencies.length).toBeGreaterThan(0);
    for (const d of res.body.dependencies) {
      expect(d.peer.entityRef).toBeUndefined();
      expect(d.peer.workload).toBeDefined();
    }
  });

  it.each([
    [
      'a window that is not allowed',
      `${POSTURE}/payments-api/signals?window=2h`,
      'Query parameter "window" must be equal to one of',
    ],
    [
      'an unknown direction',
      `${POSTURE}/payments-api/signals?direction=sideways`,
      'Query parameter "direction" must be equal to one of',
    ],
    [
      'an invalid SLO annotation',
      `${POSTURE}/bad-slo/signals`,
      'mesh-posture.io/slo-success-rate',
    ],
  ])('answers 400 for %s', async (_name, url, message) => {
    const { server } = await startBackend();
    const res = await request(server).get(url);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
  });

  it('answers 404 when the caller cannot read the entity', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .get(`${POSTURE}/payments-api/signals`)
      .set('Authorization', mockCredentials.user.header(OUTSIDER));
    expect(res.status).toBe(404);
  });
});

describe('every status the API answers is one its operation documents', () => {
  const E = '/v1/entities/{kind}/{namespace}/{name}';
  const C = `${E}/checklists`;
  const TEMPLATE = `${C}/{templateId}`;
  const ITEM = `${TEMPLATE}/items/{itemId}`;
  const PAY = '/v1/entities/component/default/payments-api';
  const ACC = '/v1/entities/component/default/accounts-service';
  const ANSWER = `${ACC}/checklists/threat-model/items/operations-logged/answer`;
  const EXEMPT = `${ACC}/checklists/zero-trust/items/default-deny/exemption`;
  const REVOKE = `${ACC}/checklists/zero-trust/items/inbound-mtls/exemption`;
  const ATTEST = `${PAY}/checklists/threat-model/attestations`;
  const future = new Date(Date.now() + 30 * 864e5).toISOString().slice(0, 10);

  type Case = {
    method: 'get' | 'put' | 'post' | 'delete';
    path: string;
    url: string | ((version: number) => string);
    status: number;
    body?: object | string | ((version: number) => object);
    contentType?: string;
    anonymous?: boolean;
    denied?: boolean;
    /** The checklist whose current version the body or URL needs. */
    versionOf?: string;
  };
  const get = (
    route: string,
    url: string,
    status: number,
    more: Partial<Case> = {},
  ): Case => ({ method: 'get', path: route, url, status, ...more });
  const reads: Array<[string, string, string]> = [
    [`${E}/posture`, `${PAY}/posture`, '?window=2d'],
    [`${E}/signals`, `${PAY}/signals`, '?direction=up'],
    [
      `${E}/canary`,
      '/v1/entities/component/default/fraud-scoring/canary',
      '?x=1',
    ],
    [`${E}/posture/history`, `${PAY}/posture/history`, '?days=0'],
    [C, `${PAY}/checklists`, '?x=1'],
    [`${C}/export`, `${PAY}/checklists/export`, '?format=pdf'],
    [
      `${TEMPLATE}/history`,
      `${PAY}/checklists/threat-model/history`,
      '?limit=0',
    ],
    [`${E}/score`, `${PAY}/score`, '?days=x'],
  ];
  const cases: Case[] = [
    ...reads.flatMap(([route, url, bad]) => [
      get(route, url, 200),
      get(route, `${url}${bad}`, 400),
      get(route, url, 401, { anonymous: true }),
      get(route, url, 403, { denied: true }),
      get(
        route,
        url.replace(
          /component\/default\/[^/]+/,
          'component/default/no-such-service',
        ),
        404,
      ),
    ]),
    get(`${TEMPLATE}/history`, `${PAY}/checklists/sox-404/history`, 404),
    ...[
      ['/v1/scorecards', '?owner='],
      ['/v1/scorecards/trend', '?days=0'],
      ['/v1/scorecards/export', '?format=xlsx'],
      [
        '/v1/dataflow',
        '?entityRef=component:default/payments-api&from=2026-02-30',
      ],
    ].flatMap(([route, bad]) => {
      const ok =
        route === '/v1/dataflow' ? `${route}?entityRef=payments-api` : route;
      return [
        get(route, ok, 200),
        get(route, `${route}${bad}`, 400),
        get(route, ok, 401, { anonymous: true }),
      ];
    }),
    get('/openapi.json', '/openapi.json', 200),
    get('/openapi.json', '/openapi.json', 401, { anonymous: true }),
    // Writes.
    ...[
      {
        method: 'put',
        path: `${ITEM}/answer`,
        url: ANSWER,
        checklist: `${ACC}/checklists|threat-model`,
        ok: 200,
        body: (v: number) => ({ baseVersion: v, value: 'yes' }),
      },
      {
        method: 'put',
        path: `${ITEM}/exemption`,
        url: EXEMPT,
        checklist: `${ACC}/checklists|zero-trust`,
        ok: 200,
        body: (v: number) => ({
          baseVersion: v,
          justification: 'risk accepted',
          expiresAt: future,
        }),
      },
      {
        method: 'post',
        path: `${TEMPLATE}/attestations`,
        url: ATTEST,
        checklist: `${PAY}/checklists|threat-model`,
        ok: 201,
        body: (v: number) => ({ baseVersion: v }),
      },
    ].flatMap(w => {
      const base = {
        method: w.method as Case['method'],
        path: w.path,
        url: w.url,
        versionOf: w.checklist,
      };
      return [
        { ...base, status: w.ok, body: w.body },
        { ...base, status: 400, body: { baseVersion: 1, nonsense: true } },
        {
          ...base,
          status: 400,
          body: '{"baseVersion": 1,',
          contentType: 'application/json',
        },
        { ...base, status: 401, body: w.body, anonymous: true },
        { ...base, status: 403, body: w.body, denied: true },
        {
          ...base,
          url: w.url
            .replace('/threat-model/', '/sox-404/')
            .replace('/zero-trust/', '/sox-404/'),
          status: 404,
          body: w.body,
        },
        {
          ...base,
          status: 409,
          body: (v: number) => ({ ...w.body(v), baseVersion: v - 1 }),
        },
        {
          ...base,
          status: 413,
          body: (v: number) => ({
            ...w.body(v),
            rationale: 'x'.repeat(MAX_BODY_BYTES),
          }),
        },
        {
          ...base,
          status: 415,
          body: '{"baseVersion": 1}',
          contentType: 'application/json; charset=latin1',
        },
      ];
    }),
    {
      method: 'delete',
      path: `${ITEM}/exemption`,
      url: (v: number) => `${REVOKE}?baseVersion=${v}`,
      versionOf: `${ACC}/checklists|zero-trust`,
      status: 200,
    },
    {
      method: 'delete',
      path: `${ITEM}/exemption`,
      url: `${REVOKE}?baseVersion=x`,
      status: 400,
    },
    {
      method: 'delete',
      path: `${ITEM}/exemption`,
      url: `${REVOKE}?baseVersion=1`,
      status: 401,
      anonymous: true,
    },
    {
      method: 'delete',
      path: `${ITEM}/exemption`,
      url: `${REVOKE}?baseVersion=1`,
      status: 403,
      denied: true,
    },
    {
      method: 'delete',
      path: `${ITEM}/exemption`,
      url: (v: number) =>
        `${ACC}/checklists/zero-trust/items/policy-as-code/exemption?baseVersion=${v}`,
      versionOf: `${ACC}/checklists|zero-trust`,
      status: 404,
    },
    {
      method: 'delete',
      path: `${ITEM}/exemption`,
      url: (v: number) => `${REVOKE}?baseVersion=${v - 1}`,
      versionOf: `${ACC}/checklists|zero-trust`,
      status: 409,
    },
    {
      method: 'post',
      path: '/v1/snapshots',
      url: '/v1/snapshots',
      status: 201,
    },
    {
      method: 'post',
      path: '/v1/snapshots',
      url: '/v1/snapshots?x=1',
      status: 400,
    },
    {
      method: 'post',
      path: '/v1/snapshots',
      url: '/v1/snapshots',
      status: 401,
      anonymous: true,
    },
    {
      method: 'post',
      path: '/v1/snapshots',
      url: '/v1/snapshots',
      status: 403,
      denied: true,
    },
  ];

  let allowing: any;
  let denying: any;
  beforeAll(async () => {
    allowing = (await startBackend()).server;
    denying = (
      await startBackend([
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
      ])
    ).server;
  }, 60_000);

  /** An error body in the spec's shape, saying nothing of the server or the request. */
  function expectErrorBody(res: request.Response, sent: unknown) {
    if (res.status < 400) return;
    expectSchema('Error', res.body);
    expect(JSON.stringify(res.body)).not.toMatch(
      /"stack"|\/work\/|node_modules|\.ts:\d|x{100}/,
    );
    if (typeof sent === 'string') expect(res.text).not.toContain(sent);
  }

  async function versionOf(server: any, which: string) {
    const [list, template] = which.split('|');
    const res = await request(server).get(`/api/mesh-posture${list}`);
    return res.body.checklists.find((c: any) => c.template.id === template)
      .version as number;
  }

  it.each(cases.map(c => [c.status, c.method.toUpperCase(), c.path, c]))(
    '%s for %s %s',
    async (_status, _method, _path, c) => {
      const server = c.denied ? denying : allowing;
      const version = c.versionOf ? await versionOf(allowing, c.versionOf) : 0;
      const url = typeof c.url === 'function' ? c.url(version) : c.url;
      let req = request(server)[c.method](`/api/mesh-posture${url}`);
      if (c.anonymous) {
        req = req.set('Authorization', mockCredentials.none.header());
      }
      if (c.contentType) req = req.set('Content-Type', c.contentType);
      const body = typeof c.body === 'function' ? c.body(version) : c.body;
      const res = await (body === undefined ? req : req.send(body));
      expect(res.status).toBe(c.status);
      const operation = spec.paths[c.path]?.[c.method];
      expect(operation).toBeDefined();
      expect(Object.keys(operation.responses)).toContain(String(c.status));
      expectErrorBody(res, body);
    },
    // The demo's first snapshot also takes its seeded month.
    60_000,
  );
});
