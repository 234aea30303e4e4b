import fs from 'node:fs';
import path from 'node:path';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  ChecklistView,
  EntityChecklistsResponse,
} from '@mesh-posture/plugin-mesh-posture-common';
import { zeroTrustTemplate } from '@mesh-posture/plugin-mesh-posture-common';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { meshPosturePlugin } from '../plugin';
import meshPostureModuleDemo from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import MarkdownIt from 'markdown-it';
import { renderChecklistExportMarkdown } from '../checklists/exportMarkdown';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { recordingAuditor } from '../__testUtils__/recordingAuditor';

jest.setTimeout(30_000);

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

const examples = parseAllDocuments(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../examples/entities.yaml'),
    'utf8',
  ),
).map(d => {
  const e = d.toJS() as Entity;
  return { ...e, metadata: { namespace: 'default', ...e.metadata } };
});

const unannotated: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'batch-reports', namespace: 'default' },
  spec: { type: 'service', owner: 'payments-team', lifecycle: 'production' },
};

const legacy: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'legacy-batch',
    namespace: 'default',
    annotations: { 'mesh-posture.io/checklists': 'threat-model, sox-404' },
  },
  spec: { type: 'service', owner: 'payments-team', lifecycle: 'production' },
};

const OUTSIDER = 'user:default/outsider';
const MARTA = 'user:default/marta.kowalska';
const LI = 'user:default/li.chen';

function catalog() {
  const real = catalogServiceMock({
    entities: [...examples, unannotated, legacy],
  });
  const caller = (options: unknown) =>
    (
      (options as { credentials?: BackstageCredentials } | undefined)
        ?.credentials?.principal as { userEntityRef?: string } | undefined
    )?.userEntityRef;
  return catalogServiceMock.mock({
    getEntityByRef: async (ref, options) =>
      caller(options) === OUTSIDER
        ? undefined
        : real.getEntityByRef(ref, options),
    getEntities: async (req, options) =>
      caller(options) === OUTSIDER
        ? { items: [] }
        : real.getEntities(req, options),
  }).factory;
}

/** A policy that allows everything except the named permissions. */
function permissionsDenying(...denied: string[]) {
  return mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(r => ({
        result: denied.includes(r.permission.name)
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
      })),
  }).factory;
}

async function startBackend(
  options: { config?: object; features?: any[] } = {},
) {
  const audit = recordingAuditor();
  const { server } = await startTestBackend({
    features: [
      meshPosturePlugin,
      meshPostureModuleDemo,
      mockServices.rootConfig.factory({
        data: options.config ?? { meshPosture: { demo: true } },
      }),
      catalog(),
      audit.factory,
      ...(options.features ?? []),
    ],
  });
  return { server, audit: audit.records };
}

const ENTITIES = '/api/mesh-posture/v1/entities/component/default';
const ACCOUNTS = `${ENTITIES}/accounts-service/checklists`;
const TM = `${ACCOUNTS}/threat-model`;

async function checklists(server: any, url = ACCOUNTS) {
  const res = await request(server).get(url);
  expect(res.status).toBe(200);
  return res.body as EntityChecklistsResponse;
}

function find(body: EntityChecklistsResponse, templateId: string) {
  return body.checklists.find(c => c.template.id === templateId)!;
}

function item(view: ChecklistView, itemId: string) {
  return view.items.find(i => i.itemId === itemId)!;
}

describe('GET …/checklists', () => {
  it('serves the demo checklists of accounts-service, as the spec says', async () => {
    const { server } = await startBackend();
    const body = await checklists(server);
    expectSchema('EntityChecklistsResponse', body);
    expect(body).toMatchObject({
      entityRef: 'component:default/accounts-service',
      templatesFrom: 'default',
      unknownTemplateIds: [],
      attestationValidityDays: 180,
      posture: { available: true, window: '5m', demo: true, verdict: 'fail' },
    });
    expect(body.checklists.map(c => c.template.id)).toEqual([
      'threat-model',
      'zero-trust',
    ]);
    // Seeded, attributed to the demo's people, partly filled.
    const tm = find(body, 'threat-model');
    expect(tm.version).toBe(4);
    expect(item(tm, 'what-can-go-wrong').answer).toMatchObject({
      value: 'yes',
      answeredBy: 'user:default/pieter.dejong',
    });
    expect(item(tm, 'trust-boundaries')).toMatchObject({
      outcome: 'gap',
      answer: { value: 'no' },
    });
    expect(item(tm, 'authz-every-operation').outcome).toBe('open');
    expect(tm.progress).toMatchObject({ total: 14, answered: 5 });
    // The mesh answers the threat model's defence in depth: open-banking
    // has no EgressNetwork and no NetworkPolicy for egress, so both are gaps
    // on evidence, not unknown.
    expect(item(tm, 'network-denies-by-default')).toMatchObject({
      outcome: 'gap',
      automatic: {
        check: 'network-default-deny',
        status: 'warn',
        detail: expect.stringContaining('egress: no NetworkPolicy selects'),
      },
    });
    expect(item(tm, 'exfiltration-paths-declared')).toMatchObject({
      outcome: 'gap',
      automatic: {
        check: 'egress-declared',
        status: 'warn',
        detail: expect.stringContaining('open to undeclared destinations'),
      },
    });
    // The mesh sees the plaintext caller; the platform team exempted it.
    const zt = find(body, 'zero-trust');
    expect(item(zt, 'inbound-mtls')).toMatchObject({
      outcome: 'exempt',
      automatic: {
        check: 'inbound-mtls',
        status: 'fail',
        demo: true,
        detail: expect.stringContaining('no_tls_from_remote'),
      },
      exemption: { approvedBy: LI, active: true },
    });
    expect(item(zt, 'meshed-pods').automatic?.status).toBe('pass');
  });

  it('uses the annotation, shows stale attestations, and knows unknown ids', async () => {
    const { server } = await startBackend();
    const ledger = await checklists(server, `${ENTITIES}/ledger/checklists`);
    expectSchema('EntityChecklistsResponse', ledger);
    expect(ledger.templatesFrom).toBe('annotation');
    expect(ledger.checklists.map(c => c.template.id)).toEqual([
      'threat-model',
      'zero-trust',
      'pci-dss-v4',
    ]);
    expect(find(ledger, 'threat-model').attestation).toMatchObject({
      state: 'stale',
      attestedBy: 'user:default/jonas.weber',
      reasons: [
        {
          code: 'expired',
          message: 'Attested 200 days ago; attestations hold for 180 days',
        },
      ],
    });
    const payments = await checklists(
      server,
      `${ENTITIES}/payments-api/checklists`,
    );
    // Seeded 20 days back with the evidence the demo's clusters showed then
    // (the backend read its past), which still holds.
    expect(find(payments, 'threat-model').attestation).toMatchObject({
      state: 'current',
      automatic: [
        { itemId: 'exfiltration-paths-declared', status: 'pass', demo: true },
        { itemId: 'network-denies-by-default', status: 'pass', demo: true },
      ],
    });
    const legacyBatch = await checklists(
      server,
      `${ENTITIES}/legacy-batch/checklists`,
    );
    expect(legacyBatch).toMatchObject({
      templatesFrom: 'annotation',
      unknownTemplateIds: ['sox-404'],
    });
    expect(legacyBatch.checklists.map(c => c.template.id)).toEqual([
      'threat-model',
    ]);
  });

  it('judges automatic items of an entity without workloads as unknown, saying why', async () => {
    const { server } = await startBackend();
    const body = await checklists(
      server,
      `${ENTITIES}/batch-reports/checklists`,
    );
    expectSchema('EntityChecklistsResponse', body);
    expect(body.posture).toEqual({
      available: false,
      reason: expect.stringContaining('has no workload annotation'),
      demo: false,
    });
    const automatic = find(body, 'zero-trust').items.filter(i => i.automatic);
    expect(automatic.length).toBeGreaterThan(0);
    for (const i of automatic) {
      expect(i).toMatchObject({
        outcome: 'open',
        automatic: { status: 'unknown', detail: /^No mesh data: / },
      });
    }
  });

  it('answers 404 to a caller who cannot see the entity, and 401 without credentials', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .get(ACCOUNTS)
      .set('Authorization', mockCredentials.user.header(OUTSIDER));
    expect(res.status).toBe(404);
    expectSchema('Error', res.body);
    const anonymous = await request(server)
      .get(ACCOUNTS)
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });
});

describe('PUT …/items/{itemId}/answer', () => {
  it('appends the answer, attributed, with old and new in the history, and audits it', async () => {
    const { server, audit } = await startBackend();
    const before = find(await checklists(server), 'threat-model');
    const res = await request(server)
      .put(`${TM}/items/trust-boundaries/answer`)
      .set('Authorization', mockCredentials.user.header(MARTA))
      .send({
        baseVersion: before.version,
        value: 'partial',
        rationale: 'Mapped for the public API; the callback is next.',
        evidence: [
          { url: 'https://wiki.demo-bank.example/tm', title: 'Threat model' },
        ],
      });
    expect(res.status).toBe(200);
    expectSchema('ChecklistView', res.body);
    expect(res.body.version).toBe(before.version + 1);
    expect(item(res.body, 'trust-boundaries')).toMatchObject({
      outcome: 'gap',
      answer: {
        value: 'partial',
        answeredBy: MARTA,
        rationale: 'Mapped for the public API; the callback is next.',
      },
    });

    const history = await request(server).get(`${TM}/history`);
    expect(history.status).toBe(200);
    expectSchema('ChecklistHistoryResponse', history.body);
    expect(history.body.events[0]).toMatchObject({
      version: before.version + 1,
      kind: 'answer',
      itemId: 'trust-boundaries',
      actor: MARTA,
      old: { value: 'no' },
      new: { value: 'partial' },
    });
    expect(history.body.events).toHaveLength(before.version + 1);

    expect(audit.map(({ logged: _logged, ...r }) => r)).toEqual([
      {
        eventId: 'checklist-answer',
        meta: {
          entityRef: 'component:default/accounts-service',
          templateId: 'threat-model',
          itemId: 'trust-boundaries',
        },
        outcome: 'success',
        successMeta: {
          outcome: 'accepted',
          value: 'partial',
          version: before.version + 1,
          changed: true,
        },
      },
    ]);
    // No free text in the audit trail.
    expect(JSON.stringify(audit)).not.toContain('callback');
  });

  it('changes nothing when the same answer is given again', async () => {
    const { server } = await startBackend();
    const before = find(await checklists(server), 'threat-model');
    const current = item(before, 'what-are-we-building').answer!;
    const res = await request(server)
      .put(`${TM}/items/what-are-we-building/answer`)
      .send({
        baseVersion: before.version,
        value: current.value,
        evidence: current.evidence,
      });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(before.version);
  });

  it('answers 409 with the current state to a write based on an old version, and loses nothing', async () => {
    const { server, audit } = await startBackend();
    const base = find(await checklists(server), 'threat-model').version;
    const first = await request(server)
      .put(`${TM}/items/operations-logged/answer`)
      .set('Authorization', mockCredentials.user.header(MARTA))
      .send({ baseVersion: base, value: 'yes' });
    expect(first.status).toBe(200);

    const stale = await request(server)
      .put(`${TM}/items/operations-logged/answer`)
      .set('Authorization', mockCredentials.user.header(LI))
      .send({ baseVersion: base, value: 'no', rationale: 'Not all of them' });
    expect(stale.status).toBe(409);
    expectSchema('ChecklistConflict', stale.body);
    expect(stale.body.error.name).toBe('ConflictError');
    expect(stale.body.error.message).toContain(
      `changed since version ${base}: it is at version ${
        base + 1
      }, last changed by ${MARTA}`,
    );
    expect(stale.body.current.version).toBe(base + 1);
    expect(item(stale.body.current, 'operations-logged').answer).toMatchObject({
      value: 'yes',
      answeredBy: MARTA,
    });
    // The first answer stands, and the conflict wrote nothing.
    const history = await request(server).get(`${TM}/history`);
    expect(history.body.events).toHaveLength(base + 1);
    expect(audit.map(a => [a.eventId, a.outcome])).toEqual([
      ['checklist-answer', 'success'],
      ['checklist-answer', 'fail'],
    ]);
  });

  it('answers 403 and writes nothing when the policy denies mesh-posture.checklist.update', async () => {
    const { server, audit } = await startBackend({
      features: [permissionsDenying('mesh-posture.checklist.update')],
    });
    const before = find(await checklists(server), 'threat-model');
    const res = await request(server)
      .put(`${TM}/items/operations-logged/answer`)
      .send({ baseVersion: before.version, value: 'yes' });
    expect(res.status).toBe(403);
    expectSchema('Error', res.body);
    expect(res.body.error.message).toBe(
      'Not allowed to answer checklists of component:default/accounts-service: the permission policy denied mesh-posture.checklist.update',
    );
    const attest = await request(server)
      .post(`${TM}/attestations`)
      .send({ baseVersion: before.version });
    expect(attest.status).toBe(403);
    expect(find(await checklists(server), 'threat-model').version).toBe(
      before.version,
    );
    expect(audit.map(a => [a.eventId, a.outcome])).toEqual([
      ['checklist-answer', 'fail'],
      ['checklist-attestation', 'fail'],
    ]);
  });

  it('answers 404 to an outsider and 403 to a service, writing nothing', async () => {
    const { server } = await startBackend();
    const outsider = await request(server)
      .put(`${TM}/items/operations-logged/answer`)
      .set('Authorization', mockCredentials.user.header(OUTSIDER))
      .send({ baseVersion: 4, value: 'yes' });
    expect(outsider.status).toBe(404);
    const service = await request(server)
      .put(`${TM}/items/operations-logged/answer`)
      .set('Authorization', mockCredentials.service.header())
      .send({ baseVersion: 4, value: 'yes' });
    expect(service.status).toBe(403);
    expect(service.body.error.message).toContain('Only signed-in users');
    expect(find(await checklists(server), 'threat-model').version).toBe(4);
  });

  it.each([
    ['no body', undefined, 'baseVersion is required'],
    ['an unknown value', { baseVersion: 4, value: 'maybe' }, 'value must be'],
    [
      'No without a rationale',
      { baseVersion: 4, value: 'no' },
      'rationale is required when the answer is no',
    ],
    [
      'an unknown field',
      { baseVersion: 4, value: 'yes', answeredBy: 'user:default/ceo' },
      'unknown field "answeredBy"',
    ],
    [
      'a javascript: evidence link',
      // eslint-disable-next-line no-script-url
      { baseVersion: 4, value: 'yes', evidence: [{ url: 'javascript:x()' }] },
      'evidence[0]: url must be an https: or http: URL',
    ],
    [
      'a rationale too long',
      { baseVersion: 4, value: 'no', rationale: 'x'.repeat(4001) },
      'rationale must be at most 4000 characters',
    ],
    ['a string version', { baseVersion: '4', value: 'yes' }, 'baseVersion'],
  ])('answers 400 to %s and changes nothing', async (_name, body, message) => {
    const { server } = await startBackend();
    const req = request(server).put(`${TM}/items/operations-logged/answer`);
    const res = await (body === undefined ? req : req.send(body));
    expect(res.status).toBe(400);
    expectSchema('Error', res.body);
    expect(res.body.error.message).toContain(message);
    expect(find(await checklists(server), 'threat-model').version).toBe(4);
  });

  it('answers 400 to malformed JSON', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .put(`${TM}/items/operations-logged/answer`)
      .set('Content-Type', 'application/json')
      .send('{"baseVersion": 4, "value": ');
    expect(res.status).toBe(400);
  });

  it('refuses items the mesh answers, unknown items and templates, and bad ids', async () => {
    const { server } = await startBackend();
    const automatic = await request(server)
      .put(`${ACCOUNTS}/zero-trust/items/default-deny/answer`)
      .send({ baseVersion: 2, value: 'yes' });
    expect(automatic.status).toBe(400);
    expect(automatic.body.error.message).toContain(
      'is answered by the mesh (posture check "default-deny")',
    );
    const unknownItem = await request(server)
      .put(`${TM}/items/no-such-item/answer`)
      .send({ baseVersion: 4, value: 'yes' });
    expect(unknownItem.status).toBe(404);
    const notApplicable = await request(server)
      .put(`${ACCOUNTS}/pci-dss-v4/items/req-1-egress/answer`)
      .send({ baseVersion: 0, value: 'yes' });
    expect(notApplicable.status).toBe(404);
    expect(notApplicable.body.error.message).toContain('does not apply');
    const unknownTemplate = await request(server).get(
      `${ACCOUNTS}/sox/history`,
    );
    expect(unknownTemplate.status).toBe(404);
    const badId = await request(server)
      .put(`${ACCOUNTS}/Threat_Model/items/x/answer`)
      .send({ baseVersion: 0, value: 'yes' });
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toMatch(
      /^Path parameter "templateId" must match pattern/,
    );
  });
});

describe('exemptions', () => {
  it('are granted and revoked behind mesh-posture.checklist.exempt, the caller recorded as approver', async () => {
    const { server, audit } = await startBackend();
    const zt = find(await checklists(server), 'zero-trust');
    const expires = new Date(Date.now() + 30 * 864e5)
      .toISOString()
      .slice(0, 10);
    const granted = await request(server)
      .put(`${ACCOUNTS}/zero-trust/items/default-deny/exemption`)
      .set('Authorization', mockCredentials.user.header(LI))
      .send({
        baseVersion: zt.version,
        justification: 'Server resources land with the Linkerd upgrade.',
        expiresAt: expires,
      });
    expect(granted.status).toBe(200);
    expectSchema('ChecklistView', granted.body);
    expect(item(granted.body, 'default-deny')).toMatchObject({
      outcome: 'exempt',
      exemption: {
        approvedBy: LI,
        active: true,
        expiresAt: `${expires}T23:59:59.999Z`,
      },
    });

    const noVersion = await request(server).delete(
      `${ACCOUNTS}/zero-trust/items/default-deny/exemption`,
    );
    expect(noVersion.status).toBe(400);

    const revoked = await request(server)
      .delete(
        `${ACCOUNTS}/zero-trust/items/default-deny/exemption?baseVersion=${
          zt.version + 1
        }`,
      )
      .set('Authorization', mockCredentials.user.header(LI));
    expect(revoked.status).toBe(200);
    expect(item(revoked.body, 'default-deny')).not.toHaveProperty('exemption');
    // Without the exemption the mesh's finding stands again: the demo's
    // accounts-service is open under the default policy all-unauthenticated.
    expect(item(revoked.body, 'default-deny').outcome).toBe('gap');

    const again = await request(server).delete(
      `${ACCOUNTS}/zero-trust/items/default-deny/exemption?baseVersion=${
        zt.version + 2
      }`,
    );
    expect(again.status).toBe(404);

    const history = await request(server).get(
      `${ACCOUNTS}/zero-trust/history?limit=2`,
    );
    expectSchema('ChecklistHistoryResponse', history.body);
    expect(history.body.hasMore).toBe(true);
    expect(
      history.body.events.map((e: any) => [e.kind, e.old?.expiresAt, e.new]),
    ).toEqual([
      ['exemption', `${expires}T23:59:59.999Z`, null],
      [
        'exemption',
        undefined,
        expect.objectContaining({ justification: expect.any(String) }),
      ],
    ]);
    expect(
      audit.map(a => [a.eventId, a.outcome, (a.successMeta as any)?.action]),
    ).toEqual([
      ['checklist-exemption', 'success', 'grant'],
      ['checklist-exemption', 'fail', undefined],
      ['checklist-exemption', 'success', 'revoke'],
      ['checklist-exemption', 'fail', undefined],
    ]);
  });

  it('are refused to owners who may answer but not exempt', async () => {
    const { server } = await startBackend({
      features: [permissionsDenying('mesh-posture.checklist.exempt')],
    });
    const zt = find(await checklists(server), 'zero-trust');
    const res = await request(server)
      .put(`${ACCOUNTS}/zero-trust/items/default-deny/exemption`)
      .send({
        baseVersion: zt.version,
        justification: 'We would like to skip this',
        expiresAt: '2099-01-01',
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'denied mesh-posture.checklist.exempt',
    );
    const revoke = await request(server).delete(
      `${ACCOUNTS}/zero-trust/items/inbound-mtls/exemption?baseVersion=${zt.version}`,
    );
    expect(revoke.status).toBe(403);
    const answer = await request(server)
      .put(`${ACCOUNTS}/zero-trust/items/policy-as-code/answer`)
      .send({ baseVersion: zt.version, value: 'yes' });
    expect(answer.status).toBe(200);
  });

  it('need an expiry in the future, at most a year away', async () => {
    const { server } = await startBackend();
    const res = await request(server)
      .put(`${ACCOUNTS}/zero-trust/items/default-deny/exemption`)
      .send({ baseVersion: 2, justification: 'x', expiresAt: '2020-01-01' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('expiresAt must be in the future');
  });
});

describe('POST …/attestations', () => {
  it('is refused while items are open, then records the mesh evidence and goes stale on the next change', async () => {
    const { server, audit } = await startBackend();
    const ZT = `${ACCOUNTS}/zero-trust`;
    let view = find(await checklists(server), 'zero-trust');
    const blocked = await request(server)
      .post(`${ZT}/attestations`)
      .send({ baseVersion: view.version });
    expect(blocked.status).toBe(400);
    expect(blocked.body.error.message).toMatch(
      /^Cannot attest "Zero-trust networking" while 3 items are unanswered or must be answered again: "End-user requests/,
    );

    for (const itemId of [
      'end-user-authorization',
      'policy-as-code',
      'short-lived-credentials',
    ]) {
      const res = await request(server)
        .put(`${ZT}/items/${itemId}/answer`)
        .set('Authorization', mockCredentials.user.header(MARTA))
        .send({ baseVersion: view.version, value: 'yes' });
      expect(res.status).toBe(200);
      view = res.body;
    }
    const attested = await request(server)
      .post(`${ZT}/attestations`)
      .set('Authorization', mockCredentials.user.header(MARTA))
      .send({ baseVersion: view.version, comment: 'Quarterly review' });
    expect(attested.status).toBe(201);
    expectSchema('ChecklistView', attested.body);
    const attestation = (attested.body as ChecklistView).attestation!;
    expect(attestation).toMatchObject({
      attestedBy: MARTA,
      templateVersion: zeroTrustTemplate.version,
      version: view.version + 1,
      state: 'current',
      comment: 'Quarterly review',
      outcomes: { 'inbound-mtls': 'exempt', 'policy-as-code': 'met' },
    });
    expect(
      Object.fromEntries(
        attestation.automatic.map(a => [a.itemId, [a.status, a.demo]]),
      ),
    ).toMatchObject({
      'inbound-mtls': ['fail', true],
      'meshed-pods': ['pass', true],
    });
    expect(attestation.automatic.every(a => a.observedAt)).toBe(true);

    const changed = await request(server)
      .put(`${ZT}/items/policy-as-code/answer`)
      .send({
        baseVersion: view.version + 1,
        value: 'partial',
        rationale: 'Two policies still live in the cluster only',
      });
    expect(changed.body.attestation).toMatchObject({
      state: 'stale',
      reasons: [
        {
          code: 'changed-since-attestation',
          message: '1 change since the attestation',
        },
      ],
    });
    expect(audit.map(a => [a.eventId, a.outcome])).toContainEqual([
      'checklist-attestation',
      'success',
    ]);
  });
});

describe('GET …/checklists/export', () => {
  it('gives auditors JSON with the full history, as an attachment', async () => {
    const { server, audit } = await startBackend();
    const res = await request(server).get(
      `${ENTITIES}/payments-api/checklists/export?format=json`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="checklists-component-default-payments-api-\d{4}-\d\d-\d\d\.json"$/,
    );
    expectSchema('ChecklistExport', res.body);
    expect(res.body).toMatchObject({
      format: 'mesh-posture.checklists/v1',
      exportedBy: 'user:default/mock',
      entity: { ref: 'component:default/payments-api', owner: 'payments-team' },
    });
    const tm = res.body.checklists.find(
      (c: any) => c.template.id === 'threat-model',
    );
    expect(tm.history).toHaveLength(13);
    expect(tm.history[0].version).toBe(1);
    // Every item has an evidence id to cite, the same in the next export,
    // and the export's bytes their SHA-256.
    expect(Object.keys(tm.evidenceIds).sort()).toEqual(
      tm.items.map((i: any) => i.itemId).sort(),
    );
    const again = await request(server).get(
      `${ENTITIES}/payments-api/checklists/export?format=json`,
    );
    const manual = tm.items.find((i: any) => i.kind === 'manual').itemId;
    expect(
      again.body.checklists.find((c: any) => c.template.id === 'threat-model')
        .evidenceIds[manual],
    ).toBe(tm.evidenceIds[manual]);
    expect(res.headers['x-mesh-posture-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(res.headers['x-mesh-posture-generated-by']).toBe(
      'user:default/mock',
    );
    expect(tm.attestation.attestedBy).toBe('user:default/jonas.weber');
    expect(audit[0]).toEqual(
      expect.objectContaining({
        eventId: 'checklist-export',
        outcome: 'success',
        successMeta: { outcome: 'accepted', format: 'json' },
      }),
    );
  });

  it('renders Markdown with answers, evidence, mesh evidence and history, escaping what people typed', async () => {
    const { server } = await startBackend();
    const base = find(await checklists(server), 'threat-model').version;
    await request(server)
      .put(`${TM}/items/operations-logged/answer`)
      .send({
        baseVersion: base,
        value: 'partial',
        rationale: 'Only writes | see [here](https://evil.example) <b>',
        evidence: [{ url: 'https://wiki.demo-bank.example/logging_(v2)' }],
      })
      .expect(200);
    const res = await request(server).get(`${ACCOUNTS}/export?format=markdown`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/\.md"$/);
    const md: string = res.text;
    expect(md).toContain(
      '# Compliance checklists of component:default/accounts-service',
    );
    expect(md).toContain('## Threat model');
    expect(md).toContain(
      '  - Rationale: Only writes \\| see \\[here\\](https://evil.example) \\<b\\>',
    );
    expect(md).toContain(
      '  - Evidence: [https://wiki.demo-bank.example/logging\\_(v2)](<https://wiki.demo-bank.example/logging_%28v2%29>)',
    );
    expect(md).toContain('(automatic, posture check `inbound-mtls`: fail)');
    // Each item carries the evidence id the JSON export gives it.
    const json = await request(server).get(`${ACCOUNTS}/export`);
    const ids = json.body.checklists.find(
      (c: any) => c.template.id === 'threat-model',
    ).evidenceIds;
    expect(ids['operations-logged']).toMatch(/^CHK-[0-9A-F]{16}$/);
    expect(md).toMatch(
      new RegExp(
        `- \\*\\*[^\\n]+\\*\\* \`${ids['operations-logged']}\` — Gap: Partially`,
      ),
    );
    expect(md).toContain('| Version | When | Who | Change |');
    expect(md).toMatch(
      /\| 5 \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \| user:default/,
    );
    expect(md).not.toContain('[here](https://evil.example)');
  });

  // What people type into rationales, justifications, comments and evidence
  // titles, as an auditor's Markdown reader would take it: a lone CR is a
  // line ending in CommonMark (spec 0.31, "Line endings").
  const HOSTILE_TEXTS = [
    'see ticket\r\r## Auditor sign-off\r\r1. Reviewed and approved by the QSA',
    'see ticket\n\n## Auditor sign-off\n\n- approved',
    'see ticket\r\n\r\n# Sign-off\r\n| a | b |\r\n| --- | --- |',
    'end of row | forged cell\u2028## LS heading\u2029## PS heading\u0085## NEL',
    '<script>alert(1)</script> <a href="https://evil.example">x</a>',
    '[approved](https://evil.example) ![img](https://evil.example/x.png) <https://evil.example>',
    '**bold** _em_ `code` ~~gone~~ &#10;# entity &lt;b&gt; \\',
    '    indented code\n---\n> quote\n```\nfence',
  ];

  /** Every text people wrote in an export, replaced; how many of each kind. */
  function withTexts(data: any, text: string, url: string) {
    const counts = {
      rationale: 0,
      justification: 0,
      comment: 0,
      title: 0,
      url: 0,
    };
    const walk = (node: any, parent?: string): any => {
      if (Array.isArray(node)) return node.map(n => walk(n, parent));
      if (node === null || typeof node !== 'object') return node;
      const out: any = {};
      for (const [key, value] of Object.entries(node)) {
        if (
          typeof value === 'string' &&
          (key === 'rationale' || key === 'justification' || key === 'comment')
        ) {
          counts[key] += 1;
          out[key] = text;
        } else if (parent === 'evidence' && key === 'title') {
          counts.title += 1;
          out[key] = text;
        } else if (parent === 'evidence' && key === 'url') {
          counts.url += 1;
          out[key] = url;
        } else {
          out[key] = walk(value, key);
        }
      }
      return out;
    };
    return { data: walk(data), counts };
  }

  /** The document's structure: block and inline token types, not their text. */
  function structure(md: string) {
    const shape = (tokens: any[]): string[] =>
      tokens.flatMap(t =>
        t.type === 'inline'
          ? shape(t.children ?? []).filter(c => c !== 'text')
          : [`${t.type}:${t.tag}`],
      );
    return shape(new MarkdownIt().parse(md, {}));
  }

  it.each(HOSTILE_TEXTS.map(t => [JSON.stringify(t).slice(0, 60), t]))(
    'keeps the Markdown structure whatever people typed: %s',
    async (_name, hostile) => {
      const { server } = await startBackend();
      // accounts-service has an exemption; payments-api an attestation with a comment.
      const TEXTS_IN: Record<string, string[]> = {
        'accounts-service': ['rationale', 'title', 'url', 'justification'],
        'payments-api': ['rationale', 'title', 'url', 'comment'],
      };
      for (const entity of Object.keys(TEXTS_IN)) {
        const url = `${ENTITIES}/${entity}/checklists`;
        const base = find(await checklists(server, url), 'threat-model');
        await request(server)
          .put(`${url}/threat-model/items/operations-logged/answer`)
          .send({
            baseVersion: base.version,
            value: 'partial',
            rationale: 'plain',
            evidence: [{ url: 'https://wiki.example/x', title: 'plain' }],
          })
          .expect(200);
        const res = await request(server).get(`${url}/export?format=json`);
        const plain = withTexts(
          res.body,
          'plain words',
          'https://wiki.example/plain',
        );
        // What `new URL` accepts and Markdown reads inside a link or a cell.
        const typed = withTexts(
          res.body,
          hostile,
          'https://wiki.example/a|b`c\\d<e>(f) g|h\\',
        );
        // Every kind of free text is in one of the two exports.
        const present = Object.entries(plain.counts).filter(([, n]) => n > 0);
        expect(present.map(([k]) => k)).toEqual(
          expect.arrayContaining(TEXTS_IN[entity]),
        );
        const expected = renderChecklistExportMarkdown(plain.data);
        const rendered = renderChecklistExportMarkdown(typed.data);
        expect(structure(rendered)).toEqual(structure(expected));
        // The headings are exactly the ones the export writes.
        const headings = new MarkdownIt()
          .parse(rendered, {})
          .filter((_t, i, all) => all[i - 1]?.type === 'heading_open')
          .map(t => t.content);
        expect(headings).toEqual([
          `Compliance checklists of component:default/${entity}`,
          ...res.body.checklists.flatMap((c: any) => [
            c.template.title,
            ...c.template.sections.map((section: any) => section.title),
            'History',
          ]),
        ]);
      }
    },
  );

  it('refuses unknown formats', async () => {
    const { server } = await startBackend();
    const res = await request(server).get(`${ACCOUNTS}/export?format=pdf`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Query parameter "format" must be equal to one of the allowed values: json, markdown',
    );
  });
});

describe('checklist templates from configuration', () => {
  const internal = {
    id: 'internal-standard',
    version: 1,
    title: 'Internal zero-trust standard',
    sections: [
      {
        id: 'transport',
        title: 'Transport',
        items: [
          {
            id: 'future-check',
            kind: 'automatic',
            check: 'egress-locked',
            title: 'Egress is locked down',
          },
          { id: 'owner', kind: 'manual', title: 'An owner approves callers' },
        ],
      },
    ],
  };

  it('serves configured templates with configured defaults; an unreported check is unknown', async () => {
    const { server } = await startBackend({
      config: {
        meshPosture: {
          demo: true,
          checklists: {
            attestationValidity: { days: 90 },
            templates: [internal],
            defaults: [
              {
                kind: 'Component',
                type: 'service',
                templates: ['internal-standard'],
              },
            ],
          },
        },
      },
    });
    const body = await checklists(
      server,
      `${ENTITIES}/notifications/checklists`,
    );
    expectSchema('EntityChecklistsResponse', body);
    expect(body.attestationValidityDays).toBe(90);
    expect(
      body.checklists.map(c => [c.template.id, c.template.source]),
    ).toEqual([['internal-standard', 'config']]);
    expect(item(body.checklists[0], 'future-check')).toMatchObject({
      outcome: 'open',
      automatic: {
        status: 'unknown',
        detail:
          'The mesh posture reports no "egress-locked" check; no data is not a pass',
      },
    });
  });

  it('refuses to start on an invalid template, naming where, which and what', async () => {
    await expect(
      startBackend({
        config: {
          meshPosture: {
            checklists: {
              templates: [
                {
                  ...internal,
                  sections: [
                    {
                      ...internal.sections[0],
                      items: [{ id: 'x', kind: 'robotic', title: 'X' }],
                    },
                  ],
                },
              ],
            },
          },
        },
      }),
    ).rejects.toThrow(
      'meshPosture.checklists.templates[0], template "internal-standard": sections[0].items[0].kind: must be "manual" or "automatic", got "robotic"',
    );
  });
});

describe('auditor events of writes', () => {
  // Marks every piece of text a caller sends; none may reach an event.
  const SENT = 'sesame-7f3a';
  const PAYMENTS = `${ENTITIES}/payments-api/checklists`;
  const future = new Date(Date.now() + 30 * 864e5).toISOString().slice(0, 10);

  type Write = {
    name: string;
    eventId: string;
    /** Sends the write; `base` is the checklist's current version. */
    send: (server: any, base: number) => request.Test;
    url: string;
    template: string;
  };
  const answer =
    (body: (base: number) => object): Write['send'] =>
    (server, base) =>
      request(server)
        .put(`${TM}/items/operations-logged/answer`)
        .set('Authorization', mockCredentials.user.header(MARTA))
        .send(body(base));
  const cases: Array<Write & { status: number; outcome?: string }> = [
    {
      name: 'an accepted answer',
      eventId: 'checklist-answer',
      url: ACCOUNTS,
      template: 'threat-model',
      status: 200,
      send: answer(base => ({
        baseVersion: base,
        value: 'partial',
        rationale: `writes only ${SENT}`,
        evidence: [{ url: `https://wiki.example/${SENT}`, title: SENT }],
      })),
    },
    {
      name: 'an invalid answer',
      eventId: 'checklist-answer',
      url: ACCOUNTS,
      template: 'threat-model',
      status: 400,
      outcome: 'invalid',
      send: answer(base => ({
        baseVersion: base,
        value: SENT,
        rationale: SENT.repeat(1000),
        [SENT]: SENT,
        evidence: [{ url: `ftp://${SENT}.example`, title: SENT }],
      })),
    },
    {
      name: 'a stale answer',
      eventId: 'checklist-answer',
      url: ACCOUNTS,
      template: 'threat-model',
      status: 409,
      outcome: 'conflict',
      send: answer(base => ({
        baseVersion: base - 1,
        value: 'no',
        rationale: SENT,
      })),
    },
    {
      name: 'an answer with free text in the query',
      eventId: 'checklist-answer',
      url: ACCOUNTS,
      template: 'threat-model',
      status: 400,
      outcome: 'invalid',
      send: (server, base) =>
        request(server)
          .put(`${TM}/items/operations-logged/answer?note=${SENT}`)
          .set('Authorization', mockCredentials.user.header(MARTA))
          .send({ baseVersion: base, value: 'yes' }),
    },
    {
      name: 'an accepted exemption',
      eventId: 'checklist-exemption',
      url: ACCOUNTS,
      template: 'zero-trust',
      status: 200,
      send: (server, base) =>
        request(server)
          .put(`${ACCOUNTS}/zero-trust/items/default-deny/exemption`)
          .set('Authorization', mockCredentials.user.header(LI))
          .send({ baseVersion: base, justification: SENT, expiresAt: future }),
    },
    {
      name: 'an invalid exemption',
      eventId: 'checklist-exemption',
      url: ACCOUNTS,
      template: 'zero-trust',
      status: 400,
      outcome: 'invalid',
      send: (server, base) =>
        request(server)
          .put(`${ACCOUNTS}/zero-trust/items/default-deny/exemption`)
          .set('Authorization', mockCredentials.user.header(LI))
          .send({ baseVersion: base, justification: SENT, expiresAt: SENT }),
    },
    {
      name: 'a stale exemption',
      eventId: 'checklist-exemption',
      url: ACCOUNTS,
      template: 'zero-trust',
      status: 409,
      outcome: 'conflict',
      send: (server, base) =>
        request(server)
          .put(`${ACCOUNTS}/zero-trust/items/default-deny/exemption`)
          .set('Authorization', mockCredentials.user.header(LI))
          .send({
            baseVersion: base - 1,
            justification: SENT,
            expiresAt: future,
          }),
    },
    {
      name: 'an accepted revocation',
      eventId: 'checklist-exemption',
      url: ACCOUNTS,
      template: 'zero-trust',
      status: 200,
      send: (server, base) =>
        request(server)
          .delete(
            `${ACCOUNTS}/zero-trust/items/inbound-mtls/exemption?baseVersion=${base}`,
          )
          .set('Authorization', mockCredentials.user.header(LI)),
    },
    {
      name: 'an answer over 100 kB',
      eventId: 'checklist-answer',
      url: ACCOUNTS,
      template: 'threat-model',
      status: 413,
      outcome: 'invalid',
      send: answer(base => ({
        baseVersion: base,
        value: 'no',
        rationale: SENT.repeat(20_000),
      })),
    },
    {
      name: 'an answer that is not JSON',
      eventId: 'checklist-answer',
      url: ACCOUNTS,
      template: 'threat-model',
      status: 400,
      outcome: 'invalid',
      send: (server, base) =>
        request(server)
          .put(`${TM}/items/operations-logged/answer`)
          .set('Authorization', mockCredentials.user.header(MARTA))
          .set('Content-Type', 'application/json')
          .send(`{"baseVersion": ${base}, "rationale": "${SENT}`),
    },
    {
      name: 'a stale revocation',
      eventId: 'checklist-exemption',
      url: ACCOUNTS,
      template: 'zero-trust',
      status: 409,
      outcome: 'conflict',
      send: (server, base) =>
        request(server)
          .delete(
            `${ACCOUNTS}/zero-trust/items/inbound-mtls/exemption?baseVersion=${
              base - 1
            }`,
          )
          .set('Authorization', mockCredentials.user.header(LI)),
    },
    {
      name: 'an invalid revocation',
      eventId: 'checklist-exemption',
      url: ACCOUNTS,
      template: 'zero-trust',
      status: 400,
      outcome: 'invalid',
      send: server =>
        request(server)
          .delete(
            `${ACCOUNTS}/zero-trust/items/inbound-mtls/exemption?baseVersion=${SENT}`,
          )
          .set('Authorization', mockCredentials.user.header(LI)),
    },
    {
      name: 'an accepted attestation',
      eventId: 'checklist-attestation',
      url: PAYMENTS,
      template: 'threat-model',
      status: 201,
      send: (server, base) =>
        request(server)
          .post(`${PAYMENTS}/threat-model/attestations`)
          .set('Authorization', mockCredentials.user.header(MARTA))
          .send({ baseVersion: base, comment: SENT }),
    },
    {
      name: 'a stale attestation',
      eventId: 'checklist-attestation',
      url: PAYMENTS,
      template: 'threat-model',
      status: 409,
      outcome: 'conflict',
      send: (server, base) =>
        request(server)
          .post(`${PAYMENTS}/threat-model/attestations`)
          .set('Authorization', mockCredentials.user.header(MARTA))
          .send({ baseVersion: base - 1, comment: SENT }),
    },
    {
      name: 'an invalid attestation',
      eventId: 'checklist-attestation',
      url: PAYMENTS,
      template: 'threat-model',
      status: 400,
      outcome: 'invalid',
      send: (server, base) =>
        request(server)
          .post(`${PAYMENTS}/threat-model/attestations`)
          .set('Authorization', mockCredentials.user.header(MARTA))
          .send({ baseVersion: base, comment: SENT.repeat(500) }),
    },
  ];

  it.each(cases.map(c => [c.name, c]))(
    'records %s with ids, versions and the outcome, never the text sent',
    async (_name, c) => {
      const { server, audit } = await startBackend();
      const base = find(await checklists(server, c.url), c.template).version;
      const res = await c.send(server, base);
      expect(res.status).toBe(c.status);
      expect(audit).toHaveLength(1);
      const [event] = audit;
      expect(event.eventId).toBe(c.eventId);
      expect(event.outcome).toBe(c.outcome ? 'fail' : 'success');
      expect(
        ((event.failMeta ?? event.successMeta) as { outcome: string }).outcome,
      ).toBe(c.outcome ?? 'accepted');
      expect(event.logged.join('\n')).not.toContain(SENT);
      // What a 409 carries in its body (the checklist as it stands, with
      // its rationales) is not in the event either.
      expect(event.logged.join('\n').length).toBeLessThan(2000);
    },
  );

  const named = (name: string) => cases.find(c => c.name === name)!;
  it.each([
    ['mesh-posture.checklist.update', named('an accepted answer')],
    ['mesh-posture.checklist.exempt', named('an accepted exemption')],
    ['mesh-posture.checklist.exempt', named('an accepted revocation')],
    ['mesh-posture.checklist.update', named('an accepted attestation')],
  ] as const)(
    'records a write the policy denies (%s) without the text sent',
    async (permission, c) => {
      const { server, audit } = await startBackend({
        features: [permissionsDenying(permission)],
      });
      const base = find(await checklists(server, c.url), c.template).version;
      const res = await c.send(server, base);
      expect(res.status).toBe(403);
      expect(audit).toHaveLength(1);
      expect(audit[0].failMeta).toMatchObject({ outcome: 'denied' });
      expect(audit[0].logged.join('\n')).not.toContain(SENT);
    },
  );

  it('records the versions of a refused stale write', async () => {
    const { server, audit } = await startBackend();
    const base = find(await checklists(server), 'threat-model').version;
    const res = await named('a stale answer').send(server, base);
    expect(res.status).toBe(409);
    expect(audit[0].failMeta).toEqual({
      outcome: 'conflict',
      baseVersion: base - 1,
      currentVersion: base,
    });
    expect(audit[0].meta).toEqual({
      entityRef: 'component:default/accounts-service',
      templateId: 'threat-model',
      itemId: 'operations-logged',
    });
  });
});

const databases = TestDatabases.create({ ids: testDatabaseIds() });

describe.each(databases.eachSupportedId())(
  'the checklist API on %s',
  databaseId => {
    it('seeds, answers, refuses a stale write with 409, exempts and attests, keeping every change', async () => {
      const knex = await databases.init(databaseId);
      const { server } = await startBackend({
        features: [mockServices.database.factory({ knex })],
      });
      const ZT = `${ACCOUNTS}/zero-trust`;
      let view = find(await checklists(server), 'zero-trust');
      expect(view.version).toBe(2);

      const answered = await request(server)
        .put(`${ZT}/items/policy-as-code/answer`)
        .set('Authorization', mockCredentials.user.header(MARTA))
        .send({ baseVersion: view.version, value: 'yes' });
      expect(answered.status).toBe(200);
      const stale = await request(server)
        .put(`${ZT}/items/policy-as-code/answer`)
        .send({ baseVersion: view.version, value: 'no', rationale: 'x' });
      expect(stale.status).toBe(409);
      expect(stale.body.current.version).toBe(view.version + 1);
      view = stale.body.current;

      for (const itemId of [
        'end-user-authorization',
        'short-lived-credentials',
      ]) {
        const res = await request(server)
          .put(`${ZT}/items/${itemId}/answer`)
          .set('Authorization', mockCredentials.user.header(MARTA))
          .send({
            baseVersion: view.version,
            value: 'not-applicable',
            rationale: 'No end users; batch only',
          });
        expect(res.status).toBe(200);
        view = res.body;
      }
      const exempted = await request(server)
        .put(`${ZT}/items/default-deny/exemption`)
        .set('Authorization', mockCredentials.user.header(LI))
        .send({
          baseVersion: view.version,
          justification: 'Server resources land next sprint',
          expiresAt: new Date(Date.now() + 7 * 864e5).toISOString(),
        });
      expect(exempted.status).toBe(200);
      const attested = await request(server)
        .post(`${ZT}/attestations`)
        .set('Authorization', mockCredentials.user.header(MARTA))
        .send({ baseVersion: exempted.body.version });
      expect(attested.status).toBe(201);
      expectSchema('ChecklistView', attested.body);
      expect(attested.body.attestation.outcomes['default-deny']).toBe('exempt');

      const history = await request(server).get(`${ZT}/history`);
      expectSchema('ChecklistHistoryResponse', history.body);
      expect(
        history.body.events.map(
          (e: any) => `${e.version} ${e.kind} ${e.actor}`,
        ),
      ).toEqual([
        `7 attestation ${MARTA}`,
        `6 exemption ${LI}`,
        `5 answer ${MARTA}`,
        `4 answer ${MARTA}`,
        `3 answer ${MARTA}`,
        '2 answer user:default/marta.kowalska',
        '1 exemption user:default/li.chen',
      ]);
      const rows = await knex('mesh_posture_checklist_events')
        .where({ entity_ref: 'component:default/accounts-service' })
        .where({ template_id: 'zero-trust' });
      expect(rows).toHaveLength(7);
    });
  },
);

describe('a new version of a configured template', () => {
  const v1 = {
    id: 'internal-standard',
    version: 1,
    title: 'Internal standard',
    sections: [
      {
        id: 'main',
        title: 'Main',
        items: [
          { id: 'kept', kind: 'manual', title: 'Callers are approved' },
          { id: 'reworded', kind: 'manual', title: 'Logs are kept' },
        ],
      },
    ],
  };
  const v2 = {
    ...v1,
    version: 2,
    sections: [
      {
        ...v1.sections[0],
        items: [
          v1.sections[0].items[0],
          {
            id: 'reworded',
            kind: 'manual',
            title: 'Logs are kept for 12 months',
          },
        ],
      },
    ],
  };
  const withTemplate = (template: object) => ({
    meshPosture: {
      demo: true,
      checklists: {
        templates: [template],
        defaults: [{ kind: 'Component', templates: ['internal-standard'] }],
      },
    },
  });

  it('carries answers to unchanged items over, flags changed ones, and refuses changed content under an old version', async () => {
    const knex = await databases.init('SQLITE_3');
    const database = mockServices.database.factory({ knex });
    const url = `${ENTITIES}/notifications/checklists`;

    const first = await startBackend({
      config: withTemplate(v1),
      features: [database],
    });
    let version = 0;
    for (const itemId of ['kept', 'reworded']) {
      const res = await request(first.server)
        .put(`${url}/internal-standard/items/${itemId}/answer`)
        .send({ baseVersion: version, value: 'yes' });
      expect(res.status).toBe(200);
      version = res.body.version;
    }
    const attested = await request(first.server)
      .post(`${url}/internal-standard/attestations`)
      .send({ baseVersion: version });
    expect(attested.status).toBe(201);

    const second = await startBackend({
      config: withTemplate(v2),
      features: [database],
    });
    const view = find(
      await checklists(second.server, url),
      'internal-standard',
    );
    expect(view.template.version).toBe(2);
    expect(item(view, 'kept')).toMatchObject({
      outcome: 'met',
      needsReanswer: false,
    });
    expect(item(view, 'reworded')).toMatchObject({
      outcome: 'open',
      needsReanswer: true,
      answer: { value: 'yes', templateVersion: 1 },
    });
    expect(view.attestation?.reasons.map(r => r.code)).toEqual([
      'template-changed',
    ]);
    // The export shows auditors the wording that was attested.
    const exported = await request(second.server).get(`${url}/export`);
    expectSchema('ChecklistExport', exported.body);
    expect(
      exported.body.checklists[0].attestedTemplate.sections[0].items[1].title,
    ).toBe('Logs are kept');

    await expect(
      startBackend({
        config: withTemplate({ ...v2, title: 'Renamed, same version' }),
        features: [database],
      }),
    ).rejects.toThrow(
      /Checklist template "internal-standard" version 2 differs from the version 2 recorded on .*: raise its version/,
    );
  });
});
