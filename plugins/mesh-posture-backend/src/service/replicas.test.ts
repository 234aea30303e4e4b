import net from 'node:net';
import { cacheServiceFactory } from '@backstage/backend-defaults/cache';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { meshPostureClustersExtensionPoint } from '@mesh-posture/plugin-mesh-posture-node';
import { Knex } from 'knex';
import request from 'supertest';
import { meshPosturePlugin } from '../plugin';
import { objectSourceOf } from '../__testUtils__/fakeKubernetesApi';
import { manyServicesObjects } from '../__testUtils__/manyServices';
import { testDatabaseIds } from '../__testUtils__/testDatabaseIds';

/*
 * Two replicas as a production deployment runs them: one PostgreSQL, one
 * Redis (`backend.cache.store: redis`). A posture one replica read is
 * served by the other from the shared cache without reading the cluster
 * again, and a checklist answer written on one is read back on the other at
 * once. Needs Redis on 127.0.0.1:6379 (CI starts it; elsewhere the test is
 * skipped unless MESH_POSTURE_REQUIRE_REDIS=1).
 */

jest.setTimeout(60_000);

const REDIS =
  process.env.MESH_POSTURE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS);
  const reachable = await new Promise<boolean>(resolve => {
    const socket = net.connect(Number(port || 6379), hostname);
    socket.setTimeout(1000);
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => resolve(false));
  }).finally(() => undefined);
  if (!reachable && process.env.MESH_POSTURE_REQUIRE_REDIS === '1') {
    throw new Error(
      `MESH_POSTURE_REQUIRE_REDIS=1 but ${REDIS} is not reachable`,
    );
  }
  return reachable;
}

// Keys of earlier runs stay in the shared Redis: this run's entity is new.
const name = `svc-${Date.now().toString(36)}`;
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'svc-0' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-0' },
};

/** The pods of svc-0, counting the listings each replica makes. */
const listings: string[] = [];
function clusterModule(replicaId: string) {
  const objects = objectSourceOf(manyServicesObjects(1));
  return createBackendModule({
    pluginId: 'mesh-posture',
    moduleId: `cluster-${replicaId}`,
    register(env) {
      env.registerInit({
        deps: { clusters: meshPostureClustersExtensionPoint },
        async init({ clusters }) {
          clusters.addClusterProvider({
            getClusters: async () => [
              {
                name: 'prod',
                mesh: 'linkerd',
                objects: {
                  list: async (query, options) => {
                    listings.push(`${replicaId} ${query.resource}`);
                    return objects.list(query, options);
                  },
                  get: (query, options) => objects.get(query, options),
                },
              },
            ],
          });
        },
      });
    },
  });
}

async function replica(id: string, knex: Knex) {
  const { server } = await startTestBackend({
    features: [
      meshPosturePlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          backend: { cache: { store: 'redis', connection: REDIS } },
          meshPosture: { snapshot: { initialDelay: { hours: 1 } } },
        },
      }),
      cacheServiceFactory,
      mockServices.scheduler.factory(),
      catalogServiceMock.factory({ entities: [entity] }),
      clusterModule(id),
    ],
  });
  return server;
}

const databases = TestDatabases.create({
  ids: testDatabaseIds().filter(id => id.startsWith('POSTGRES')),
});
const ids = databases.eachSupportedId();
const ENTITY = `/api/mesh-posture/v1/entities/component/default/${name}`;

(ids.length > 0 ? describe.each(ids) : describe.skip.each([['none']]))(
  'two replicas on %s and Redis',
  id => {
    it('share the posture cache and see each other’s writes at once', async () => {
      if (!(await redisReachable())) {
        console.warn(`Redis is not reachable at ${REDIS}; skipped`);
        return;
      }
      const knex = await databases.init(id as any);
      const [a, b] = [await replica('a', knex), await replica('b', knex)];

      const first = await request(a).get(`${ENTITY}/posture`);
      expect(first.status).toBe(200);
      expect(first.body.freshness.cached).toBe(false);
      const listed = listings.filter(l => l.startsWith('a ')).length;
      expect(listed).toBeGreaterThan(0);

      const second = await request(b).get(`${ENTITY}/posture`);
      expect(second.status).toBe(200);
      expect(second.body.freshness.cached).toBe(true);
      expect(second.body.totalPods).toBe(first.body.totalPods);
      expect(listings.filter(l => l.startsWith('b ')).length).toBe(0);

      const checklists = await request(b).get(`${ENTITY}/checklists`);
      expect(checklists.status).toBe(200);
      const threatModel = checklists.body.checklists.find(
        (c: any) => c.template.id === 'threat-model',
      );
      const answered = await request(a)
        .put(`${ENTITY}/checklists/threat-model/items/trust-boundaries/answer`)
        .set('Authorization', mockCredentials.user.header())
        .send({
          baseVersion: threatModel.version,
          value: 'partial',
          rationale: 'Mapped for the public API.',
        });
      expect(answered.status).toBe(200);

      const seen = await request(b).get(`${ENTITY}/checklists`);
      const item = seen.body.checklists
        .find((c: any) => c.template.id === 'threat-model')
        .items.find((i: any) => i.itemId === 'trust-boundaries');
      expect(item.answer).toMatchObject({
        value: 'partial',
        answeredBy: mockCredentials.user().principal.userEntityRef,
      });
    });
  },
);
