import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  ChecklistAnswerRequest,
  ChecklistAttestationRecord,
  ChecklistAttestationRequest,
  checklistAttestationBlockers,
  ChecklistEvent,
  ChecklistExemptionRequest,
  ChecklistExport,
  ChecklistHistoryResponse,
  checklistItems,
  ChecklistItem,
  checklistPostureInput,
  ChecklistPostureInput,
  ChecklistPostureSummary,
  ChecklistRecord,
  ChecklistTemplateInfo,
  ChecklistView,
  buildChecklistView,
  DistributiveOmit,
  EntityChecklistsResponse,
  MeshPosture,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  ChecklistStore,
  ChecklistVersionConflict,
  NewChecklistEvent,
} from '../database/ChecklistStore';
import { evidenceId } from '../evidenceIds';
import { entityKey } from '../catalog/entityKey';
import { ChecklistTemplateRegistry } from './TemplateRegistry';

/**
 * A write based on an outdated version. Carries the checklist as it stands
 * now, which the router sends back with the 409 so nothing is lost: the
 * client shows the current state and keeps the user's draft.
 */
export class ChecklistConflictError extends ConflictError {
  constructor(message: string, readonly current: ChecklistView) {
    super(message);
  }
}

/** What a successful write returns: the new state and the change made. */
export interface ChecklistWriteResult {
  view: ChecklistView;
  /** Undefined when the write changed nothing (the same answer again). */
  event?: ChecklistEvent;
}

/**
 * The live posture a checklist's automatic items are judged on, read once
 * by the caller, or why it could not be read.
 */
export type ChecklistPosture =
  | { posture: MeshPosture }
  | { unavailable: string };

/** Why checklists have no posture when its read failed, in a line. */
export function postureReadFailure(error: unknown): string {
  return `the mesh posture could not be read: ${String(
    (error as Error)?.message ?? error,
  ).slice(0, 300)}`;
}

/** Reads the posture for checklists: a failed read is a reason, not an error. */
export async function readChecklistPosture(
  read: () => Promise<MeshPosture>,
): Promise<ChecklistPosture> {
  try {
    return { posture: await read() };
  } catch (error) {
    return { unavailable: postureReadFailure(error) };
  }
}

/**
 * The posture checklists are judged on, read only where a checklist
 * applies to the entity (a read that is not needed is not made).
 */
export function checklistPostureFor(
  checklists: Pick<ChecklistService, 'applies'>,
  entity: Entity,
  read: () => Promise<MeshPosture>,
): Promise<ChecklistPosture> {
  return checklists.applies(entity)
    ? readChecklistPosture(read)
    : Promise.resolve({ unavailable: 'no checklist applies' });
}

type LivePosture = {
  input: ChecklistPostureInput;
  summary: ChecklistPostureSummary;
};

/** What a write changes; the write attributes and dates it. */
type Change = DistributiveOmit<
  NewChecklistEvent,
  'templateVersion' | 'actor' | 'createdAt'
>;

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Checklists of catalog entities: which apply, their state with automatic
 * items judged on the live posture, and every change as an appended event.
 * Knows nothing of HTTP; the router authorizes and audits.
 */
export class ChecklistService {
  constructor(
    private readonly options: {
      registry: ChecklistTemplateRegistry;
      store: ChecklistStore;
      logger: LoggerService;
      attestationValidityMs: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  get attestationValidityDays(): number {
    return Math.round(this.options.attestationValidityMs / 864e5);
  }

  /** The template if it applies to the entity; 404 otherwise. */
  template(entity: Entity, templateId: string): ChecklistTemplateInfo {
    const { templates } = this.options.registry.forEntity(entity);
    const template = templates.find(t => t.id === templateId);
    if (!template) {
      throw new NotFoundError(
        this.options.registry.get(templateId)
          ? `Checklist "${templateId}" does not apply to ${entityKey(
              entity,
            )}; see the mesh-posture.io/checklists annotation`
          : `No checklist template "${templateId}"`,
      );
    }
    return template;
  }

  /** Whether any checklist applies to the entity. */
  applies(entity: Entity): boolean {
    return this.options.registry.forEntity(entity).templates.length > 0;
  }

  /**
   * The template and item a write names; 404 when either does not apply.
   * Checked before the caller reads the live posture a write needs.
   */
  target(entity: Entity, templateId: string, itemId?: string): void {
    const template = this.template(entity, templateId);
    if (itemId !== undefined) this.item(template, itemId);
  }

  private item(template: ChecklistTemplateInfo, itemId: string): ChecklistItem {
    const found = checklistItems(template).find(i => i.item.id === itemId);
    if (!found) {
      throw new NotFoundError(
        `Checklist "${template.id}" has no item "${itemId}"`,
      );
    }
    return found.item;
  }

  private livePosture(given: ChecklistPosture): LivePosture {
    if ('unavailable' in given) {
      const reason = given.unavailable;
      return {
        input: { available: false, reason },
        summary: { available: false, reason, demo: false },
      };
    }
    const { posture } = given;
    return {
      input: checklistPostureInput(posture),
      summary: {
        available: true,
        generatedAt: posture.generatedAt,
        window: posture.window,
        verdict: posture.verdict.status,
        demo: posture.demo,
      },
    };
  }

  private view(
    template: ChecklistTemplateInfo,
    record: ChecklistRecord,
    posture: LivePosture,
  ): ChecklistView {
    return buildChecklistView(template, record, posture.input, {
      now: this.now(),
      attestationValidityMs: this.options.attestationValidityMs,
    });
  }

  /** Every checklist that applies to the entity, as it stands now. */
  async list(
    entity: Entity,
    given: ChecklistPosture,
  ): Promise<EntityChecklistsResponse> {
    const key = entityKey(entity);
    const { templates, unknownTemplateIds, from } =
      this.options.registry.forEntity(entity);
    const posture =
      templates.length > 0
        ? this.livePosture(given)
        : {
            input: {
              available: false as const,
              reason: 'no checklist applies',
            },
            summary: {
              available: false,
              reason: 'no checklist applies',
              demo: false,
            },
          };
    const checklists = await Promise.all(
      templates.map(async t =>
        this.view(t, await this.options.store.getRecord(key, t.id), posture),
      ),
    );
    return {
      entityRef: key,
      generatedAt: this.now().toISOString(),
      templatesFrom: from,
      unknownTemplateIds,
      attestationValidityDays: this.attestationValidityDays,
      posture: posture.summary,
      checklists,
    };
  }

  /**
   * Runs one write: reads the state, refuses an outdated base version with
   * the current state, builds the event from the state it was based on
   * (so `old` is exactly what was replaced), and appends it.
   */
  private async write(
    entity: Entity,
    template: ChecklistTemplateInfo,
    baseVersion: number,
    given: ChecklistPosture,
    actor: string,
    build: (record: ChecklistRecord, view: ChecklistView) => Change | undefined,
  ): Promise<ChecklistWriteResult> {
    const key = entityKey(entity);
    const { store } = this.options;
    const record = await store.getRecord(key, template.id);
    const posture = this.livePosture(given);
    const before = this.view(template, record, posture);
    const conflict = (current: ChecklistView, version: number) =>
      new ChecklistConflictError(
        `The checklist "${
          template.id
        }" of ${key} changed since version ${baseVersion}: it is at version ${version}${
          current.updatedBy
            ? `, last changed by ${current.updatedBy} at ${current.updatedAt}`
            : ''
        }. Nothing was saved; review the current state and try again.`,
        current,
      );
    if (record.version !== baseVersion) {
      throw conflict(before, record.version);
    }
    const change = build(record, before);
    if (!change) {
      return { view: before };
    }
    // Every change is attributed and dated, under the template's version.
    const event = {
      ...change,
      templateVersion: template.version,
      actor,
      createdAt: this.now().toISOString(),
    } as NewChecklistEvent;
    try {
      const appended = await store.append(key, template.id, baseVersion, event);
      const after = this.view(
        template,
        await store.getRecord(key, template.id),
        posture,
      );
      return { view: after, event: appended };
    } catch (error) {
      if (error instanceof ChecklistVersionConflict) {
        const current = this.view(
          template,
          await store.getRecord(key, template.id),
          posture,
        );
        throw conflict(current, error.currentVersion);
      }
      throw error;
    }
  }

  /** Answers a manual item. The same answer again changes nothing. */
  async answer(
    entity: Entity,
    templateId: string,
    itemId: string,
    request: ChecklistAnswerRequest,
    actor: string,
    given: ChecklistPosture,
  ): Promise<ChecklistWriteResult> {
    const template = this.template(entity, templateId);
    const item = this.item(template, itemId);
    if (item.kind === 'automatic') {
      throw new InputError(
        `"${item.title}" is answered by the mesh (posture check "${item.check}") and cannot be answered by hand; an exemption can be granted instead`,
      );
    }
    return this.write(
      entity,
      template,
      request.baseVersion,
      given,
      actor,
      record => {
        const previous = record.answers[itemId];
        const next = {
          value: request.value,
          ...(request.rationale !== undefined
            ? { rationale: request.rationale }
            : {}),
          evidence: request.evidence ?? [],
          itemFingerprint: template.itemFingerprints[itemId],
        };
        const old = previous
          ? {
              value: previous.value,
              ...(previous.rationale !== undefined
                ? { rationale: previous.rationale }
                : {}),
              evidence: previous.evidence,
              itemFingerprint: previous.itemFingerprint,
            }
          : null;
        if (old && sameJson(old, next)) return undefined;
        return {
          kind: 'answer',
          itemId,
          old,
          new: next,
        };
      },
    );
  }

  /** Grants (or replaces) an exemption of an item. */
  async exempt(
    entity: Entity,
    templateId: string,
    itemId: string,
    request: ChecklistExemptionRequest,
    actor: string,
    given: ChecklistPosture,
  ): Promise<ChecklistWriteResult> {
    const template = this.template(entity, templateId);
    this.item(template, itemId);
    return this.write(
      entity,
      template,
      request.baseVersion,
      given,
      actor,
      record => {
        const previous = record.exemptions[itemId];
        const next = {
          justification: request.justification,
          expiresAt: request.expiresAt,
        };
        const old = previous
          ? {
              justification: previous.justification,
              expiresAt: previous.expiresAt,
            }
          : null;
        if (old && sameJson(old, next)) return undefined;
        return {
          kind: 'exemption',
          itemId,
          old,
          new: next,
        };
      },
    );
  }

  /** Revokes the exemption of an item; 404 when it has none. */
  async revokeExemption(
    entity: Entity,
    templateId: string,
    itemId: string,
    baseVersion: number,
    actor: string,
    given: ChecklistPosture,
  ): Promise<ChecklistWriteResult> {
    const template = this.template(entity, templateId);
    this.item(template, itemId);
    return this.write(entity, template, baseVersion, given, actor, record => {
      const previous = record.exemptions[itemId];
      if (!previous) {
        throw new NotFoundError(`Item "${itemId}" has no exemption to revoke`);
      }
      return {
        kind: 'exemption',
        itemId,
        old: {
          justification: previous.justification,
          expiresAt: previous.expiresAt,
        },
        new: null,
      };
    });
  }

  /**
   * Signs the whole checklist off, recording every automatic item with the
   * evidence it was judged on and the outcome of every item. Refused while
   * a manual item is open.
   */
  async attest(
    entity: Entity,
    templateId: string,
    request: ChecklistAttestationRequest,
    actor: string,
    given: ChecklistPosture,
  ): Promise<ChecklistWriteResult> {
    const template = this.template(entity, templateId);
    return this.write(
      entity,
      template,
      request.baseVersion,
      given,
      actor,
      (record, view) => {
        const blockers = checklistAttestationBlockers(view);
        if (blockers.length > 0) {
          const titles = checklistItems(template)
            .filter(i => blockers.includes(i.item.id))
            .map(i => `"${i.item.title}"`);
          throw new InputError(
            `Cannot attest "${template.title}" while ${blockers.length} ${
              blockers.length === 1 ? 'item is' : 'items are'
            } unanswered or must be answered again: ${titles.join(', ')}`,
          );
        }
        const next: ChecklistAttestationRecord = {
          templateFingerprint: template.fingerprint,
          ...(request.comment !== undefined
            ? { comment: request.comment }
            : {}),
          automatic: view.items.flatMap(i =>
            i.automatic ? [{ itemId: i.itemId, ...i.automatic }] : [],
          ),
          outcomes: Object.fromEntries(
            view.items.map(i => [i.itemId, i.outcome]),
          ),
          progress: view.progress,
        };
        const previous = record.attestation;
        return {
          kind: 'attestation',
          old: previous
            ? {
                templateFingerprint: previous.templateFingerprint,
                ...(previous.comment !== undefined
                  ? { comment: previous.comment }
                  : {}),
                automatic: previous.automatic,
                outcomes: previous.outcomes,
                progress: previous.progress,
              }
            : null,
          new: next,
        };
      },
    );
  }

  /** A page of one checklist's history, newest first. */
  async history(
    entity: Entity,
    templateId: string,
    options: { limit: number; beforeVersion?: number },
  ): Promise<ChecklistHistoryResponse> {
    const template = this.template(entity, templateId);
    const key = entityKey(entity);
    const page = await this.options.store.history(key, template.id, options);
    return { entityRef: key, templateId: template.id, ...page };
  }

  /**
   * Everything an auditor needs about the entity's checklists: each one as
   * it stands, its full history, and the wording of the template version
   * the attestation was made under when it differs from today's.
   */
  async exportData(
    entity: Entity,
    actor: string,
    given: ChecklistPosture,
  ): Promise<ChecklistExport> {
    const listing = await this.list(entity, given);
    const key = entityKey(entity);
    const checklists = await Promise.all(
      listing.checklists.map(async view => {
        const history = await this.options.store.listEvents(
          key,
          view.template.id,
        );
        const attestedVersion = view.attestation?.templateVersion;
        const attestedTemplate =
          attestedVersion !== undefined &&
          attestedVersion !== view.template.version
            ? await this.options.store.getTemplateVersion(
                view.template.id,
                attestedVersion,
              )
            : undefined;
        return {
          ...view,
          history,
          ...(attestedTemplate ? { attestedTemplate } : {}),
          evidenceIds: Object.fromEntries(
            view.items.map(item => [
              item.itemId,
              evidenceId('CHK', [
                key,
                view.template.id,
                view.template.version,
                item.itemId,
                item.outcome,
                item.answer?.answeredAt ?? null,
                item.exemption?.approvedAt ?? null,
                item.automatic
                  ? [item.automatic.status, item.automatic.observedAt ?? null]
                  : null,
              ]),
            ]),
          ),
        };
      }),
    );
    const title = entity.metadata.title;
    const owner = entity.spec?.owner;
    return {
      format: 'mesh-posture.checklists/v1',
      exportedAt: listing.generatedAt,
      exportedBy: actor,
      entity: {
        ref: key,
        ...(typeof title === 'string' ? { title } : {}),
        ...(typeof owner === 'string' ? { owner } : {}),
      },
      attestationValidityDays: listing.attestationValidityDays,
      posture: listing.posture,
      unknownTemplateIds: listing.unknownTemplateIds,
      checklists,
    };
  }
}
