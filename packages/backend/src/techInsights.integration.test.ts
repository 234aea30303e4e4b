import path from 'node:path';
import {
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import meshPosturePlugin from '@mesh-posture/plugin-mesh-posture-backend';
import meshPostureModuleDemo from '@mesh-posture/plugin-mesh-posture-backend-module-demo';
import techInsightsModuleMeshPosture from '@mesh-posture/plugin-mesh-posture-backend-module-tech-insights';
import request from 'supertest';
import portalPolicyModule from './permissions';

/*
 * The portal's backend as deployed, with Tech Insights: real plugin-to-plugin
 * tokens (Tech Insights asks Mesh Posture on its own behalf, through the
 * portal's permission policy), the demo's real snapshot, and the facts
 * served by Tech Insights' own API. The scheduler only records tasks, so
 * the test runs the snapshot and then the retriever, in that order.
 */

const examples = path.resolve(__dirname, '../../../examples');

jest.setTimeout(120_000);

type Task = SchedulerServiceTaskInvocationDefinition &
  SchedulerServiceTaskScheduleDefinition;

describe('Tech Insights in the portal', () => {
  it("stores every demo service's posture facts from Mesh Posture's snapshot", async () => {
    const tasks: Task[] = [];
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: async task => {
        tasks.push(task);
      },
    });
    const { server } = await startTestBackend({
      features: [
        authServiceFactory,
        httpAuthServiceFactory,
        userInfoServiceFactory,
        scheduler.factory,
        authPlugin,
        guestProviderModule,
        catalogPlugin,
        permissionPlugin,
        portalPolicyModule,
        meshPosturePlugin,
        meshPostureModuleDemo,
        techInsightsPlugin,
        techInsightsModuleMeshPosture,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              providers: {
                guest: {
                  userEntityRef: 'user:default/guest',
                  dangerouslyAllowOutsideDevelopment: true,
                },
              },
            },
            permission: { enabled: true },
            meshPosture: { demo: true },
            techInsights: {
              factRetrievers: {
                'mesh-posture-retriever': {
                  cadence: '*/30 * * * *',
                  lifecycle: { maxItems: 2 },
                },
              },
            },
            catalog: {
              rules: [{ allow: ['Component', 'System', 'API', 'Domain'] }],
              locations: [
                { type: 'file', target: path.join(examples, 'entities.yaml') },
              ],
            },
          },
        }),
      ],
    });
    const task = (id: string) => {
      const found = tasks.find(t => t.id === id);
      if (!found) {
        throw new Error(
          `no task ${id}; scheduled: ${tasks.map(t => t.id).join(', ')}`,
        );
      }
      return found;
    };
    const run = (id: string) => task(id).fn(new AbortController().signal);

    const { token } = (
      await request(server)
        .get('/api/auth/guest/refresh')
        .set('X-Requested-With', 'XMLHttpRequest')
    ).body.backstageIdentity;
    const latest = () =>
      request(server)
        .get(
          '/api/tech-insights/facts/latest?entity=component:default/payments-api&ids[]=mesh-posture-retriever',
        )
        .set('Authorization', `Bearer ${token}`);

    // Before any snapshot: the run stores nothing.
    await run('mesh-posture-retriever');
    expect((await latest()).body).toEqual({});

    // Wait for the catalog, so the snapshot has the demo's services.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(server)
        .get('/api/catalog/entities/by-name/component/default/payments-api')
        .set('Authorization', `Bearer ${token}`);
      if (res.status === 200) break;
      if (Date.now() > deadline) {
        throw new Error(`catalog did not ingest: ${res.status}`);
      }
      await new Promise(r => setTimeout(r, 250));
    }
    await run('mesh-posture-scorecard-snapshot');
    const scorecards = await request(server)
      .get('/api/mesh-posture/v1/scorecards')
      .set('Authorization', `Bearer ${token}`);
    expect(scorecards.status).toBe(200);
    const payments = scorecards.body.entities.find(
      (e: { entityRef: string }) =>
        e.entityRef === 'component:default/payments-api',
    );
    expect(payments).toBeDefined();

    await run('mesh-posture-retriever');
    const res = await latest();
    expect(res.status).toBe(200);
    const stored = res.body['mesh-posture-retriever'];
    expect(stored.entity).toEqual({
      namespace: 'default',
      kind: 'component',
      name: 'payments-api',
    });
    // The facts say what the scorecard API says.
    expect(stored.facts).toMatchObject({
      meshPostureScore: payments.score,
      meshPostureLevel: payments.level ?? 'none',
      checkInboundMtls: payments.checks.find(
        (c: { id: string }) => c.id === 'inbound-mtls',
      ).status,
      snapshotAt: new Date(scorecards.body.run.finishedAt).toISOString(),
    });
    // The demo's payments-api takes traffic, so the share is there.
    expect(stored.facts.inboundMtlsShare).toBeCloseTo(
      payments.figures.inboundMtlsShare,
    );
    // One fact row per service in the snapshot, not only the one read here.
    for (const entity of scorecards.body.entities) {
      const row = await request(server)
        .get(
          `/api/tech-insights/facts/latest?entity=${encodeURIComponent(
            entity.entityRef,
          )}&ids[]=mesh-posture-retriever`,
        )
        .set('Authorization', `Bearer ${token}`);
      expect(row.body['mesh-posture-retriever']?.facts.meshPostureScore).toBe(
        entity.score,
      );
    }
  });
});
