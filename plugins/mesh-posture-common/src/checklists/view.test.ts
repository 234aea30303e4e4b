import { assessPosture, PostureFacts } from '../posture/assessPosture';
import type {
  CertificateStatus,
  SourceReport,
  TrafficObservation,
  WorkloadRef,
} from '../types';
import { describeChecklistTemplate } from './diff';
import type {
  ChecklistAttestationRecord,
  ChecklistEvent,
  ChecklistTemplate,
} from './types';
import {
  buildChecklistView,
  checklistAttestationBlockers,
  checklistPostureInput,
  evaluateAutomaticItem,
  foldChecklistEvents,
} from './view';
import { zeroTrustTemplate } from './templates';

const DAY = 24 * 3600_000;
const now = new Date('2026-12-01T12:00:00Z');
const ago = (days: number) =>
  new Date(now.getTime() - days * DAY).toISOString();

const accounts: WorkloadRef = {
  cluster: 'prod-eu-west',
  namespace: 'open-banking',
  kind: 'Deployment',
  name: 'accounts-service',
};

const ok = (role: SourceReport['role']): SourceReport => ({
  role,
  cluster: 'prod-eu-west',
  status: 'ok',
  demo: false,
  durationMs: 5,
});

function anchor(days: number): CertificateStatus {
  return {
    cluster: 'prod-eu-west',
    mesh: 'linkerd',
    role: 'trust-anchor',
    subject: 'root.linkerd.cluster.local',
    location: 'ConfigMap linkerd/linkerd-identity-trust-roots',
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: new Date(now.getTime() + days * DAY).toISOString(),
    daysToExpiry: days,
  };
}

function inbound(mtls: boolean, rps: number): TrafficObservation {
  return {
    workload: accounts,
    direction: 'inbound',
    peer: mtls
      ? {
          namespace: 'web',
          workload: 'web-frontend',
          identity:
            'web-frontend.web.serviceaccount.identity.linkerd.cluster.local',
        }
      : {},
    mtls,
    ...(mtls ? {} : { noTlsReason: 'no_tls_from_remote' }),
    requestsPerSecond: rps,
  };
}

function posture(overrides: Partial<PostureFacts> = {}) {
  return checklistPostureInput(
    assessPosture({
      entityRef: 'component:default/accounts-service',
      window: '5m',
      generatedAt: now,
      workloads: [
        {
          workload: accounts,
          mesh: 'linkerd',
          totalPods: 2,
          meshedPods: 2,
          readyPods: 2,
          dataPlane: 'sidecar',
          proxyVersions: ['edge-26.10.2'],
        },
      ],
      traffic: [inbound(true, 10)],
      certificates: [anchor(200)],
      authorization: [],
      admittedIdentities: [],
      deniedCallers: [],
      callerWindow: '7d',
      gaps: [],
      sources: [ok('kubernetes'), ok('prometheus')],
      ...overrides,
    }),
  );
}

const healthy = posture();
const plaintextCaller = posture({
  traffic: [inbound(true, 9), inbound(false, 1)],
});

const template: ChecklistTemplate = {
  id: 'std',
  version: 1,
  title: 'Standard',
  sections: [
    {
      id: 'transport',
      title: 'Transport',
      items: [
        {
          id: 'in',
          kind: 'automatic',
          check: 'inbound-mtls',
          title: 'Inbound mTLS',
        },
        {
          id: 'deny',
          kind: 'automatic',
          check: 'egress-locked',
          title: 'Egress is locked down',
        },
        {
          id: 'certs',
          kind: 'automatic',
          check: 'certificates',
          title: 'Certificates',
        },
      ],
    },
    {
      id: 'people',
      title: 'People',
      items: [
        { id: 'model', kind: 'manual', title: 'The service is modelled' },
        {
          id: 'boundaries',
          kind: 'manual',
          title: 'Trust boundaries are mapped',
        },
        { id: 'logs', kind: 'manual', title: 'Logs hold no secrets' },
      ],
    },
  ],
};
const info = describeChecklistTemplate(template, 'built-in');
const options = { now, attestationValidityMs: 180 * DAY };

let version = 0;
function answer(
  itemId: string,
  value: 'yes' | 'no' | 'partial' | 'not-applicable',
  at: string,
  fingerprint = info.itemFingerprints[itemId],
): ChecklistEvent {
  version++;
  return {
    version,
    templateId: 'std',
    templateVersion: 1,
    kind: 'answer',
    itemId,
    actor: 'user:default/marta.kowalska',
    createdAt: at,
    old: null,
    new: {
      value,
      evidence: [],
      itemFingerprint: fingerprint,
      ...(value === 'yes' ? {} : { rationale: 'because' }),
    },
  };
}

beforeEach(() => {
  version = 0;
});

describe('evaluateAutomaticItem', () => {
  const item = (check: string) =>
    ({ id: 'x', kind: 'automatic', check, title: 'x' } as const);

  it("takes the bound check's status and words, with when and over which window", () => {
    expect(evaluateAutomaticItem(item('inbound-mtls'), healthy)).toEqual({
      check: 'inbound-mtls',
      status: 'pass',
      detail: '100% of 10.0 req/s inbound over mTLS',
      observedAt: '2026-12-01T12:00:00.000Z',
      window: '5m',
      demo: false,
    });
    expect(
      evaluateAutomaticItem(item('inbound-mtls'), plaintextCaller),
    ).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(
        'plaintext from an unidentified client (no_tls_from_remote)',
      ),
    });
    expect(
      evaluateAutomaticItem(
        item('certificates'),
        posture({ certificates: [anchor(20)] }),
      ),
    ).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('expires in 20 days'),
    });
  });

  it('is unknown, never a pass, when the check is missing or there is no posture', () => {
    expect(evaluateAutomaticItem(item('egress-locked'), healthy)).toMatchObject(
      {
        status: 'unknown',
        detail:
          'The mesh posture reports no "egress-locked" check; no data is not a pass',
        observedAt: '2026-12-01T12:00:00.000Z',
      },
    );
    expect(
      evaluateAutomaticItem(item('inbound-mtls'), {
        available: false,
        reason: 'the entity has no workload annotation',
      }),
    ).toEqual({
      check: 'inbound-mtls',
      status: 'unknown',
      detail: 'No mesh data: the entity has no workload annotation',
      demo: false,
    });
    // A source that failed makes the check itself unknown.
    const down = posture({
      sources: [ok('kubernetes'), { ...ok('prometheus'), status: 'timeout' }],
      traffic: [],
    });
    expect(evaluateAutomaticItem(item('inbound-mtls'), down)).toMatchObject({
      status: 'unknown',
      detail: 'traffic could not be read',
    });
  });
});

describe('foldChecklistEvents', () => {
  it('keeps the latest answer per item and the latest attestation, in version order', () => {
    const events = [
      answer('model', 'no', ago(10)),
      answer('model', 'yes', ago(5)),
      answer('logs', 'partial', ago(4)),
    ];
    const record = foldChecklistEvents([...events].reverse());
    expect(record.version).toBe(3);
    expect(record.answers.model).toMatchObject({
      value: 'yes',
      answeredBy: 'user:default/marta.kowalska',
      answeredAt: ago(5),
      templateVersion: 1,
    });
    expect(record.answers.logs.value).toBe('partial');
    expect(record.updatedAt).toBe(ago(4));
    expect(foldChecklistEvents([])).toEqual({
      version: 0,
      answers: {},
      exemptions: {},
    });
  });

  it('drops a revoked exemption', () => {
    const grant: ChecklistEvent = {
      version: 1,
      templateId: 'std',
      templateVersion: 1,
      kind: 'exemption',
      itemId: 'in',
      actor: 'user:default/li.chen',
      createdAt: ago(3),
      old: null,
      new: {
        justification: 'meshing notifications in Q1',
        expiresAt: ago(-30),
      },
    };
    expect(foldChecklistEvents([grant]).exemptions.in).toEqual({
      justification: 'meshing notifications in Q1',
      expiresAt: ago(-30),
      approvedBy: 'user:default/li.chen',
      approvedAt: ago(3),
      templateVersion: 1,
    });
    const revoke: ChecklistEvent = {
      ...grant,
      version: 2,
      old: grant.new,
      new: null,
    };
    expect(foldChecklistEvents([grant, revoke]).exemptions).toEqual({});
  });
});

describe('buildChecklistView', () => {
  it('judges automatic items live and counts progress; no data is open, not met', () => {
    const record = foldChecklistEvents([
      answer('model', 'yes', ago(2)),
      answer('boundaries', 'partial', ago(1)),
    ]);
    const view = buildChecklistView(info, record, plaintextCaller, options);
    expect(view.items.map(i => [i.itemId, i.sectionId, i.outcome])).toEqual([
      ['in', 'transport', 'gap'],
      ['deny', 'transport', 'open'],
      ['certs', 'transport', 'met'],
      ['model', 'people', 'met'],
      ['boundaries', 'people', 'gap'],
      ['logs', 'people', 'open'],
    ]);
    expect(view.progress).toEqual({
      total: 6,
      answered: 4,
      met: 2,
      gaps: 2,
      open: 2,
      exempt: 0,
      needsReanswer: 0,
    });
    expect(view.version).toBe(2);
    expect(view.attestation).toBeUndefined();
    expect(checklistAttestationBlockers(view)).toEqual(['logs']);
  });

  it('carries answers to unchanged items into a new template version and flags changed ones', () => {
    const record = foldChecklistEvents([
      answer('model', 'yes', ago(30)),
      answer('boundaries', 'yes', ago(30)),
    ]);
    const v2 = describeChecklistTemplate(
      {
        ...template,
        version: 2,
        sections: [
          template.sections[0],
          {
            ...template.sections[1],
            items: [
              template.sections[1].items[0],
              {
                id: 'boundaries',
                kind: 'manual',
                title: 'Trust boundaries are mapped to authn and authz',
              },
              template.sections[1].items[2],
            ],
          },
        ],
      },
      'config',
    );
    const view = buildChecklistView(v2, record, healthy, options);
    const model = view.items.find(i => i.itemId === 'model')!;
    const boundaries = view.items.find(i => i.itemId === 'boundaries')!;
    expect(model).toMatchObject({ outcome: 'met', needsReanswer: false });
    expect(boundaries).toMatchObject({
      outcome: 'open',
      needsReanswer: true,
      answer: { value: 'yes', templateVersion: 1 },
    });
    expect(view.progress.needsReanswer).toBe(1);
    expect(checklistAttestationBlockers(view)).toEqual(['boundaries', 'logs']);
  });

  it('lets an active exemption win and an expired one lapse', () => {
    const exempt = (
      itemId: string,
      expiresAt: string,
      v: number,
    ): ChecklistEvent => ({
      version: v,
      templateId: 'std',
      templateVersion: 1,
      kind: 'exemption',
      itemId,
      actor: 'user:default/li.chen',
      createdAt: ago(40),
      old: null,
      new: { justification: 'accepted risk', expiresAt },
    });
    const record = foldChecklistEvents([
      exempt('in', ago(-10), 1),
      exempt('logs', ago(1), 2),
    ]);
    const view = buildChecklistView(info, record, plaintextCaller, options);
    const inboundItem = view.items.find(i => i.itemId === 'in')!;
    expect(inboundItem.outcome).toBe('exempt');
    expect(inboundItem.automatic?.status).toBe('fail');
    expect(inboundItem.exemption).toMatchObject({
      active: true,
      expiresInDays: 10,
    });
    const logs = view.items.find(i => i.itemId === 'logs')!;
    expect(logs.outcome).toBe('open');
    expect(logs.exemption).toMatchObject({ active: false, expiresInDays: -1 });
    expect(view.progress.exempt).toBe(1);
    expect(checklistAttestationBlockers(view)).toEqual([
      'model',
      'boundaries',
      'logs',
    ]);
  });
});

describe('attestation staleness', () => {
  function attested(
    at: string,
    automatic: ChecklistAttestationRecord['automatic'],
    outcomes: ChecklistAttestationRecord['outcomes'] = {},
    templateVersion = 1,
  ): ChecklistEvent {
    version++;
    return {
      version,
      templateId: 'std',
      templateVersion,
      kind: 'attestation',
      actor: 'user:default/pieter.dejong',
      createdAt: at,
      old: null,
      new: {
        templateFingerprint: info.fingerprint,
        automatic,
        outcomes,
        progress: {
          total: 6,
          answered: 6,
          met: 6,
          gaps: 0,
          open: 0,
          exempt: 0,
          needsReanswer: 0,
        },
      },
    };
  }
  const recorded = (
    itemId: string,
    check: string,
    status: 'pass' | 'fail' | 'unknown',
  ) => ({
    itemId,
    check,
    status,
    detail: 'as attested',
    demo: false,
  });

  it('is current while nothing moved, expiring near the end of its validity', () => {
    const automatic = [
      recorded('in', 'inbound-mtls', 'pass'),
      recorded('deny', 'egress-locked', 'unknown'),
      recorded('certs', 'certificates', 'pass'),
    ];
    const fresh = buildChecklistView(
      info,
      foldChecklistEvents([
        answer('model', 'yes', ago(11)),
        attested(ago(10), automatic),
      ]),
      healthy,
      options,
    );
    expect(fresh.attestation).toMatchObject({
      state: 'current',
      reasons: [],
      attestedBy: 'user:default/pieter.dejong',
      version: 2,
      validUntil: new Date(now.getTime() + 170 * DAY).toISOString(),
    });
    version = 0;
    const old = buildChecklistView(
      info,
      foldChecklistEvents([attested(ago(160), automatic)]),
      healthy,
      options,
    );
    expect(old.attestation?.state).toBe('expiring');
  });

  it('goes stale after its validity, when an automatic item flips, on new answers and template versions', () => {
    const automatic = [
      recorded('in', 'inbound-mtls', 'pass'),
      recorded('deny', 'egress-locked', 'unknown'),
      recorded('certs', 'certificates', 'pass'),
    ];
    const view = buildChecklistView(
      { ...info, version: 2 },
      foldChecklistEvents([
        attested(ago(200), automatic),
        answer('logs', 'no', ago(100)),
      ]),
      plaintextCaller,
      options,
    );
    expect(view.attestation?.state).toBe('stale');
    expect(view.attestation?.reasons).toEqual([
      {
        code: 'expired',
        message: 'Attested 200 days ago; attestations hold for 180 days',
      },
      {
        code: 'template-changed',
        message:
          'The template changed from version 1 to 2 since the attestation',
      },
      {
        code: 'changed-since-attestation',
        message: '1 change since the attestation',
      },
      {
        code: 'automatic-item-changed',
        itemId: 'in',
        message: '"Inbound mTLS" is now failing (passing when attested)',
      },
    ]);
  });

  it('goes stale when an automatic item loses its data, and when an exemption it relied on expires', () => {
    const exemption: ChecklistEvent = {
      version: 1,
      templateId: 'std',
      templateVersion: 1,
      kind: 'exemption',
      itemId: 'logs',
      actor: 'user:default/li.chen',
      createdAt: ago(20),
      old: null,
      new: { justification: 'legacy logger replaced in Q1', expiresAt: ago(2) },
    };
    version = 1;
    const view = buildChecklistView(
      info,
      foldChecklistEvents([
        exemption,
        attested(ago(10), [recorded('in', 'inbound-mtls', 'pass')], {
          logs: 'exempt',
        }),
      ]),
      { available: false, reason: 'Prometheus is down' },
      options,
    );
    expect(view.attestation?.reasons.map(r => r.code)).toEqual([
      'automatic-item-changed',
      'exemption-expired',
    ]);
    expect(view.attestation?.reasons[1].message).toBe(
      `The exemption of "Logs hold no secrets" expired on ${
        ago(2).split('T')[0]
      }`,
    );
  });

  it('works on a real template', () => {
    const view = buildChecklistView(
      describeChecklistTemplate(zeroTrustTemplate, 'built-in'),
      foldChecklistEvents([]),
      healthy,
      options,
    );
    const statuses = Object.fromEntries(
      view.items
        .filter(i => i.automatic)
        .map(i => [i.itemId, i.automatic!.status]),
    );
    expect(statuses).toMatchObject({
      'inbound-mtls': 'pass',
      'outbound-mtls': 'unknown',
      'meshed-pods': 'pass',
      certificates: 'pass',
    });
    // These facts hold no authorization data: never a pass.
    expect(statuses['default-deny']).not.toBe('pass');
    expect(statuses['no-over-grants']).not.toBe('pass');
    expect(
      view.items
        .filter(i => i.automatic && i.automatic.status === 'unknown')
        .every(i => i.outcome === 'open'),
    ).toBe(true);
  });
});
