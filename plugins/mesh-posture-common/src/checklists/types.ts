import type { CheckStatus } from '../types';

/**
 * An item a person answers (`manual`) or one the mesh answers from a posture
 * check (`automatic`).
 * @public
 */
export type ChecklistItemKind = 'manual' | 'automatic';

/** @public */
export interface ChecklistItemBase {
  /** Stable within the template, e.g. `trust-boundaries`. */
  id: string;
  /** The statement or question, in one sentence. */
  title: string;
  /** What a good answer looks like, or how the mesh judges it. */
  description?: string;
  /** Where it comes from, e.g. `PCI DSS v4.0 Req. 4.2.1`. */
  reference?: string;
}

/**
 * Answered by a person: Yes, No, Partially or Not applicable.
 * @public
 */
export interface ChecklistManualItem extends ChecklistItemBase {
  kind: 'manual';
}

/**
 * Answered live by the mesh: the status of one posture check
 * (`MeshPosture.verdict.checks[].id`). A check the posture does not report
 * is `unknown`: no data is not a pass.
 * @public
 */
export interface ChecklistAutomaticItem extends ChecklistItemBase {
  kind: 'automatic';
  /** The posture check id, e.g. `inbound-mtls`. */
  check: string;
}

/** @public */
export type ChecklistItem = ChecklistManualItem | ChecklistAutomaticItem;

/** @public */
export interface ChecklistSection {
  id: string;
  title: string;
  description?: string;
  items: ChecklistItem[];
}

/**
 * A checklist template: data, versioned. When a template changes, its
 * version goes up; answers to items whose wording did not change carry over,
 * answers to changed items are flagged for re-answer.
 * @public
 */
export interface ChecklistTemplate {
  /** e.g. `threat-model`; lower-case letters, digits and dashes. */
  id: string;
  /** A whole number, raised on every change. */
  version: number;
  title: string;
  description?: string;
  sections: ChecklistSection[];
}

/**
 * Where a template was defined.
 * @public
 */
export type ChecklistTemplateSource = 'built-in' | 'config' | 'file';

/**
 * A template as the API serves it: the data, where it came from, and the
 * fingerprints answers are compared against.
 * @public
 */
export interface ChecklistTemplateInfo extends ChecklistTemplate {
  source: ChecklistTemplateSource;
  fingerprint: string;
  itemFingerprints: Record<string, string>;
}

/**
 * The answers a person can give to a manual item.
 * @public
 */
export type ChecklistAnswerValue = 'yes' | 'no' | 'partial' | 'not-applicable';

/** @public */
export const CHECKLIST_ANSWER_VALUES: readonly ChecklistAnswerValue[] = [
  'yes',
  'no',
  'partial',
  'not-applicable',
];

/**
 * Answers that need a rationale: anything but a plain Yes.
 * @public
 */
export const CHECKLIST_ANSWERS_REQUIRING_RATIONALE: readonly ChecklistAnswerValue[] =
  ['no', 'partial', 'not-applicable'];

/** Labels for people. @public */
export const CHECKLIST_ANSWER_LABELS: Record<ChecklistAnswerValue, string> = {
  yes: 'Yes',
  no: 'No',
  partial: 'Partially',
  'not-applicable': 'Not applicable',
};

/**
 * A link to evidence: a document, a ticket, a dashboard. Only `https:` and
 * `http:` URLs without credentials are accepted.
 * @public
 */
export interface EvidenceLink {
  url: string;
  title?: string;
}

/**
 * The current answer to a manual item.
 * @public
 */
export interface ChecklistAnswer {
  value: ChecklistAnswerValue;
  rationale?: string;
  evidence: EvidenceLink[];
  answeredBy: string;
  answeredAt: string;
  /** The template version the answer was given under. */
  templateVersion: number;
  /** Fingerprint of the item's wording the answer was given to. */
  itemFingerprint: string;
}

/**
 * An exemption of one item, granted by someone allowed to exempt, until it
 * expires.
 * @public
 */
export interface ChecklistExemption {
  justification: string;
  expiresAt: string;
  approvedBy: string;
  approvedAt: string;
  templateVersion: number;
}

/**
 * What the mesh said about an automatic item, and what it was judged on.
 * @public
 */
export interface AutomaticEvidence {
  /** The posture check the item is bound to. */
  check: string;
  status: CheckStatus;
  /** The check's own words, or why there is no data. */
  detail: string;
  /** When the posture was generated; absent when it could not be read. */
  observedAt?: string;
  /** The posture's rate window, e.g. `5m`. */
  window?: string;
  /** True when the posture came from the built-in demo mesh. */
  demo: boolean;
}

/**
 * Where an item stands: met (Yes, N/A, or the mesh passes), a gap (No,
 * Partially, or the mesh warns or fails), open (unanswered, answered to an
 * earlier wording, or the mesh has no data), or exempt.
 * @public
 */
export type ChecklistItemOutcome = 'met' | 'gap' | 'open' | 'exempt';

/** @public */
export interface ChecklistProgress {
  total: number;
  /** Items that are not open. */
  answered: number;
  met: number;
  gaps: number;
  open: number;
  exempt: number;
  /** Manual answers given to an earlier wording of their item. */
  needsReanswer: number;
}

/**
 * A sign-off of the whole checklist.
 * @public
 */
export interface ChecklistAttestation {
  attestedBy: string;
  attestedAt: string;
  /** The checklist version this attestation created. */
  version: number;
  templateVersion: number;
  templateFingerprint: string;
  comment?: string;
  /** Every automatic item as the mesh answered it when attested. */
  automatic: Array<AutomaticEvidence & { itemId: string }>;
  /** The outcome of every item when attested. */
  outcomes: Record<string, ChecklistItemOutcome>;
  progress: ChecklistProgress;
}

/**
 * Why an attestation no longer holds.
 * @public
 */
export type AttestationStaleReasonCode =
  | 'expired'
  | 'automatic-item-changed'
  | 'template-changed'
  | 'changed-since-attestation'
  | 'exemption-expired';

/** @public */
export interface AttestationStaleReason {
  code: AttestationStaleReasonCode;
  message: string;
  itemId?: string;
}

/**
 * `current`, `expiring` (within the warning period of its validity), or
 * `stale`.
 * @public
 */
export type AttestationState = 'current' | 'expiring' | 'stale';

/** @public */
export interface ChecklistAttestationView extends ChecklistAttestation {
  state: AttestationState;
  validUntil: string;
  reasons: AttestationStaleReason[];
}

/** @public */
export interface ChecklistExemptionView extends ChecklistExemption {
  active: boolean;
  /** Whole days until expiry; negative once expired. */
  expiresInDays: number;
}

/**
 * One item of a checklist as it stands now.
 * @public
 */
export interface ChecklistItemState {
  itemId: string;
  sectionId: string;
  kind: ChecklistItemKind;
  outcome: ChecklistItemOutcome;
  /** The latest answer of a manual item, even when flagged for re-answer. */
  answer?: ChecklistAnswer;
  /** True when the answer was given to an earlier wording of the item. */
  needsReanswer: boolean;
  /** The live evaluation of an automatic item. */
  automatic?: AutomaticEvidence;
  /** The latest exemption, unless revoked; `active` false once expired. */
  exemption?: ChecklistExemptionView;
}

/**
 * One checklist of one entity: the template, the state of every item, the
 * progress and the attestation.
 * @public
 */
export interface ChecklistView {
  template: ChecklistTemplateInfo;
  /** Send this as `baseVersion` with the next write. 0 before any write. */
  version: number;
  items: ChecklistItemState[];
  progress: ChecklistProgress;
  attestation?: ChecklistAttestationView;
  /** The last change, when there is one. */
  updatedAt?: string;
  updatedBy?: string;
}

/**
 * What kind of change a history event records.
 * @public
 */
export type ChecklistEventKind = 'answer' | 'exemption' | 'attestation';

/** The stored value of an answer event. @public */
export interface ChecklistAnswerValueRecord {
  value: ChecklistAnswerValue;
  rationale?: string;
  evidence: EvidenceLink[];
  itemFingerprint: string;
}

/** The stored value of an exemption event; null when revoked. @public */
export interface ChecklistExemptionRecord {
  justification: string;
  expiresAt: string;
}

/** The stored value of an attestation event. @public */
export interface ChecklistAttestationRecord {
  templateFingerprint: string;
  comment?: string;
  automatic: Array<AutomaticEvidence & { itemId: string }>;
  outcomes: Record<string, ChecklistItemOutcome>;
  progress: ChecklistProgress;
}

/**
 * One append-only history entry: who changed what, when, from what to what.
 * @public
 */
export type ChecklistEvent = {
  /** The checklist version this change created: 1, 2, 3, … per entity and template. */
  version: number;
  templateId: string;
  templateVersion: number;
  actor: string;
  createdAt: string;
} & (
  | {
      kind: 'answer';
      itemId: string;
      old: ChecklistAnswerValueRecord | null;
      new: ChecklistAnswerValueRecord;
    }
  | {
      kind: 'exemption';
      itemId: string;
      old: ChecklistExemptionRecord | null;
      new: ChecklistExemptionRecord | null;
    }
  | {
      kind: 'attestation';
      old: ChecklistAttestationRecord | null;
      new: ChecklistAttestationRecord;
    }
);

/**
 * The stored state of one checklist of one entity, folded from its events.
 * @public
 */
export interface ChecklistRecord {
  version: number;
  answers: Record<string, ChecklistAnswer>;
  exemptions: Record<string, ChecklistExemption>;
  attestation?: ChecklistAttestation;
  updatedAt?: string;
  updatedBy?: string;
}

/**
 * The posture automatic items are judged on, or why there is none.
 * @public
 */
export type ChecklistPostureInput =
  | {
      available: true;
      posture: {
        generatedAt: string;
        window: string;
        demo: boolean;
        verdict: {
          checks: Array<{
            id: string;
            title: string;
            status: CheckStatus;
            detail: string;
          }>;
        };
      };
    }
  | { available: false; reason: string };
