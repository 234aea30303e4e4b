import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';
import { migrateToLatest } from './migrate';

/*
 * Replicas that start at the same moment migrate the same database at once:
 * each with its own connection pool, as separate processes would. Only a
 * server database can be shared that way (SQLite here is in memory).
 */
// Three replicas take turns on the migration lock, each waiting out the
// others: on a loaded machine that is seconds, not the default five.
jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: testDatabaseIds().filter(id => id.startsWith('POSTGRES')),
});

const TABLES = [
  'mesh_posture_observations',
  'mesh_posture_checklist_events',
  'mesh_posture_snapshot_runs',
  'mesh_posture_canary_transitions',
];
const directory = `${__dirname}/../../migrations`;

const ids = databases.eachSupportedId();
(ids.length > 0 ? describe.each(ids) : describe.skip.each([['none']]))(
  'migrations of replicas starting together on %s',
  id => {
    const replicas: Knex[] = [];
    afterEach(async () => {
      await Promise.all(replicas.splice(0).map(k => k.destroy()));
    });

    async function freshDatabase() {
      const first = await databases.init(id as any);
      const replicaOf = () => {
        const k = knexFactory(first.client.config);
        replicas.push(k);
        return k;
      };
      return { first, replicaOf };
    }

    it('three at once all start, each table made once, no lock left', async () => {
      const { first, replicaOf } = await freshDatabase();
      const three = [replicaOf(), replicaOf(), replicaOf()];
      await Promise.all(three.map(k => migrateToLatest(k, { waitMs: 60_000 })));

      for (const table of TABLES) {
        expect(await first.schema.hasTable(table)).toBe(true);
      }
      const [, pending] = await first.migrate.list({ directory });
      expect(pending).toEqual([]);
      const locks = await first('knex_migrations_lock').select('is_locked');
      expect(locks).toEqual([{ is_locked: 0 }]);
    });

    it('a lock a stopped replica left behind does not stop a migrated database', async () => {
      const { first, replicaOf } = await freshDatabase();
      await migrateToLatest(first);
      await first('knex_migrations_lock').update({ is_locked: 1 });
      await expect(
        migrateToLatest(replicaOf(), { waitMs: 1_000 }),
      ).resolves.toBeUndefined();
    });

    it('a held lock with migrations pending fails after the wait, saying what to do', async () => {
      const { first, replicaOf } = await freshDatabase();
      await first.migrate.latest({ directory });
      await first.migrate.down({ directory });
      await first('knex_migrations_lock').update({ is_locked: 1 });
      await expect(
        migrateToLatest(replicaOf(), { waitMs: 1_000 }),
      ).rejects.toThrow(/knex_migrations_lock/);
    });
  },
);
