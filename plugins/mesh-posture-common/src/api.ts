import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { PostureObservation } from './types';

/**
 * Version prefix of the REST API, mounted under `/api/mesh-posture`.
 * @public
 */
export const MESH_POSTURE_API_VERSION = 'v1';

/**
 * The path of an entity's resources in the REST API, relative to the
 * plugin's base URL. Each part is URL-encoded.
 * @public
 */
export function entityApiPath(ref: CompoundEntityRef): string {
  return `/${MESH_POSTURE_API_VERSION}/entities/${[
    ref.kind,
    ref.namespace,
    ref.name,
  ]
    .map(encodeURIComponent)
    .join('/')}`;
}

/**
 * Response of `GET /v1/entities/{kind}/{namespace}/{name}/posture/history`.
 * @public
 */
export interface PostureHistoryResponse {
  entityRef: string;
  days: number;
  observations: PostureObservation[];
}

/**
 * The error body the backend answers with (Backstage's `ErrorResponseBody`).
 * @public
 */
export interface MeshPostureErrorBody {
  error: { name: string; message: string };
  request?: { method: string; url: string };
  response: { statusCode: number };
}
