import type { CanaryRollout } from './types';

const DAY = 24 * 3600_000;
const WEEK = 7 * DAY;

/**
 * How often a canary ships, with the period it was counted over, so that
 * a page can say "168 succeeded in the last 7 days" beside the rollouts it
 * lists rather than a bare rate.
 * @public
 */
export interface DeploymentRate {
  /** Rollouts in the period that succeeded (were promoted). */
  succeeded: number;
  /** Rollouts in the period, whatever their outcome, in progress included. */
  rollouts: number;
  /** Start of the period: `weeks` back, or when the history begins if later. */
  since: string;
  /** The period in whole days, at least one. */
  days: number;
  /** Succeeded rollouts per week over the period, to one decimal. */
  perWeek: number;
}

/**
 * Rollouts over the last `weeks` weeks (4 by default) or the history
 * observed, whichever is shorter, so a new install is not under-counted.
 * A rollout is in the period when it ended in it, or (still running)
 * started in it.
 * @public
 */
export function deploymentRate(
  rollouts: CanaryRollout[],
  options: { now: Date; observedSince?: string; weeks?: number },
): DeploymentRate {
  const now = options.now.getTime();
  const observedFrom = options.observedSince
    ? Date.parse(options.observedSince)
    : NaN;
  const from = Math.max(
    now - (options.weeks ?? 4) * WEEK,
    Number.isFinite(observedFrom) ? observedFrom : -Infinity,
  );
  // Under a day of history says little; count it as a day.
  const span = Math.max(now - from, DAY);
  const inPeriod = rollouts.filter(r => {
    const at = Date.parse(r.endedAt ?? r.startedAt);
    return at >= from && at <= now;
  });
  const succeeded = inPeriod.filter(r => r.outcome === 'succeeded').length;
  return {
    succeeded,
    rollouts: inPeriod.length,
    since: new Date(Math.min(from, now)).toISOString(),
    days: Math.max(1, Math.round(span / DAY)),
    perWeek: Math.round((succeeded / (span / WEEK)) * 10) / 10,
  };
}

/**
 * Succeeded rollouts per week, over the last `weeks` weeks or the history
 * observed, whichever is shorter (see {@link deploymentRate}, which says
 * over which period).
 * @public
 */
export function deploymentsPerWeek(
  rollouts: CanaryRollout[],
  options: { now: Date; observedSince?: string; weeks?: number },
): number {
  return deploymentRate(rollouts, options).perWeek;
}
