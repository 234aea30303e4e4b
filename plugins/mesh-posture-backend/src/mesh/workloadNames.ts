import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';

/*
 * How the meshes name the workloads of pods no Deployment, StatefulSet,
 * DaemonSet or plain Job owns.
 *
 * - The CronJob controller names its Jobs `<cronjob>-<scheduled minute>`;
 *   Istio trims that suffix for `source_workload`/`destination_workload`
 *   and calls the workload a CronJob (istio/istio pkg/kube/util.go,
 *   `cronJobNameRegexp = regexp.MustCompile(`(.+)-\d{8,10}$`)` in
 *   GetDeployMetaFromPod). A bare pod is its own workload there.
 * - Linkerd's injector labels a pod with its owner only for deployment,
 *   replicationcontroller, replicaset, job, daemonset and statefulset
 *   (linkerd/linkerd2 pkg/inject/inject.go); GetOwnerKindAndName resolves a
 *   CronJob's Job to ("cronjob", name) and a bare pod to ("pod", name), for
 *   which no `linkerd.io/proxy-*` label is set. Their own series carry only
 *   `pod` (linkerd-viz relabels `__meta_kubernetes_pod_name`); callers'
 *   series name them `dst_cronjob` / `dst_pod`.
 */

const CRONJOB_JOB_NAME = /^(.+)-\d{8,10}$/;
/** A Job's pods: `<job>-<5 random characters>` (generateName). */
const JOB_POD_NAME = /^(.+)-[a-z0-9]{5}$/;

/** The CronJob a Job was created by, judged by its name as Istio does. */
export function cronJobOfJob(jobName: string): string | undefined {
  return CRONJOB_JOB_NAME.exec(jobName)?.[1];
}

/** The CronJob a pod's Job was created by, from the pod's name alone. */
export function cronJobOfPod(podName: string): string | undefined {
  const job = JOB_POD_NAME.exec(podName)?.[1];
  return job ? cronJobOfJob(job) : undefined;
}

/**
 * Finds the asked workload a pod belongs to by the pod's name alone: a bare
 * pod by its name, a CronJob's pod by the CronJob's. Built once per answer.
 */
export function podNameIndex(workloads: WorkloadRef[]) {
  const pods = new Map<string, WorkloadRef>();
  const cronJobs = new Map<string, WorkloadRef>();
  for (const w of workloads) {
    if (w.kind === 'Pod') pods.set(`${w.namespace}/${w.name}`, w);
    if (w.kind === 'CronJob') cronJobs.set(`${w.namespace}/${w.name}`, w);
  }
  return (namespace: string, pod: string): WorkloadRef | undefined => {
    const bare = pods.get(`${namespace}/${pod}`);
    if (bare) return bare;
    const cronJob = cronJobOfPod(pod);
    return cronJob ? cronJobs.get(`${namespace}/${cronJob}`) : undefined;
  };
}

/** A name for a pod's workload, for people: its CronJob's, else its own. */
export function workloadNameOfPod(pod: string): string {
  return cronJobOfPod(pod) ?? pod;
}

/*
 * The names controllers give pods: a Deployment's ReplicaSet
 * `<deployment>-<pod-template-hash>` and its pods `<rs>-<5 characters>`, a
 * StatefulSet's `<statefulset>-<ordinal>`, a DaemonSet's or Job's
 * `<owner>-<5 characters>` (kubernetes pkg/controller: generateName plus
 * utilrand.String(5); the hash is rand.SafeEncodeString, up to 10).
 */
const POD_SUFFIX: Partial<Record<WorkloadRef['kind'], RegExp>> = {
  Deployment: /^-[a-z0-9]{1,10}-[a-z0-9]{5}$/,
  ReplicaSet: /^-[a-z0-9]{5}$/,
  StatefulSet: /^-\d+$/,
  DaemonSet: /^-[a-z0-9]{5}$/,
  Job: /^-[a-z0-9]{5}$/,
};

/**
 * Finds the asked workload a pod belongs to by the pod's name, for series
 * that carry only the pod (an Istio agent's). The longest matching name
 * wins, so `api-v2-…` is not taken for `api`'s.
 */
export function podOwnerIndex(workloads: WorkloadRef[]) {
  const byNamespace = new Map<string, WorkloadRef[]>();
  for (const w of workloads) {
    byNamespace.set(w.namespace, [...(byNamespace.get(w.namespace) ?? []), w]);
  }
  for (const list of byNamespace.values()) {
    list.sort((a, b) => b.name.length - a.name.length);
  }
  const byPodName = podNameIndex(workloads);
  return (namespace: string, pod: string): WorkloadRef | undefined => {
    const named = byPodName(namespace, pod);
    if (named) return named;
    return (byNamespace.get(namespace) ?? []).find(w => {
      const suffix = POD_SUFFIX[w.kind];
      return (
        suffix !== undefined &&
        pod.startsWith(w.name) &&
        suffix.test(pod.slice(w.name.length))
      );
    });
  };
}
