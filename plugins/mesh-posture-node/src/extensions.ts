import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { MeshAdapter } from './meshes';
import type { MeshClusterProvider } from './sources';

/**
 * Lets backend modules add clusters (with their object and telemetry
 * sources) to the Mesh Posture backend.
 * @public
 */
export interface MeshPostureClustersExtensionPoint {
  addClusterProvider(provider: MeshClusterProvider): void;
}

/** @public */
export const meshPostureClustersExtensionPoint =
  createExtensionPoint<MeshPostureClustersExtensionPoint>({
    id: 'mesh-posture.clusters',
  });

/**
 * Lets backend modules teach the Mesh Posture backend another mesh: the
 * adapter that reads its objects and pods. Its clusters come through
 * {@link meshPostureClustersExtensionPoint} with their telemetry.
 * @public
 */
export interface MeshPostureMeshesExtensionPoint {
  /** Adds the adapter of `mesh` (the `mesh` of its clusters). */
  addMesh(mesh: string, adapter: MeshAdapter): void;
}

/** @public */
export const meshPostureMeshesExtensionPoint =
  createExtensionPoint<MeshPostureMeshesExtensionPoint>({
    id: 'mesh-posture.meshes',
  });
