import type {
  CertificateStatus,
  HistogramBucketRates,
  RawTrafficSignals,
  LabelSelector,
  MeshGap,
  MeshKind,
  EgressCall,
  RefusedCall,
  SourceStatus,
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';

/**
 * A Kubernetes API object as the API server returns it. Sources return real
 * API objects, not summaries, so the mesh adapters run the same code on
 * every source (a real cluster, a test server or the demo mesh).
 * @public
 */
export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
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
  spec?: any;
  status?: any;
  /** ConfigMap data. */
  data?: Record<string, string>;
}

/**
 * A pod (`core/v1` Pod), typed down to the fields Mesh Posture reads.
 * @public
 */
export interface KubernetesPod extends KubernetesObject {
  metadata: KubernetesObject['metadata'] & { namespace: string };
  spec?: {
    serviceAccountName?: string;
    hostNetwork?: boolean;
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
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  /** Kubelet probes: their HTTP paths are what Linkerd gives a probe route. */
  livenessProbe?: KubernetesProbe;
  readinessProbe?: KubernetesProbe;
  startupProbe?: KubernetesProbe;
}

/** @public */
export interface KubernetesProbe {
  httpGet?: { path?: string; port?: number | string };
}

/**
 * Which objects to list: one resource of one API group version, in one
 * namespace or in all, optionally by label selector.
 * @public
 */
export interface ObjectListQuery {
  cluster: string;
  /** `v1`, or `<group>/<version>` such as `policy.linkerd.io/v1beta3`. */
  apiVersion: string;
  /** The resource's plural name, e.g. `pods`, `servers`. */
  resource: string;
  namespace?: string;
  selector?: LabelSelector;
}

/** One named object. @public */
export interface ObjectGetQuery {
  cluster: string;
  apiVersion: string;
  resource: string;
  namespace?: string;
  name: string;
}

/**
 * The Kubernetes half of the picture for one cluster: generic reads of the
 * API server (directly, or through the Backstage Kubernetes plugin). The
 * mesh adapters decide which objects to read.
 * @public
 */
export interface ClusterObjectSource {
  /**
   * Lists objects. Resolves `undefined` when the API server does not serve
   * that resource (for example a CRD that is not installed).
   */
  list(
    query: ObjectListQuery,
    options: SourceCallOptions,
  ): Promise<KubernetesObject[] | undefined>;
  /** Reads one object; `undefined` when it does not exist. */
  get(
    query: ObjectGetQuery,
    options: SourceCallOptions,
  ): Promise<KubernetesObject | undefined>;
}

/**
 * What telemetry to read: many workloads of one cluster at once, so one
 * query serves them all.
 * @public
 */
export interface TelemetryQuery {
  cluster: string;
  mesh: MeshKind;
  workloads: WorkloadRef[];
  /** Rate window of the traffic figures, one of the allow-listed windows. */
  window: string;
  /** How far back to look for the identities that call each workload. */
  callerWindow: string;
  /**
   * How far back, in whole hours, to look for the earliest sample of each
   * workload: enough to see the caller window (or the minimum history, if
   * longer) whole, plus the probe's one-hour resolution. Defaults to the
   * caller window plus one hour.
   */
  historyHours?: number;
  /** Evaluation time; defaults to now. */
  at?: Date;
  /**
   * Select the workloads by name however many there are: the backend sets
   * it on a part of a large namespace it reads in parts, so that the part
   * does not read the whole namespace. Without it, a source chooses.
   */
  selectByName?: boolean;
}

/**
 * An authorization decision the mesh counted, over the caller window.
 * @public
 */
export interface AuthorizationDecision {
  workload: WorkloadRef;
  decision: 'allow' | 'deny';
  /** The client's mesh identity, when the mesh reports it. */
  identity?: string;
  /** The policy object the decision came from, as `Kind/name`. */
  server?: string;
  authorization?: string;
  route?: string;
  /** Requests (HTTP) or connections (TCP) decided over the caller window. */
  count: number;
  protocol: 'http' | 'tcp';
}

/**
 * An identity seen calling a workload within the caller window.
 * @public
 */
export interface ObservedCaller {
  workload: WorkloadRef;
  identity: string;
  /** Requests over the caller window. */
  count: number;
}

/**
 * What the mesh's telemetry says about a batch of workloads.
 * @public
 */
export interface WorkloadTelemetry {
  traffic: TrafficObservation[];
  callers: ObservedCaller[];
  decisions: AuthorizationDecision[];
  /**
   * Workload certificate expiry (the soonest over a workload's proxies),
   * with where it was read (a metric name), shown beside the certificate.
   */
  workloadCertificates: Array<{
    workload: WorkloadRef;
    notAfter: Date;
    location?: string;
  }>;
  /** Control-plane certificates the mesh exports as metrics. */
  meshCertificates: CertificateStatus[];
  /**
   * For each workload whose proxies reported any series within the
   * lookback (`historyHours`), the earliest and the latest instant they did
   * (one-hour resolution): how much history "never seen calling" is judged
   * on, and the evidence that silence from these proxies means something.
   * A workload missing here reported nothing at all. Omitted by a source
   * that cannot tell: then silence is never evidence.
   */
  workloadHistory?: Array<{ workload: WorkloadRef; from: Date; until: Date }>;
  /**
   * Requests to the asked workloads as their callers' proxies report them,
   * `direction: 'inbound'`, the peer being the caller and
   * `reportedBy: 'peer'`. They name plaintext callers the workload's own proxy cannot
   * name, and they are the only view of a workload that has no proxy.
   */
  clientReported?: TrafficObservation[];
  /**
   * Calls the asked workloads made that their callee's proxy refused, each
   * seen by both proxies (see `RefusedCall`). Omitted by a source whose
   * mesh cannot tell a refusal from an application's 403.
   */
  refusedCalls?: RefusedCall[];
  /**
   * The workloads' calls to destinations outside the mesh over the window,
   * as their own proxies reported them; undefined where the mesh's
   * telemetry cannot tell them (a gap of topic `egress` says why).
   */
  egressCalls?: EgressCall[];
  /** Questions this mesh's telemetry cannot answer. */
  gaps: MeshGap[];
}

/**
 * Which golden signals to read: the requests many workloads of one cluster
 * serve (inbound) or make (outbound, per dependency), over a window, and
 * optionally as a series.
 * @public
 */
export interface SignalsQuery {
  cluster: string;
  mesh: MeshKind;
  workloads: WorkloadRef[];
  direction: 'inbound' | 'outbound';
  /** Summary window, one of the allow-listed durations (e.g. `1h`, `1m`). */
  window: string;
  /** End of the window; defaults to now. */
  at?: Date;
  /** Also a series over the window: one point per step, each a rate over `rateWindow`. */
  series?: { stepSeconds: number; rateWindow: string };
  /**
   * Whose proxies measure the requests: the workloads' own (default), or,
   * inbound only, their callers' (for workloads that have no proxy).
   */
  observedBy?: 'self' | 'callers';
  /**
   * Select the workloads by name however many there are: the backend sets
   * it on a part of a large namespace it reads in parts, so that the part
   * does not read the whole namespace. Without it, a source chooses.
   */
  selectByName?: boolean;
}

/**
 * The raw golden signals of one workload's traffic (with one peer, for
 * outbound). Quantiles are left to the caller, who may merge the buckets of
 * several workloads first.
 * @public
 */
export interface TrafficSignals extends RawTrafficSignals {
  workload: WorkloadRef;
  /** Outbound only: the dependency. */
  peer?: { namespace?: string; workload?: string };
}

/** One step of a signal series, raw. @public */
export interface TrafficSignalsPoint {
  /** Milliseconds since the epoch. */
  t: number;
  requestsPerSecond: number;
  failuresPerSecond: number;
  latencyBuckets: HistogramBucketRates;
}

/**
 * What the mesh's telemetry says about the golden signals of a batch of
 * workloads.
 * @public
 */
export interface WorkloadSignals {
  /** Inbound: one per workload. Outbound: one per workload and dependency. */
  summaries: TrafficSignals[];
  /** One per workload (inbound, or all of its outbound traffic). */
  series: Array<{ workload: WorkloadRef; points: TrafficSignalsPoint[] }>;
  gaps: MeshGap[];
  /** The main queries that were run, for "open in Prometheus" links. */
  queries?: Array<{ title: string; promql: string }>;
}

/**
 * The telemetry half of the picture for one cluster, usually Prometheus
 * read through a Linkerd or Istio adapter.
 * @public
 */
export interface MeshTelemetrySource {
  workloadTelemetry(
    query: TelemetryQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadTelemetry>;
  workloadSignals(
    query: SignalsQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadSignals>;
}

/**
 * Passed to every source call: an abort signal tied to the caller's deadline.
 * @public
 */
export interface SourceCallOptions {
  signal?: AbortSignal;
}

/**
 * Settings of a cluster's mesh the adapters need.
 * @public
 */
export interface MeshSettings {
  /** Linkerd's control-plane namespace (default `linkerd`). */
  linkerdNamespace?: string;
  /**
   * Linkerd's global egress namespace, whose EgressNetworks apply where a
   * namespace has none (default `linkerd-egress`, the chart's
   * `egress.globalEgressNetworkNamespace`).
   */
  linkerdEgressNamespace?: string;
  /** Istio's root namespace (default `istio-system`). */
  istioRootNamespace?: string;
  /** Trust domain of mesh identities (default `cluster.local`). */
  trustDomain?: string;
  /**
   * Read Linkerd's issuer Secret for its expiry when cert-manager does not
   * manage it. Off by default: the Secret also holds the private key.
   */
  readIssuerSecret?: boolean;
}

/**
 * A cluster Mesh Posture can read, with its sources.
 * @public
 */
export interface MeshCluster {
  /** The cluster's name, as in the Kubernetes plugin's config. */
  name: string;
  mesh: MeshKind;
  settings?: MeshSettings;
  /** True for clusters of the built-in demo mesh. */
  demo?: boolean;
  objects?: ClusterObjectSource;
  telemetry?: MeshTelemetrySource;
  /** Where people can open this cluster's data themselves. */
  links?: {
    /** Browser-facing base URL of the cluster's Prometheus. */
    prometheus?: string;
    /**
     * A Grafana dashboard URL; `{namespace}`, `{workload}` and `{window}`
     * are replaced (URL-encoded).
     */
    grafanaDashboard?: string;
  };
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
