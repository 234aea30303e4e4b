import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { meshPosturePermissions } from '@mesh-posture/plugin-mesh-posture-common';
import {
  MeshAdapter,
  MeshClusterProvider,
  meshPostureClustersExtensionPoint,
  meshPostureMeshesExtensionPoint,
  MeshPostureSeeds,
  meshPostureSeedsExtensionPoint,
} from '@mesh-posture/plugin-mesh-posture-node';
import { createMeshPostureContext } from './context';
import { createRouter } from './service/router';
import { scheduleMeshPostureTasks } from './tasks';

/**
 * The Mesh Posture backend plugin: serves each catalog entity's mesh
 * posture under `/api/mesh-posture`. Wires only: the context builds the
 * collaborators, the tasks are scheduled, the router serves them.
 * @public
 */
export const meshPosturePlugin = createBackendPlugin({
  pluginId: 'mesh-posture',
  register(env) {
    const providers: MeshClusterProvider[] = [];
    env.registerExtensionPoint(meshPostureClustersExtensionPoint, {
      addClusterProvider(provider) {
        providers.push(provider);
      },
    });
    const meshes: Array<[string, MeshAdapter]> = [];
    env.registerExtensionPoint(meshPostureMeshesExtensionPoint, {
      addMesh(mesh, adapter) {
        meshes.push([mesh, adapter]);
      },
    });
    const seeds: MeshPostureSeeds = {
      checklists: [],
      canaryHistory: [],
      scorecardHistory: [],
    };
    env.registerExtensionPoint(meshPostureSeedsExtensionPoint, {
      addChecklists: seed => seeds.checklists.push(seed),
      addCanaryHistory: history => seeds.canaryHistory.push(history),
      addScorecardHistory: history => seeds.scorecardHistory.push(history),
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        database: coreServices.database,
        cache: coreServices.cache,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        auditor: coreServices.auditor,
        rootLifecycle: coreServices.rootLifecycle,
      },
      async init(deps) {
        const { logger, httpAuth, permissions, catalog, auditor } = deps;
        deps.permissionsRegistry.addPermissions(meshPosturePermissions);

        const context = await createMeshPostureContext({
          ...deps,
          providers,
          meshes,
          seeds,
        });
        const tasks = await scheduleMeshPostureTasks({
          scheduler: deps.scheduler,
          logger,
          context,
        });

        deps.httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            permissions,
            catalog,
            postureService: context.posture,
            signalsService: context.signals,
            canaryService: context.canaries,
            openApiSpec: context.openApiSpec,
            auditor,
            checklists: { service: context.checklists },
            scorecards: {
              service: context.scorecards,
              takeSnapshot: tasks.takeSnapshot,
              latestRun: () => context.stores.scorecards.latestRun(),
            },
          }),
        );
        // Once every plugin has started (the Kubernetes plugin among them).
        deps.rootLifecycle.addStartupHook(() => {
          context.warmUp().catch(error => {
            logger.warn(`Mesh posture start-up read failed: ${error}`);
          });
        });
      },
    });
  },
});
