import { isValidLabelValue, isValidNamespaceName } from './labelSelector';
import { WORKLOAD_KINDS, WorkloadKind, WorkloadRef } from './types';

/** @public */
export function formatWorkloadRef(ref: WorkloadRef): string {
  return `${ref.cluster}/${ref.namespace}/${ref.kind}/${ref.name}`;
}

/**
 * True for a name Kubernetes accepts for a workload object (an RFC 1123
 * subdomain of at most 253 characters).
 * @public
 */
export function isValidObjectName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 253 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(
      name,
    )
  );
}

/**
 * True for a cluster name as written in config and annotations.
 * @public
 */
export function isValidClusterName(name: string): boolean {
  return isValidLabelValue(name) && name.length > 0;
}

/**
 * Parses `cluster/namespace/kind/name`, as written in the
 * `mesh-posture.io/workload` annotation. Throws on anything else.
 * @public
 */
export function parseWorkloadRef(text: string): WorkloadRef {
  const parts = text.trim().split('/');
  if (parts.length !== 4) {
    throw new Error(
      `"${text.slice(0, 80)}" is not cluster/namespace/kind/name`,
    );
  }
  const [cluster, namespace, kind, name] = parts;
  if (!isValidClusterName(cluster)) {
    throw new Error(`"${cluster.slice(0, 80)}" is not a valid cluster name`);
  }
  if (!isValidNamespaceName(namespace)) {
    throw new Error(`"${namespace.slice(0, 80)}" is not a valid namespace`);
  }
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
    throw new Error(
      `"${kind.slice(0, 80)}" is not one of ${WORKLOAD_KINDS.join(', ')}`,
    );
  }
  if (!isValidObjectName(name)) {
    throw new Error(`"${name.slice(0, 80)}" is not a valid workload name`);
  }
  return { cluster, namespace, kind: kind as WorkloadKind, name };
}
