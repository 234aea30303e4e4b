/**
 * Mesh Posture: a service's zero-trust posture on its catalog page.
 *
 * Legacy frontend system exports; the new frontend system plugin is the
 * default export of `@mesh-posture/plugin-mesh-posture/alpha`.
 *
 * @packageDocumentation
 */

export {
  meshPosturePlugin,
  EntityMeshSecurityCard,
  EntityZeroTrustContent,
  EntityGoldenSignalsCard,
  EntityComplianceContent,
  EntityZeroTrustScoreCard,
  EntityCanaryCard,
  ZeroTrustPage,
} from './plugin';
export { complianceRouteRef, zeroTrustPageRouteRef } from './routes';
export {
  meshPostureApiRef,
  MeshPostureClient,
  ChecklistConflictError,
} from './api';
export type { MeshPostureApi } from './api';
export {
  isChecklistAvailable,
  isMeshPostureAvailable,
} from '@mesh-posture/plugin-mesh-posture-common';
