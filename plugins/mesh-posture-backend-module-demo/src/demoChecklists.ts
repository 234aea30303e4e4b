import type { Entity } from '@backstage/catalog-model';
import {
  buildChecklistView,
  ChecklistAnswerValue,
  checklistAttestationBlockers,
  ChecklistEvent,
  ChecklistPostureInput,
  foldChecklistEvents,
  ChecklistTemplateInfo,
  EvidenceLink,
  PCI_DSS_V4_TEMPLATE_ID,
  THREAT_MODEL_TEMPLATE_ID,
  ZERO_TRUST_TEMPLATE_ID,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  ChecklistSeed,
  ChecklistSeedContext,
  ChecklistSeedEvent,
} from '@mesh-posture/plugin-mesh-posture-node';

/*
 * Partly filled checklists for the demo catalog (examples/), attributed to
 * its people (examples/org.yaml), written once when the database has no
 * checklist yet. Times are relative to startup. An attestation records the
 * mesh's evidence for automatic items: a backdated one records what the
 * demo's clusters showed at that instant (the backend reads the simulated
 * past, as it does for the scorecard history), and where the backend
 * cannot read that past it is not written at all.
 */

const DAY = 864e5;

const ana = 'user:default/ana.silva';
const jonas = 'user:default/jonas.weber';
const marta = 'user:default/marta.kowalska';
const pieter = 'user:default/pieter.dejong';
const li = 'user:default/li.chen';
const sofia = 'user:default/sofia.rossi';

const wiki = (page: string, title: string): EvidenceLink => ({
  url: `https://wiki.demo-bank.example/${page}`,
  title,
});
const ticket = (id: string): EvidenceLink => ({
  url: `https://jira.demo-bank.example/browse/${id}`,
  title: id,
});

/**
 * One change in a demo checklist's past: an answer, an exemption or an
 * attestation, so many days ago.
 * @public
 */
export type Step =
  | {
      daysAgo: number;
      actor: string;
      answer: string;
      value: ChecklistAnswerValue;
      rationale?: string;
      evidence?: EvidenceLink[];
    }
  | {
      daysAgo: number;
      actor: string;
      exempt: string;
      justification: string;
      expiresInDays: number;
    }
  | { daysAgo: number; actor: string; attest: true; comment?: string };

/**
 * A demo checklist: its entity, template and the changes it went through.
 * @public
 */
export interface SeedChecklist {
  entityRef: string;
  templateId: string;
  steps: Step[];
}

const allYes = (
  ids: string[],
  daysAgo: number,
  actor: string,
  evidence: EvidenceLink[],
): Step[] =>
  ids.map((id, i) => ({
    daysAgo: daysAgo - i * 0.01,
    actor,
    answer: id,
    value: 'yes' as const,
    evidence,
  }));

const THREAT_MODEL_QUESTIONS = [
  'what-are-we-building',
  'what-can-go-wrong',
  'what-are-we-doing',
];
const THREAT_MODEL_CHECKLIST = [
  'authn-non-repudiation',
  'authz-every-operation',
  'role-based-access',
  'request-time-decisions',
  'trust-boundaries',
  'operations-logged',
  'no-sensitive-data-in-logs',
  'audit-logs-tagged',
];

/**
 * The demo's checklists. Exported for the test that checks them against the catalog.
 * @public
 */
export const DEMO_CHECKLISTS: SeedChecklist[] = [
  {
    entityRef: 'component:default/accounts-service',
    templateId: THREAT_MODEL_TEMPLATE_ID,
    steps: [
      {
        daysAgo: 21,
        actor: marta,
        answer: 'what-are-we-building',
        value: 'yes',
        evidence: [
          wiki('open-banking/accounts-service/threat-model', 'Threat model'),
        ],
      },
      {
        daysAgo: 20,
        actor: marta,
        answer: 'what-can-go-wrong',
        value: 'partial',
        rationale:
          'STRIDE done for the public accounts API; the callback from notifications is not modelled yet.',
      },
      {
        daysAgo: 14,
        actor: pieter,
        answer: 'trust-boundaries',
        value: 'no',
        rationale:
          'The notifications callback crosses from the messaging namespace in plaintext (the mesh shows it); to be mapped once notifications is meshed.',
        evidence: [ticket('OB-231')],
      },
      {
        daysAgo: 9,
        actor: pieter,
        answer: 'what-can-go-wrong',
        value: 'yes',
        rationale: 'Notifications callback added to the model.',
        evidence: [
          wiki('open-banking/accounts-service/threat-model', 'Threat model'),
        ],
      },
    ],
  },
  {
    entityRef: 'component:default/accounts-service',
    templateId: ZERO_TRUST_TEMPLATE_ID,
    steps: [
      {
        daysAgo: 12,
        actor: li,
        exempt: 'inbound-mtls',
        justification:
          'The only plaintext caller is the notifications callback; the messaging namespace is meshed in the January change window.',
        expiresInDays: 45,
      },
      {
        daysAgo: 10,
        actor: marta,
        answer: 'no-network-allowlists',
        value: 'yes',
        evidence: [wiki('open-banking/authorization', 'Authorization design')],
      },
    ],
  },
  {
    entityRef: 'component:default/payments-api',
    templateId: THREAT_MODEL_TEMPLATE_ID,
    steps: [
      ...allYes(
        [...THREAT_MODEL_QUESTIONS, ...THREAT_MODEL_CHECKLIST],
        40,
        ana,
        [wiki('payments/payments-api/threat-model', 'Threat model 2026')],
      ),
      {
        daysAgo: 26,
        actor: ana,
        answer: 'did-we-do-a-good-job',
        value: 'partial',
        rationale:
          'Reviewed with the platform team; the external review is booked for Q1.',
        evidence: [ticket('PAY-118')],
      },
      {
        daysAgo: 20,
        actor: jonas,
        attest: true,
        comment: 'Reviewed in the payments architecture forum.',
      },
    ],
  },
  {
    entityRef: 'component:default/payments-api',
    templateId: PCI_DSS_V4_TEMPLATE_ID,
    steps: [
      {
        daysAgo: 15,
        actor: ana,
        answer: 'req-4-edge-tls',
        value: 'yes',
        rationale:
          'TLS 1.2+ only at the ingress; tested quarterly by ASV scans.',
        evidence: [wiki('payments/ingress-tls', 'Ingress TLS settings')],
      },
    ],
  },
  {
    entityRef: 'component:default/ledger',
    templateId: THREAT_MODEL_TEMPLATE_ID,
    steps: [
      ...allYes(
        [
          ...THREAT_MODEL_QUESTIONS,
          'did-we-do-a-good-job',
          ...THREAT_MODEL_CHECKLIST,
        ],
        215,
        jonas,
        [wiki('payments/ledger/threat-model', 'Ledger threat model')],
      ),
      { daysAgo: 200, actor: jonas, attest: true },
    ],
  },
  {
    entityRef: 'component:default/card-issuing',
    templateId: PCI_DSS_V4_TEMPLATE_ID,
    steps: [
      {
        daysAgo: 30,
        actor: ana,
        answer: 'req-4-key-inventory',
        value: 'partial',
        rationale:
          'The Istio root in cacerts is inventoried; the intermediate rotation runbook is still a draft.',
        evidence: [wiki('platform/pki/inventory', 'PKI inventory')],
      },
      {
        daysAgo: 29,
        actor: ana,
        answer: 'req-6-mesh-patched',
        value: 'yes',
        evidence: [ticket('PLAT-377')],
      },
      {
        daysAgo: 8,
        actor: sofia,
        exempt: 'req-4-certificates',
        justification:
          'Root rotation for pci-eu-central is scheduled with the card scheme change freeze in mind.',
        expiresInDays: 10,
      },
    ],
  },
  {
    entityRef: 'component:default/open-banking-gateway',
    templateId: ZERO_TRUST_TEMPLATE_ID,
    steps: [
      {
        daysAgo: 18,
        actor: pieter,
        answer: 'end-user-authorization',
        value: 'yes',
        rationale:
          'Each XS2A request carries the TPP certificate and the consent id, checked on every call.',
      },
      {
        daysAgo: 18,
        actor: pieter,
        answer: 'policy-as-code',
        value: 'yes',
        evidence: [wiki('open-banking/gateway/policies', 'Gateway policies')],
      },
    ],
  },
];

/**
 * The workload annotations of the entities whose seeded attestations
 * record the mesh's evidence, as examples/entities.yaml has them (a test
 * keeps the two equal): the backend finds their workloads by them.
 * @public
 */
export const DEMO_ATTESTED_ENTITY_ANNOTATIONS: Record<
  string,
  Record<string, string>
> = {
  'component:default/payments-api': {
    'backstage.io/kubernetes-id': 'payments-api',
    'backstage.io/kubernetes-namespace': 'payments',
  },
  'component:default/ledger': {
    'backstage.io/kubernetes-id': 'ledger',
    'backstage.io/kubernetes-namespace': 'payments',
  },
};

function seedEntity(entityRef: string): Entity {
  const annotations = DEMO_ATTESTED_ENTITY_ANNOTATIONS[entityRef];
  const [, kind, namespace, name] =
    /^([^:]+):([^/]+)\/(.+)$/.exec(entityRef) ?? [];
  if (!annotations || !name) {
    throw new Error(
      `The demo seed attests ${entityRef} without its workload annotations`,
    );
  }
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: kind[0].toUpperCase() + kind.slice(1),
    metadata: { name, namespace, annotations },
  };
}

const hasAutomaticItems = (template: ChecklistTemplateInfo) =>
  template.sections.some(s => s.items.some(i => i.kind === 'automatic'));

/**
 * The demo's checklists as event sequences, with `old` values and
 * attestation outcomes computed the way live writes compute them.
 * @public
 */
export async function demoChecklistSeed({
  template: templateOf,
  now,
  attestationValidityMs,
  postureAt,
}: ChecklistSeedContext): Promise<ChecklistSeed[]> {
  const seeds: ChecklistSeed[] = [];
  for (const checklist of DEMO_CHECKLISTS) {
    const template = templateOf(checklist.templateId);
    if (!template) continue;
    const events: ChecklistEvent[] = [];
    const at = (daysAgo: number) =>
      new Date(now.getTime() - daysAgo * DAY).toISOString();
    for (const step of checklist.steps) {
      const record = foldChecklistEvents(events);
      const base = {
        version: events.length + 1,
        templateId: template.id,
        templateVersion: template.version,
        actor: step.actor,
        createdAt: at(step.daysAgo),
      };
      if ('answer' in step) {
        const previous = record.answers[step.answer];
        events.push({
          ...base,
          kind: 'answer',
          itemId: step.answer,
          old: previous
            ? {
                value: previous.value,
                ...(previous.rationale
                  ? { rationale: previous.rationale }
                  : {}),
                evidence: previous.evidence,
                itemFingerprint: previous.itemFingerprint,
              }
            : null,
          new: {
            value: step.value,
            ...(step.rationale ? { rationale: step.rationale } : {}),
            evidence: step.evidence ?? [],
            itemFingerprint: template.itemFingerprints[step.answer],
          },
        });
      } else if ('exempt' in step) {
        events.push({
          ...base,
          kind: 'exemption',
          itemId: step.exempt,
          old: null,
          new: {
            justification: step.justification,
            expiresAt: new Date(
              now.getTime() + step.expiresInDays * DAY,
            ).toISOString(),
          },
        });
      } else {
        const when = new Date(base.createdAt);
        let posture: ChecklistPostureInput = {
          available: false,
          reason: 'not needed: no automatic items',
        };
        if (hasAutomaticItems(template)) {
          // No past to read: no evidence to record, so no attestation.
          if (!postureAt) continue;
          posture = await postureAt(seedEntity(checklist.entityRef), when);
        }
        const attestation = attestationAt(
          template,
          record,
          posture,
          when,
          attestationValidityMs,
          step.comment,
        );
        if (attestation) {
          events.push({
            ...base,
            kind: 'attestation',
            old: null,
            new: attestation,
          });
        }
      }
    }
    seeds.push({
      entityRef: checklist.entityRef,
      templateId: template.id,
      events: events.map(
        ({ version, templateId, ...event }) => event as ChecklistSeedEvent,
      ),
    });
  }
  return seeds;
}

/**
 * An attestation as a live one records it; none where an item is open, as
 * a live attestation is refused (the demo's tests make sure the seeded
 * ones are all written).
 */
function attestationAt(
  template: ChecklistTemplateInfo,
  record: ReturnType<typeof foldChecklistEvents>,
  posture: ChecklistPostureInput,
  at: Date,
  attestationValidityMs: number,
  comment?: string,
) {
  const view = buildChecklistView(template, record, posture, {
    now: at,
    attestationValidityMs,
  });
  if (checklistAttestationBlockers(view).length > 0) return undefined;
  return {
    templateFingerprint: template.fingerprint,
    ...(comment ? { comment } : {}),
    automatic: view.items.flatMap(i =>
      i.automatic ? [{ itemId: i.itemId, ...i.automatic }] : [],
    ),
    outcomes: Object.fromEntries(view.items.map(i => [i.itemId, i.outcome])),
    progress: view.progress,
  };
}
