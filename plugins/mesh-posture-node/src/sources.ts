import type {
  CertificateStatus,
  LabelSelector,
  MeshKind,
  SourceStatus,
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';

/**
 * A pod as the Kubernetes API returns it (`core/v1` Pod), reduced to the
 * fields Mesh Posture reads. Sources return real API objects, not summaries,
 * so mesh detection runs the same code for every source.
 * @public
 */
export interface KubernetesPod {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid?: string;
      controller?: boolean;
    }>;
  };
  spec?: {
    serviceAccountName?: string;
    containers?: KubernetesContainer[];
    initContainers?: KubernetesContainer[];
  };
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string }>;
  };
}

/** @public */
export interface KubernetesContainer {
  name: string;
  image?: string;
  /** `Always` on an init container makes it a native sidecar. */
  restartPolicy?: string;
  env?: Array<{ name: string; value?: string }>;
}

/**
 * What to list: pods matching a selector, in one namespace or in all.
 * @public
 */
export interface PodQuery {
  cluster: string;
  namespace?: string;
  selector: LabelSelector;
}

/**
 * The Kubernetes half of the picture for one cluster: objects read from the
 * API server (directly, or through the Backstage Kubernetes plugin).
 * @public
 */
export interface ClusterObjectSource {
  listPods(
    query: PodQuery,
    options: SourceCallOptions,
  ): Promise<KubernetesPod[]>;
  /**
   * The certificates of the mesh's identity chain: Linkerd trust anchors
   * and issuer, or Istio's root.
   */
  listMeshCertificates(
    cluster: string,
    options: SourceCallOptions,
  ): Promise<CertificateStatus[]>;
}

/**
 * What telemetry to read: the traffic of many workloads of one cluster at
 * once, so one query serves them all.
 * @public
 */
export interface TrafficQuery {
  cluster: string;
  mesh: MeshKind;
  workloads: WorkloadRef[];
  /** One of the allow-listed windows, e.g. `5m`. */
  window: string;
  /** Evaluation time; defaults to now. */
  at?: Date;
}

/**
 * The telemetry half of the picture for one cluster, usually Prometheus.
 * @public
 */
export interface MeshTelemetrySource {
  workloadTraffic(
    query: TrafficQuery,
    options: SourceCallOptions,
  ): Promise<TrafficObservation[]>;
}

/**
 * Passed to every source call: an abort signal tied to the caller's deadline.
 * @public
 */
export interface SourceCallOptions {
  signal?: AbortSignal;
}

/**
 * A cluster Mesh Posture can read, with its sources.
 * @public
 */
export interface MeshCluster {
  /** The cluster's name, as in the Kubernetes plugin's config. */
  name: string;
  mesh: MeshKind;
  /** True for clusters of the built-in demo mesh. */
  demo?: boolean;
  objects?: ClusterObjectSource;
  telemetry?: MeshTelemetrySource;
}

/**
 * Supplies clusters: from config, from the Kubernetes plugin, or the demo.
 * @public
 */
export interface MeshClusterProvider {
  getClusters(): Promise<MeshCluster[]>;
}

/**
 * The failure a source reports. Sources throw it so the user sees what went
 * wrong (`unavailable`, `timeout`, `invalid-response`) and the rest of the
 * posture still renders. The message is shown to users: no secrets in it.
 * @public
 */
export class SourceError extends Error {
  readonly status: Exclude<SourceStatus, 'ok'>;

  constructor(status: Exclude<SourceStatus, 'ok'>, message: string) {
    super(message);
    this.name = 'SourceError';
    this.status = status;
  }
}
