import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import Router from 'express-promise-router';
import request from 'supertest';
import techInsightsModuleMeshPosture, {
  MESH_POSTURE_FACT_RETRIEVER_ID,
} from './index';

/** Stands in for the mesh-posture backend: a snapshot with one entity. */
const meshPostureStandIn = createBackendPlugin({
  pluginId: 'mesh-posture',
  register(env) {
    env.registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        const router = Router();
        router.get('/v1/scorecards', (_req, res) => {
          res.json({ run: null, entities: [] });
        });
        httpRouter.use(router);
      },
    });
  },
});

describe('the Tech Insights module', () => {
  it('registers the retriever and its schema with the real Tech Insights backend', async () => {
    const { server } = await startTestBackend({
      features: [
        techInsightsPlugin,
        techInsightsModuleMeshPosture,
        meshPostureStandIn,
        mockServices.rootConfig.factory({
          data: {
            techInsights: {
              factRetrievers: {
                [MESH_POSTURE_FACT_RETRIEVER_ID]: {
                  cadence: '*/30 * * * *',
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
  });
});
