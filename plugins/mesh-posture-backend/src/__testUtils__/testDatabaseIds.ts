import type { TestDatabaseId } from '@backstage/backend-test-utils';

const POSTGRES_IDS: TestDatabaseId[] = [
  'POSTGRES_18',
  'POSTGRES_17',
  'POSTGRES_16',
  'POSTGRES_15',
  'POSTGRES_14',
  'POSTGRES_13',
];

/**
 * The databases the store tests run on: SQLite always, and every PostgreSQL
 * whose connection string is set (BACKSTAGE_TEST_DATABASE_POSTGRES<N>_CONNECTION_STRING).
 * With MESH_POSTURE_REQUIRE_POSTGRES=1 (the full test run sets it) a missing
 * PostgreSQL fails the run instead of being skipped.
 */
export function testDatabaseIds(): TestDatabaseId[] {
  const postgres = POSTGRES_IDS.filter(
    id =>
      process.env[
        `BACKSTAGE_TEST_DATABASE_${id.replace('_', '')}_CONNECTION_STRING`
      ],
  );
  if (
    postgres.length === 0 &&
    process.env.MESH_POSTURE_REQUIRE_POSTGRES === '1'
  ) {
    throw new Error(
      'MESH_POSTURE_REQUIRE_POSTGRES=1 but no BACKSTAGE_TEST_DATABASE_POSTGRES<N>_CONNECTION_STRING is set',
    );
  }
  return ['SQLITE_3', ...postgres];
}
