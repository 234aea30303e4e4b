import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MeshPostureClient, meshPostureApiRef } from './api';

/**
 * The Mesh Posture frontend plugin, for apps on the legacy frontend system.
 * Apps on the new frontend system use the default export of `./alpha`.
 * @public
 */
export const meshPosturePlugin = createPlugin({
  id: 'mesh-posture',
  apis: [
    createApiFactory({
      api: meshPostureApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MeshPostureClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * Entity card "Mesh security". Put it on the overview of entities for which
 * `isMeshPostureAvailable` is true.
 * @public
 */
export const EntityMeshSecurityCard = meshPosturePlugin.provide(
  createComponentExtension({
    name: 'EntityMeshSecurityCard',
    component: {
      lazy: () =>
        import('./components/MeshSecurityCard').then(m => m.MeshSecurityCard),
    },
  }),
);

/**
 * Entity tab "Zero trust": the full posture of the entity's workloads. Mount
 * it as an `EntityLayout.Route` of entities for which `isMeshPostureAvailable`
 * is true.
 * @public
 */
export const EntityZeroTrustContent = meshPosturePlugin.provide(
  createComponentExtension({
    name: 'EntityZeroTrustContent',
    component: {
      lazy: () =>
        import('./components/ZeroTrustContent').then(m => m.ZeroTrustContent),
    },
  }),
);
