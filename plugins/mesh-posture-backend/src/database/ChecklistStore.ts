import type { ChecklistSeedEvent } from '@mesh-posture/plugin-mesh-posture-node';
import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  ChecklistEvent,
  ChecklistRecord,
  ChecklistTemplate,
  ChecklistTemplateInfo,
  foldChecklistEvents,
} from '@mesh-posture/plugin-mesh-posture-common';
import { Knex } from 'knex';
import { migratedClient, toDate } from './migrate';

const EVENTS = 'mesh_posture_checklist_events';
const TEMPLATES = 'mesh_posture_checklist_templates';

/** A change as the store appends it (it numbers the versions). */
export type NewChecklistEvent = ChecklistSeedEvent;

type EventRow = {
  id: number | string;
  entity_ref: string;
  template_id: string;
  version: number | string;
  template_version: number | string;
  kind: string;
  item_id: string | null;
  payload: string;
  actor: string;
  created_at: Date | string | number;
};

type TemplateRow = {
  template_id: string;
  version: number | string;
  fingerprint: string;
  source: string;
  definition: string;
  first_seen_at: Date | string | number;
};

/**
 * A write based on a version that is no longer the checklist's latest.
 */
export class ChecklistVersionConflict extends Error {
  constructor(readonly currentVersion: number, readonly baseVersion: number) {
    super(
      `The checklist is at version ${currentVersion}; the change was based on version ${baseVersion}`,
    );
    this.name = 'ChecklistVersionConflict';
  }
}

function fromRow(row: EventRow): ChecklistEvent {
  const { old: before, new: after } = JSON.parse(row.payload);
  const common = {
    version: Number(row.version),
    templateId: row.template_id,
    templateVersion: Number(row.template_version),
    actor: row.actor,
    createdAt: toDate(row.created_at).toISOString(),
  };
  if (row.kind === 'attestation') {
    return { ...common, kind: 'attestation', old: before, new: after };
  }
  return {
    ...common,
    kind: row.kind as 'answer',
    itemId: row.item_id ?? '',
    old: before,
    new: after,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed|duplicate key value/.test(e?.message ?? '')
  );
}

function toRow(
  entityRef: string,
  templateId: string,
  version: number,
  event: NewChecklistEvent,
) {
  return {
    entity_ref: entityRef,
    template_id: templateId,
    version,
    template_version: event.templateVersion,
    kind: event.kind,
    item_id: event.kind === 'attestation' ? null : event.itemId,
    payload: JSON.stringify({ old: event.old, new: event.new }),
    actor: event.actor,
    created_at: new Date(event.createdAt),
  };
}

/**
 * Checklist state, append-only. Every change is a new event row with the
 * next version of its (entity, template) checklist; a unique index makes a
 * second write on the same base version fail, on any number of replicas.
 * The current state is folded from the events.
 */
export class ChecklistStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<ChecklistStore> {
    return new ChecklistStore(await migratedClient(options.database));
  }

  constructor(private readonly db: Knex) {}

  /** Every event of one checklist, oldest first. */
  async listEvents(
    entityRef: string,
    templateId: string,
  ): Promise<ChecklistEvent[]> {
    const rows = await this.db<EventRow>(EVENTS)
      .where({ entity_ref: entityRef, template_id: templateId })
      .orderBy('version', 'asc');
    return rows.map(fromRow);
  }

  /** The state of one checklist, folded from its events. */
  async getRecord(
    entityRef: string,
    templateId: string,
  ): Promise<ChecklistRecord> {
    return foldChecklistEvents(await this.listEvents(entityRef, templateId));
  }

  /** A page of one checklist's history, newest first. */
  async history(
    entityRef: string,
    templateId: string,
    options: { limit: number; beforeVersion?: number },
  ): Promise<{ events: ChecklistEvent[]; hasMore: boolean }> {
    let query = this.db<EventRow>(EVENTS)
      .where({ entity_ref: entityRef, template_id: templateId })
      .orderBy('version', 'desc')
      .limit(options.limit + 1);
    if (options.beforeVersion !== undefined) {
      query = query.where('version', '<', options.beforeVersion);
    }
    const rows = await query;
    return {
      events: rows.slice(0, options.limit).map(fromRow),
      hasMore: rows.length > options.limit,
    };
  }

  /**
   * Appends one change if the checklist is still at `baseVersion`, and
   * returns it with its version. Otherwise throws
   * {@link ChecklistVersionConflict} and writes nothing.
   */
  async append(
    entityRef: string,
    templateId: string,
    baseVersion: number,
    event: NewChecklistEvent,
  ): Promise<ChecklistEvent> {
    const version = baseVersion + 1;
    try {
      await this.db.transaction(async tx => {
        const current = await this.currentVersion(tx, entityRef, templateId);
        if (current !== baseVersion) {
          throw new ChecklistVersionConflict(current, baseVersion);
        }
        await tx(EVENTS).insert(toRow(entityRef, templateId, version, event));
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        // Another replica wrote the same version between our read and insert.
        throw new ChecklistVersionConflict(
          await this.currentVersion(this.db, entityRef, templateId),
          baseVersion,
        );
      }
      throw error;
    }
    return { ...event, version, templateId } as ChecklistEvent;
  }

  private async currentVersion(
    db: Knex | Knex.Transaction,
    entityRef: string,
    templateId: string,
  ): Promise<number> {
    const row = await db(EVENTS)
      .where({ entity_ref: entityRef, template_id: templateId })
      .max({ v: 'version' })
      .first();
    return Number(row?.v ?? 0);
  }

  /** Whether any checklist has a change: a seed is written only before. */
  async hasEvents(): Promise<boolean> {
    return Boolean(await this.db(EVENTS).first('id'));
  }

  /**
   * Writes initial checklists, each as a sequence of events, only when no
   * checklist event exists at all. Safe to call from every replica at
   * once: one of them writes, the others find the table taken. Returns
   * whether this call wrote.
   */
  async seedIfEmpty(
    checklists: Array<{
      entityRef: string;
      templateId: string;
      events: NewChecklistEvent[];
    }>,
  ): Promise<boolean> {
    try {
      return await this.db.transaction(async tx => {
        const any = await tx(EVENTS).first('id');
        if (any) return false;
        for (const checklist of checklists) {
          const rows = checklist.events.map((event, i) =>
            toRow(checklist.entityRef, checklist.templateId, i + 1, event),
          );
          if (rows.length > 0) await tx(EVENTS).insert(rows);
        }
        return true;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * Records a template version the first time it is seen. A version seen
   * before with other content is refused: changed wording needs a new
   * version, or attestations would name a version that no longer says
   * what was signed. Returns the previously recorded version of the same
   * template, if any, for comparison.
   */
  async recordTemplateVersion(
    template: ChecklistTemplateInfo,
    now: Date,
  ): Promise<{ created: boolean; previous?: ChecklistTemplate }> {
    const { source, fingerprint, itemFingerprints, ...definition } = template;
    const key = { template_id: template.id, version: template.version };
    let stored = await this.db<TemplateRow>(TEMPLATES).where(key).first();
    const created = !stored;
    if (!stored) {
      await this.db(TEMPLATES)
        .insert({
          ...key,
          fingerprint,
          source,
          definition: JSON.stringify(definition),
          first_seen_at: now,
        })
        .onConflict(['template_id', 'version'])
        .ignore();
      stored = await this.db<TemplateRow>(TEMPLATES).where(key).first();
    }
    if (stored && stored.fingerprint !== fingerprint) {
      throw new Error(
        `Checklist template "${template.id}" version ${
          template.version
        } differs from the version ${template.version} recorded on ${toDate(
          stored.first_seen_at,
        ).toISOString()}: raise its version when its content changes`,
      );
    }
    const previous = await this.db<TemplateRow>(TEMPLATES)
      .where('template_id', template.id)
      .where('version', '<', template.version)
      .orderBy('version', 'desc')
      .first();
    return {
      created,
      ...(previous ? { previous: JSON.parse(previous.definition) } : {}),
    };
  }

  /** A template version as recorded when first seen. */
  async getTemplateVersion(
    templateId: string,
    version: number,
  ): Promise<ChecklistTemplate | undefined> {
    const row = await this.db<TemplateRow>(TEMPLATES)
      .where({ template_id: templateId, version })
      .first();
    return row ? JSON.parse(row.definition) : undefined;
  }
}
