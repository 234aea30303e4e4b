import { CanaryTransition } from '@mesh-posture/plugin-mesh-posture-common';
import { readCanary } from '@mesh-posture/plugin-mesh-posture-node';
import { canaryObjects } from './demoObjects';
import { demoCanaryState, demoRollbackState } from './simulation';

const MINUTE = 60_000;

/**
 * The transitions the demo's canaries went through over the past days, as
 * an observer polling every minute would have recorded them: the demo's
 * Canary objects evaluated minute by minute, a row per change of phase or
 * revision. Gives a fresh demo its rollout history.
 * @public
 */
export function demoCanaryHistory(now: Date, days: number): CanaryTransition[] {
  const out: CanaryTransition[] = [];
  const last = new Map<string, string>();
  const start =
    Math.floor(now.getTime() / MINUTE) * MINUTE - days * 24 * 60 * MINUTE;
  let before = '';
  for (let t = start; t < now.getTime(); t += MINUTE) {
    // Building objects is the costly part: only where a simulated state changes.
    const fraud = demoCanaryState(new Date(t));
    const accounts = demoRollbackState(new Date(t));
    const states = `${fraud.phase}#${fraud.revision}|${accounts.phase}#${accounts.revision}`;
    if (states === before) continue;
    before = states;
    for (const object of canaryObjects('prod-eu-west', new Date(t))) {
      const c = readCanary(object, 'prod-eu-west');
      if (!c) continue;
      const key = `${c.namespace}/${c.name}`;
      const state = `${c.phase}#${c.revision}`;
      if (last.get(key) === state) continue;
      last.set(key, state);
      out.push({
        cluster: c.cluster,
        namespace: c.namespace,
        name: c.name,
        phase: c.phase,
        ...(c.revision ? { revision: c.revision } : {}),
        canaryWeight: c.canaryWeight,
        failedChecks: c.failedChecks,
        at: c.lastTransitionTime ?? new Date(t).toISOString(),
        ...(c.message ? { message: c.message } : {}),
      });
    }
  }
  return out;
}
