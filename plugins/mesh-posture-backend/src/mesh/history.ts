import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type { PromSample } from '../prometheus/PrometheusClient';

/**
 * Reads an earliest-sample probe: for each asked workload that has series,
 * the earliest time any of them was seen (several series of one workload,
 * e.g. by pod, give the earliest of them).
 */
export function earliestByWorkload(
  samples: PromSample[],
  workloadOf: (labels: Record<string, string>) => WorkloadRef | undefined,
): Array<{ workload: WorkloadRef; from: Date }> {
  const earliest = new Map<string, { workload: WorkloadRef; at: number }>();
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const workload = workloadOf(s.labels);
    if (!workload) continue;
    const key = `${workload.namespace}/${workload.kind}/${workload.name}`;
    const known = earliest.get(key);
    if (!known || s.value < known.at)
      earliest.set(key, { workload, at: s.value });
  }
  return [...earliest.values()].map(e => ({
    workload: e.workload,
    from: new Date(e.at * 1000),
  }));
}
