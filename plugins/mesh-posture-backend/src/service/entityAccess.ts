import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  AuthenticationError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { meshPostureReadPermission } from '@mesh-posture/plugin-mesh-posture-common';

/**
 * The entity a caller may read the posture of: not found unless the
 * catalog shows it to them (so an entity they may not see is one that does
 * not exist), not allowed without mesh-posture.posture.read on it. The REST
 * routes and the actions for AI agents ask the same question here.
 */
export type EntityAccess = (
  ref: CompoundEntityRef,
  credentials: BackstageCredentials,
) => Promise<Entity>;

/**
 * A signed-in user or a service: what every read needs (the routes ask
 * `httpAuth` for exactly these; an action is handed whatever the caller
 * presented, anonymous included).
 */
export function requireCaller(credentials: BackstageCredentials): void {
  const type = (credentials?.principal as { type?: string } | undefined)?.type;
  if (type !== 'user' && type !== 'service') {
    throw new AuthenticationError('Sign in to read mesh postures');
  }
}

export function createEntityAccess(options: {
  catalog: CatalogService;
  permissions: PermissionsService;
}): EntityAccess {
  const { catalog, permissions } = options;
  return async (ref, credentials) => {
    requireCaller(credentials);
    const entity = await catalog.getEntityByRef(ref, { credentials });
    if (!entity) {
      throw new NotFoundError(`No entity ${stringifyEntityRef(ref)}`);
    }
    const [decision] = await permissions.authorize(
      [
        {
          permission: meshPostureReadPermission,
          resourceRef: stringifyEntityRef(entity),
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to read the mesh posture of ${stringifyEntityRef(entity)}`,
      );
    }
    return entity;
  };
}
