import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from './migrate';

const TABLE = 'mesh_posture_notices';

type NoticeRow = {
  scope: string;
  topic: string;
  conditions: string;
  notified_at: Date | string | number;
};

/** What a notification scope last told: its topic and condition keys. */
export interface ToldNotice {
  scope: string;
  topic: string;
  conditions: string[];
}

/**
 * The conditions each notification scope has told owners, so the notifier
 * sends each change once across replicas and runs.
 */
export class NoticeStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<NoticeStore> {
    return new NoticeStore(await migratedClient(options.database));
  }

  constructor(private readonly db: Knex) {}

  /** Every scope's told conditions. */
  async told(): Promise<Map<string, ToldNotice>> {
    const rows: NoticeRow[] = await this.db(TABLE).select();
    return new Map(
      rows.map(r => [
        r.scope,
        {
          scope: r.scope,
          topic: r.topic,
          conditions: JSON.parse(r.conditions),
        },
      ]),
    );
  }

  /**
   * Claims a change: moves a scope from the conditions it told (none when
   * `before` is undefined) to new ones, only if no one else has since.
   * True when this caller made the change and should send.
   */
  async claim(
    notice: ToldNotice,
    before: string[] | undefined,
    at: Date,
  ): Promise<boolean> {
    const row = {
      topic: notice.topic,
      conditions: JSON.stringify(notice.conditions),
      notified_at: at,
    };
    if (before === undefined) {
      try {
        await this.db(TABLE).insert({ scope: notice.scope, ...row });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    }
    const updated = await this.db(TABLE)
      .where({ scope: notice.scope, conditions: JSON.stringify(before) })
      .update(row);
    return updated === 1;
  }

  /** Restores what a scope told before a claim whose send failed. */
  async release(scope: string, before: ToldNotice | undefined): Promise<void> {
    if (!before) {
      await this.db(TABLE).where('scope', scope).delete();
      return;
    }
    await this.db(TABLE)
      .where('scope', scope)
      .update({ conditions: JSON.stringify(before.conditions) });
  }

  /** Records conditions that shrank (nothing new to tell). */
  async narrow(notice: ToldNotice, before: string[]): Promise<void> {
    await this.db(TABLE)
      .where({ scope: notice.scope, conditions: JSON.stringify(before) })
      .update({ conditions: JSON.stringify(notice.conditions) });
  }

  /** Forgets scopes whose conditions cleared, so a recurrence is told. */
  async clear(scopes: string[]): Promise<void> {
    for (let i = 0; i < scopes.length; i += 500) {
      await this.db(TABLE)
        .whereIn('scope', scopes.slice(i, i + 500))
        .delete();
    }
  }
}

/** Another writer stored the scope first (PostgreSQL 23505, SQLite's constraint). */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /UNIQUE constraint failed|duplicate key/i.test(e?.message ?? '')
  );
}
