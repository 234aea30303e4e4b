import type {
  HistogramBucketRates,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type { TrafficSignals } from '@mesh-posture/plugin-mesh-posture-node';
import type { PromSample, PromSeries } from '../prometheus/PrometheusClient';

/*
 * Small helpers the mesh adapters share to turn Prometheus answers into raw
 * signals: bucket rates keyed by group, series aligned on steps.
 */

/** A sample's `le` bound; +Inf stays Infinity. */
export function leOf(labels: Record<string, string>): number | undefined {
  const le = labels.le;
  if (le === undefined) return undefined;
  if (le === '+Inf' || le === 'Inf') return Infinity;
  const n = Number(le);
  return Number.isFinite(n) ? n : undefined;
}

/** Groups bucket samples by a key: one cumulative histogram per group. */
export function bucketsByKey(
  samples: PromSample[],
  keyOf: (labels: Record<string, string>) => string | undefined,
): Map<string, HistogramBucketRates> {
  const out = new Map<string, HistogramBucketRates>();
  for (const s of samples) {
    const key = keyOf(s.labels);
    const le = leOf(s.labels);
    if (key === undefined || le === undefined || !Number.isFinite(s.value))
      continue;
    const list = out.get(key) ?? [];
    list.push({ le, rate: s.value });
    out.set(key, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.le - b.le);
  return out;
}

/** A range answer as instant answers, one per step. */
export function samplesByStep(series: PromSeries[]): Map<number, PromSample[]> {
  const out = new Map<number, PromSample[]>();
  for (const s of series) {
    for (const p of s.points) {
      const list = out.get(p.timestamp) ?? [];
      list.push({ labels: s.labels, value: p.value, timestamp: p.timestamp });
      out.set(p.timestamp, list);
    }
  }
  return out;
}

/** Seconds in an allow-listed duration such as `5m`, `1h`, `7d`. */
export function durationSeconds(duration: string): number {
  const m = /^(\d+)([smhd])$/.exec(duration);
  if (!m) throw new Error(`not a duration: ${duration}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's']!;
}

/** Where a sample's traffic belongs: a workload, and the peer for outbound. */
export interface SignalKey {
  key: string;
  workload: WorkloadRef;
  peer?: TrafficSignals['peer'];
}

/**
 * The summaries of a signals answer, one per workload (and peer), created
 * the first time a sample names it. `extra` adds a mesh's own fields.
 */
export function summaryTable(
  keyOf: (labels: Record<string, string>) => SignalKey | undefined,
  extra: () => Partial<TrafficSignals> = () => ({}),
) {
  const summaries = new Map<string, TrafficSignals>();
  const summaryOf = (labels: Record<string, string>) => {
    const k = keyOf(labels);
    if (!k) return undefined;
    let entry = summaries.get(k.key);
    if (!entry) {
      entry = {
        workload: k.workload,
        ...(k.peer ? { peer: k.peer } : {}),
        requestsPerSecond: 0,
        failuresPerSecond: 0,
        latencyBuckets: [],
        errors: [],
        ...extra(),
      };
      summaries.set(k.key, entry);
    }
    return entry;
  };
  return { summaries, summaryOf };
}
