import type { EgressCall } from '@mesh-posture/plugin-mesh-posture-common';

/**
 * One line per workload and destination as the mesh routed it: the series
 * of several pods (or parents, or statuses) summed, and counted in whole
 * requests or connections.
 */
export function mergeEgressCalls(calls: EgressCall[]): EgressCall[] {
  const merged = new Map<string, EgressCall>();
  for (const call of calls) {
    const key = JSON.stringify([
      call.workload.namespace,
      call.workload.kind,
      call.workload.name,
      call.host,
      call.port,
      call.protocol,
      call.route,
      call.via,
    ]);
    const seen = merged.get(key);
    if (seen) seen.count += call.count;
    else merged.set(key, { ...call });
  }
  // Up, not to the nearest: a fraction of a call out is still one.
  return [...merged.values()].map(c => ({ ...c, count: Math.ceil(c.count) }));
}
