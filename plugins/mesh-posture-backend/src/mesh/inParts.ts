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

/** The smallest part worth querying apart. */
export const MIN_PART_WORKLOADS = 500;

/** One part of a batch: its workloads, and whether to select them by name. */
export interface BatchPart {
  workloads: WorkloadRef[];
  /** A slice of a namespace larger than a part: selected by name. */
  byName: boolean;
}

/**
 * The workloads in about `parts` parts of similar size: namespaces larger
 * than a part are cut into slices selected by name (so no part reads a
 * whole large namespace), the others packed whole, largest first into the
 * smallest part, each read by namespace. At most `2 × parts` parts,
 * whatever the number of workloads. A batch small enough to be selected
 * by name stays whole.
 */
export function partsOf(
  workloads: WorkloadRef[],
  parts = BATCH_PARTS,
): BatchPart[] {
  if (workloads.length <= NAMED_SELECTION_LIMIT) {
    return [{ workloads, byName: false }];
  }
  const byNamespace = new Map<string, WorkloadRef[]>();
  for (const w of workloads) {
    const list = byNamespace.get(w.namespace);
    if (list) list.push(w);
    else byNamespace.set(w.namespace, [w]);
  }
  // Parts of fewer workloads cost more in queries than they save.
  const size = Math.max(
    MIN_PART_WORKLOADS,
    Math.ceil(workloads.length / parts),
  );
  const sliced: BatchPart[] = [];
  const whole: WorkloadRef[][] = [];
  for (const [, list] of [...byNamespace.entries()].sort(
    ([a, x], [b, y]) => y.length - x.length || a.localeCompare(b),
  )) {
    if (list.length > size) {
      const slices = Math.ceil(list.length / size);
      const per = Math.ceil(list.length / slices);
      for (let i = 0; i < list.length; i += per) {
        sliced.push({ workloads: list.slice(i, i + per), byName: true });
      }
    } else {
      whole.push(list);
    }
  }
  const packed: WorkloadRef[][] = Array.from(
    { length: Math.min(whole.length, Math.max(1, parts - sliced.length)) },
    () => [],
  );
  for (const list of whole) {
    const smallest = packed.reduce((a, b) => (b.length < a.length ? b : a));
    smallest.push(...list);
  }
  return [...sliced, ...packed.map(w => ({ workloads: w, byName: false }))];
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
 * puts the answers together; parts hold disjoint workloads (a namespace is
 * read whole by one part, or by name in slices), so nothing is counted
 * twice. The mesh's control-plane certificates and the queries
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
      const parts = partsOf(query.workloads);
      if (parts.length === 1) return source.workloadTelemetry(query, options);
      const answers = await Promise.all(
        parts.map(({ workloads, byName }) =>
          source.workloadTelemetry(
            { ...query, workloads, ...(byName ? { selectByName: true } : {}) },
            options,
          ),
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
        // Callers are disjoint across parts: each pairs its own refusals.
        ...(answers.every(a => a.refusedCalls)
          ? { refusedCalls: all('refusedCalls') }
          : {}),
        // Each part's workloads' own calls out: known only if every part's are.
        ...(answers.every(a => a.egressCalls)
          ? { egressCalls: all('egressCalls') }
          : {}),
        gaps: uniqueGaps(all('gaps')),
      };
    },

    async workloadSignals(
      query: SignalsQuery,
      options: SourceCallOptions,
    ): Promise<WorkloadSignals> {
      const parts = partsOf(query.workloads);
      if (parts.length === 1) return source.workloadSignals(query, options);
      const answers = await Promise.all(
        parts.map(({ workloads, byName }) =>
          source.workloadSignals(
            { ...query, workloads, ...(byName ? { selectByName: true } : {}) },
            options,
          ),
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
