import fs from 'node:fs';
import {
  AuthService,
  CacheService,
  DatabaseService,
  DiscoveryService,
  LoggerService,
  PermissionsService,
  resolvePackagePath,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  MeshAdapter,
  MeshClusterProvider,
  MeshPostureSeeds,
} from '@mesh-posture/plugin-mesh-posture-node';
import type { SnapshotRun } from '@mesh-posture/plugin-mesh-posture-common';
import type { Entity } from '@backstage/catalog-model';
import { parse as parseYaml } from 'yaml';
import { CanaryObserver } from './canaries/CanaryObserver';
import { CanaryService } from './canaries/CanaryService';
import { PeerEntities } from './catalog/PeerEntities';
import { ChecklistService, createChecklistService } from './checklists';
import { checklistPostureAt } from './checklists/checklistPostureAt';
import { MeshPostureConfig, readMeshPostureConfig } from './config';
import { ConfigClusterProvider } from './ConfigClusterProvider';
import { MeshAdapters } from './mesh/adapters';
import { CanaryHistoryStore } from './database/CanaryHistoryStore';
import { NoticeStore } from './database/NoticeStore';
import { ObservationStore } from './database/ObservationStore';
import { ScorecardStore } from './database/ScorecardStore';
import { PostureAssembler } from './posture/PostureAssembler';
import { PostureNotifier } from './notifications/PostureNotifier';
import { PostureService } from './posture/PostureService';
import { ScorecardService } from './scorecards/ScorecardService';
import { ScorecardSnapshot } from './scorecards/ScorecardSnapshot';
import { SignalsService } from './signals/SignalsService';
import { ClusterRegistry } from './sources/ClusterRegistry';
import { warmUpClusters } from './sources/warmUp';
import { SourceCaller } from './sources/SourceCaller';
import { createEntityAccess, EntityAccess } from './service/entityAccess';

/**
 * Everything the plugin is made of, built once: one cluster registry and
 * one source caller (one deadline, one usage count) shared by every
 * service, one store per table family. Services receive their
 * collaborators; none creates or borrows another's.
 */
export interface MeshPostureContext {
  settings: MeshPostureConfig;
  stores: {
    observations: ObservationStore;
    canaries: CanaryHistoryStore;
    scorecards: ScorecardStore;
    notices: NoticeStore;
  };
  posture: PostureService;
  signals: SignalsService;
  canaries: CanaryService;
  canaryObserver: CanaryObserver;
  checklists: ChecklistService;
  snapshot: ScorecardSnapshot;
  /** Tells owners what a run found, when notifications are on. */
  notifier?: PostureNotifier;
  scorecards: ScorecardService;
  openApiSpec: object;
  /** This package's version, named in the exports. */
  version: string;
  /** Who may read which entity's posture: the routes and the actions ask it. */
  entityAccess: EntityAccess;
  /** One read per cluster, so the first page after start does not wait (see warmUp.ts). */
  warmUp(): Promise<void>;
  /** The seeds modules gave a fresh database. */
  seeds: MeshPostureSeeds;
  /**
   * The seeded history a fresh database gets with its first snapshot: only
   * when a seeded history covers every cluster provider.
   */
  history?: {
    days: number;
    /**
     * Snapshots whose runs are held back until `commit` stores them in one
     * transaction: of the clusters as they were at an instant, and the
     * live one.
     */
    staged(): {
      snapshotAt: (at: Date) => ScorecardSnapshot;
      live: ScorecardSnapshot;
      commit: () => Promise<SnapshotRun[]>;
    };
  };
}

export interface MeshPostureContextDeps {
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  cache: CacheService;
  discovery: DiscoveryService;
  auth: AuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  /** Cluster providers added by modules through the extension point. */
  providers: MeshClusterProvider[];
  /** Mesh adapters added by modules through the extension point. */
  meshes?: Array<[string, MeshAdapter]>;
  /** Seeds added by modules through the extension point. */
  seeds: MeshPostureSeeds;
  /** The notifications plugin's sender; used when meshPosture.notifications.enabled. */
  notifications?: NotificationService;
}

/** Reads the config and builds the plugin's collaborators once. */
export async function createMeshPostureContext(
  deps: MeshPostureContextDeps,
): Promise<MeshPostureContext> {
  const { config, logger, database, cache, catalog, auth } = deps;
  const settings = readMeshPostureConfig(config);

  const providers = [...deps.providers];
  if (settings.clusters.length > 0) {
    providers.push(
      new ConfigClusterProvider(settings.clusters, {
        discovery: deps.discovery,
        auth,
      }),
    );
  }
  if (providers.length === 0) {
    logger.warn(
      'No mesh clusters: set meshPosture.clusters, or add a cluster provider module (the demo module with meshPosture.demo: true)',
    );
  }

  const meshes = new MeshAdapters(deps.meshes);
  const registry = new ClusterRegistry(providers, logger, meshes);
  const caller = new SourceCaller({
    timeoutMs: settings.sourceTimeoutMs,
    logger,
  });
  const peers = new PeerEntities({ catalog, logger });
  const stores = {
    observations: await ObservationStore.create({ database }),
    canaries: await CanaryHistoryStore.create({ database }),
    scorecards: await ScorecardStore.create({ database }),
    notices: await NoticeStore.create({ database }),
  };
  // The snapshot's batched calls answer for the whole catalog: their own
  // deadline, longer than a page's.
  const snapshotCaller = new SourceCaller({
    timeoutMs: settings.snapshot.sourceTimeoutMs,
    logger,
  });
  // Live, or as the clusters were at an instant (a seeded history).
  const assemblerOf = (
    clusters: ClusterRegistry,
    at?: Date,
    sourceCaller = caller,
  ) =>
    new PostureAssembler({
      registry: clusters,
      caller: sourceCaller,
      callerWindow: settings.callerWindow,
      minimumCallerHistoryMs: settings.minimumCallerHistoryMs,
      logger,
      ...(at ? { now: () => at } : {}),
    });
  const assembler = assemblerOf(registry);
  // A seeded past is taken only while it stands for every cluster.
  const seeded = deps.seeds.scorecardHistory.find(
    h => providers.length > 0 && providers.every(p => h.providers.includes(p)),
  );
  const pastAssemblerAt = seeded
    ? (at: Date) =>
        assemblerOf(
          new ClusterRegistry(seeded.providersAt(at), logger, meshes),
          at,
          snapshotCaller,
        )
    : undefined;
  const checklists = await createChecklistService({
    config,
    logger,
    database,
    seeds: deps.seeds.checklists,
    ...(pastAssemblerAt
      ? {
          postureAt: (entity: Entity, at: Date) =>
            checklistPostureAt(pastAssemblerAt(at), entity),
        }
      : {}),
  });
  const snapshotOf = (
    snapshotAssembler: PostureAssembler,
    now?: () => Date,
    store: ScorecardStore = stores.scorecards,
  ) =>
    new ScorecardSnapshot({
      catalog,
      auth,
      assembler: snapshotAssembler,
      caller: snapshotCaller,
      peers,
      checklists,
      store,
      model: settings.scorecards,
      sloDefaults: settings.slo,
      logger,
      ...(now ? { now } : {}),
    });
  const liveSnapshotAssembler = assemblerOf(
    registry,
    undefined,
    snapshotCaller,
  );
  const history = seeded && {
    days: seeded.days,
    staged: () => {
      const staged = stores.scorecards.staged();
      return {
        snapshotAt: (at: Date) =>
          snapshotOf(pastAssemblerAt!(at), () => at, staged),
        live: snapshotOf(liveSnapshotAssembler, undefined, staged),
        commit: () => staged.commit(),
      };
    },
  };

  return {
    settings,
    stores,
    posture: new PostureService({
      assembler,
      cache,
      store: stores.observations,
      peers,
      logger,
      cacheTtlMs: settings.cacheTtlMs,
      historyIntervalMs: settings.historyIntervalMs,
    }),
    signals: new SignalsService({
      registry,
      caller,
      cache,
      logger,
      cacheTtlMs: settings.cacheTtlMs,
      sloDefaults: settings.slo,
      peers,
    }),
    canaries: new CanaryService({
      registry,
      caller,
      store: stores.canaries,
      logger,
    }),
    canaryObserver: new CanaryObserver({
      registry,
      caller,
      store: stores.canaries,
      logger,
    }),
    checklists,
    snapshot: snapshotOf(liveSnapshotAssembler),
    ...(settings.notifications.enabled && deps.notifications
      ? {
          notifier: new PostureNotifier({
            notifications: deps.notifications,
            settings: settings.notifications,
            scorecards: stores.scorecards,
            notices: stores.notices,
            logger,
          }),
        }
      : {}),
    scorecards: new ScorecardService({
      store: stores.scorecards,
      catalog,
      permissions: deps.permissions,
      model: settings.scorecards,
    }),
    openApiSpec: parseYaml(
      fs.readFileSync(
        resolvePackagePath(
          '@mesh-posture/plugin-mesh-posture-backend',
          'src/schema/openapi.yaml',
        ),
        'utf8',
      ),
    ),
    version: JSON.parse(
      fs.readFileSync(
        resolvePackagePath(
          '@mesh-posture/plugin-mesh-posture-backend',
          'package.json',
        ),
        'utf8',
      ),
    ).version,
    entityAccess: createEntityAccess({
      catalog,
      permissions: deps.permissions,
    }),
    warmUp: () => warmUpClusters({ registry, caller, logger }),
    seeds: deps.seeds,
    ...(history ? { history } : {}),
  };
}
