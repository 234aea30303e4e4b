import {
  coreServices,
  createBackendPlugin,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import Router from 'express-promise-router';
import request from 'supertest';
import techInsightsModuleMeshPosture, {
  MESH_POSTURE_FACT_RETRIEVER_ID,
} from './index';

const snapshot = {
  run: { id: 1, finishedAt: '2026-11-22T09:00:04.000Z' },
  entities: [
    {
      entityRef: 'component:default/ledger',
      kind: 'Component',
      namespace: 'default',
      name: 'ledger',
      score: 92.5,
      level: 'Gold',
      checks: [
        { id: 'inbound-mtls', status: 'pass', detail: '100% over mTLS' },
        { id: 'no-over-grants', status: 'warn', detail: 'one never seen' },
      ],
      figures: {
        totalPods: 2,
        meshedPods: 2,
        inboundMtlsShare: 1,
        outboundMtlsShare: null,
        inboundRequestsPerSecond: 20,
        successRate: 1,
        latencyP99Ms: 12,
        certificateDaysLeft: 130,
      },
    },
  ],
};

/** Stands in for the mesh-posture backend: a snapshot with one entity. */
const meshPostureStandIn = createBackendPlugin({
  pluginId: 'mesh-posture',
  register(env) {
    env.registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        const router = Router();
        router.get('/v1/scorecards', (_req, res) => {
          res.json(snapshot);
        });
        httpRouter.use(router);
      },
    });
  },
});

describe('the Tech Insights module', () => {
  it('registers the retriever with the real Tech Insights backend, whose run stores the facts', async () => {
    // Keep the scheduled tasks, to run the retriever's now.
    const tasks: Array<
      SchedulerServiceTaskInvocationDefinition &
        SchedulerServiceTaskScheduleDefinition
    > = [];
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: async task => {
        tasks.push(task);
      },
    });
    const { server } = await startTestBackend({
      features: [
        techInsightsPlugin,
        scheduler.factory,
        techInsightsModuleMeshPosture,
        meshPostureStandIn,
        mockServices.rootConfig.factory({
          data: {
            techInsights: {
              factRetrievers: {
                [MESH_POSTURE_FACT_RETRIEVER_ID]: {
                  cadence: '*/30 * * * *',
                  timeout: { minutes: 2 },
                  lifecycle: { maxItems: 10 },
                },
              },
            },
          },
        }),
      ],
    });
    const res = await request(server).get(
      `/api/tech-insights/fact-schemas?ids[]=${MESH_POSTURE_FACT_RETRIEVER_ID}`,
    );
    expect(res.status).toBe(200);
    // The stored schema, as Tech Insights serves it to its UI and checks.
    expect(res.body).toEqual([
      expect.objectContaining({
        meshPostureScore: expect.objectContaining({ type: 'float' }),
        meshPostureLevel: expect.objectContaining({ type: 'string' }),
        snapshotAt: expect.objectContaining({ type: 'datetime' }),
        checkInboundMtls: expect.objectContaining({ type: 'string' }),
      }),
    ]);

    const task = tasks.find(t => t.id === MESH_POSTURE_FACT_RETRIEVER_ID)!;
    expect(task.frequency).toEqual({ cron: '*/30 * * * *' });
    expect(task.timeout).toEqual({ minutes: 2 });
    await task.fn(new AbortController().signal);
    const facts = await request(server).get(
      `/api/tech-insights/facts/latest?entity=component:default/ledger&ids[]=${MESH_POSTURE_FACT_RETRIEVER_ID}`,
    );
    expect(facts.status).toBe(200);
    expect(facts.body[MESH_POSTURE_FACT_RETRIEVER_ID]).toMatchObject({
      entity: { namespace: 'default', kind: 'component', name: 'ledger' },
      facts: {
        meshPostureScore: 92.5,
        meshPostureLevel: 'Gold',
        inboundMtlsShare: 1,
        allPodsMeshed: true,
        certificateDaysLeft: 130,
        checkInboundMtls: 'pass',
        checkNoOverGrants: 'warn',
      },
    });
  });

  it('says so when Tech Insights has no schedule for the retriever, which it then leaves out', async () => {
    const logger = mockServices.logger.mock();
    const scheduler = mockServices.scheduler.mock();
    const { server } = await startTestBackend({
      features: [
        techInsightsPlugin,
        scheduler.factory,
        logger.factory,
        techInsightsModuleMeshPosture,
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        `add techInsights.factRetrievers.${MESH_POSTURE_FACT_RETRIEVER_ID}.cadence`,
      ),
    );
    expect(scheduler.scheduleTask).not.toHaveBeenCalledWith(
      expect.objectContaining({ id: MESH_POSTURE_FACT_RETRIEVER_ID }),
    );
    const res = await request(server).get(
      `/api/tech-insights/fact-schemas?ids[]=${MESH_POSTURE_FACT_RETRIEVER_ID}`,
    );
    expect(res.body).toEqual([]);
  });
});
