import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';

/**
 * Up to this many workloads are selected by name in PromQL. An entity's
 * page asks about its own few workloads, and what Prometheus reads and
 * returns for them must not grow with the other services of their
 * namespace (2,000 services in one namespace made one entity's latency
 * query return 55 MB). A batch of more (the catalog snapshot) is selected by
 * namespace: one matcher, whatever the catalog's size.
 */
export const NAMED_SELECTION_LIMIT = 64;

/**
 * Whether a query about these workloads names them one by one: a few, or a
 * part of a large namespace (`selectByName`).
 */
export function selectsByName(
  workloads: readonly WorkloadRef[],
  query: { selectByName?: boolean } = {},
): boolean {
  return (
    workloads.length > 0 &&
    (query.selectByName === true || workloads.length <= NAMED_SELECTION_LIMIT)
  );
}

/** The namespaces of the workloads, each once. */
export function namespacesOf(workloads: readonly WorkloadRef[]): string[] {
  return [...new Set(workloads.map(w => w.namespace))];
}
