import { ScorecardStore } from '../database/ScorecardStore';
import { ScorecardSnapshot } from './ScorecardSnapshot';

const DAY = 24 * 3600_000;

/**
 * Gives a fresh database a seeded history (the demo module's month): one
 * snapshot a day for the past `days` days, each taken by the real snapshot
 * code against clusters as they were at that instant. Does nothing once
 * any run is stored, so restarts and replicas add nothing.
 */
export async function backfillScorecards(options: {
  store: ScorecardStore;
  days: number;
  /** A snapshot that sees the clusters, and the clock, at an instant. */
  snapshotAt: (at: Date) => ScorecardSnapshot;
  now?: () => Date;
}): Promise<number> {
  if (await options.store.latestRun()) return 0;
  const now = options.now?.() ?? new Date();
  const noon = Date.UTC(
    now.getUTCFullYear(),
    now.getUTCMonth(),
    now.getUTCDate(),
    12,
  );
  let taken = 0;
  for (let d = options.days; d >= 1; d--) {
    await options.snapshotAt(new Date(noon - d * DAY)).run();
    taken += 1;
  }
  return taken;
}
