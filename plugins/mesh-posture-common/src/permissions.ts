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
 * Answer checklist items, and attest (sign off) a checklist, of an entity.
 * A resource permission on the catalog entity: policies typically grant it
 * to the entity's owners.
 * @public
 */
export const meshPostureChecklistUpdatePermission = createPermission({
  name: 'mesh-posture.checklist.update',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Grant or revoke an exemption of a checklist item of an entity. Kept apart
 * from {@link meshPostureChecklistUpdatePermission} so that the people who
 * answer are not the people who approve exceptions.
 * @public
 */
export const meshPostureChecklistExemptPermission = createPermission({
  name: 'mesh-posture.checklist.exempt',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Take a scorecard snapshot of the whole catalog now, outside the schedule.
 * A basic (not resource) permission: policies grant it to the platform team.
 * @public
 */
export const meshPostureSnapshotCreatePermission = createPermission({
  name: 'mesh-posture.snapshot.create',
  attributes: { action: 'create' },
});

/**
 * Every permission the Mesh Posture plugins define.
 * @public
 */
export const meshPosturePermissions = [
  meshPostureReadPermission,
  meshPostureChecklistUpdatePermission,
  meshPostureChecklistExemptPermission,
  meshPostureSnapshotCreatePermission,
];

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
