import type { CheckStatus, MeshPosture } from '../types';
import { checklistItems } from './diff';
import type {
  AttestationStaleReason,
  AutomaticEvidence,
  ChecklistAttestation,
  ChecklistAttestationView,
  ChecklistAutomaticItem,
  ChecklistEvent,
  ChecklistItemOutcome,
  ChecklistItemState,
  ChecklistPostureInput,
  ChecklistProgress,
  ChecklistRecord,
  ChecklistTemplateInfo,
  ChecklistView,
} from './types';

const DAY_MS = 24 * 3600_000;

/**
 * How long attestations hold unless configured otherwise.
 * @public
 */
export const DEFAULT_ATTESTATION_VALIDITY_DAYS = 180;

/**
 * An attestation shows as expiring this many days before it expires.
 * @public
 */
export const ATTESTATION_WARNING_DAYS = 30;

/**
 * An exemption shows as expiring this many days before it expires.
 * @public
 */
export const EXEMPTION_WARNING_DAYS = 14;

/**
 * The posture document automatic items are judged on, in the shape
 * {@link ChecklistPostureInput} needs.
 * @public
 */
export function checklistPostureInput(
  posture: Pick<MeshPosture, 'generatedAt' | 'window' | 'demo' | 'verdict'>,
): ChecklistPostureInput {
  return {
    available: true,
    posture: {
      generatedAt: posture.generatedAt,
      window: posture.window,
      demo: posture.demo,
      verdict: { checks: posture.verdict.checks },
    },
  };
}

/**
 * The mesh's answer to an automatic item: the status of the posture check it
 * is bound to, with the check's own words and when the posture was read. A
 * check the posture does not report, or a posture that could not be read,
 * is `unknown`: no data is not a pass.
 * @public
 */
export function evaluateAutomaticItem(
  item: ChecklistAutomaticItem,
  input: ChecklistPostureInput,
): AutomaticEvidence {
  if (!input.available) {
    return {
      check: item.check,
      status: 'unknown',
      detail: `No mesh data: ${input.reason}`,
      demo: false,
    };
  }
  const { posture } = input;
  const base = {
    check: item.check,
    observedAt: posture.generatedAt,
    window: posture.window,
    demo: posture.demo,
  };
  const check = posture.verdict.checks.find(c => c.id === item.check);
  if (!check) {
    return {
      ...base,
      status: 'unknown',
      detail: `The mesh posture reports no "${item.check}" check; no data is not a pass`,
    };
  }
  return { ...base, status: check.status, detail: check.detail };
}

/**
 * Folds a checklist's history, oldest first, into its current state. The
 * history is the record: nothing else is stored.
 * @public
 */
export function foldChecklistEvents(
  events: readonly ChecklistEvent[],
): ChecklistRecord {
  const record: ChecklistRecord = {
    version: 0,
    answers: {},
    exemptions: {},
  };
  const ordered = [...events].sort((a, b) => a.version - b.version);
  for (const event of ordered) {
    switch (event.kind) {
      case 'answer':
        record.answers[event.itemId] = {
          ...event.new,
          answeredBy: event.actor,
          answeredAt: event.createdAt,
          templateVersion: event.templateVersion,
        };
        break;
      case 'exemption':
        if (event.new) {
          record.exemptions[event.itemId] = {
            ...event.new,
            approvedBy: event.actor,
            approvedAt: event.createdAt,
            templateVersion: event.templateVersion,
          };
        } else {
          delete record.exemptions[event.itemId];
        }
        break;
      case 'attestation':
        record.attestation = {
          ...event.new,
          attestedBy: event.actor,
          attestedAt: event.createdAt,
          version: event.version,
          templateVersion: event.templateVersion,
        };
        break;
      default:
        break;
    }
    record.version = event.version;
    record.updatedAt = event.createdAt;
    record.updatedBy = event.actor;
  }
  return record;
}

function automaticOutcome(evidence: AutomaticEvidence): ChecklistItemOutcome {
  switch (evidence.status) {
    case 'pass':
      return 'met';
    case 'warn':
    case 'fail':
      return 'gap';
    default:
      // Unknown, or a check that does not apply here: a person must answer.
      return 'open';
  }
}

function daysUntil(iso: string, now: Date): number {
  return Math.floor((Date.parse(iso) - now.getTime()) / DAY_MS);
}

/**
 * The progress of a checklist from the outcomes of its items.
 * @public
 */
export function checklistProgress(
  items: readonly Pick<ChecklistItemState, 'outcome' | 'needsReanswer'>[],
): ChecklistProgress {
  const count = (outcome: ChecklistItemOutcome) =>
    items.filter(i => i.outcome === outcome).length;
  const open = count('open');
  return {
    total: items.length,
    answered: items.length - open,
    met: count('met'),
    gaps: count('gap'),
    open,
    exempt: count('exempt'),
    needsReanswer: items.filter(i => i.needsReanswer).length,
  };
}

/** @public */
export interface ChecklistViewOptions {
  now: Date;
  attestationValidityMs: number;
  /** Default {@link ATTESTATION_WARNING_DAYS}, at most half the validity. */
  attestationWarningMs?: number;
}

const STATUS_WORDS: Record<CheckStatus, string> = {
  pass: 'passing',
  warn: 'warning',
  fail: 'failing',
  unknown: 'unknown',
  'not-applicable': 'not applicable',
};

function attestationView(
  attestation: ChecklistAttestation,
  record: ChecklistRecord,
  template: ChecklistTemplateInfo,
  items: ChecklistItemState[],
  options: ChecklistViewOptions,
): ChecklistAttestationView {
  const { now, attestationValidityMs } = options;
  const warningMs = Math.min(
    options.attestationWarningMs ?? ATTESTATION_WARNING_DAYS * DAY_MS,
    attestationValidityMs / 2,
  );
  const attestedAt = Date.parse(attestation.attestedAt);
  const validUntil = new Date(attestedAt + attestationValidityMs);
  const titleOf = (itemId: string) =>
    checklistItems(template).find(i => i.item.id === itemId)?.item.title ??
    itemId;
  const reasons: AttestationStaleReason[] = [];

  if (now.getTime() >= validUntil.getTime()) {
    reasons.push({
      code: 'expired',
      message: `Attested ${Math.floor(
        (now.getTime() - attestedAt) / DAY_MS,
      )} days ago; attestations hold for ${Math.round(
        attestationValidityMs / DAY_MS,
      )} days`,
    });
  }
  if (attestation.templateVersion !== template.version) {
    reasons.push({
      code: 'template-changed',
      message: `The template changed from version ${attestation.templateVersion} to ${template.version} since the attestation`,
    });
  }
  const changes = record.version - attestation.version;
  if (changes > 0) {
    reasons.push({
      code: 'changed-since-attestation',
      message: `${changes} ${
        changes === 1 ? 'change' : 'changes'
      } since the attestation`,
    });
  }
  const byId = new Map(items.map(i => [i.itemId, i]));
  for (const recorded of attestation.automatic) {
    const live = byId.get(recorded.itemId)?.automatic;
    if (live && live.status !== recorded.status) {
      reasons.push({
        code: 'automatic-item-changed',
        itemId: recorded.itemId,
        message: `"${titleOf(recorded.itemId)}" is now ${
          STATUS_WORDS[live.status]
        } (${STATUS_WORDS[recorded.status]} when attested)`,
      });
    }
  }
  for (const [itemId, outcome] of Object.entries(attestation.outcomes)) {
    const exemption = byId.get(itemId)?.exemption;
    if (outcome === 'exempt' && exemption && !exemption.active) {
      reasons.push({
        code: 'exemption-expired',
        itemId,
        message: `The exemption of "${titleOf(itemId)}" expired on ${
          exemption.expiresAt.split('T')[0]
        }`,
      });
    }
  }

  let state: ChecklistAttestationView['state'] = 'current';
  if (reasons.length > 0) {
    state = 'stale';
  } else if (validUntil.getTime() - now.getTime() <= warningMs) {
    state = 'expiring';
  }
  return {
    ...attestation,
    state,
    validUntil: validUntil.toISOString(),
    reasons,
  };
}

/**
 * One checklist as it stands now: each item's outcome (answers given to an
 * earlier wording are open again; automatic items judged live; active
 * exemptions win), the progress, and whether the attestation still holds.
 * Pure: the backend serves it, the frontend's tests build their fixtures
 * with it.
 * @public
 */
export function buildChecklistView(
  template: ChecklistTemplateInfo,
  record: ChecklistRecord,
  posture: ChecklistPostureInput,
  options: ChecklistViewOptions,
): ChecklistView {
  const items: ChecklistItemState[] = checklistItems(template).map(
    ({ item, sectionId }) => {
      const stored = record.exemptions[item.id];
      const exemption = stored
        ? {
            ...stored,
            active: Date.parse(stored.expiresAt) > options.now.getTime(),
            expiresInDays: daysUntil(stored.expiresAt, options.now),
          }
        : undefined;
      let state: ChecklistItemState;
      if (item.kind === 'automatic') {
        const automatic = evaluateAutomaticItem(item, posture);
        state = {
          itemId: item.id,
          sectionId,
          kind: item.kind,
          outcome: automaticOutcome(automatic),
          needsReanswer: false,
          automatic,
        };
      } else {
        const answer = record.answers[item.id];
        const needsReanswer =
          answer !== undefined &&
          answer.itemFingerprint !== template.itemFingerprints[item.id];
        let outcome: ChecklistItemOutcome = 'open';
        if (answer && !needsReanswer) {
          outcome =
            answer.value === 'yes' || answer.value === 'not-applicable'
              ? 'met'
              : 'gap';
        }
        state = {
          itemId: item.id,
          sectionId,
          kind: item.kind,
          outcome,
          needsReanswer,
          ...(answer ? { answer } : {}),
        };
      }
      if (exemption) {
        state.exemption = exemption;
        if (exemption.active) state.outcome = 'exempt';
      }
      return state;
    },
  );

  return {
    template,
    version: record.version,
    items,
    progress: checklistProgress(items),
    ...(record.attestation
      ? {
          attestation: attestationView(
            record.attestation,
            record,
            template,
            items,
            options,
          ),
        }
      : {}),
    ...(record.updatedAt
      ? { updatedAt: record.updatedAt, updatedBy: record.updatedBy }
      : {}),
  };
}

/**
 * What stands in the way of signing a checklist off: manual items that are
 * unanswered or answered to an earlier wording, and not exempt. Automatic
 * items never block: the attestation records what the mesh said.
 * @public
 */
export function checklistAttestationBlockers(view: ChecklistView): string[] {
  return view.items
    .filter(i => i.kind === 'manual' && i.outcome === 'open')
    .map(i => i.itemId);
}
