import {
  createValidatedOpenApiRouterFromGeneratedEndpointMap,
  TypedRouter,
} from '@backstage/backend-openapi-utils';
import type { RequestHandler } from 'express';
import type { MeshPostureEndpoints } from './endpoints';

/** The plugin's router: every route typed and validated from openapi.yaml. */
export type MeshPostureRouter = TypedRouter<MeshPostureEndpoints>;

/**
 * The spec as the request validator reads it: without request bodies.
 * A write reads its body itself, after the permission check and inside
 * its auditor event, so that a refused write is refused in its turn and
 * recorded (the body validators in -common give the field-by-field
 * reasons). Paths, path parameters and query strings are the spec's.
 */
export function withoutRequestBodies<T extends object>(spec: T): T {
  const copy = structuredClone(spec) as {
    paths?: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  for (const operations of Object.values(copy.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      if (operation && typeof operation === 'object') {
        delete operation.requestBody;
      }
    }
  }
  return copy as T;
}

/**
 * A router that refuses, with a 400 naming the parameter, every request
 * whose path parameters or query string the spec does not allow (unknown
 * or repeated parameters, values outside an enum or range), and hands
 * routes their query coerced and with the spec's defaults.
 */
export function createMeshPostureApiRouter(
  spec: object,
  middleware: RequestHandler[],
): MeshPostureRouter {
  return createValidatedOpenApiRouterFromGeneratedEndpointMap<MeshPostureEndpoints>(
    withoutRequestBodies(spec) as Parameters<
      typeof createValidatedOpenApiRouterFromGeneratedEndpointMap
    >[0],
    { middleware },
  );
}
