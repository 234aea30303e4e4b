import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@mesh-posture/plugin-mesh-posture-backend',
  'migrations',
);

/** One migration per client and process: the four stores share it. */
const migrations = new WeakMap<Knex, Promise<void>>();

/**
 * The plugin's database client, migrated to the latest schema unless the
 * deployment runs migrations itself. Every store opens through here.
 */
export async function migratedClient(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    let migrated = migrations.get(client);
    if (!migrated) {
      migrated = migrateToLatest(client);
      migrations.set(client, migrated);
      // A failed attempt is not remembered: the next store tries again.
      migrated.catch(() => migrations.delete(client));
    }
    await migrated;
  }
  return client;
}

/**
 * What replicas starting at the same moment run into: knex's migration
 * lock held by another replica, or its bookkeeping tables created by two at
 * once (PostgreSQL: duplicate_table 42P07, unique_violation 23505 on the
 * catalog; SQLite: "already exists").
 */
function isRaceOfReplicas(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string };
  return (
    e?.name === 'LockError' ||
    /already locked/i.test(e?.message ?? '') ||
    e?.code === '42P07' ||
    e?.code === '23505' ||
    /already exists/i.test(e?.message ?? '')
  );
}

/**
 * Migrates to the latest schema, as one of several replicas may: a schema
 * that is already latest needs no lock at all (so a lock a crashed replica
 * left behind does not stop the others), and a race with another replica
 * is retried with backoff until it has finished, for up to `waitMs`.
 */
export async function migrateToLatest(
  client: Knex,
  options: { waitMs?: number; directory?: string } = {},
): Promise<void> {
  const directory = options.directory ?? migrationsDir;
  const until = Date.now() + (options.waitMs ?? 120_000);
  for (let attempt = 0; ; attempt++) {
    try {
      const [, pending] = await client.migrate.list({ directory });
      if (pending.length === 0) return;
      await client.migrate.latest({ directory });
      return;
    } catch (error) {
      if (!isRaceOfReplicas(error)) throw error;
      if (Date.now() > until) {
        throw new Error(
          `Mesh posture migrations did not get the migration lock within ${Math.round(
            (options.waitMs ?? 120_000) / 1000,
          )} s (${
            (error as Error).message
          }); if no replica is migrating, a stopped one left it: clear is_locked in the plugin database's knex_migrations_lock table`,
        );
      }
      const backoff = Math.min(5_000, 100 * 2 ** attempt);
      await new Promise(r => setTimeout(r, backoff * (0.5 + Math.random())));
    }
  }
}

/**
 * A timestamp column as a Date: PostgreSQL hands back Dates, SQLite numbers
 * (epoch milliseconds, possibly as text) or UTC text without a zone marker.
 */
export function toDate(value: Date | string | number): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (/^\d+$/.test(value)) return new Date(Number(value));
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
}
