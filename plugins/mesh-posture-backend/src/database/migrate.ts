import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@mesh-posture/plugin-mesh-posture-backend',
  'migrations',
);

/**
 * The plugin's database client, migrated to the latest schema unless the
 * deployment runs migrations itself. Every store opens through here.
 */
export async function migratedClient(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return client;
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
