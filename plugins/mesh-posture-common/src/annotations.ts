import type { Entity } from '@backstage/catalog-model';

/**
 * Annotations of the Backstage Kubernetes plugin. Mesh Posture reuses them so
 * an entity already wired for Kubernetes needs nothing new.
 * @public
 */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** @public */
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
/** @public */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';
/** @public */
export const KUBERNETES_CLUSTER_ANNOTATION = 'backstage.io/kubernetes-cluster';

/**
 * Prefix of the annotations Mesh Posture owns. Only for what the Kubernetes
 * annotations cannot say.
 * @public
 */
export const MESH_POSTURE_ANNOTATION_PREFIX = 'mesh-posture.io/';

/**
 * Explicit workloads, for entities whose clusters are reachable only through
 * Prometheus: a comma separated list of `cluster/namespace/kind/name`.
 * @public
 */
export const MESH_POSTURE_WORKLOAD_ANNOTATION = `${MESH_POSTURE_ANNOTATION_PREFIX}workload`;

/**
 * The annotations that map an entity to workloads, in the order they are
 * consulted.
 * @public
 */
export const WORKLOAD_ANNOTATIONS = [
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_ID_ANNOTATION,
  MESH_POSTURE_WORKLOAD_ANNOTATION,
] as const;

/**
 * True when the entity carries an annotation that maps it to workloads, so
 * the Mesh Posture cards have something to show.
 * @public
 */
export function isMeshPostureAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return WORKLOAD_ANNOTATIONS.some(a => Boolean(annotations[a]?.trim()));
}

/**
 * Service level objective: target success rate in percent (e.g. `99.9`).
 * @public
 */
export const SLO_SUCCESS_RATE_ANNOTATION = `${MESH_POSTURE_ANNOTATION_PREFIX}slo-success-rate`;

/**
 * Service level objective: target p99 latency in milliseconds (e.g. `300`).
 * @public
 */
export const SLO_LATENCY_P99_ANNOTATION = `${MESH_POSTURE_ANNOTATION_PREFIX}slo-latency-p99-ms`;

/**
 * A percentage as a share, without binary noise (99.9 → 0.999).
 * @public
 */
export function percentToShare(percent: number): number {
  return Math.round(percent * 1e8) / 1e10;
}

/**
 * Reads an entity's SLO annotations. Returns a message for a value that is
 * not one, so the caller can answer 400 naming it.
 * @public
 */
export function readSloAnnotations(
  entity: Entity,
):
  | { ok: true; successRate?: number; latencyP99Ms?: number }
  | { ok: false; error: string } {
  const annotations = entity.metadata.annotations ?? {};
  const out: { ok: true; successRate?: number; latencyP99Ms?: number } = {
    ok: true,
  };
  const rate = annotations[SLO_SUCCESS_RATE_ANNOTATION]?.trim();
  if (rate) {
    const n = /^\d{1,3}(\.\d{1,6})?$/.test(rate) ? Number(rate) : NaN;
    if (!(n > 0 && n < 100)) {
      return {
        ok: false,
        error: `Annotation ${SLO_SUCCESS_RATE_ANNOTATION} must be a percentage above 0 and below 100, like 99.9`,
      };
    }
    out.successRate = percentToShare(n);
  }
  const p99 = annotations[SLO_LATENCY_P99_ANNOTATION]?.trim();
  if (p99) {
    const n = /^\d{1,7}(\.\d{1,3})?$/.test(p99) ? Number(p99) : NaN;
    if (!(n >= 1 && n <= 3_600_000)) {
      return {
        ok: false,
        error: `Annotation ${SLO_LATENCY_P99_ANNOTATION} must be milliseconds from 1 to 3600000, like 300`,
      };
    }
    out.latencyP99Ms = n;
  }
  return out;
}
