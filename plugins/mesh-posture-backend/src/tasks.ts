import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { SnapshotRun } from '@mesh-posture/plugin-mesh-posture-common';
import { MeshPostureContext } from './context';
import { backfillScorecards } from './scorecards/history';
import type { RunFindings } from './notifications/notices';

/** The scheduled snapshot; on-demand snapshots trigger this same task. */
export const SNAPSHOT_TASK_ID = 'mesh-posture-scorecard-snapshot';

/** How long a POST /v1/snapshots waits for its run before answering 202. */
const SNAPSHOT_WAIT_MS = 50_000;

export interface MeshPostureTasks {
  /**
   * Takes a snapshot now through the scheduler, so that one runs at a time
   * across replicas and with the scheduled run: the stored run, or
   * undefined when it is still running after the wait. Throws a
   * ConflictError when a snapshot is already being taken.
   */
  takeSnapshot(): Promise<SnapshotRun | undefined>;
}

/**
 * Registers the plugin's scheduled tasks: pruning readings, observing
 * canaries, and the scorecard snapshot. Global tasks run on one replica at
 * a time. Waiting (for the catalog, for a run) stays out of task bodies, so
 * a replica that stops mid-run holds the lease no longer than the run.
 */
export async function scheduleMeshPostureTasks(options: {
  scheduler: SchedulerService;
  logger: LoggerService;
  context: MeshPostureContext;
}): Promise<MeshPostureTasks> {
  const { scheduler, logger, context } = options;
  const { settings, stores, snapshot } = context;
  const seededHistory = context.history;

  /**
   * A fresh database's first snapshot, with the seeded history (the demo's
   * month) before it: the days and the live run are taken one by one and
   * stored in one transaction, so readers never see part of the month
   * (while it is taken, none: the first snapshot is on its way). Runs in
   * the snapshot task: one replica at a time, like any snapshot.
   */
  /** Tells owners what a run found; a failure never fails the run. */
  const notify = async (run: SnapshotRun, findings: RunFindings) => {
    if (!context.notifier) return;
    try {
      await context.notifier.afterRun(run, findings);
    } catch (error) {
      logger.warn(`Mesh posture notifications failed: ${error}`);
    }
  };

  const firstSnapshotWithHistory = async (
    seeded: NonNullable<MeshPostureContext['history']>,
  ) => {
    const started = Date.now();
    const staged = seeded.staged();
    const days = await backfillScorecards({
      store: stores.scorecards,
      days: seeded.days,
      snapshotAt: staged.snapshotAt,
    });
    const { findings } = await staged.live.runAndReport();
    const runs = await staged.commit();
    if (runs.length > 0) await notify(runs[runs.length - 1], findings);
    logger.info(
      runs.length > 0
        ? `Stored ${days} days of seeded scorecards and the first snapshot (run ${
            runs[runs.length - 1].id
          }) in one transaction, taken in ${Date.now() - started} ms`
        : 'Seeded scorecards not stored: another run was stored first',
    );
  };

  await scheduler.scheduleTask({
    id: 'mesh-posture-history-prune',
    frequency: { hours: 6 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const cutoff = new Date(Date.now() - settings.historyRetentionMs);
      const deleted = await stores.observations.prune(cutoff);
      logger.info(
        `Pruned ${deleted} mesh posture readings before ${cutoff.toISOString()}`,
      );
    },
  });

  // A fresh database gets the rollouts its modules' seeds saw (the demo's
  // week); idempotent: replicas starting together store each one once.
  if (
    context.seeds.canaryHistory.length > 0 &&
    (await stores.canaries.isEmpty())
  ) {
    const now = new Date();
    const history = context.seeds.canaryHistory.flatMap(seed => seed(now));
    await stores.canaries.importTransitions(history);
    logger.info(`Recorded ${history.length} seeded canary transitions`);
  }
  await scheduler.scheduleTask({
    id: 'mesh-posture-canary-observer',
    frequency: { milliseconds: settings.canaries.observeFrequencyMs },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 15 },
    fn: async () => {
      await context.canaryObserver.observe();
    },
  });

  await scheduler.scheduleTask({
    id: SNAPSHOT_TASK_ID,
    frequency: { milliseconds: settings.snapshot.frequencyMs },
    timeout: { milliseconds: settings.snapshot.timeoutMs },
    // Until this has passed a replica runs no snapshot, asked for or not.
    initialDelay: { milliseconds: settings.snapshot.initialDelayMs },
    fn: async () => {
      // An empty catalog (still ingesting at first start) has nothing to
      // score: no empty run is stored; the first one comes later, from the
      // watch below once entities arrive.
      if (!(await snapshot.hasEntities())) {
        logger.info('Scorecard snapshot skipped: no catalog entity to score');
        return;
      }
      if (seededHistory && !(await stores.scorecards.latestRun())) {
        await firstSnapshotWithHistory(seededHistory);
      } else {
        const { run, findings } = await snapshot.runAndReport();
        await notify(run, findings);
      }
      const cutoff = new Date(Date.now() - settings.snapshot.retentionMs);
      const pruned = await stores.scorecards.prune(cutoff);
      if (pruned > 0) {
        logger.info(
          `Pruned ${pruned} scorecard snapshots before ${cutoff.toISOString()}`,
        );
      }
    },
  });

  const takeSnapshot = async (): Promise<SnapshotRun | undefined> => {
    const before = (await stores.scorecards.latestRun())?.id ?? 0;
    try {
      await scheduler.triggerTask(SNAPSHOT_TASK_ID);
    } catch (error) {
      if ((error as Error)?.name === 'ConflictError') {
        throw new ConflictError('A snapshot is being taken; try again shortly');
      }
      throw error;
    }
    // The run may start on another replica: its stored run is the sign.
    for (const until = Date.now() + SNAPSHOT_WAIT_MS; Date.now() < until; ) {
      const latest = await stores.scorecards.latestRun();
      if (latest && latest.id > before) return latest;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    return undefined;
  };

  // Until the first run is stored, a short task watches for the catalog's
  // entities and asks for the snapshot as soon as there are some, instead
  // of a whole snapshot.frequency later; no task body waits. Once a run is
  // stored it does nothing. So a store without runs means the first
  // snapshot is on its way, which the scorecard API says.
  await scheduler.scheduleTask({
    id: 'mesh-posture-first-snapshot',
    frequency: { seconds: 10 },
    timeout: { minutes: 1 },
    initialDelay: { seconds: 10 },
    fn: async () => {
      if (await stores.scorecards.latestRun()) return;
      if (!(await snapshot.hasEntities())) return;
      await scheduler.triggerTask(SNAPSHOT_TASK_ID).catch(error => {
        // A snapshot is being taken already.
        if ((error as Error)?.name !== 'ConflictError') throw error;
      });
    },
  });

  return { takeSnapshot };
}
