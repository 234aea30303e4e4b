import type {
  DataPlaneMode,
  MeshBypass,
  MeshKind,
  WorkloadKind,
  WorkloadPosture,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  IdentitySettings,
  KubernetesPod,
  PodMeshState,
} from '@mesh-posture/plugin-mesh-posture-node';

export type {
  IdentitySettings,
  PodMeshState,
} from '@mesh-posture/plugin-mesh-posture-node';
import { cronJobOfJob } from '../mesh/workloadNames';
import { imageVersion } from '../mesh/pods';
import { MeshAdapters } from '../mesh/adapters';

const BUILT_IN = new MeshAdapters();

/** Reads a pod's mesh membership for the mesh its cluster runs. */
export function podMeshState(
  pod: KubernetesPod,
  mesh: MeshKind,
  settings: IdentitySettings = {},
  meshes: MeshAdapters = BUILT_IN,
): PodMeshState {
  const adapter = meshes.get(mesh);
  if (!adapter) throw new Error(`No adapter reads the mesh "${mesh}"`);
  return adapter.podMeshState(pod, settings);
}

/**
 * The workload a pod belongs to, from its controller: a ReplicaSet's
 * Deployment (its name less the pod-template-hash), or the StatefulSet,
 * DaemonSet or Job itself; a bare pod is its own workload.
 */
export function owningWorkload(
  pod: KubernetesPod,
  cluster: string,
): WorkloadRef {
  const owner =
    pod.metadata.ownerReferences?.find(o => o.controller) ??
    pod.metadata.ownerReferences?.[0];
  const base = { cluster, namespace: pod.metadata.namespace };
  if (!owner) {
    return { ...base, kind: 'Pod', name: pod.metadata.name };
  }
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) {
      return {
        ...base,
        kind: 'Deployment',
        name: owner.name.slice(0, -(hash.length + 1)),
      };
    }
    return { ...base, kind: 'ReplicaSet', name: owner.name };
  }
  if (owner.kind === 'Job') {
    // A CronJob's Job: named as both meshes name the workload (see
    // workloadNames.ts).
    const cronJob = cronJobOfJob(owner.name);
    if (cronJob) return { ...base, kind: 'CronJob', name: cronJob };
  }
  const kinds: WorkloadKind[] = ['StatefulSet', 'DaemonSet', 'Job'];
  const kind = kinds.find(k => k === owner.kind);
  return kind
    ? { ...base, kind, name: owner.name }
    : { ...base, kind: 'Pod', name: pod.metadata.name };
}

function isLive(pod: KubernetesPod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

function isReady(pod: KubernetesPod): boolean {
  return Boolean(
    pod.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ),
  );
}

const MODE_ORDER: DataPlaneMode[] = [
  'none',
  'ambient',
  'sidecar',
  'native-sidecar',
];

/** The bypasses of a workload's meshed pods, each with how many pods carry it. */
function bypassOf(states: PodMeshState[]): MeshBypass[] {
  const seen = new Map<string, MeshBypass>();
  for (const b of states.flatMap(s => s.bypass ?? [])) {
    const id = JSON.stringify([
      b.direction,
      b.setting,
      b.ports,
      b.onlyPorts,
      b.ipRanges,
      b.onlyIpRanges,
    ]);
    const entry = seen.get(id);
    if (entry) entry.pods += 1;
    else seen.set(id, { ...b, pods: 1 });
  }
  return [...seen.values()];
}

/** A workload and its live pods. */
export interface PodGroup {
  workload: WorkloadPosture;
  pods: KubernetesPod[];
}

/** What the pods' own containers run, the mesh's proxy left out. */
function appImageTags(pods: KubernetesPod[], states: PodMeshState[]): string[] {
  const tags = new Set<string>();
  pods.forEach((pod, i) => {
    for (const c of pod.spec?.containers ?? []) {
      if (c.name === states[i].proxyContainer) continue;
      const tag = imageVersion(c.image);
      if (tag) tags.add(tag);
    }
  });
  return [...tags].sort();
}

/**
 * Groups live pods by workload and counts how many the mesh covers.
 */
export function groupPodsByWorkload(
  pods: KubernetesPod[],
  cluster: string,
  mesh: MeshKind,
  settings: IdentitySettings = {},
  meshes: MeshAdapters = BUILT_IN,
): PodGroup[] {
  const byWorkload = new Map<
    string,
    {
      ref: WorkloadRef;
      pods: KubernetesPod[];
      states: PodMeshState[];
      ready: number;
    }
  >();
  for (const pod of pods.filter(isLive)) {
    const ref = owningWorkload(pod, cluster);
    const key = `${ref.namespace}/${ref.kind}/${ref.name}`;
    let entry = byWorkload.get(key);
    if (!entry) {
      entry = { ref, pods: [], states: [], ready: 0 };
      byWorkload.set(key, entry);
    }
    entry.pods.push(pod);
    entry.states.push(podMeshState(pod, mesh, settings, meshes));
    if (isReady(pod)) entry.ready++;
  }
  return [...byWorkload.values()]
    .map(({ ref, pods: groupPods, states, ready }) => {
      const meshed = states.filter(s => s.meshed);
      const identities = [
        ...new Set(meshed.map(s => s.identity).filter(Boolean)),
      ];
      // The mode most pods run in, preferring a meshed mode on a tie.
      const counts = new Map<DataPlaneMode, number>();
      for (const s of states) {
        counts.set(s.dataPlane, (counts.get(s.dataPlane) ?? 0) + 1);
      }
      const dataPlane = [...counts.entries()].sort(
        (a, b) =>
          b[1] - a[1] || MODE_ORDER.indexOf(b[0]) - MODE_ORDER.indexOf(a[0]),
      )[0][0];
      const posture: WorkloadPosture = {
        workload: ref,
        mesh,
        totalPods: states.length,
        meshedPods: meshed.length,
        readyPods: ready,
        dataPlane,
        proxyVersions: [
          ...new Set(
            meshed.map(s => s.proxyVersion).filter((v): v is string => !!v),
          ),
        ].sort(),
      };
      if (identities.length === 1) {
        posture.identity = identities[0];
      }
      const tags = appImageTags(groupPods, states);
      if (tags.length > 0) posture.imageTags = tags;
      const bypass = bypassOf(meshed);
      if (bypass.length > 0) posture.bypass = bypass;
      const onHost = states.filter(s => s.hostNetwork).length;
      if (onHost > 0) posture.hostNetworkPods = onHost;
      return { workload: posture, pods: groupPods };
    })
    .sort((a, b) =>
      `${a.workload.workload.namespace}/${a.workload.workload.name}`.localeCompare(
        `${b.workload.workload.namespace}/${b.workload.workload.name}`,
      ),
    );
}

/** The workload postures of live pods. */
export function workloadsFromPods(
  pods: KubernetesPod[],
  cluster: string,
  mesh: MeshKind,
  settings: IdentitySettings = {},
): WorkloadPosture[] {
  return groupPodsByWorkload(pods, cluster, mesh, settings).map(
    g => g.workload,
  );
}
