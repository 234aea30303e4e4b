import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { PortalPermissionPolicy } from './PortalPermissionPolicy';

/** Platform groups when `meshPosture.permissions.platformGroups` is not set. */
export const DEFAULT_PLATFORM_GROUPS = ['group:default/platform-team'];

/**
 * Installs {@link PortalPermissionPolicy}. Platform groups come from
 * `meshPosture.permissions.platformGroups` (entity refs).
 */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(env) {
    env.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        const platformGroups = (
          config.getOptionalStringArray(
            'meshPosture.permissions.platformGroups',
          ) ?? DEFAULT_PLATFORM_GROUPS
        ).map(g => g.toLocaleLowerCase('en-US'));
        policy.setPolicy(
          new PortalPermissionPolicy({ userInfo, platformGroups }),
        );
      },
    });
  },
});
