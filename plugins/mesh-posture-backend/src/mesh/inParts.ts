import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type {
  MeshTelemetrySource,
  SignalsQuery,
  SourceCallOptions,
  TelemetryQuery,
  WorkloadSignals,
  WorkloadTelemetry,
} from '@mesh-posture/plugin-mesh-posture-node';
import { NAMED_SELECTION_LIMIT } from './selection';

/**
 * Most parts a large batch is split into. Prometheus evaluates one query on
 * one core, and the cost is the series it touches (a 5,000-service
 * cluster's latency buckets: 220,000 series, 4 s of one core): parts
 * queried side by side use every core the server has, and each answer
 * stays a fraction of the whole. A fixed number, so the queries a snapshot
 * makes do not grow with the catalog.
 */
export const BATCH_PARTS = 4;

/**
 * The workloads in at most `parts` groups of whole namespaces, balanced by
 * workload count (largest namespace first, into the smallest group), so no
 * namespace is read twice. A batch small enough to be selected by name
 * stays whole.
 */
export function partsByNamespace(
  workloads: WorkloadRef[],
  parts = BATCH_PARTS,
): WorkloadRef[][] {
  if (workloads.length <= NAMED_SELECTION_LIMIT) return [workloads];
  const byNamespace = new Map<string, WorkloadRef[]>();
  for (const w of workloads) {
    const list = byNamespace.get(w.namespace);
    if (list) list.push(w);
    else byNamespace.set(w.namespace, [w]);
  }
  const groups: WorkloadRef[][] = Array.from(
    { length: Math.min(parts, byNamespace.size) },
    () => [],
  );
  const largestFirst = [...byNamespace.entries()].sort(
    ([a, x], [b, y]) => y.length - x.length || a.localeCompare(b),
  );
  for (const [, list] of largestFirst) {
    const smallest = groups.reduce((a, b) => (b.length < a.length ? b : a));
    smallest.push(...list);
  }
  return groups;
}

function uniqueGaps<T>(gaps: T[]): T[] {
  const seen = new Set<string>();
  return gaps.filter(g => {
    const key = JSON.stringify(g);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A telemetry source that asks a large batch in parts side by side and
 * puts the answers together; parts hold disjoint workloads, so nothing is
 * counted twice. The mesh's control-plane certificates and the queries
 * shown come from the first part (every part reads the same).
 */
export function telemetryInParts(
  source: MeshTelemetrySource,
): MeshTelemetrySource {
  return {
    async workloadTelemetry(
      query: TelemetryQuery,
      options: SourceCallOptions,
    ): Promise<WorkloadTelemetry> {
      const parts = partsByNamespace(query.workloads);
      if (parts.length === 1) return source.workloadTelemetry(query, options);
      const answers = await Promise.all(
        parts.map(workloads =>
          source.workloadTelemetry({ ...query, workloads }, options),
        ),
      );
      const all = <K extends keyof WorkloadTelemetry>(key: K) =>
        answers.flatMap(a => (a[key] ?? []) as any[]);
      const partial = answers.some(a => !a.workloadHistory);
      return {
        traffic: all('traffic'),
        callers: all('callers'),
        decisions: all('decisions'),
        workloadCertificates: all('workloadCertificates'),
        meshCertificates: answers[0].meshCertificates,
        // Silence is evidence only where every part could tell.
        ...(partial ? {} : { workloadHistory: all('workloadHistory') }),
        clientReported: all('clientReported'),
        gaps: uniqueGaps(all('gaps')),
      };
    },

    async workloadSignals(
      query: SignalsQuery,
      options: SourceCallOptions,
    ): Promise<WorkloadSignals> {
      const parts = partsByNamespace(query.workloads);
      if (parts.length === 1) return source.workloadSignals(query, options);
      const answers = await Promise.all(
        parts.map(workloads =>
          source.workloadSignals({ ...query, workloads }, options),
        ),
      );
      return {
        summaries: answers.flatMap(a => a.summaries),
        series: answers.flatMap(a => a.series),
        gaps: uniqueGaps(answers.flatMap(a => a.gaps)),
        ...(answers[0].queries ? { queries: answers[0].queries } : {}),
      };
    },
  };
}
