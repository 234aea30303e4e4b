import { UserInfoService } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityDeletePermission,
  catalogEntityRefreshPermission,
  RESOURCE_TYPE_CATALOG_ENTITY,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  isMeshPostureWritePermission,
  meshPostureChecklistExemptPermission,
} from '@mesh-posture/plugin-mesh-posture-common';

/**
 * The portal's policy, as a regulated platform would run it:
 *
 * - every signed-in user may read (catalog, Kubernetes views, posture);
 * - members of a platform group may do everything;
 * - Mesh Posture writes (`mesh-posture.*` with a create/update/delete
 *   action, e.g. answering and attesting checklists), entity refresh and
 *   entity delete are allowed on entities the user owns, directly or
 *   through a group, evaluated by the catalog;
 * - except checklist exemptions (`mesh-posture.checklist.exempt`): the
 *   platform group approves those, so owners cannot exempt themselves;
 * - anything else that writes is denied.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: {
      userInfo: UserInfoService;
      platformGroups: string[];
    },
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (permission.attributes.action === 'read') {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }

    const { ownershipEntityRefs } = await this.options.userInfo.getUserInfo(
      user.credentials,
    );
    const claims = ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US'));
    if (this.options.platformGroups.some(g => claims.includes(g))) {
      return { result: AuthorizeResult.ALLOW };
    }

    const ownerMayWrite =
      (isMeshPostureWritePermission(permission) &&
        !isPermission(permission, meshPostureChecklistExemptPermission)) ||
      isPermission(permission, catalogEntityRefreshPermission) ||
      isPermission(permission, catalogEntityDeletePermission);
    if (
      ownerMayWrite &&
      isResourcePermission(permission, RESOURCE_TYPE_CATALOG_ENTITY)
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.DENY };
  }
}
