/*
 * The Backstage backend that hosts Mesh Posture for local use, the demo and
 * the end-to-end tests. It keeps only what the suite needs: catalog,
 * Kubernetes, auth (guest for local use), permissions with a real policy,
 * notifications and signals, MCP actions, Tech Insights with Mesh
 * Posture's facts, and the app backend that serves the frontend in
 * production builds.
 */

import { createBackend } from '@backstage/backend-defaults';
import { catalogModuleMeshPostureModel } from '@mesh-posture/plugin-mesh-posture-backend/alpha';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// Auth: guest sign-in for local use; add a real provider for production.
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));
// Mesh Posture's annotations in the catalog's model (alpha).
backend.add(catalogModuleMeshPostureModel);

// Permissions: everyone reads; writes go to entity owners and the platform team.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissions'));

backend.add(import('@backstage/plugin-kubernetes-backend'));

backend.add(import('@mesh-posture/plugin-mesh-posture-backend'));
// Notifications to owners (meshPosture.notifications in app-config.yaml),
// pushed to open pages through signals.
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
// The catalog's and Mesh Posture's read actions as MCP tools for AI agents,
// at /api/mcp-actions/v1 (backend.actions.pluginSources in app-config.yaml).
backend.add(import('@backstage/plugin-mcp-actions-backend'));
// The demo mesh (meshPosture.demo: true in app-config.yaml); a real
// installation leaves this line out.
backend.add(import('@mesh-posture/plugin-mesh-posture-backend-module-demo'));

// Tech Insights, for teams whose scorecards live there: Mesh Posture's facts.
backend.add(import('@backstage-community/plugin-tech-insights-backend'));
backend.add(
  import('@mesh-posture/plugin-mesh-posture-backend-module-tech-insights'),
);

backend.start();
