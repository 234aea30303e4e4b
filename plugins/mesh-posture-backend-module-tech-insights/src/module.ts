import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  MESH_POSTURE_FACT_RETRIEVER_ID,
  meshPostureFactRetriever,
} from './meshPostureFactRetriever';

/**
 * Adds the Mesh Posture fact retriever to Tech Insights, which schedules it
 * from `techInsights.factRetrievers.mesh-posture-retriever`.
 * @public
 */
export const techInsightsModuleMeshPosture = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'mesh-posture',
  register(env) {
    env.registerInit({
      deps: {
        providers: techInsightsFactRetrieversExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        // Tech Insights drops a retriever without a schedule silently; say
        // what is missing instead.
        if (
          !config.has(
            `techInsights.factRetrievers.${MESH_POSTURE_FACT_RETRIEVER_ID}`,
          )
        ) {
          logger.warn(
            `The Mesh Posture fact retriever is installed but not scheduled: add techInsights.factRetrievers.${MESH_POSTURE_FACT_RETRIEVER_ID}.cadence (e.g. '*/30 * * * *') to the config`,
          );
        }
        providers.addFactRetrievers({
          [MESH_POSTURE_FACT_RETRIEVER_ID]: meshPostureFactRetriever,
        });
      },
    });
  },
});
