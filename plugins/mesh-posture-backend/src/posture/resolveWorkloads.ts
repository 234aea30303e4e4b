import type {
  SourceReport,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  KubernetesPod,
  MeshCluster,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';
import { ClusterRegistry } from '../sources/ClusterRegistry';
import { SourceCaller } from '../sources/SourceCaller';
import { WorkloadTarget } from './resolveWorkloadTarget';
import { groupPodsByWorkload, PodGroup } from './workloadsFromPods';

/** An entity's workloads in one cluster. */
export interface ClusterWorkloads {
  cluster: MeshCluster;
  /** Workloads found from pods, with their pods. */
  groups: PodGroup[];
  /** Every workload to ask telemetry about: found ones and named ones. */
  refs: WorkloadRef[];
  /** How listing the pods went, when they were listed. */
  kubernetes?: SourceReport;
}

function checkPods(value: unknown): KubernetesPod[] {
  const pods = (value ?? []) as KubernetesPod[];
  if (!Array.isArray(pods)) {
    throw new SourceError('invalid-response', 'expected a list of pods');
  }
  for (const pod of pods) {
    if (
      typeof pod !== 'object' ||
      pod === null ||
      typeof pod.metadata?.name !== 'string' ||
      typeof pod.metadata?.namespace !== 'string'
    ) {
      throw new SourceError(
        'invalid-response',
        'a pod has no name or namespace',
      );
    }
  }
  return pods;
}

/**
 * The clusters an entity maps to and, in each, its workloads: pods matching
 * the entity's selector, grouped by workload, plus workloads it names
 * outright. A cluster the entity names that nobody configured is a report.
 */
export async function resolveEntityWorkloads(
  registry: ClusterRegistry,
  caller: SourceCaller,
  target: WorkloadTarget,
): Promise<{ clusters: ClusterWorkloads[]; missing: SourceReport[] }> {
  const all = await registry.clusters();
  const wanted = new Set<string>();
  if (target.cluster) {
    wanted.add(target.cluster);
  } else if (target.selector) {
    all.forEach(c => wanted.add(c.name));
  }
  target.explicit.forEach(w => wanted.add(w.cluster));

  const missing: SourceReport[] = [];
  const found = await Promise.all(
    [...wanted].sort().map(async name => {
      const cluster = all.find(c => c.name === name);
      if (!cluster) {
        missing.push({
          role: 'kubernetes',
          cluster: name,
          status: 'unavailable',
          message: `cluster "${name}" is not configured for Mesh Posture`,
          demo: false,
          durationMs: 0,
        });
        return undefined;
      }
      return resolveInCluster(cluster, caller, target);
    }),
  );
  return {
    clusters: found.filter((c): c is ClusterWorkloads => c !== undefined),
    missing,
  };
}

async function resolveInCluster(
  cluster: MeshCluster,
  caller: SourceCaller,
  target: WorkloadTarget,
): Promise<ClusterWorkloads> {
  const explicit = target.explicit.filter(w => w.cluster === cluster.name);
  const clusterSelected = !target.cluster || target.cluster === cluster.name;
  let groups: PodGroup[] = [];
  let kubernetes: SourceReport | undefined;
  if (target.selector && clusterSelected) {
    if (!cluster.objects) {
      kubernetes = caller.unconfigured(
        cluster,
        'kubernetes',
        'no Kubernetes access configured',
      );
    } else {
      const objects = cluster.objects;
      const pods = await caller.call(cluster, 'kubernetes', async signal =>
        checkPods(
          await objects.list(
            {
              cluster: cluster.name,
              apiVersion: 'v1',
              resource: 'pods',
              namespace: target.namespace,
              selector: target.selector!,
            },
            { signal },
          ),
        ),
      );
      kubernetes = pods.report;
      groups = groupPodsByWorkload(
        pods.value ?? [],
        cluster.name,
        cluster.mesh,
      );
    }
  }
  const refs: WorkloadRef[] = [
    ...groups.map(g => g.workload.workload),
    ...explicit.filter(
      e =>
        !groups.some(
          g =>
            g.workload.workload.namespace === e.namespace &&
            g.workload.workload.kind === e.kind &&
            g.workload.workload.name === e.name,
        ),
    ),
  ];
  return { cluster, groups, refs, ...(kubernetes ? { kubernetes } : {}) };
}
