import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  isChecklistAvailable,
  isMeshPostureAvailable,
} from '@mesh-posture/plugin-mesh-posture-common';
import { MeshPostureClient, meshPostureApiRef } from './api';
import { zeroTrustPageRouteRef } from './routes';

const zeroTrustPageRoute = convertLegacyRouteRef(zeroTrustPageRouteRef);

const meshPostureApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: meshPostureApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MeshPostureClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * Entity card "Mesh security" on the overview of every entity that maps to
 * workloads (see `isMeshPostureAvailable`).
 * @alpha
 */
export const entityMeshSecurityCard = EntityCardBlueprint.make({
  name: 'mesh-security',
  params: {
    filter: isMeshPostureAvailable,
    loader: () =>
      import('./components/MeshSecurityCard').then(m => <m.MeshSecurityCard />),
  },
});

/**
 * Entity card "Golden signals" on the overview of entities with workloads.
 * @alpha
 */
export const entityGoldenSignalsCard = EntityCardBlueprint.make({
  name: 'golden-signals',
  params: {
    // Charts need the wide column.
    type: 'content',
    filter: isMeshPostureAvailable,
    loader: () =>
      import('./components/GoldenSignalsCard').then(m => (
        <m.GoldenSignalsCard />
      )),
  },
});

/**
 * Entity tab "Zero trust": the full posture of the entity's workloads.
 * @alpha
 */
export const entityZeroTrustContent = EntityContentBlueprint.make({
  name: 'zero-trust',
  params: {
    path: '/zero-trust',
    title: 'Zero trust',
    filter: isMeshPostureAvailable,
    loader: () =>
      import('./components/ZeroTrustContent').then(m => <m.ZeroTrustContent />),
  },
});

/**
 * Entity tab "Compliance" on components and on entities that opt into
 * checklists (see `isChecklistAvailable`).
 * @alpha
 */
export const entityComplianceContent = EntityContentBlueprint.make({
  name: 'compliance',
  params: {
    path: '/compliance',
    title: 'Compliance',
    filter: isChecklistAvailable,
    loader: () =>
      import('./components/ComplianceTab').then(m => <m.ComplianceTab />),
  },
});

/**
 * Entity card "Canary": the service's Flagger canaries, their phase,
 * weights, checks and recent rollouts.
 * @alpha
 */
export const entityCanaryCard = EntityCardBlueprint.make({
  name: 'canary',
  params: {
    filter: isMeshPostureAvailable,
    loader: () => import('./components/CanaryCard').then(m => <m.CanaryCard />),
  },
});

/**
 * Entity card "Zero-trust score": the entity's score, level, what holds it
 * back and its trend, from the scorecard snapshots.
 * @alpha
 */
export const entityZeroTrustScoreCard = EntityCardBlueprint.make({
  name: 'zero-trust-score',
  params: {
    filter: isMeshPostureAvailable,
    loader: () =>
      import('./components/ZeroTrustScoreCard').then(m => (
        <m.ZeroTrustScoreCard />
      )),
  },
});

/**
 * Page "Zero trust" in the sidebar: scorecards across the whole catalog.
 * @alpha
 */
export const zeroTrustPage = PageBlueprint.make({
  params: {
    path: '/zero-trust',
    title: 'Zero trust',
    icon: <VerifiedUserIcon />,
    routeRef: zeroTrustPageRoute,
    // The page draws its own header.
    noHeader: true,
    loader: () =>
      import('./components/ZeroTrustPage').then(m => <m.ZeroTrustPage />),
  },
});

/**
 * The Mesh Posture plugin for the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mesh-posture',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    meshPostureApi,
    entityMeshSecurityCard,
    entityGoldenSignalsCard,
    entityZeroTrustContent,
    entityComplianceContent,
    entityZeroTrustScoreCard,
    entityCanaryCard,
    zeroTrustPage,
  ],
  routes: {
    zeroTrustPage: zeroTrustPageRoute,
  },
});
