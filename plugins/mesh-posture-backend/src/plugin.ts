import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { meshPosturePermissions } from '@mesh-posture/plugin-mesh-posture-common';
import {
  MeshAdapter,
  MeshClusterProvider,
  meshPostureClustersExtensionPoint,
  meshPostureMeshesExtensionPoint,
  MeshPostureSeeds,
  meshPostureSeedsExtensionPoint,
} from '@mesh-posture/plugin-mesh-posture-node';
import { registerMeshPostureActions } from './actions/meshPostureActions';
import { createMeshPostureContext } from './context';
import { createRouter } from './service/router';
import { scheduleMeshPostureTasks } from './tasks';

/**
 * The Mesh Posture backend plugin: serves each catalog entity's mesh
 * posture under `/api/mesh-posture`, and the same reads as actions for AI
 * agents. Wires only: the context builds the collaborators, the tasks are
 * scheduled, the router and the actions serve them.
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
        actionsRegistry: actionsRegistryServiceRef,
        // Its default factory posts to the notifications backend; sent
        // only when meshPosture.notifications.enabled.
        notifications: notificationService,
      },
      async init(deps) {
        const { logger, httpAuth, permissions, auditor } = deps;
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
            entityAccess: context.entityAccess,
            postureService: context.posture,
            signalsService: context.signals,
            canaryService: context.canaries,
            openApiSpec: context.openApiSpec,
            auditor,
            checklists: { service: context.checklists },
            oscal: {
              checklists: context.checklists,
              scorecards: context.scorecards,
              toolVersion: context.version,
            },
            scorecards: {
              service: context.scorecards,
              takeSnapshot: tasks.takeSnapshot,
              latestRun: () => context.stores.scorecards.latestRun(),
            },
          }),
        );
        registerMeshPostureActions(deps.actionsRegistry, {
          entityAccess: context.entityAccess,
          posture: context.posture,
          signals: context.signals,
          canaries: context.canaries,
          checklists: context.checklists,
          scorecards: context.scorecards,
        });
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
