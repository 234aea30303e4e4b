import { createPermission } from '@backstage/plugin-permission-common';
import {
  isMeshPostureWritePermission,
  meshPostureChecklistExemptPermission,
  meshPostureChecklistUpdatePermission,
  meshPosturePermissions,
  meshPostureSnapshotCreatePermission,
  meshPostureReadPermission,
} from './permissions';

describe('isMeshPostureWritePermission', () => {
  it('is false for reads and for other plugins', () => {
    expect(isMeshPostureWritePermission(meshPostureReadPermission)).toBe(false);
    expect(
      isMeshPostureWritePermission(
        createPermission({
          name: 'catalog.entity.delete',
          attributes: { action: 'delete' },
        }),
      ),
    ).toBe(false);
  });

  it('is true for mesh-posture updates, creates and deletes', () => {
    for (const action of ['create', 'update', 'delete'] as const) {
      expect(
        isMeshPostureWritePermission(
          createPermission({
            name: 'mesh-posture.checklist.answer',
            attributes: { action },
          }),
        ),
      ).toBe(true);
    }
  });
});

describe('the checklist permissions', () => {
  it('are catalog-entity resource permissions that count as writes', () => {
    expect(meshPostureChecklistUpdatePermission).toEqual({
      type: 'resource',
      name: 'mesh-posture.checklist.update',
      attributes: { action: 'update' },
      resourceType: 'catalog-entity',
    });
    expect(meshPostureChecklistExemptPermission).toEqual({
      type: 'resource',
      name: 'mesh-posture.checklist.exempt',
      attributes: { action: 'update' },
      resourceType: 'catalog-entity',
    });
    expect(meshPosturePermissions.map(p => p.name)).toEqual([
      'mesh-posture.posture.read',
      'mesh-posture.checklist.update',
      'mesh-posture.checklist.exempt',
      'mesh-posture.snapshot.create',
    ]);
    expect(
      isMeshPostureWritePermission(meshPostureChecklistUpdatePermission),
    ).toBe(true);
    expect(
      isMeshPostureWritePermission(meshPostureChecklistExemptPermission),
    ).toBe(true);
  });
});

describe('the snapshot permission', () => {
  it('is a basic write permission, not tied to an entity', () => {
    expect(meshPostureSnapshotCreatePermission).toEqual({
      type: 'basic',
      name: 'mesh-posture.snapshot.create',
      attributes: { action: 'create' },
    });
    expect(
      isMeshPostureWritePermission(meshPostureSnapshotCreatePermission),
    ).toBe(true);
  });
});
