/**
 * A Tech Insights module publishing Mesh Posture's zero-trust scorecards as
 * facts.
 *
 * @packageDocumentation
 */

export { techInsightsModuleMeshPosture as default } from './module';
export {
  checkFactName,
  MESH_POSTURE_FACT_RETRIEVER_ID,
  meshPostureFactRetriever,
} from './meshPostureFactRetriever';
