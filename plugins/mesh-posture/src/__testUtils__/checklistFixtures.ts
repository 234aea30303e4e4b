import {
  buildChecklistView,
  ChecklistAnswerValue,
  checklistAttestationBlockers,
  ChecklistEvent,
  checklistPostureInput,
  ChecklistTemplate,
  ChecklistView,
  describeChecklistTemplate,
  EntityChecklistsResponse,
  EvidenceLink,
  foldChecklistEvents,
  MeshPosture,
  threatModelTemplate,
  zeroTrustTemplate,
} from '@mesh-posture/plugin-mesh-posture-common';
import { plaintextCallerPosture } from './postureFixtures';

/*
 * Checklist responses for component tests, built by the same pure functions
 * the backend serves them with, from histories of events and the posture
 * fixtures, so what the tab renders is what the backend would send.
 */

/** The instant the fixtures are "now": the posture fixtures' time. */
export const FIXTURE_NOW = new Date('2026-11-22T10:00:00Z');
const DAY = 864e5;
const VALIDITY = 180 * DAY;

export const MARTA = 'user:default/marta.kowalska';
export const PIETER = 'user:default/pieter.dejong';
export const LI = 'user:default/li.chen';

const daysAgo = (days: number) =>
  new Date(FIXTURE_NOW.getTime() - days * DAY).toISOString();

/** Writes a checklist's history the way the backend records it. */
export class History {
  readonly events: ChecklistEvent[] = [];
  private readonly info;

  constructor(readonly template: ChecklistTemplate) {
    this.info = describeChecklistTemplate(template, 'built-in');
  }

  private base(actor: string, days: number) {
    return {
      version: this.events.length + 1,
      templateId: this.template.id,
      templateVersion: this.template.version,
      actor,
      createdAt: daysAgo(days),
    };
  }

  answer(
    itemId: string,
    value: ChecklistAnswerValue,
    options: {
      actor?: string;
      days?: number;
      rationale?: string;
      evidence?: EvidenceLink[];
    } = {},
  ): this {
    const previous = foldChecklistEvents(this.events).answers[itemId];
    this.events.push({
      ...this.base(options.actor ?? MARTA, options.days ?? 10),
      kind: 'answer',
      itemId,
      old: previous
        ? {
            value: previous.value,
            ...(previous.rationale ? { rationale: previous.rationale } : {}),
            evidence: previous.evidence,
            itemFingerprint: previous.itemFingerprint,
          }
        : null,
      new: {
        value,
        ...(options.rationale ? { rationale: options.rationale } : {}),
        evidence: options.evidence ?? [],
        itemFingerprint: this.info.itemFingerprints[itemId],
      },
    });
    return this;
  }

  exempt(
    itemId: string,
    justification: string,
    options: { expiresInDays: number; days?: number; actor?: string },
  ): this {
    this.events.push({
      ...this.base(options.actor ?? LI, options.days ?? 5),
      kind: 'exemption',
      itemId,
      old: null,
      new: {
        justification,
        expiresAt: new Date(
          FIXTURE_NOW.getTime() + options.expiresInDays * DAY,
        ).toISOString(),
      },
    });
    return this;
  }

  attest(options: { days: number; actor?: string; posture?: MeshPosture }) {
    const at = new Date(FIXTURE_NOW.getTime() - options.days * DAY);
    const view = buildChecklistView(
      this.info,
      foldChecklistEvents(this.events),
      options.posture
        ? checklistPostureInput(options.posture)
        : { available: false, reason: 'not read' },
      { now: at, attestationValidityMs: VALIDITY },
    );
    if (checklistAttestationBlockers(view).length > 0) {
      throw new Error('fixture attests an incomplete checklist');
    }
    this.events.push({
      ...this.base(options.actor ?? PIETER, options.days),
      kind: 'attestation',
      old: null,
      new: {
        templateFingerprint: this.info.fingerprint,
        automatic: view.items.flatMap(i =>
          i.automatic ? [{ itemId: i.itemId, ...i.automatic }] : [],
        ),
        outcomes: Object.fromEntries(
          view.items.map(i => [i.itemId, i.outcome]),
        ),
        progress: view.progress,
      },
    });
    return this;
  }

  view(posture: MeshPosture | null = plaintextCallerPosture): ChecklistView {
    return buildChecklistView(
      this.info,
      foldChecklistEvents(this.events),
      posture
        ? checklistPostureInput(posture)
        : { available: false, reason: 'Prometheus is down' },
      { now: FIXTURE_NOW, attestationValidityMs: VALIDITY },
    );
  }
}

/** accounts-service's threat model, partly filled. */
export function partlyFilledThreatModel() {
  return new History(threatModelTemplate)
    .answer('what-are-we-building', 'yes', {
      days: 21,
      evidence: [
        {
          url: 'https://wiki.demo-bank.example/open-banking/tm',
          title: 'Threat model',
        },
      ],
    })
    .answer('what-can-go-wrong', 'partial', {
      days: 20,
      rationale: 'STRIDE done for the public API only',
    })
    .answer('trust-boundaries', 'no', {
      days: 14,
      actor: PIETER,
      rationale: 'The notifications callback is not mapped yet',
    });
}

/** Every manual threat-model item answered Yes (the mesh answers the rest). */
export function completeThreatModel(days = 30) {
  const history = new History(threatModelTemplate);
  for (const section of threatModelTemplate.sections) {
    for (const item of section.items) {
      if (item.kind === 'manual') history.answer(item.id, 'yes', { days });
    }
  }
  return history;
}

/** accounts-service's zero-trust checklist: the plaintext caller exempted. */
export function zeroTrustWithExemption() {
  return new History(zeroTrustTemplate)
    .exempt('inbound-mtls', 'Notifications is meshed in January', {
      expiresInDays: 10,
    })
    .answer('no-network-allowlists', 'yes', { days: 3 });
}

/** The response of `GET …/checklists` for the given views. */
export function checklistsResponse(
  checklists: ChecklistView[],
  posture: MeshPosture | null = plaintextCallerPosture,
): EntityChecklistsResponse {
  return {
    entityRef: 'component:default/accounts-service',
    generatedAt: FIXTURE_NOW.toISOString(),
    templatesFrom: 'default',
    unknownTemplateIds: [],
    attestationValidityDays: 180,
    posture: posture
      ? {
          available: true,
          generatedAt: posture.generatedAt,
          window: posture.window,
          verdict: posture.verdict.status,
          demo: posture.demo,
        }
      : { available: false, reason: 'Prometheus is down', demo: false },
    checklists,
  };
}
