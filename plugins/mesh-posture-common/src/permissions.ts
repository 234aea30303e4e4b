import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

/**
 * Read an entity's mesh posture. A resource permission on the catalog entity,
 * so policies can use the catalog's conditional rules (for example
 * "is entity owner"). The backend also requires catalog read access to the
 * entity, and answers 404 without it.
 * @public
 */
export const meshPostureReadPermission = createPermission({
  name: 'mesh-posture.posture.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Every permission the Mesh Posture plugins define.
 * @public
 */
export const meshPosturePermissions = [meshPostureReadPermission];

/**
 * Permissions named `mesh-posture.*` whose action is not read: the writes the
 * suite performs (checklist answers, exemptions, attestations). Policies can
 * use this to grant them to entity owners and the platform team in one rule.
 * @public
 */
export function isMeshPostureWritePermission(permission: {
  name: string;
  attributes: { action?: string };
}): boolean {
  return (
    permission.name.startsWith('mesh-posture.') &&
    permission.attributes.action !== undefined &&
    permission.attributes.action !== 'read'
  );
}
