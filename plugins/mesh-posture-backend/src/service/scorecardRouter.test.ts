import { createHash } from 'node:crypto';
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
import type {
  EntityScorecard,
  ScorecardsResponse,
} from '@mesh-posture/plugin-mesh-posture-common';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  MeshCluster,
  meshPostureClustersExtensionPoint,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';
import { meshPosturePlugin } from '../plugin';
import meshPostureModuleDemo from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import {
  AuditRecord,
  recordingAuditor,
} from '../__testUtils__/recordingAuditor';

jest.setTimeout(60_000);

const spec = parseYaml(
  fs.readFileSync(path.resolve(__dirname, '../schema/openapi.yaml'), 'utf8'),
);
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

function expectSchema(schemaName: string, body: unknown) {
  const validate = ajv.getSchema(`openapi#/components/schemas/${schemaName}`)!;
  validate(body);
  expect(validate.errors ?? []).toEqual([]);
}

/** The example catalog with the relations the catalog's processors would add. */
const entities: Entity[] = parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../examples/entities.yaml'),
    'utf8',
  ),
).map(d => {
  const e = d.toJS() as Entity;
  const entitySpec = (e.spec ?? {}) as { owner?: string; system?: string };
  return {
    ...e,
    metadata: { namespace: 'default', ...e.metadata },
    relations: [
      ...(entitySpec.owner
        ? [{ type: 'ownedBy', targetRef: `group:default/${entitySpec.owner}` }]
        : []),
      ...(entitySpec.system
        ? [{ type: 'partOf', targetRef: `system:default/${entitySpec.system}` }]
        : []),
    ],
  };
});

const OUTSIDER = 'user:default/outsider';
const principalOf = (options: unknown) =>
  (options as { credentials?: BackstageCredentials } | undefined)?.credentials
    ?.principal as { userEntityRef?: string } | undefined;

/** The catalog as callers see it: the outsider may read no entity. */
function catalogFactory() {
  const catalog = catalogServiceMock({ entities });
  const outsider = (options: unknown) =>
    principalOf(options)?.userEntityRef === OUTSIDER;
  return catalogServiceMock.mock({
    getEntityByRef: async (ref, options) =>
      outsider(options) ? undefined : catalog.getEntityByRef(ref, options),
    getEntities: async (req, options) =>
      outsider(options) ? { items: [] } : catalog.getEntities(req, options),
    queryEntities: async (req, options) => catalog.queryEntities(req, options),
    getEntitiesByRefs: async (req, options) =>
      outsider(options)
        ? { items: req.entityRefs.map(() => undefined) }
        : catalog.getEntitiesByRefs(req, options),
  }).factory;
}

async function startBackend(
  options: { deny?: boolean } = {},
): Promise<{ server: any; audit: AuditRecord[] }> {
  const audit = recordingAuditor();
  const { server } = await startTestBackend({
    features: [
      meshPosturePlugin,
      meshPostureModuleDemo,
      // Its own scheduler: the default one is shared by every test backend.
      mockServices.scheduler.factory(),
      mockServices.rootConfig.factory({
        data: {
          meshPosture: {
            demo: true,
            // Keep the scheduled run out of the way: the tests take snapshots.
            snapshot: { frequency: { hours: 24 } },
          },
        },
      }),
      catalogFactory(),
      audit.factory,
      ...(options.deny
        ? [
            mockServices.permissions.factory({
              result: AuthorizeResult.DENY,
            }),
          ]
        : []),
    ],
  });
  return { server, audit: audit.records };
}

const BASE = '/api/mesh-posture/v1';

describe('scorecard routes', () => {
  let server: any;
  let audit: AuditRecord[];
  let first: ScorecardsResponse;
  let before: request.Response;
  let snap: request.Response;

  beforeAll(async () => {
    ({ server, audit } = await startBackend());
    before = await request(server).get(`${BASE}/scorecards`);
    snap = await request(server).post(`${BASE}/snapshots`);
    first = (await request(server).get(`${BASE}/scorecards`)).body;
  });

  it('has no run before the first snapshot; POST /v1/snapshots takes one', () => {
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ run: null, entities: [] });
    expect(snap.status).toBe(201);
    expectSchema('SnapshotRun', snap.body.run);
    expect(first.run).toEqual(snap.body.run);
    expect(audit.map(({ logged: _logged, ...r }) => r)).toEqual([
      {
        eventId: 'scorecard-snapshot-create',
        meta: undefined,
        outcome: 'success',
        successMeta: {
          outcome: 'accepted',
          runId: first.run!.id,
          entities: first.run!.entities,
        },
      },
    ]);
  });

  it('scores every example entity with workloads, worst first, as the spec says', () => {
    expectSchema('ScorecardsResponse', first);
    const refs = first.entities.map(e => e.entityRef);
    expect(refs).toEqual(
      expect.arrayContaining([
        'component:default/payments-api',
        'component:default/ledger',
        'component:default/card-issuing',
      ]),
    );
    expect(first.run!.entities).toBe(first.entities.length);
    expect(first.run!.prometheusQueries).toBeGreaterThan(0);
    const scores = first.entities.map(e => e.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    const payments = first.entities.find(
      e => e.entityRef === 'component:default/payments-api',
    )!;
    expect(payments.owner).toMatch(/^group:default\//);
    expect(payments.clusters).toEqual(['prod-eu-west']);
    expect(payments.demo).toBe(true);
    expect(payments.checks.map(c => c.id)).toContain('golden-signals');
    expect(first.rollups.byOwner.length).toBeGreaterThan(1);
    expect(first.facets.owner).toContain(payments.owner);
  });

  it('filters by owner, repeatable, and by level', async () => {
    const owner = first.facets.owner[0];
    const res = await request(server)
      .get(`${BASE}/scorecards`)
      .query({ owner });
    expect(res.status).toBe(200);
    const body: ScorecardsResponse = res.body;
    expect(body.entities.length).toBeGreaterThan(0);
    expect(body.entities.every(e => e.owner === owner)).toBe(true);
    expect(body.facets).toEqual(first.facets);

    const both = await request(server).get(
      `${BASE}/scorecards?owner=${encodeURIComponent(
        first.facets.owner[0],
      )}&owner=${encodeURIComponent(first.facets.owner[1])}`,
    );
    expect(both.body.entities.length).toBeGreaterThan(body.entities.length);

    const none = await request(server)
      .get(`${BASE}/scorecards`)
      .query({ level: 'Platinum' });
    expect(none.body.entities).toEqual([]);
  });

  it('exports the filtered scorecards as CSV', async () => {
    const owner = first.facets.owner[0];
    const res = await request(server)
      .get(`${BASE}/scorecards/export`)
      .query({ owner, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="zero-trust-scorecards-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = res.text.trim().split(/\r?\n/);
    const mine = first.entities.filter(e => e.owner === owner);
    expect(lines).toHaveLength(mine.length + 1);
    expect(lines[0]).toMatch(/^entity/i);
    for (const e of mine) {
      expect(res.text).toContain(e.entityRef);
    }
  });

  it("exports the latest run's certificate inventory, with its SHA-256 and for whom", async () => {
    const res = await request(server).get(`${BASE}/certificates`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="certificate-inventory-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const sha = createHash('sha256').update(res.text).digest();
    expect(res.headers['x-mesh-posture-sha256']).toBe(sha.toString('hex'));
    expect(res.headers['content-digest']).toBe(
      `sha-256=:${sha.toString('base64')}:`,
    );
    const inventory = JSON.parse(res.text);
    expectSchema('CertificateInventory', inventory);
    expect(inventory.run).toEqual(first.run);
    expect(inventory.generatedBy).toBe('user:default/mock');
    expect(res.headers['x-mesh-posture-generated-by']).toBe(
      'user:default/mock',
    );
    // The demo's clusters: a Linkerd anchor and issuer, an Istio root,
    // and workload certificates, soonest first.
    const roles = new Set(inventory.certificates.map((c: any) => c.role));
    for (const role of ['trust-anchor', 'issuer', 'root', 'workload']) {
      expect(roles.has(role)).toBe(true);
    }
    const after = inventory.certificates.map((c: any) => c.notAfter);
    expect(after).toEqual([...after].sort());
    const anchors = inventory.certificates.filter(
      (c: any) => c.role === 'trust-anchor' && c.cluster === 'prod-eu-west',
    );
    // Read through every entity on the cluster, listed once.
    expect(anchors).toHaveLength(1);
    expect(anchors[0].entities.length).toBeGreaterThan(1);
    expect(audit.at(-1)).toMatchObject({
      eventId: 'certificate-inventory-export',
      outcome: 'success',
      successMeta: { format: 'json' },
    });

    const csv = await request(server)
      .get(`${BASE}/certificates`)
      .query({ format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['x-mesh-posture-sha256']).toBe(
      createHash('sha256').update(csv.text).digest('hex'),
    );
    const lines = csv.text.trim().split('\r\n');
    expect(lines).toHaveLength(inventory.certificates.length + 1);
    expect(lines[1]).toContain(inventory.certificates[0].evidenceId);

    const bad = await request(server)
      .get(`${BASE}/certificates`)
      .query({ format: 'pdf' });
    expect(bad.status).toBe(400);
  });

  it('gives a trend per day and an entity its score', async () => {
    const trend = await request(server)
      .get(`${BASE}/scorecards/trend`)
      .query({ days: 7, groupBy: 'system' });
    expect(trend.status).toBe(200);
    expectSchema('ScoreTrendResponse', trend.body);
    // The demo's seeded month came with the first snapshot: a point a day,
    // today's from the snapshot just taken.
    const days = trend.body.catalog.map((p: any) => p.at.slice(0, 10));
    expect(new Set(days).size).toBe(days.length);
    expect(days.length).toBeGreaterThanOrEqual(7);
    expect(trend.body.catalog.at(-1)).toMatchObject({
      at: first.run!.finishedAt,
      entities: first.entities.length,
    });
    expect(trend.body.groups.map((g: any) => g.key)).toEqual(
      expect.arrayContaining(['system:default/payments']),
    );

    const score = await request(server).get(
      `${BASE}/entities/component/default/payments-api/score`,
    );
    expect(score.status).toBe(200);
    expectSchema('EntityScoreResponse', score.body);
    const payments = first.entities.find(
      (e: EntityScorecard) => e.entityRef === 'component:default/payments-api',
    )!;
    expect(score.body.current).toMatchObject({
      score: payments.score,
      level: payments.level,
    });
    // 30 seeded days and the first live snapshot.
    expect(score.body.history).toHaveLength(31);
    expect(score.body.latestRun).toEqual(first.run);
  });

  it('answers which services talked to an entity, and whether encrypted', async () => {
    const res = await request(server)
      .get(`${BASE}/dataflow`)
      .query({ entityRef: 'component:default/accounts-service' });
    expect(res.status).toBe(200);
    expectSchema('DataflowResponse', res.body);
    // The seeded month's days (30 days back from now) and today's run.
    expect(res.body.runs).toBeGreaterThanOrEqual(30);
    expect(res.body.flows.length).toBeGreaterThan(0);
    // Each flow is citable: the same id over another period.
    const ids = res.body.flows.map((f: any) => f.evidenceId);
    expect(new Set(ids).size).toBe(ids.length);
    const week = await request(server)
      .get(`${BASE}/dataflow`)
      .query({
        entityRef: 'component:default/accounts-service',
        from: new Date(Date.now() - 7 * 24 * 3600_000).toISOString(),
      });
    expect(ids).toEqual(
      expect.arrayContaining(week.body.flows.map((f: any) => f.evidenceId)),
    );
    // The demo's notifications calls accounts-service in plaintext.
    expect(
      res.body.flows.some(
        (f: any) =>
          f.entityRef === 'component:default/accounts-service' &&
          f.direction === 'inbound' &&
          f.minMtlsShare < 1 &&
          f.plaintextReasons.length > 0,
      ),
    ).toBe(true);

    // The ledger's database flows are TCP, in bytes: its plaintext client
    // is evidence too.
    const ledger = await request(server)
      .get(`${BASE}/dataflow`)
      .query({ entityRef: 'component:default/ledger' });
    expectSchema('DataflowResponse', ledger.body);
    const tcp = ledger.body.flows.filter((f: any) => f.protocol === 'tcp');
    expect(tcp.length).toBeGreaterThan(0);
    expect(tcp.every((f: any) => f.maxBytesPerSecond > 0)).toBe(true);
    expect(
      tcp.some((f: any) => f.direction === 'inbound' && f.minMtlsShare === 0),
    ).toBe(true);

    const past = await request(server).get(`${BASE}/dataflow`).query({
      entityRef: 'component:default/payments-api',
      from: '2026-01-01',
      to: '2026-01-31',
    });
    expect(past.body).toMatchObject({ runs: 0, flows: [] });
  });

  it('shows the outsider nothing they may not read', async () => {
    const header = { Authorization: mockCredentials.user.header(OUTSIDER) };
    const list = await request(server).get(`${BASE}/scorecards`).set(header);
    expect(list.status).toBe(200);
    expect(list.body.entities).toEqual([]);
    expect(list.body.facets.owner).toEqual([]);
    const csv = await request(server)
      .get(`${BASE}/scorecards/export`)
      .set(header);
    expect(csv.text.trim().split(/\r?\n/)).toHaveLength(1);
    const flows = await request(server)
      .get(`${BASE}/dataflow`)
      .query({ entityRef: 'component:default/payments-api' })
      .set(header);
    expect(flows.body.flows).toEqual([]);
    const certificates = await request(server)
      .get(`${BASE}/certificates`)
      .set(header);
    expect(JSON.parse(certificates.text).certificates).toEqual([]);
    const score = await request(server)
      .get(`${BASE}/entities/component/default/payments-api/score`)
      .set(header);
    expect(score.status).toBe(404);
  });

  it.each([
    ['/scorecards?team=payments', /Unknown query parameter "team"/],
    ['/scorecards?owner=', /Query parameter "owner" is empty/],
    [
      `/scorecards?owner=${'x'.repeat(300)}`,
      /Query parameter "owner" \(value 1\) must NOT have more than 255 characters/,
    ],
    ['/scorecards/trend?days=0', /Query parameter "days" must be >= 1/],
    ['/scorecards/trend?days=7&days=8', /must be given once/],
    [
      '/scorecards/trend?groupBy=lifecycle',
      /Query parameter "groupBy" must be equal to one of the allowed values: owner, system/,
    ],
    [
      '/scorecards/export?format=xlsx',
      /Query parameter "format" must be equal to one of the allowed values: csv/,
    ],
    [
      '/entities/component/default/payments-api/score?days=abc',
      /Query parameter "days" must be integer/,
    ],
    ['/dataflow', /Query parameter "entityRef" is required/],
    [
      '/dataflow?entityRef=component:default/ledger&from=yesterday',
      /from "yesterday" is not a real ISO date/,
    ],
    // `new Date` rolls these over into March and the next day.
    [
      '/dataflow?entityRef=component:default/ledger&from=2026-02-30',
      /from "2026-02-30" is not a real ISO date/,
    ],
    [
      '/dataflow?entityRef=component:default/ledger&to=2026-11-01T24:00:00Z',
      /to "2026-11-01T24:00:00Z" is not a real ISO date/,
    ],
    [
      '/dataflow?entityRef=component:default/ledger&from=2026-02-01&to=2026-01-01',
      /from must be before to/,
    ],
    ['/dataflow?entityRef=%3Abad%3A', /is not an entity ref/],
    // parseEntityRef alone reads this as namespace "b:c", name "d/e".
    ['/dataflow?entityRef=a:b:c/d/e', /entityRef "a:b:c\/d\/e" is not/],
    [
      `/dataflow?entityRef=${encodeURIComponent('component:default/x"}')}`,
      /entityRef "component:default\/x"}" is not an entity ref/,
    ],
    [
      '/dataflow?entityRef=component:default/ledger&entityRef=group:a%20b/c',
      /entityRef "group:a b\/c" is not an entity ref/,
    ],
  ])('answers 400 to %s', async (url, message) => {
    const res = await request(server).get(`${BASE}${url}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });
});

describe('POST /v1/snapshots without the permission', () => {
  it('answers 403 and takes no snapshot', async () => {
    const { server, audit } = await startBackend({ deny: true });
    const res = await request(server).post(`${BASE}/snapshots`);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'Not allowed to take a scorecard snapshot',
    );
    expect(audit).toEqual([
      expect.objectContaining({
        eventId: 'scorecard-snapshot-create',
        outcome: 'fail',
        failMeta: { outcome: 'denied' },
      }),
    ]);
    const after = await request(server).get(`${BASE}/scorecards`);
    expect(after.body.run).toBeNull();
  });

  it('audits a snapshot refused for its query string, without the query', async () => {
    const { server, audit } = await startBackend();
    const res = await request(server).post(`${BASE}/snapshots?x=sesame-7f3a`);
    expect(res.status).toBe(400);
    expect(audit).toEqual([
      expect.objectContaining({
        eventId: 'scorecard-snapshot-create',
        outcome: 'fail',
        failMeta: { outcome: 'invalid' },
      }),
    ]);
    expect(audit[0].logged.join('\n')).not.toContain('sesame');
    const after = await request(server).get(`${BASE}/scorecards`);
    expect(after.body.run).toBeNull();
  });
});

describe('a snapshot of an entity one of whose clusters cannot be listed', () => {
  it('judges no objective and reports no figures from the other cluster alone', async () => {
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'ledger',
        namespace: 'default',
        annotations: { 'backstage.io/kubernetes-id': 'ledger' },
      },
      spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
    };
    const clusterOf = (name: string, listable: boolean): MeshCluster => ({
      name,
      mesh: 'linkerd',
      objects: {
        list: async query => {
          if (!listable) {
            throw new SourceError('timeout', 'no answer within 5000 ms');
          }
          return query.resource === 'pods'
            ? [
                {
                  metadata: {
                    name: 'ledger-0',
                    namespace: 'payments',
                    labels: { 'backstage.io/kubernetes-id': 'ledger' },
                  },
                  status: { phase: 'Running' },
                },
              ]
            : [];
        },
        get: async () => undefined,
      },
      telemetry: {
        workloadTelemetry: async () => {
          throw new SourceError('unavailable', 'not used here');
        },
        // A healthy cluster: whatever it shows, it is half the story.
        workloadSignals: async q => ({
          summaries: q.workloads.map(workload => ({
            workload,
            requestsPerSecond: 10,
            failuresPerSecond: 0,
            latencyBuckets: [
              { le: 25, rate: 10 },
              { le: Infinity, rate: 10 },
            ],
            errors: [],
          })),
          series: [],
          gaps: [],
        }),
      },
    });
    const clusters = createBackendModule({
      pluginId: 'mesh-posture',
      moduleId: 'half-listable',
      register(env) {
        env.registerInit({
          deps: { clusters: meshPostureClustersExtensionPoint },
          async init({ clusters: point }) {
            point.addClusterProvider({
              getClusters: async () => [
                clusterOf('eu-1', true),
                clusterOf('eu-2', false),
              ],
            });
          },
        });
      },
    });
    const { server } = await startTestBackend({
      features: [
        meshPosturePlugin,
        meshPostureModuleDemo,
        // Its own scheduler: the default one is shared by every test backend.
        mockServices.scheduler.factory(),
        clusters,
        mockServices.rootConfig.factory({
          data: { meshPosture: { snapshot: { frequency: { hours: 24 } } } },
        }),
        catalogServiceMock.factory({ entities: [entity] }),
      ],
    });
    const snap = await request(server).post(`${BASE}/snapshots`);
    expect(snap.status).toBe(201);
    const res = await request(server).get(`${BASE}/scorecards`);
    const [card] = res.body.entities as EntityScorecard[];
    expect(card.entityRef).toBe('component:default/ledger');
    expect(card.checks.find(c => c.id === 'golden-signals')?.status).toBe(
      'unknown',
    );
    expect(card.figures.successRate).toBeNull();
    expect(card.figures.latencyP99Ms).toBeNull();
    expect(card.missing.join(' ')).toMatch(/eu-2/);
  });
});
