import {
  matchesLabelSelector,
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
import { pickByKey } from './pickByKey';

// One cluster's pods are listed once for many entities: by namespace.
const namespaceOf = (pod: KubernetesPod) => pod.metadata.namespace;

/**
 * Key functions of pods by one label's value (with their namespace), one
 * function per label key so that pickByKey indexes a listing once per key.
 * Label values never hold NUL, so the separator cannot collide.
 */
const byLabel = new Map<string, (pod: KubernetesPod) => string>();
function labelKeyOf(key: string, withNamespace: boolean) {
  const id = `${withNamespace ? 'ns' : ''}\u0000${key}`;
  let keyOf = byLabel.get(id);
  if (!keyOf) {
    keyOf = pod =>
      `${withNamespace ? pod.metadata.namespace : ''}\u0000${
        pod.metadata.labels?.[key] ?? '\u0000absent'
      }`;
    byLabel.set(id, keyOf);
  }
  return keyOf;
}

/**
 * The pods of a cluster-wide listing that an entity's selector could
 * match: picked by the values of its first `In` requirement (and its
 * namespace), so each of thousands of entities reads only its candidates;
 * the whole selector then decides among them.
 */
function candidatePods(
  pods: KubernetesPod[],
  selector: NonNullable<WorkloadTarget['selector']>,
  namespace: string | undefined,
): KubernetesPod[] {
  const first = selector.requirements.find(r => r.operator === 'In');
  if (!first) {
    return namespace
      ? pickByKey(pods, namespaceOf, new Set([namespace]))
      : pods;
  }
  return pickByKey(
    pods,
    labelKeyOf(first.key, namespace !== undefined),
    new Set(first.values.map(v => `${namespace ?? ''}\u0000${v}`)),
  );
}
import type { MeshAdapters } from '../mesh/adapters';

const refKey = (r: { namespace: string; name: string; kind?: string }) =>
  `${r.namespace}/${r.kind ?? ''}/${r.name}`;

/** Each workload once, for a batch asked about many entities' workloads. */
export function uniqueRefs(refs: WorkloadRef[]): WorkloadRef[] {
  return [...new Map(refs.map(r => [refKey(r), r])).values()];
}

/**
 * Splits workloads into those whose own proxies report them and those
 * with pods but no proxy, which only their callers' proxies can see.
 * Workloads named outright, with no pods listed, count as their own.
 */
export function splitByProxy(
  refs: WorkloadRef[],
  groups: PodGroup[],
): { own: WorkloadRef[]; proxyless: WorkloadRef[] } {
  const proxyless = uniqueRefs(
    groups
      .filter(g => g.workload.totalPods > 0 && g.workload.meshedPods === 0)
      .map(g => g.workload.workload),
  );
  const keys = new Set(proxyless.map(refKey));
  return {
    own: uniqueRefs(refs).filter(r => !keys.has(refKey(r))),
    proxyless,
  };
}

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

/** The clusters an entity's annotations point at, configured or not. */
function wantedClusters(
  all: MeshCluster[],
  target: WorkloadTarget,
): Set<string> {
  const wanted = new Set<string>();
  if (target.cluster) {
    wanted.add(target.cluster);
  } else if (target.selector) {
    all.forEach(c => wanted.add(c.name));
  }
  target.explicit.forEach(w => wanted.add(w.cluster));
  return wanted;
}

function notConfigured(name: string): SourceReport {
  return {
    role: 'kubernetes',
    cluster: name,
    status: 'unavailable',
    message: `cluster "${name}" is not configured for Mesh Posture`,
    demo: false,
    durationMs: 0,
  };
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
  const missing: SourceReport[] = [];
  const found = await Promise.all(
    [...wantedClusters(all, target)].sort().map(async name => {
      const cluster = all.find(c => c.name === name);
      if (!cluster) {
        missing.push(notConfigured(name));
        return undefined;
      }
      return resolveInCluster(cluster, caller, target, registry.meshes);
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
  meshes: MeshAdapters,
): Promise<ClusterWorkloads> {
  const clusterSelected = !target.cluster || target.cluster === cluster.name;
  if (!target.selector || !clusterSelected) {
    return workloadsInCluster(cluster, target, undefined, meshes);
  }
  return workloadsInCluster(
    cluster,
    target,
    await listPods(cluster, caller, {
      namespace: target.namespace,
      selector: target.selector,
    }),
    meshes,
  );
}

/** How listing a cluster's pods went, and the pods when it worked. */
export interface PodListing {
  report: SourceReport;
  pods?: KubernetesPod[];
  /**
   * Whether the API server already applied the entity's namespace and
   * selector; a cluster-wide listing is filtered here instead.
   */
  scoped?: boolean;
}

/** Lists pods, with a selector, in one namespace, or all pods of the cluster. */
export async function listPods(
  cluster: MeshCluster,
  caller: SourceCaller,
  scope: { namespace?: string; selector?: WorkloadTarget['selector'] } = {},
): Promise<PodListing> {
  if (!cluster.objects) {
    return {
      report: caller.unconfigured(
        cluster,
        'kubernetes',
        'no Kubernetes access configured',
      ),
    };
  }
  const objects = cluster.objects;
  const result = await caller.call(cluster, 'kubernetes', async signal =>
    checkPods(
      await objects.list(
        {
          cluster: cluster.name,
          apiVersion: 'v1',
          resource: 'pods',
          ...(scope.namespace ? { namespace: scope.namespace } : {}),
          ...(scope.selector ? { selector: scope.selector } : {}),
        },
        { signal },
      ),
    ),
  );
  return {
    report: result.report,
    scoped: Boolean(scope.namespace || scope.selector),
    ...(result.value ? { pods: result.value } : {}),
  };
}

/**
 * An entity's workloads in one cluster, from a pod listing that holds at
 * least the entity's pods: those in its namespace matching its selector,
 * plus the workloads it names outright. Without a listing (no selector
 * here), only the named ones.
 */
export function workloadsInCluster(
  cluster: MeshCluster,
  target: WorkloadTarget,
  listing: PodListing | undefined,
  meshes: MeshAdapters,
): ClusterWorkloads {
  const explicit = target.explicit.filter(w => w.cluster === cluster.name);
  const clusterSelected = !target.cluster || target.cluster === cluster.name;
  let groups: PodGroup[] = [];
  let kubernetes: SourceReport | undefined;
  if (target.selector && clusterSelected && listing) {
    kubernetes = listing.report;
    const selector = target.selector;
    const pods = listing.scoped
      ? listing.pods ?? []
      : candidatePods(listing.pods ?? [], selector, target.namespace).filter(
          pod => matchesLabelSelector(selector, pod.metadata.labels ?? {}),
        );
    groups = groupPodsByWorkload(
      pods,
      cluster.name,
      cluster.mesh,
      cluster.settings,
      meshes,
    );
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

/** Per entity (in the order asked), its clusters' workloads and what could not be read. */
export type ResolvedWorkloads = Array<{
  clusters: ClusterWorkloads[];
  missing: SourceReport[];
}>;

/** Every entity's workloads, cluster by cluster. */
export function workloadsByCluster(
  resolved: ResolvedWorkloads,
): Map<string, ClusterWorkloads[]> {
  const byCluster = new Map<string, ClusterWorkloads[]>();
  for (const { clusters } of resolved) {
    for (const c of clusters) {
      const list = byCluster.get(c.cluster.name);
      if (list) list.push(c);
      else byCluster.set(c.cluster.name, [c]);
    }
  }
  return byCluster;
}

/**
 * The clusters and workloads of many entities at once, listing each
 * cluster's pods once (all namespaces) instead of once per entity. Answers
 * in the order of `targets`, exactly as `resolveEntityWorkloads` would.
 */
export async function resolveManyEntityWorkloads(
  registry: ClusterRegistry,
  caller: SourceCaller,
  targets: WorkloadTarget[],
): Promise<ResolvedWorkloads> {
  const all = await registry.clusters();
  const needsPods = (cluster: MeshCluster) =>
    targets.some(t => t.selector && (!t.cluster || t.cluster === cluster.name));
  const listings = new Map<string, PodListing>(
    await Promise.all(
      all
        .filter(needsPods)
        .map(
          async c =>
            [c.name, await listPods(c, caller)] as [string, PodListing],
        ),
    ),
  );
  return targets.map(target => {
    const missing: SourceReport[] = [];
    const clusters: ClusterWorkloads[] = [];
    for (const name of [...wantedClusters(all, target)].sort()) {
      const cluster = all.find(c => c.name === name);
      if (!cluster) {
        missing.push(notConfigured(name));
        continue;
      }
      const clusterSelected = !target.cluster || target.cluster === name;
      clusters.push(
        workloadsInCluster(
          cluster,
          target,
          target.selector && clusterSelected ? listings.get(name) : undefined,
          registry.meshes,
        ),
      );
    }
    return { clusters, missing };
  });
}
