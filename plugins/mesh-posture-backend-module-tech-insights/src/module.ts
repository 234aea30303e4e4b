import { createBackendModule } from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  MESH_POSTURE_FACT_RETRIEVER_ID,
  meshPostureFactRetriever,
} from './meshPostureFactRetriever';

/**
 * Adds the Mesh Posture fact retriever to Tech Insights. Schedule it as any
 * retriever: `techInsights.factRetrievers.meshPostureFactRetriever`.
 * @public
 */
export const techInsightsModuleMeshPosture = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'mesh-posture',
  register(env) {
    env.registerInit({
      deps: { providers: techInsightsFactRetrieversExtensionPoint },
      async init({ providers }) {
        providers.addFactRetrievers({
          [MESH_POSTURE_FACT_RETRIEVER_ID]: meshPostureFactRetriever,
        });
      },
    });
  },
});
