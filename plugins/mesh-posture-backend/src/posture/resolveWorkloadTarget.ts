import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  isValidClusterName,
  isValidNamespaceName,
  KUBERNETES_CLUSTER_ANNOTATION,
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
  LabelSelector,
  labelEquals,
  MESH_POSTURE_WORKLOAD_ANNOTATION,
  parseLabelSelector,
  parseWorkloadRef,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';

/**
 * Where an entity's workloads are, as its annotations say: pods matching a
 * selector (optionally in one namespace and one cluster), and workloads
 * named outright.
 */
export interface WorkloadTarget {
  selector?: LabelSelector;
  namespace?: string;
  cluster?: string;
  explicit: WorkloadRef[];
}

const MAX_EXPLICIT_WORKLOADS = 50;

function annotationError(entity: Entity, annotation: string, why: string) {
  return new InputError(
    `Annotation ${annotation} of ${stringifyEntityRef(
      entity,
    )} is invalid: ${why}`,
  );
}

/**
 * Reads and validates the workload annotations. Returns undefined when the
 * entity has none; throws InputError (400) when one is malformed, naming the
 * annotation, so nothing malformed reaches a query.
 */
export function resolveWorkloadTarget(
  entity: Entity,
): WorkloadTarget | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const read = (key: string) => annotations[key]?.trim() || undefined;

  const selectorText = read(KUBERNETES_LABEL_SELECTOR_ANNOTATION);
  const id = read(KUBERNETES_ID_ANNOTATION);
  const explicitText = read(MESH_POSTURE_WORKLOAD_ANNOTATION);
  if (!selectorText && !id && !explicitText) {
    return undefined;
  }

  const target: WorkloadTarget = { explicit: [] };
  try {
    if (selectorText) {
      // As in the Kubernetes plugin, the selector wins over the id.
      target.selector = parseLabelSelector(selectorText);
    } else if (id) {
      target.selector = labelEquals(KUBERNETES_ID_ANNOTATION, id);
    }
  } catch (e) {
    throw annotationError(
      entity,
      selectorText
        ? KUBERNETES_LABEL_SELECTOR_ANNOTATION
        : KUBERNETES_ID_ANNOTATION,
      (e as Error).message,
    );
  }

  const namespace = read(KUBERNETES_NAMESPACE_ANNOTATION);
  if (namespace) {
    if (!isValidNamespaceName(namespace)) {
      throw annotationError(
        entity,
        KUBERNETES_NAMESPACE_ANNOTATION,
        'not a valid namespace name',
      );
    }
    target.namespace = namespace;
  }

  const cluster = read(KUBERNETES_CLUSTER_ANNOTATION);
  if (cluster) {
    if (!isValidClusterName(cluster)) {
      throw annotationError(
        entity,
        KUBERNETES_CLUSTER_ANNOTATION,
        'not a valid cluster name',
      );
    }
    target.cluster = cluster;
  }

  if (explicitText) {
    const items = explicitText
      .split(',')
      .map(s => s.trim())
      .filter(Boolean);
    if (items.length > MAX_EXPLICIT_WORKLOADS) {
      throw annotationError(
        entity,
        MESH_POSTURE_WORKLOAD_ANNOTATION,
        `more than ${MAX_EXPLICIT_WORKLOADS} workloads`,
      );
    }
    try {
      target.explicit = items.map(parseWorkloadRef);
    } catch (e) {
      throw annotationError(
        entity,
        MESH_POSTURE_WORKLOAD_ANNOTATION,
        (e as Error).message,
      );
    }
  }
  return target;
}
