import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import request from 'supertest';
import { meshPostureClustersExtensionPoint } from '@mesh-posture/plugin-mesh-posture-node';
import { meshPosturePlugin } from '../plugin';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

/*
 * Two replicas on one database, with Backstage's real scheduler: asked at
 * the same moment, they take one snapshot between them, never two at once.
 */

jest.setTimeout(90_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'payments-api' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
};

// A cluster that takes its time: a run lasts long enough to overlap.
const slowCluster = createBackendModule({
  pluginId: 'mesh-posture',
  moduleId: 'slow-cluster',
  register(env) {
    env.registerInit({
      deps: { clusters: meshPostureClustersExtensionPoint },
      async init({ clusters }) {
        clusters.addClusterProvider({
          getClusters: async () => [
            {
              name: 'slow',
              mesh: 'linkerd',
              objects: {
                list: async () => {
                  await new Promise(resolve => setTimeout(resolve, 400));
                  return [];
                },
                get: async () => undefined,
              },
            },
          ],
        });
      },
    });
  },
});

async function replica(knex: Knex) {
  const { server } = await startTestBackend({
    features: [
      meshPosturePlugin,
      schedulerServiceFactory,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          meshPosture: {
            snapshot: {
              frequency: { hours: 24 },
              initialDelay: { seconds: 1 },
            },
          },
        },
      }),
      catalogServiceMock.factory({ entities: [entity] }),
      slowCluster,
    ],
  });
  return server;
}

const databases = TestDatabases.create({ ids: testDatabaseIds() });

describe.each(databases.eachSupportedId())(
  'snapshots asked of two replicas on %s',
  databaseId => {
    it('never run two at the same time', async () => {
      const knex = await databases.init(databaseId);
      const [a, b] = [await replica(knex), await replica(knex)];
      // Past the initial delay, each replica's scheduler takes work.
      await new Promise(resolve => setTimeout(resolve, 1500));
      const [ra, rb] = await Promise.all([
        request(a).post('/api/mesh-posture/v1/snapshots'),
        request(b).post('/api/mesh-posture/v1/snapshots'),
      ]);
      // Each gets a stored run, or is refused while one runs.
      for (const res of [ra, rb]) {
        expect([201, 409]).toContain(res.status);
      }
      expect([ra, rb].some(r => r.status === 201)).toBe(true);

      // The lease was released: the next one is taken too.
      const again = await request(b).post('/api/mesh-posture/v1/snapshots');
      expect(again.status).toBe(201);

      // Never two at once, whichever replica ran them.
      const runs = (
        await knex('mesh_posture_snapshot_runs').select(
          'started_at',
          'finished_at',
        )
      )
        .map(r => [
          new Date(r.started_at).getTime(),
          new Date(r.finished_at).getTime(),
        ])
        .sort((x, y) => x[0] - y[0]);
      expect(runs.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < runs.length; i++) {
        expect(runs[i][0]).toBeGreaterThanOrEqual(runs[i - 1][1]);
      }
    });
  },
);
