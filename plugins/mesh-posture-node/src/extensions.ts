import { createExtensionPoint } from '@backstage/backend-plugin-api';
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
