import fs from 'node:fs';
import {
  coreServices,
  createBackendPlugin,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { meshPosturePermissions } from '@mesh-posture/plugin-mesh-posture-common';
import {
  MeshClusterProvider,
  meshPostureClustersExtensionPoint,
} from '@mesh-posture/plugin-mesh-posture-node';
import { parse as parseYaml } from 'yaml';
import { createChecklistService } from './checklists';
import { readMeshPostureConfig } from './config';
import { ConfigClusterProvider } from './ConfigClusterProvider';
import { ObservationStore } from './database/ObservationStore';
import { DemoMesh } from './demo/DemoMesh';
import { PostureAssembler } from './posture/PostureAssembler';
import { PostureService } from './posture/PostureService';
import { PeerEntities } from './catalog/PeerEntities';
import { SignalsService } from './signals/SignalsService';
import { ScorecardStore } from './database/ScorecardStore';
import { CanaryHistoryStore } from './database/CanaryHistoryStore';
import { CanaryObserver } from './canaries/CanaryObserver';
import { CanaryService } from './canaries/CanaryService';
import { demoCanaryHistory } from './demo/demoCanaryHistory';
import { ScorecardService } from './scorecards/ScorecardService';
import { ScorecardSnapshot } from './scorecards/ScorecardSnapshot';
import { backfillDemoScorecards } from './scorecards/demoHistory';
import { createRouter } from './service/router';

/**
 * The Mesh Posture backend plugin: serves each catalog entity's mesh
 * posture under `/api/mesh-posture`.
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
      },
      async init({
        config,
        logger,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        database,
        cache,
        scheduler,
        discovery,
        auth,
        catalog,
        auditor,
      }) {
        const settings = readMeshPostureConfig(config);
        if (settings.clusters.length > 0) {
          providers.push(
            new ConfigClusterProvider(settings.clusters, { discovery, auth }),
          );
        }
        if (settings.demo) {
          logger.info(
            'Serving the built-in demo mesh (meshPosture.demo: true)',
          );
          providers.push(new DemoMesh());
        }
        if (providers.length === 0) {
          logger.warn(
            'No mesh clusters: set meshPosture.clusters, meshPosture.demo: true, or add a cluster provider module',
          );
        }

        permissionsRegistry.addPermissions(meshPosturePermissions);

        const store = await ObservationStore.create({ database });
        const assembler = new PostureAssembler({
          providers,
          sourceTimeoutMs: settings.sourceTimeoutMs,
          callerWindow: settings.callerWindow,
          minimumCallerHistoryMs: settings.minimumCallerHistoryMs,
          logger,
        });
        const peers = new PeerEntities({ catalog, logger });
        const postureService = new PostureService({
          assembler,
          cache,
          store,
          peers,
          logger,
          cacheTtlMs: settings.cacheTtlMs,
          historyIntervalMs: settings.historyIntervalMs,
        });

        await scheduler.scheduleTask({
          id: 'mesh-posture-history-prune',
          frequency: { hours: 6 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const cutoff = new Date(Date.now() - settings.historyRetentionMs);
            const deleted = await store.prune(cutoff);
            logger.info(
              `Pruned ${deleted} mesh posture readings before ${cutoff.toISOString()}`,
            );
          },
        });

        const checklistService = await createChecklistService({
          config,
          logger,
          database,
          demo: settings.demo,
        });

        const openApiSpec = parseYaml(
          fs.readFileSync(
            resolvePackagePath(
              '@mesh-posture/plugin-mesh-posture-backend',
              'src/schema/openapi.yaml',
            ),
            'utf8',
          ),
        );
        const signalsService = new SignalsService({
          registry: assembler.registry,
          caller: assembler.caller,
          cache,
          logger,
          cacheTtlMs: settings.cacheTtlMs,
          sloDefaults: settings.slo,
          peers,
        });
        const canaryStore = await CanaryHistoryStore.create({ database });
        const canaryService = new CanaryService({
          registry: assembler.registry,
          caller: assembler.caller,
          store: canaryStore,
          logger,
        });
        // A fresh demo gets the week of rollouts an observer would have seen
        // (idempotent: replicas starting together store each one once).
        if (settings.demo && (await canaryStore.isEmpty())) {
          const history = demoCanaryHistory(new Date(), 7);
          await canaryStore.importTransitions(history);
          logger.info(
            `Recorded ${history.length} demo canary transitions of the past week`,
          );
        }
        const canaryObserver = new CanaryObserver({
          registry: assembler.registry,
          caller: assembler.caller,
          store: canaryStore,
          logger,
        });
        await scheduler.scheduleTask({
          id: 'mesh-posture-canary-observer',
          frequency: { milliseconds: settings.canaries.observeFrequencyMs },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 15 },
          fn: async () => {
            await canaryObserver.observe();
          },
        });

        const scorecardStore = await ScorecardStore.create({ database });
        const snapshotWith = (
          snapshotAssembler: PostureAssembler,
          now?: () => Date,
        ) =>
          new ScorecardSnapshot({
            catalog,
            auth,
            assembler: snapshotAssembler,
            peers,
            checklists: checklistService,
            store: scorecardStore,
            model: settings.scorecards,
            sloDefaults: settings.slo,
            logger,
            now,
          });
        const snapshot = snapshotWith(assembler);
        // The demo alone (no real clusters): a month of daily history at first start.
        const demoOnly = settings.demo && providers.length === 1;
        await scheduler.scheduleTask({
          id: 'mesh-posture-scorecard-snapshot',
          frequency: { milliseconds: settings.snapshot.frequencyMs },
          timeout: { milliseconds: settings.snapshot.timeoutMs },
          // The demo shows scores soon after start; real clusters wait a bit.
          initialDelay: settings.demo ? { seconds: 20 } : { minutes: 2 },
          fn: async () => {
            // At first start the demo catalog may still be ingesting.
            for (let i = 0; settings.demo && i < 12; i++) {
              if (await snapshot.hasEntities()) break;
              await new Promise(resolve => setTimeout(resolve, 10_000));
            }
            if (demoOnly) {
              const days = await backfillDemoScorecards({
                store: scorecardStore,
                days: 30,
                snapshotAt: at =>
                  snapshotWith(
                    new PostureAssembler({
                      providers: [new DemoMesh({ now: () => at })],
                      sourceTimeoutMs: settings.sourceTimeoutMs,
                      callerWindow: settings.callerWindow,
                      minimumCallerHistoryMs: settings.minimumCallerHistoryMs,
                      logger,
                      now: () => at,
                    }),
                    () => at,
                  ),
              });
              if (days > 0) {
                logger.info(`Backfilled ${days} days of demo scorecards`);
              }
            }
            await snapshot.run();
            const cutoff = new Date(Date.now() - settings.snapshot.retentionMs);
            const pruned = await scorecardStore.prune(cutoff);
            if (pruned > 0) {
              logger.info(
                `Pruned ${pruned} scorecard snapshots before ${cutoff.toISOString()}`,
              );
            }
          },
        });
        const scorecardService = new ScorecardService({
          store: scorecardStore,
          catalog,
          permissions,
          model: settings.scorecards,
        });

        httpRouter.use(
          await createRouter({
            logger,
            signalsService,
            httpAuth,
            permissions,
            catalog,
            postureService,
            openApiSpec,
            checklists: { service: checklistService, auditor },
            canaryService,
            scorecards: {
              service: scorecardService,
              takeSnapshot: () => snapshot.run(),
              auditor,
            },
          }),
        );
      },
    });
  },
});
