import { createPermission } from '@backstage/plugin-permission-common';
import {
  isMeshPostureWritePermission,
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
