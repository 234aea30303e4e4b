/**
 * The service meshes Mesh Posture reads.
 * @public
 */
/**
 * The mesh a cluster runs: `linkerd` or `istio`, or a mesh a backend module
 * adds an adapter for.
 * @public
 */
export type MeshKind = string;

/**
 * Kubernetes workload kinds a posture is reported for.
 * @public
 */
export type WorkloadKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'Job'
  | 'CronJob'
  | 'Pod';

/** @public */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
];

/**
 * One workload in one cluster.
 * @public
 */
export interface WorkloadRef {
  cluster: string;
  namespace: string;
  kind: WorkloadKind;
  name: string;
}

/**
 * How a source answered: `ok`, or a named failure the user can act on.
 * @public
 */
export type SourceStatus =
  | 'ok'
  | 'unavailable'
  | 'timeout'
  | 'invalid-response';

/**
 * Which half of the picture a source gives: cluster objects (pods, policies,
 * certificates) or mesh telemetry (traffic, identities).
 * @public
 */
export type SourceRole = 'kubernetes' | 'prometheus';

/**
 * What one source said when the posture was assembled.
 * @public
 */
export interface SourceReport {
  role: SourceRole;
  cluster: string;
  status: SourceStatus;
  /** Why it failed, in words a developer can act on. Never holds secrets. */
  message?: string;
  /** True when the source is the built-in demo mesh. */
  demo: boolean;
  durationMs: number;
}

/**
 * The data-plane mode of a workload's pods.
 * @public
 */
export type DataPlaneMode = 'sidecar' | 'native-sidecar' | 'ambient' | 'none';

/**
 * Pods of a workload and how many of them the mesh covers.
 * @public
 */
export interface WorkloadPosture {
  workload: WorkloadRef;
  mesh: MeshKind;
  totalPods: number;
  meshedPods: number;
  readyPods: number;
  dataPlane: DataPlaneMode;
  /** Proxy versions seen on the meshed pods. */
  proxyVersions: string[];
  /**
   * What its application containers run, as their images name it (the tag,
   * a short digest, or `latest`), over all its pods: two during a rollout.
   * Absent when no pod names an image.
   */
  imageTags?: string[];
  /** The mesh identity the workload's proxies present, when known. */
  identity?: string;
  /**
   * Traffic of its meshed pods that skips their proxy, as the pods are
   * configured: neither authenticated, encrypted nor observed by the mesh.
   */
  bypass?: MeshBypass[];
  /**
   * Pods that share their node's network (`spec.hostNetwork`): no sidecar
   * can capture their traffic, and neither mesh injects them.
   */
  hostNetworkPods?: number;
  /**
   * The earliest time the mesh telemetry holds series of this workload's
   * proxies for, within the caller window's lookback (hour resolution).
   * Absent when its proxies reported nothing at all: then silence in the
   * telemetry is no evidence of anything.
   */
  telemetryFrom?: string;
  /**
   * The latest time it holds series of them (hour resolution): proxies that
   * stopped being scraped long ago are no evidence of today's silence.
   */
  telemetryUntil?: string;
}

/**
 * Ports or address ranges of a workload's traffic that skip its proxy, as a
 * mesh setting on its pods declares them (Linkerd's
 * `config.linkerd.io/skip-*`, Istio's `traffic.sidecar.istio.io/*`).
 * @public
 */
export interface MeshBypass {
  direction: 'inbound' | 'outbound';
  /** Ports or ranges (`8000-8100`) that skip the proxy. */
  ports?: string[];
  /** Only these ports are captured: every other port skips the proxy. */
  onlyPorts?: string[];
  /** Destination address ranges (CIDR) that skip the proxy. */
  ipRanges?: string[];
  /** Only these destination ranges are captured: the rest skip the proxy. */
  onlyIpRanges?: string[];
  /** The annotation that says so, as written on the pods. */
  setting: string;
  /** How many of the workload's meshed pods carry it. */
  pods: number;
}

/**
 * The peer at the other end of an edge.
 * @public
 */
export interface EdgePeer {
  cluster?: string;
  namespace?: string;
  /** The peer workload's name, when the telemetry names it. */
  workload?: string;
  /** Linkerd identity or SPIFFE ID the peer presented over mTLS. */
  identity?: string;
  /** The catalog entity the peer workload belongs to, when one matches. */
  entityRef?: string;
}

/**
 * What an edge carries, as the mesh detected it: HTTP requests, gRPC
 * requests (Istio's `request_protocol`), or TCP connections the proxy did
 * not read as HTTP (opaque ports, databases, ztunnel in ambient mode).
 * @public
 */
export type EdgeProtocol = 'http' | 'grpc' | 'tcp';

/**
 * TCP traffic of an edge or a telemetry line: measured in bytes, since a
 * connection carries no requests.
 * @public
 */
export interface TcpTraffic {
  /** Bytes per second, both ways, over the window. */
  bytesPerSecond: number;
  /** Connections open at the end of the window. */
  openConnections: number;
}

/**
 * Traffic between the entity's workloads and one peer, one direction, one
 * protocol.
 * @public
 */
export interface EdgeSecurity {
  direction: 'inbound' | 'outbound';
  /** The entity's own workload at this end of the edge. */
  workload: WorkloadRef;
  peer: EdgePeer;
  /** Absent for HTTP edges stored before protocols were told apart. */
  protocol?: EdgeProtocol;
  /** HTTP and gRPC edges; 0 on a TCP edge, which is measured by `tcp`. */
  requestsPerSecond: number;
  /** TCP edges: their bytes and connections. */
  tcp?: TcpTraffic;
  /**
   * Share of the traffic whose security was observed that was carried over
   * mTLS (requests, or bytes on a TCP edge), 0..1; null when none was
   * observed (see `unverifiedReasons`).
   */
  mtlsShare: number | null;
  /** The reasons the mesh gives for the requests that were not mTLS. */
  plaintextReasons: string[];
  /**
   * Requests (bytes on a TCP edge) whose security neither side's proxy
   * reported (for example an Istio call seen only by the caller), and why:
   * neither mTLS nor plaintext.
   */
  unverifiedRequestsPerSecond?: number;
  unverifiedReasons?: string[];
  /**
   * `peer` when only the peer's proxy saw this traffic: the entity's own
   * workload has no proxy to report it.
   */
  reportedBy?: 'peer';
}

/**
 * Totals for one direction.
 * @public
 */
export interface TrafficSecurity {
  requestsPerSecond: number;
  /**
   * 0..1 over the requests whose security was observed; null when there
   * were none in the window.
   */
  mtlsShare: number | null;
  plaintextRequestsPerSecond: number;
  /** Requests whose security was not observed (see the edges' reasons). */
  unverifiedRequestsPerSecond: number;
  /**
   * Inbound only: kubelet probes, plaintext by design (Linkerd gives them a
   * route of their own), kept out of the mTLS share and the edges.
   */
  probeRequestsPerSecond?: number;
  /**
   * TCP connections the proxies did not read as HTTP, by bytes; absent
   * when there were none. The figures above are HTTP and gRPC requests.
   */
  tcp?: TcpSecurity;
}

/**
 * TCP totals for one direction, in bytes.
 * @public
 */
export interface TcpSecurity {
  bytesPerSecond: number;
  /** 0..1 over the bytes whose security was observed; null without any. */
  mtlsShare: number | null;
  plaintextBytesPerSecond: number;
  unverifiedBytesPerSecond: number;
  openConnections: number;
}

/**
 * The part a certificate plays in the mesh's identity chain.
 * @public
 */
export type CertificateRole =
  | 'trust-anchor'
  | 'issuer'
  | 'root'
  | 'workload'
  /** The TLS certificate of a control-plane admission webhook. */
  | 'webhook';

/**
 * A certificate of the mesh's identity chain, as read from the cluster.
 * @public
 */
export interface CertificateStatus {
  cluster: string;
  mesh: MeshKind;
  role: CertificateRole;
  subject: string;
  /** Where it was read, e.g. `ConfigMap linkerd/linkerd-identity-trust-roots`. */
  location: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter; negative once expired. */
  daysToExpiry: number;
  /**
   * Why it fails whatever its expiry: not signed by any trust anchor of
   * the bundle, or its manager reports it not ready.
   */
  problem?: string;
}

/**
 * Who may reach a port:
 * - `deny`: only the identities and networks a policy names (default-deny);
 * - `authenticated`: any client with a mesh identity;
 * - `cluster`: any client from the cluster's networks, identity or not;
 * - `open`: anyone, including unauthenticated clients;
 * - `audit`: everything is allowed and only logged.
 * @public
 */
export type PortAccess =
  | 'deny'
  | 'authenticated'
  | 'cluster'
  | 'open'
  | 'audit';

/**
 * One grant of a policy: the identities and networks it admits.
 * @public
 */
export interface AuthorizationGrant {
  /** The granting object, e.g. `AuthorizationPolicy payments/ledger-callers`. */
  policy: string;
  /** Exact identities or patterns with `*` (Linkerd) / principals (Istio). */
  identities: string[];
  /** CIDRs. */
  networks: string[];
  /** True when clients without a mesh identity are admitted. */
  unauthenticated: boolean;
}

/**
 * The authorization posture of one port of a workload.
 * @public
 */
export interface PortAuthorization {
  workload: WorkloadRef;
  /** Port number or name; `*` for the ports no policy object selects. */
  port: string;
  /** The object that selects the port (Linkerd `Server`), if any. */
  selectedBy?: string;
  access: PortAccess;
  /** Istio's peer-authentication mode on this port. */
  mtlsMode?: 'STRICT' | 'PERMISSIVE' | 'DISABLE';
  grants: AuthorizationGrant[];
  /** Why the port has this access, in words. */
  explanation: string;
}

/**
 * An identity a policy admits to a workload, and whether it was seen calling.
 * @public
 */
export interface AdmittedIdentity {
  workload: WorkloadRef;
  /** An identity or a pattern (`*` wildcards). */
  identity: string;
  grantedBy: string[];
  /** Seen calling within the caller window; null when history is too short to judge. */
  seen: boolean | null;
}

/**
 * Requests the mesh refused, by caller where the mesh says who it was.
 * @public
 */
export interface DeniedCaller {
  workload: WorkloadRef;
  identity?: string;
  /** The server or route that refused, as the mesh names it. */
  policy?: string;
  /** Requests (HTTP) or connections (TCP) refused over the caller window. */
  count: number;
  protocol: 'http' | 'tcp';
}

/**
 * A call one of the entity's workloads made that the callee's proxy refused
 * for want of an authorization: seen from both sides, the callee's proxy
 * counting a denial of an identity of the caller's namespace and the
 * caller's own proxy counting the refusals it received from that callee.
 * Either side alone is not evidence (an application answers 403 too; an
 * identity is shared by every workload of its service account, such as a
 * Flagger canary and its primary), so the caller's side names the workload.
 * @public
 */
export interface RefusedCall {
  /** The entity's workload that made the calls. */
  workload: WorkloadRef;
  /** The workload that refused them. */
  peer: { namespace: string; workload: string };
  /** The identity the callee's proxy refused, when one namespace's identity was. */
  identity?: string;
  /** The server or route that refused, as the mesh names it. */
  policy?: string;
  /** Refused requests the caller's proxy received over the caller window. */
  count: number;
  /** `http`: 403 responses; `grpc`: `PERMISSION_DENIED` statuses. */
  protocol: 'http' | 'grpc';
}

/**
 * How a workload's proxy routed a call to a destination outside the mesh:
 * to an entry that declares it (an Istio ServiceEntry, a route on a Linkerd
 * EgressNetwork), through for want of one (Istio's PassthroughCluster,
 * Linkerd's `*-egress-allow` default route or its `egress-fallback`), or
 * refused (Istio's BlackHoleCluster, Linkerd's `*-egress-deny`), or to an
 * egress gateway, which forwards by its own configuration.
 * @public
 */
export type EgressRoute = 'declared' | 'passthrough' | 'blocked' | 'gateway';

/**
 * The calls a workload made to one destination outside the mesh over the
 * window, as its own proxy reported them.
 * @public
 */
export interface EgressCall {
  workload: WorkloadRef;
  /**
   * The host: the HTTP Host, the TLS SNI or the ServiceEntry's host. Absent
   * where the proxy names none (plain TCP; Linkerd without hostname labels).
   */
  host?: string;
  /** The destination port, where the metric names it. */
  port?: string;
  protocol: 'http' | 'grpc' | 'tls' | 'tcp';
  route: EgressRoute;
  /** What the call matched, in the mesh's words. */
  via: string;
  /** Requests (HTTP, gRPC) or connections (TLS, TCP) over the window. */
  count: number;
}

/**
 * What a workload may reach outside the mesh, from the mesh's objects.
 * @public
 */
export interface EgressPolicy {
  workload: WorkloadRef;
  /**
   * `declared-only`: the proxy refuses destinations nothing declares
   * (Istio `REGISTRY_ONLY`; Linkerd EgressNetworks that deny by default and
   * cover every address); `open`: it lets them through.
   */
  mode: 'declared-only' | 'open';
  /** What decided the mode, e.g. `Sidecar payments/default (REGISTRY_ONLY)`. */
  decidedBy: string;
  /** The external destinations declared for it, with what declares each. */
  declared: Array<{
    host: string;
    ports: string[];
    by: string;
    /**
     * The proxy originates TLS to it (an Istio DestinationRule with
     * `tls.mode` SIMPLE or MUTUAL), so the application's plaintext HTTP
     * leaves the pod encrypted.
     */
    tlsOriginatedBy?: string;
  }>;
}

/**
 * A workload's egress: its policy and the calls out of the mesh it made.
 * @public
 */
export interface EgressPosture {
  policies: EgressPolicy[];
  calls: EgressCall[];
}

/**
 * One rule of a Kubernetes NetworkPolicy that selects a workload's pods, in
 * words: whom it allows and on which ports.
 * @public
 */
export interface NetworkPolicyRule {
  /** `namespace/name` of the NetworkPolicy. */
  policy: string;
  /** "any source", "pods app=web in payments", "10.0.0.0/8"; OR-ed. */
  peers: string[];
  /** "every port", "TCP 8080", "TCP 8000-8100"; OR-ed. */
  ports: string[];
  /**
   * The rule lets every pod of the cluster, or every address, in (or out)
   * on every port: it undoes the isolation.
   */
  allowsAll: boolean;
}

/**
 * What Kubernetes network policy does to one direction of a workload's
 * traffic. A pod is isolated for a direction when a NetworkPolicy of that
 * type selects it: then only what some rule allows gets through, whether or
 * not its proxy runs (Kubernetes `networking/v1` NetworkPolicySpec).
 * @public
 */
export interface NetworkDirectionPolicy {
  /** Pods of the workload that no policy of this direction selects. */
  unisolatedPods: number;
  /** `namespace/name` of the policies that select the pods for this direction. */
  policies: string[];
  /** The rules of those policies, in the order the policies list them. */
  rules: NetworkPolicyRule[];
}

/**
 * A port the mesh itself needs on a workload's pods (its proxy's, or
 * ztunnel's) and whether the ingress rules leave it open.
 * @public
 */
export interface MeshPortReachability {
  port: number;
  /** The container port's name (`linkerd-admin`), or what it is for. */
  name: string;
  /**
   * False when a pod is isolated for ingress and no rule of the policies
   * that select it lets the port in.
   */
  allowed: boolean;
  /**
   * Whom the rules let in on it, where they name peers ("every pod in
   * linkerd-viz"); absent when open to any peer or closed.
   */
  from?: string[];
}

/**
 * Network policy beside the mesh, per workload: defence in depth for when a
 * proxy is bypassed or absent.
 * @public
 */
export interface NetworkIsolation {
  workload: WorkloadRef;
  pods: number;
  ingress: NetworkDirectionPolicy;
  egress: NetworkDirectionPolicy;
  meshPorts: MeshPortReachability[];
}

/**
 * A question the mesh's data cannot answer for this entity, and why.
 * @public
 */
export interface MeshGap {
  topic:
    | 'denials'
    | 'callers'
    | 'authorization'
    | 'certificates'
    | 'traffic'
    | 'network'
    | 'egress';
  cluster: string;
  message: string;
}

/**
 * Result of one check. A check passes only on positive evidence; without
 * it the check is `unknown` (it could not be judged) or `not-applicable`
 * (the question does not arise, e.g. certificates of a workload with no
 * proxy). A verdict is never `not-applicable`.
 * @public
 */
export type CheckStatus =
  | 'pass'
  | 'warn'
  | 'fail'
  | 'unknown'
  | 'not-applicable';

/**
 * One check a verdict is derived from.
 * @public
 */
export interface PostureCheck {
  id: string;
  title: string;
  status: CheckStatus;
  /** What the check saw, e.g. "100% of 12.3 req/s inbound over mTLS". */
  detail: string;
}

/**
 * The one-line verdict and the checks it was derived from.
 * @public
 */
export interface PostureVerdict {
  status: CheckStatus;
  summary: string;
  checks: PostureCheck[];
}

/**
 * The last reading where every source answered, kept in the database so a
 * page with a source down can still say what was last known.
 * @public
 */
export interface PostureObservation {
  entityRef: string;
  observedAt: string;
  verdict: CheckStatus;
  totalPods: number;
  meshedPods: number;
  inboundMtlsShare: number | null;
  outboundMtlsShare: number | null;
  inboundRequestsPerSecond: number;
  outboundRequestsPerSecond: number;
  /** True when every source answered for this reading. */
  complete: boolean;
}

/**
 * The posture document of one catalog entity.
 * @public
 */
export interface MeshPosture {
  entityRef: string;
  generatedAt: string;
  /** Rate window the traffic figures are computed over, e.g. `5m`. */
  window: string;
  /** True when any part came from the built-in demo mesh. */
  demo: boolean;
  workloads: WorkloadPosture[];
  totalPods: number;
  meshedPods: number;
  inbound: TrafficSecurity;
  outbound: TrafficSecurity;
  edges: EdgeSecurity[];
  certificates: CertificateStatus[];
  authorization: PortAuthorization[];
  admittedIdentities: AdmittedIdentity[];
  deniedCallers: DeniedCaller[];
  /**
   * Calls the entity's workloads made that a callee refused; absent where
   * the mesh cannot tell and on postures stored before they were read.
   */
  refusedCalls?: RefusedCall[];
  /**
   * Kubernetes network policy per workload; absent where it could not be
   * read (see the `network` gaps) and on postures stored before it was read.
   */
  networkIsolation?: NetworkIsolation[];
  /**
   * Calls out of the mesh and what the mesh allows there; absent where
   * either could not be read (see the `egress` gaps) and on postures stored
   * before egress was read.
   */
  egress?: EgressPosture;
  /** Window the admitted identities and denied callers were judged over. */
  callerWindow: string;
  /** Questions the mesh's data cannot answer here. */
  gaps: MeshGap[];
  verdict: PostureVerdict;
  sources: SourceReport[];
  /** Set when a source failed and an earlier complete reading exists. */
  lastComplete?: PostureObservation;
  freshness: {
    /** True when served from the shared cache. */
    cached: boolean;
    ageSeconds: number;
    ttlSeconds: number;
  };
}

/**
 * One line of mesh telemetry, as a source reports it: requests per second
 * between one of the entity's workloads and one peer, with or without mTLS.
 * Sources aggregate to this shape; Linkerd's `tls`/`no_tls_reason` and
 * Istio's `connection_security_policy` both map onto `mtls`.
 * @public
 */
export interface TrafficObservation {
  workload: WorkloadRef;
  direction: 'inbound' | 'outbound';
  peer: {
    /**
     * The peer's cluster when the telemetry names one other than the
     * workload's (Istio's `source_cluster`/`destination_cluster`, Linkerd's
     * `dst_target_cluster`); absent: the workload's own.
     */
    cluster?: string;
    namespace?: string;
    workload?: string;
    identity?: string;
  };
  mtls: boolean;
  /** Linkerd's `no_tls_reason`, or what the mesh says of a plaintext request. */
  noTlsReason?: string;
  /**
   * True when no proxy reported whether these requests were mTLS (then
   * `mtls` is false and `noTlsReason` says why it is unknown).
   */
  unverified?: boolean;
  /** Kubelet probes on Linkerd's probe route: plaintext by design. */
  probe?: boolean;
  /**
   * The inbound route the mesh matched, as `<kind>/<name>` (Linkerd's
   * `route_kind`/`route_name`), when it is a route object.
   */
  route?: string;
  /** `peer` when the peer's proxy reported it, the workload having none. */
  reportedBy?: 'peer';
  /** Absent: HTTP. `tcp` lines are measured by `tcp`, with no requests. */
  protocol?: EdgeProtocol;
  /** Requests per second; 0 on a TCP line. */
  requestsPerSecond: number;
  /** TCP lines: bytes and connections. */
  tcp?: TcpTraffic;
}

/**
 * Rate windows the API accepts. An allow-list: no other duration ever reaches
 * a query.
 * @public
 */
export const POSTURE_WINDOWS = ['1m', '5m', '15m', '1h'] as const;

/** @public */
export type PostureWindow = (typeof POSTURE_WINDOWS)[number];

/** @public */
export const DEFAULT_POSTURE_WINDOW: PostureWindow = '5m';

/** @public */
export function isPostureWindow(value: unknown): value is PostureWindow {
  return (
    typeof value === 'string' &&
    (POSTURE_WINDOWS as readonly string[]).includes(value)
  );
}

/**
 * `Omit` applied to each member of a union, so that a discriminated union
 * stays one (plain `Omit` flattens it to the members' common keys).
 * @public
 */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K>
  : never;
