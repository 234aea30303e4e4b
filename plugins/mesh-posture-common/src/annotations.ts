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
