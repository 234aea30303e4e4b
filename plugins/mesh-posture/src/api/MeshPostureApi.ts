import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import type {
  MeshPosture,
  PostureHistoryResponse,
  PostureWindow,
} from '@mesh-posture/plugin-mesh-posture-common';

/**
 * Reads Mesh Posture's backend.
 * @public
 */
export interface MeshPostureApi {
  getPosture(
    entityRef: CompoundEntityRef,
    options?: { window?: PostureWindow },
  ): Promise<MeshPosture>;
  getPostureHistory(
    entityRef: CompoundEntityRef,
    options?: { days?: number },
  ): Promise<PostureHistoryResponse>;
}

/** @public */
export const meshPostureApiRef = createApiRef<MeshPostureApi>({
  id: 'plugin.mesh-posture.api',
});
