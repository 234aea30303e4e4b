import { summarizeTraffic } from '../signals/summarize';
import type { RawTrafficSignals, SignalSummary } from '../signals/types';
import type { WorkloadRef } from '../types';
import { canaryRoles, CanaryRole } from './roles';

/**
 * The golden signals of one side of a Flagger rollout.
 * @public
 */
export interface CanarySideSignals {
  role: CanaryRole;
  workloads: WorkloadRef[];
  summary: SignalSummary;
}

/**
 * An entity's signals split into its canary and its primary while a
 * rollout sends the canary requests: the comparison Flagger's analysis
 * makes, on the page. Undefined when the entity has no canary pair, or its
 * canary served nothing in the window (Flagger scales it to zero between
 * rollouts, so there is nothing to compare).
 * @public
 */
export function signalsByCanaryRole(
  workloads: readonly WorkloadRef[],
  parts: ReadonlyArray<RawTrafficSignals & { workload: WorkloadRef }>,
  windowSeconds: number,
): CanarySideSignals[] | undefined {
  const roleOf = canaryRoles(workloads);
  const sides = (['primary', 'canary'] as const).map(role => ({
    role,
    workloads: workloads.filter(w => roleOf(w) === role),
    summary: summarizeTraffic(
      parts.filter(p => roleOf(p.workload) === role),
      windowSeconds,
    ),
  }));
  const canary = sides.find(s => s.role === 'canary')!;
  if (canary.workloads.length === 0 || !(canary.summary.requests > 0)) {
    return undefined;
  }
  return sides;
}
