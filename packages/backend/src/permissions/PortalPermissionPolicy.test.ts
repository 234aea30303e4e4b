import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogLocationCreatePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  meshPostureChecklistExemptPermission,
  meshPostureChecklistUpdatePermission,
  meshPostureReadPermission,
  meshPostureSnapshotCreatePermission,
} from '@mesh-posture/plugin-mesh-posture-common';
import { PortalPermissionPolicy } from './PortalPermissionPolicy';

const checklistAnswer = createPermission({
  name: 'mesh-posture.checklist.answer',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

const MEMBERSHIP: Record<string, string[]> = {
  'user:default/ana.silva': ['group:default/payments-team'],
  'user:default/li.chen': ['group:default/platform-team'],
};

function policy() {
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [ref, ...(MEMBERSHIP[ref] ?? [])],
      };
    },
  });
  return new PortalPermissionPolicy({
    userInfo,
    platformGroups: ['group:default/platform-team'],
  });
}

function asUser(ref: string) {
  return {
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: [] },
  };
}

describe('PortalPermissionPolicy', () => {
  it('lets everyone read, posture included', async () => {
    for (const permission of [
      catalogEntityReadPermission,
      meshPostureReadPermission,
    ]) {
      await expect(
        policy().handle({ permission }, asUser('user:development/guest')),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('gives entity owners Mesh Posture writes, refresh and delete, judged by the catalog', async () => {
    for (const permission of [
      checklistAnswer,
      catalogEntityRefreshPermission,
      catalogEntityDeletePermission,
    ]) {
      await expect(
        policy().handle({ permission }, asUser('user:default/ana.silva')),
      ).resolves.toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: ['user:default/ana.silva', 'group:default/payments-team'],
          },
        },
      });
    }
  });

  it('lets the platform team do everything', async () => {
    for (const permission of [
      checklistAnswer,
      catalogLocationCreatePermission,
    ]) {
      await expect(
        policy().handle({ permission }, asUser('user:default/li.chen')),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('denies other writes to everyone else, and writes without a user', async () => {
    await expect(
      policy().handle(
        { permission: catalogLocationCreatePermission },
        asUser('user:default/ana.silva'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy().handle({ permission: checklistAnswer }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('lets owners answer and attest checklists, judged by the catalog', async () => {
    await expect(
      policy().handle(
        { permission: meshPostureChecklistUpdatePermission },
        asUser('user:default/ana.silva'),
      ),
    ).resolves.toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/ana.silva', 'group:default/payments-team'],
        },
      },
    });
  });

  it('keeps checklist exemptions for the platform team, who approve them', async () => {
    await expect(
      policy().handle(
        { permission: meshPostureChecklistExemptPermission },
        asUser('user:default/ana.silva'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy().handle(
        { permission: meshPostureChecklistExemptPermission },
        asUser('user:default/li.chen'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy().handle({ permission: meshPostureChecklistExemptPermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('lets only the platform team take a scorecard snapshot on demand', async () => {
    await expect(
      policy().handle(
        { permission: meshPostureSnapshotCreatePermission },
        asUser('user:default/ana.silva'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy().handle(
        { permission: meshPostureSnapshotCreatePermission },
        asUser('user:default/li.chen'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });
});
