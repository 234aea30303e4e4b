import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MeshPostureClient, meshPostureApiRef } from './api';
import { complianceRouteRef, zeroTrustPageRouteRef } from './routes';

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
  routes: {
    compliance: complianceRouteRef,
    zeroTrustPage: zeroTrustPageRouteRef,
  },
});

/**
 * Entity card "Mesh security". Put it on the overview of entities for which
 * `isMeshPostureAvailable` is true.
 * @public
 */
export const EntityMeshSecurityCard: () => JSX.Element =
  meshPosturePlugin.provide(
    createComponentExtension({
      name: 'EntityMeshSecurityCard',
      component: {
        lazy: () =>
          import('./components/MeshSecurityCard').then(m => m.MeshSecurityCard),
      },
    }),
  );

/**
 * Entity card "Golden signals": request rate, success rate, latency and
 * errors against the service's objectives. Put it on the overview of
 * entities for which `isMeshPostureAvailable` is true.
 * @public
 */
export const EntityGoldenSignalsCard: () => JSX.Element =
  meshPosturePlugin.provide(
    createComponentExtension({
      name: 'EntityGoldenSignalsCard',
      component: {
        lazy: () =>
          import('./components/GoldenSignalsCard').then(
            m => m.GoldenSignalsCard,
          ),
      },
    }),
  );

/**
 * Entity tab "Zero trust": the full posture of the entity's workloads. Mount
 * it as an `EntityLayout.Route` of entities for which `isMeshPostureAvailable`
 * is true.
 * @public
 */
export const EntityZeroTrustContent: () => JSX.Element =
  meshPosturePlugin.provide(
    createComponentExtension({
      name: 'EntityZeroTrustContent',
      component: {
        lazy: () =>
          import('./components/ZeroTrustContent').then(m => m.ZeroTrustContent),
      },
    }),
  );

/**
 * Entity tab "Compliance": the entity's checklists, answered by its owners
 * and, where it can prove them, by the mesh. Put it in an `EntityLayout.Route`
 * of entities for which `isChecklistAvailable` is true.
 * @public
 */
export const EntityComplianceContent: () => JSX.Element =
  meshPosturePlugin.provide(
    createRoutableExtension({
      name: 'EntityComplianceContent',
      component: () =>
        import('./components/ComplianceTab').then(m => m.ComplianceTab),
      mountPoint: complianceRouteRef,
    }),
  );

/**
 * Page "Zero trust": every service's zero-trust score across the catalog,
 * with filters, roll-ups, trend and CSV export. Mount it on a route (e.g.
 * `/zero-trust`) and add a sidebar item for it.
 * @public
 */
export const ZeroTrustPage: () => JSX.Element = meshPosturePlugin.provide(
  createRoutableExtension({
    name: 'ZeroTrustPage',
    component: () =>
      import('./components/ZeroTrustPage').then(m => m.ZeroTrustPage),
    mountPoint: zeroTrustPageRouteRef,
  }),
);

/**
 * Entity card "Zero-trust score": the entity's score, level, what holds it
 * back and its trend. Put it on the overview of entities for which
 * `isMeshPostureAvailable` is true.
 * @public
 */
export const EntityZeroTrustScoreCard: () => JSX.Element =
  meshPosturePlugin.provide(
    createComponentExtension({
      name: 'EntityZeroTrustScoreCard',
      component: {
        lazy: () =>
          import('./components/ZeroTrustScoreCard').then(
            m => m.ZeroTrustScoreCard,
          ),
      },
    }),
  );

/**
 * Entity card "Canary": the service's Flagger canaries — phase, weight,
 * failed checks, analysis metrics, webhooks and recent rollouts. Put it on
 * the overview of entities for which `isMeshPostureAvailable` is true.
 * @public
 */
export const EntityCanaryCard: () => JSX.Element = meshPosturePlugin.provide(
  createComponentExtension({
    name: 'EntityCanaryCard',
    component: {
      lazy: () => import('./components/CanaryCard').then(m => m.CanaryCard),
    },
  }),
);
