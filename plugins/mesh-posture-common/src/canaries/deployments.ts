import type { CanaryRollout } from './types';

/**
 * Succeeded rollouts per week, over the last `weeks` weeks or the history
 * observed, whichever is shorter (so a new install is not under-counted).
 * @public
 */
export function deploymentsPerWeek(
  rollouts: CanaryRollout[],
  options: { now: Date; observedSince?: string; weeks?: number },
): number {
  const week = 7 * 24 * 3600_000;
  const span = (options.weeks ?? 4) * week;
  const from = Math.max(
    options.now.getTime() - span,
    options.observedSince ? Date.parse(options.observedSince) : -Infinity,
  );
  const observed = options.now.getTime() - from;
  if (!(observed > 0)) return 0;
  const succeeded = rollouts.filter(
    r =>
      r.outcome === 'succeeded' && r.endedAt && Date.parse(r.endedAt) >= from,
  ).length;
  // Under a day of history says little; count it as a day.
  const weeksObserved = Math.max(observed, 24 * 3600_000) / week;
  return Math.round((succeeded / weeksObserved) * 10) / 10;
}
