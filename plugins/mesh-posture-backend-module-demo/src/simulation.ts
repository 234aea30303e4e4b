/**
 * The time-varying parts of the demo, as pure functions of the clock: the
 * same instant gives the same answer on every replica, with no state.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** FNV-1a: a small stable hash for deterministic noise and names. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic value in [0, 1) for a key. */
export function unitNoise(key: string): number {
  return stableHash(key) / 0x100000000;
}

/** The mean of {@link dailyLoad} over a day: what counts over days are made of. */
export const MEAN_DAILY_LOAD = 0.55;

/** Load through the day: lowest around 03:00 UTC, peak around 15:00 UTC. */
export function dailyLoad(at: Date): number {
  const hours = (at.getTime() % DAY) / (60 * MINUTE);
  return MEAN_DAILY_LOAD + 0.45 * Math.sin((2 * Math.PI * (hours - 9)) / 24);
}

/** Requests per second on an edge at an instant: daily curve plus ±8% noise per minute. */
export function edgeRate(edgeKey: string, peakRps: number, at: Date): number {
  const minute = Math.floor(at.getTime() / MINUTE);
  const noise = 0.92 + 0.16 * unitNoise(`${edgeKey}@${minute}`);
  return Math.round(peakRps * dailyLoad(at) * noise * 1000) / 1000;
}

/** The phases of the demo canary's hour-long cycle, as Flagger names them. */
export type DemoCanaryPhase =
  | 'Initialized'
  | 'Progressing'
  | 'Promoting'
  | 'Finalising'
  | 'Succeeded'
  | 'Failed';

export interface DemoCanaryState {
  phase: DemoCanaryPhase;
  /** Share of traffic sent to the canary, 0..100. */
  weight: number;
  /** The rollout this state belongs to (one per hour). */
  revision: number;
  /** When the phase began (Flagger's lastTransitionTime). */
  since: Date;
  /** Failed analysis checks so far. */
  failedChecks: number;
}

const CANARY_CYCLE = 60 * MINUTE;
export const DEMO_CANARY_STEP_WEIGHT = 5;
export const DEMO_CANARY_MAX_WEIGHT = 50;

/**
 * fraud-scoring's rollout: a new revision every hour, stepping the weight up
 * by 5 every 5 minutes to 50, then promoting. Mid-rollout most of the time.
 */
export function demoCanaryState(at: Date): DemoCanaryState {
  const t = at.getTime();
  const revision = Math.floor(t / CANARY_CYCLE);
  const start = revision * CANARY_CYCLE;
  const minute = Math.floor((t % CANARY_CYCLE) / MINUTE);
  const state = (
    phase: DemoCanaryPhase,
    weight: number,
    fromMinute: number,
  ) => ({
    phase,
    weight,
    revision,
    since: new Date(start + fromMinute * MINUTE),
    failedChecks: 0,
  });
  if (minute < 2) return state('Initialized', 0, 0);
  if (minute < 52) {
    const steps = Math.floor((minute - 2) / 5) + 1;
    return state(
      'Progressing',
      Math.min(DEMO_CANARY_MAX_WEIGHT, steps * DEMO_CANARY_STEP_WEIGHT),
      2,
    );
  }
  if (minute < 55) return state('Promoting', 0, 52);
  if (minute < 57) return state('Finalising', 0, 55);
  return state('Succeeded', 0, 57);
}

const ROLLBACK_CYCLE = 6 * 60 * MINUTE;
export const DEMO_ROLLBACK_THRESHOLD = 5;

/**
 * accounts-service's rollout: a release retried every six hours whose
 * success rate falls under the objective, so checks fail from minute 8 and
 * Flagger rolls it back at minute 20. Recently rolled back most of the time.
 */
export function demoRollbackState(at: Date): DemoCanaryState {
  const t = at.getTime();
  const revision = Math.floor(t / ROLLBACK_CYCLE);
  const start = revision * ROLLBACK_CYCLE;
  const minute = Math.floor((t % ROLLBACK_CYCLE) / MINUTE);
  if (minute < 20) {
    const failedChecks = Math.min(
      DEMO_ROLLBACK_THRESHOLD - 1,
      Math.max(0, Math.floor((minute - 8) / 3) + 1),
    );
    return {
      phase: 'Progressing',
      weight: Math.min(30, (Math.floor(minute / 5) + 1) * 10),
      revision,
      since: new Date(start),
      failedChecks,
    };
  }
  return {
    phase: 'Failed',
    weight: 0,
    revision,
    since: new Date(start + 20 * MINUTE),
    failedChecks: DEMO_ROLLBACK_THRESHOLD,
  };
}

/**
 * A certificate that is reissued every `periodDays` and valid for
 * `validityDays` from issue: days-to-expiry then cycles between
 * `validityDays - periodDays` and `validityDays`.
 */
export function rotatingCertificate(
  at: Date,
  periodDays: number,
  validityDays: number,
  salt: string,
): { notBefore: Date; notAfter: Date } {
  const offset = (stableHash(salt) % periodDays) * DAY;
  const period = periodDays * DAY;
  const issued = Math.floor((at.getTime() - offset) / period) * period + offset;
  return {
    notBefore: new Date(issued),
    notAfter: new Date(issued + validityDays * DAY),
  };
}
