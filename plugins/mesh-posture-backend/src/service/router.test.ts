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
      // Over-granted batch/reconciliation and a refused caller.
      verdict: 'warn',
      meshedPods: 3,
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
      'Invalid window',
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
      'days must be',
    ],
    [
      'days that are not a number',
      `${POSTURE}/payments-api/posture/history?days=1e2`,
      'days must be',
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

  it('documents every route the router serves', () => {
    const routerSource = ['router.ts', 'scorecardRouter.ts']
      .map(file => fs.readFileSync(path.resolve(__dirname, file), 'utf8'))
      .join('\n');
    const routes = [
      ...new Set(
        [...routerSource.matchAll(/router\.(?:get|post)\(\s*'([^']+)'/g)].map(
          m => m[1].replace(/:(\w+)/g, '{$1}'),
        ),
      ),
    ];
    // The checklist routes are checked in checklistRouter.test.ts.
    expect(routes.sort()).toEqual(
      Object.keys(spec.paths)
        .filter(p => !p.includes('/checklists'))
        .sort(),
    );
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
      'Invalid window',
    ],
    [
      'an unknown direction',
      `${POSTURE}/payments-api/signals?direction=sideways`,
      'direction must be',
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
