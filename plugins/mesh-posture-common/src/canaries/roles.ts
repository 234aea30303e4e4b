import type { WorkloadRef } from '../types';

/**
 * A workload's side in a Flagger rollout.
 * @public
 */
export type CanaryRole = 'canary' | 'primary';

const sameSlot = (w: WorkloadRef) => `${w.cluster}/${w.namespace}/${w.kind}`;

/**
 * Which of an entity's workloads are the two sides of a Flagger canary.
 * Flagger clones its target into `<target>-primary`, which serves the
 * stable version, and rolls the new version out on the target itself
 * (fluxcd/flagger pkg/canary/deployment_controller.go, `Promote`:
 * `primaryName := fmt.Sprintf("%s-primary", targetName)`). So a workload
 * `x-primary` beside a workload `x` of the same kind, namespace and cluster
 * is the primary, and `x` the canary; a lone `x-primary` is only a name.
 * @public
 */
export function canaryRoles(
  workloads: readonly WorkloadRef[],
): (workload: WorkloadRef) => CanaryRole | undefined {
  const key = (w: WorkloadRef) => `${sameSlot(w)}/${w.name}`;
  const names = new Set(workloads.map(key));
  const roles = new Map<string, CanaryRole>();
  for (const w of workloads) {
    if (!w.name.endsWith('-primary')) continue;
    const target = `${sameSlot(w)}/${w.name.slice(0, -'-primary'.length)}`;
    if (names.has(target)) {
      roles.set(key(w), 'primary');
      roles.set(target, 'canary');
    }
  }
  // By value: the same workload arrives as different objects (workloads,
  // edges, ports of one posture).
  return w => roles.get(key(w));
}
