import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type { PromSample } from '../prometheus/PrometheusClient';

/**
 * Reads a `sampleTimes` probe: for each asked workload that has series, the
 * earliest and the latest time any of them was seen (several series of one
 * workload, e.g. by pod, give the earliest first and the latest last).
 */
export function sampleTimesByWorkload(
  samples: PromSample[],
  workloadOf: (labels: Record<string, string>) => WorkloadRef | undefined,
): Array<{ workload: WorkloadRef; from: Date; until: Date }> {
  const seen = new Map<
    string,
    { workload: WorkloadRef; first?: number; last?: number }
  >();
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const workload = workloadOf(s.labels);
    if (!workload) continue;
    const key = `${workload.namespace}/${workload.kind}/${workload.name}`;
    const entry = seen.get(key) ?? { workload };
    if (s.labels.sample === 'first') {
      entry.first = Math.min(entry.first ?? Infinity, s.value);
    } else if (s.labels.sample === 'last') {
      entry.last = Math.max(entry.last ?? -Infinity, s.value);
    }
    seen.set(key, entry);
  }
  return [...seen.values()]
    .filter(e => e.first !== undefined && e.last !== undefined)
    .map(e => ({
      workload: e.workload,
      from: new Date(e.first! * 1000),
      until: new Date(e.last! * 1000),
    }));
}
