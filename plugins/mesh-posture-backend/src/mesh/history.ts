import type { PromSample } from '../prometheus/PrometheusClient';

/**
 * Reads an earliest-sample query grouped by namespace: the earliest time over
 * all of them, and each namespace's own.
 */
export function historyByNamespace(
  samples: PromSample[],
  namespaceLabel: string,
): { earliest?: Date; byNamespace: Record<string, Date> } {
  const byNamespace: Record<string, Date> = {};
  let earliest: number | undefined;
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    earliest = earliest === undefined ? s.value : Math.min(earliest, s.value);
    const namespace = s.labels[namespaceLabel];
    if (namespace) byNamespace[namespace] = new Date(s.value * 1000);
  }
  return {
    ...(earliest !== undefined ? { earliest: new Date(earliest * 1000) } : {}),
    byNamespace,
  };
}
