import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import meshPostureModuleDemo from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { meshPosturePlugin } from '../plugin';
import { exampleEntities } from '../__testUtils__/exampleEntities';
import { assessmentResults, controlIdsOf, uuidOf } from './assessmentResults';

/*
 * The OSCAL export against NIST's published assessment-results schema
 * (schema/README.md names its origin and version), on the demo's live
 * postures and checklists, through the route.
 */

jest.setTimeout(60_000);

const schemaText = fs.readFileSync(
  path.resolve(__dirname, 'schema/oscal_assessment-results_schema.json'),
  'utf8',
);
const schema = JSON.parse(schemaText);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function expectValid(document: unknown) {
  const valid = validate(document);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

const entities = exampleEntities();

async function startBackend(options: { deny?: boolean } = {}) {
  const { server } = await startTestBackend({
    features: [
      meshPosturePlugin,
      meshPostureModuleDemo,
      mockServices.scheduler.factory(),
      mockServices.rootConfig.factory({
        data: {
          meshPosture: { demo: true, snapshot: { frequency: { hours: 24 } } },
        },
      }),
      catalogServiceMock.factory({ entities }),
      ...(options.deny
        ? [mockServices.permissions.factory({ result: AuthorizeResult.DENY })]
        : []),
    ],
  });
  return server;
}

const ROUTE = '/api/mesh-posture/v1/oscal/assessment-results';

describe('OSCAL assessment results', () => {
  let server: any;
  beforeAll(async () => {
    server = await startBackend();
    // A snapshot, so the results hold the latest score too.
    await request(server).post('/api/mesh-posture/v1/snapshots');
  });

  it("validates against NIST's schema for demo entities, one result each", async () => {
    const res = await request(server)
      .get(ROUTE)
      .query({
        entityRef: [
          'component:default/ledger',
          'component:default/accounts-service',
          'component:default/card-issuing',
        ],
      });
    expect(res.status).toBe(200);
    expect(res.headers['x-mesh-posture-sha256']).toBe(
      createHash('sha256').update(res.text).digest('hex'),
    );
    const document = JSON.parse(res.text);
    expectValid(document);
    const ar = document['assessment-results'];
    expect(ar.metadata['oscal-version']).toBe('1.2.1');
    expect(ar.metadata.props).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'generated-by',
          value: 'user:default/mock',
        }),
      ]),
    );
    expect(ar.results).toHaveLength(3);

    const ledger = ar.results.find((r: any) =>
      r.description.includes('component:default/ledger'),
    );
    // Ledger's over-grant warns: a finding not satisfied, from a TEST.
    const overGrant = ledger.findings.find(
      (f: any) => f.target['target-id'] === 'mesh-posture.no-over-grants',
    );
    expect(overGrant.target.status).toEqual({
      state: 'not-satisfied',
      reason: 'fail',
    });
    const observation = ledger.observations.find(
      (o: any) =>
        o.uuid === overGrant['related-observations'][0]['observation-uuid'],
    );
    expect(observation.methods).toEqual(['TEST']);
    expect(observation.props).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'check-status', value: 'warn' }),
      ]),
    );
    // The latest snapshot's score is an observation of its own.
    expect(
      ledger.observations.some((o: any) => o.title === 'Zero-trust score'),
    ).toBe(true);
    // PCI DSS requirements, by id only, are the reviewed controls.
    const controls = ledger['reviewed-controls']['control-selections'][0];
    expect(
      controls['include-controls']?.map((c: any) => c['control-id']) ?? [],
    ).toEqual(expect.arrayContaining(['pci-dss-v4.0-req-4.2.1']));
    // Demo checklist answers are attributed, with the person and the date.
    const answers = ar.results
      .flatMap((r: any) => r.observations)
      .filter((o: any) => o.methods[0] === 'INTERVIEW');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers[0].description).toMatch(
      /^Answered "(yes|no|partial|not-applicable)" by user:default\//,
    );
    // Exemptions are risks with their justification and expiry.
    const risks = ar.results.flatMap((r: any) => r.risks ?? []);
    expect(risks.length).toBeGreaterThan(0);
    for (const risk of risks) {
      expect(risk.title).toMatch(/^Exemption: /);
      expect(risk.deadline).toMatch(/Z$/);
      expect(['deviation-approved', 'open']).toContain(risk.status);
    }
  });

  it("refuses an entity the caller may not read, and bad refs, as the entity's own routes do", async () => {
    const missing = await request(server)
      .get(ROUTE)
      .query({ entityRef: 'component:default/no-such-service' });
    expect(missing.status).toBe(404);
    const bad = await request(server)
      .get(ROUTE)
      .query({ entityRef: 'component:default/a/b' });
    expect(bad.status).toBe(400);
    const none = await request(server).get(ROUTE);
    expect(none.status).toBe(400);
    const denied = await request(await startBackend({ deny: true }))
      .get(ROUTE)
      .set('Authorization', mockCredentials.user.header())
      .query({ entityRef: 'component:default/ledger' });
    expect(denied.status).toBe(403);
  });
});

describe("NIST's schema", () => {
  it('is the file its README names, unmodified', () => {
    expect(createHash('sha256').update(schemaText).digest('hex')).toBe(
      '4f9e277a177adbcca9527612ce450a33dc6096773fa229d413d801d196c61985',
    );
    expect(schema.$id).toBe(
      'http://csrc.nist.gov/ns/oscal/1.2.1/oscal-ar-schema.json',
    );
  });
});

describe('assessmentResults', () => {
  const checklists = {
    entityRef: 'component:default/x',
    generatedAt: '2026-11-22T10:00:00.000Z',
    templatesFrom: 'none' as const,
    unknownTemplateIds: [],
    attestationValidityDays: 90,
    posture: { available: false, reason: 'no checklist applies' } as any,
    checklists: [],
  };

  it('never satisfies an unknown check, and says why a posture is missing', () => {
    const posture: any = {
      generatedAt: '2026-11-22T10:00:00.000Z',
      window: '5m',
      demo: false,
      verdict: {
        checks: [
          {
            id: 'inbound-mtls',
            title: 'Inbound mTLS',
            status: 'unknown',
            detail: 'Prometheus on prod did not answer',
          },
          {
            id: 'network-default-deny',
            title: 'Network policy',
            status: 'not-applicable',
            detail: 'no pods',
          },
        ],
      },
    };
    const at = new Date('2026-11-22T10:00:00Z');
    const document: any = assessmentResults(
      [
        {
          entityRef: 'component:default/x',
          posture: { value: posture },
          checklists,
          scorecard: null,
        },
        {
          entityRef: 'component:default/y',
          posture: { unavailable: 'the catalog has no workload annotation' },
          checklists: { ...checklists, entityRef: 'component:default/y' },
          scorecard: null,
        },
      ],
      { generatedAt: at, generatedBy: 'a service', toolVersion: '0.1.0' },
    );
    expectValid(document);
    const [x, y] = document['assessment-results'].results;
    expect(x.findings).toHaveLength(1);
    expect(x.findings[0].target.status).toEqual({
      state: 'not-satisfied',
      reason: 'other',
    });
    expect(x.observations).toHaveLength(2);
    expect(y.findings).toBeUndefined();
    expect(y.observations[0].description).toBe(
      'the catalog has no workload annotation',
    );
    // The same document twice: the same uuids, citable.
    const again: any = assessmentResults(
      [
        {
          entityRef: 'component:default/x',
          posture: { value: posture },
          checklists,
          scorecard: null,
        },
      ],
      { generatedAt: at, generatedBy: 'a service', toolVersion: '0.1.0' },
    );
    expect(again['assessment-results'].results[0].uuid).toBe(x.uuid);
  });

  it('makes version 5 uuids and PCI DSS control ids from references only', () => {
    expect(uuidOf('a')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(uuidOf('a')).not.toBe(uuidOf('b'));
    expect(controlIdsOf('PCI DSS v4.0 Req. 1.3.1, 1.3.2')).toEqual([
      'pci-dss-v4.0-req-1.3.1',
      'pci-dss-v4.0-req-1.3.2',
    ]);
    expect(controlIdsOf('NIST SP 800-207 3.1')).toEqual([]);
  });
});
