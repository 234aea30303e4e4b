/**
 * The built-in demo mesh of Mesh Posture, as a backend module: simulated
 * Linkerd and Istio clusters and the past a fresh demo shows.
 *
 * @packageDocumentation
 */

export { meshPostureModuleDemo as default } from './module';
export { DemoMesh } from './DemoMesh';
export { demoCanaryHistory } from './demoCanaryHistory';
export {
  demoChecklistSeed,
  DEMO_ATTESTED_ENTITY_ANNOTATIONS,
  DEMO_CHECKLISTS,
} from './demoChecklists';
export type { SeedChecklist, Step } from './demoChecklists';
