import type {
  CertificateStatus,
  EgressCall,
  MeshGap,
  RefusedCall,
  TrafficObservation,
  WorkloadKind,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  AuthorizationDecision,
  MeshTelemetrySource,
  ObservedCaller,
  SignalsQuery,
  SourceCallOptions,
  TelemetryQuery,
  TrafficSignalsPoint,
  WorkloadSignals,
  WorkloadTelemetry,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  PrometheusQueries,
  PromSample,
  PromSeries,
} from '../../prometheus/PrometheusClient';
import {
  durationSeconds,
  leOf,
  samplesByStep,
  summaryTable,
} from '../signalParts';
import {
  aggregateBy,
  Aggregation,
  sampleTimes,
  eq,
  escapeRegex,
  historyLookbackHours,
  eventsIn,
  Matcher,
  minBy,
  NamePattern,
  namedAny,
  oneOf,
  or,
  rate,
  selector,
  sumBy,
  tagged,
} from '../../prometheus/promql';
import { sampleTimesByWorkload } from '../history';
import { mergeEgressCalls } from '../egressCalls';
import { tcpLines, tcpMeasures } from '../tcpParts';
import { namespacesOf, selectsByName } from '../selection';
import { statusOf, stepsOf } from '@mesh-posture/plugin-mesh-posture-node';
import {
  cronJobOfJob,
  podNameIndex,
  workloadNameOfPod,
} from '../workloadNames';

/**
 * Label names on Linkerd proxy metrics that Prometheus relabelling adds.
 * linkerd-viz turns the pod label `linkerd.io/proxy-deployment=x` into
 * `deployment="x"` (a labelmap over `linkerd_io_proxy_(.+)`, with
 * `proxy-job` renamed `k8s_job`), and `__meta_kubernetes_pod_name` into
 * `pod` (linkerd/linkerd2 viz/charts/linkerd-viz/templates/prometheus.yaml).
 * Other scrape setups may differ.
 */
export interface LinkerdMetricLabels {
  namespace: string;
  /**
   * The pod name label. Series of pods that no owner label names (CronJob
   * and bare pods) are attributed by it; unset turns that off.
   */
  pod?: string;
  workloads: Partial<Record<WorkloadKind, string>>;
}

export const LINKERD_VIZ_LABELS: LinkerdMetricLabels = {
  namespace: 'namespace',
  pod: 'pod',
  workloads: {
    Deployment: 'deployment',
    StatefulSet: 'statefulset',
    DaemonSet: 'daemonset',
    // linkerd-viz renames the Job label so it does not clash with `job`.
    Job: 'k8s_job',
    CronJob: 'cronjob',
    ReplicaSet: 'replicaset',
  },
};

/** Kinds in the order their labels are read (a Deployment's pods also carry replicaset). */
const KIND_ORDER: WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicaSet',
  'Pod',
];

/**
 * Destination metadata the proxy adds to outbound series: the destination
 * controller's `dst_<owner kind>`, with a bare Job as `dst_k8s_job` and a
 * CronJob's pods as `dst_cronjob` (linkerd/linkerd2 pkg/k8s/labels.go
 * GetPodLabels, pkg/k8s/k8s.go KindToL5DLabel).
 */
const DST_KIND_LABELS: Partial<Record<WorkloadKind, string>> = {
  Deployment: 'dst_deployment',
  StatefulSet: 'dst_statefulset',
  DaemonSet: 'dst_daemonset',
  Job: 'dst_k8s_job',
  CronJob: 'dst_cronjob',
  ReplicaSet: 'dst_replicaset',
};
const DST_KINDS = KIND_ORDER.filter(k => DST_KIND_LABELS[k]);

/**
 * A mirrored service of another cluster (multicluster gateway mode): the
 * destination controller labels its endpoints with the Link's target
 * cluster and the remote service (linkerd/linkerd2 controller/api/
 * destination/watcher/port_publisher.go metricLabels, names from
 * endpoints_watcher.go), the proxy prefixes them `dst_`. No pod stands
 * behind them here, so no `dst_deployment`; `server_id` is the gateway's.
 */
const TARGET_LABELS = [
  'dst_target_cluster',
  'dst_target_service',
  'dst_target_service_namespace',
];

/**
 * The peer of an outbound line: the workload the proxy named, or, through a
 * multicluster gateway, the remote service and its cluster (the identity
 * then is the gateway's, which terminated this hop's mTLS).
 */
function outboundPeer(
  labels: Record<string, string>,
  dstKinds: string[],
  mtls: boolean,
): TrafficObservation['peer'] {
  const identity =
    mtls && labels.server_id ? { identity: labels.server_id } : {};
  const remote = labels.dst_target_cluster;
  if (remote) {
    return {
      cluster: remote,
      ...(labels.dst_target_service_namespace
        ? { namespace: labels.dst_target_service_namespace }
        : {}),
      ...(labels.dst_target_service
        ? { workload: labels.dst_target_service }
        : {}),
      ...identity,
    };
  }
  const dstName = dstKinds.map(l => labels[l]).find(Boolean);
  return {
    ...(labels.dst_namespace ? { namespace: labels.dst_namespace } : {}),
    ...(dstName ? { workload: dstName } : {}),
    ...identity,
  };
}

/**
 * The gateways of other clusters this answer's traffic goes through that
 * their service mirror reports down: the edge's figures are of a hop whose
 * far end may no longer answer.
 */
function gatewayGaps(
  traffic: TrafficObservation[],
  gateways: PromSample[],
  cluster: string,
): MeshGap[] {
  const down = new Set(
    gateways
      .filter(s => s.value === 0 && s.labels.target_cluster_name)
      .map(s => s.labels.target_cluster_name),
  );
  const through = new Set(
    traffic
      .filter(t => t.direction === 'outbound' && t.peer.cluster)
      .map(t => t.peer.cluster!),
  );
  return [...through]
    .filter(c => down.has(c))
    .sort()
    .map(c => ({
      topic: 'traffic' as const,
      cluster,
      message: `the multicluster gateway to ${c} fails its service mirror's health probes: calls to that cluster may not arrive`,
    }));
}

function key(w: { namespace: string; kind: string; name: string }): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

function finite(s: PromSample): boolean {
  return Number.isFinite(s.value) && s.value > 0;
}

/**
 * `<sa>.<ns>.serviceaccount.identity.<control-plane ns>.<trust domain>` →
 * its namespace and account. The control plane's namespace is part of the
 * name, not a constant (linkerd/linkerd2 policy-controller/k8s/index/src/
 * cluster_info.rs `service_account_identity`).
 */
function parseIdentity(
  id: string,
): { serviceAccount: string; namespace: string } | undefined {
  const m = /^([^.]+)\.([^.]+)\.serviceaccount\.identity\.[^.]+\./.exec(id);
  return m ? { serviceAccount: m[1], namespace: m[2] } : undefined;
}

/**
 * Matches the Linkerd identities of the namespaces' service accounts:
 * `<sa>.<ns>.serviceaccount.identity.<control-plane ns>.<trust domain>`.
 */
function identityOfNamespaces(namespaces: string[]): Matcher {
  const alternatives = [...new Set(namespaces)].sort().map(escapeRegex);
  return {
    label: 'client_id',
    op: '=~',
    value: `[^.]+\\.(${alternatives.join(
      '|',
    )})\\.serviceaccount\\.identity\\..+`,
  };
}

/**
 * The refused calls both sides saw: a caller's refusals from a callee
 * (its proxy's 403s or gRPC status 7) where the callee's proxy denied an
 * identity of the caller's namespace in the same window, one line per
 * such identity. Neither side alone is taken: an application answers 403
 * too, and the callee names only the identity, which a Flagger canary
 * shares with its primary. Which identity is the caller's own, its pods
 * say (the posture keeps only that line).
 */
function pairRefusals(
  responses: PromSample[],
  denials: PromSample[],
  find: {
    caller: (labels: Record<string, string>) => WorkloadRef | undefined;
    callee: (labels: Record<string, string>) => string | undefined;
  },
): RefusedCall[] {
  const deniedAt = new Map<string, Map<string, Set<string>>>();
  for (const d of denials) {
    const callee = find.callee(d.labels);
    const identity = d.labels.client_id;
    if (!callee || !identity) continue;
    const identities = deniedAt.get(callee) ?? new Map<string, Set<string>>();
    const policies = identities.get(identity) ?? new Set<string>();
    const policy = [
      d.labels.srv_name
        ? `${d.labels.srv_kind || 'server'}/${d.labels.srv_name}`
        : '',
      // A port's default route (linkerd2-proxy linkerd/proxy/server-policy/
      // src/http.rs) says nothing the server does not.
      d.labels.route_name &&
      !(d.labels.route_kind === 'default' && d.labels.route_name === 'default')
        ? `${d.labels.route_kind || 'route'}/${d.labels.route_name}`
        : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (policy) policies.add(policy);
    identities.set(identity, policies);
    deniedAt.set(callee, identities);
  }
  const byCall = new Map<string, RefusedCall>();
  for (const r of responses) {
    const workload = find.caller(r.labels);
    const dstNs = r.labels.dst_namespace;
    const dstName = Object.values(DST_KIND_LABELS)
      .map(l => r.labels[l!])
      .find(Boolean);
    if (!workload || !dstNs || !dstName) continue;
    const protocol = r.labels.grpc_status === '7' ? 'grpc' : 'http';
    const denied = deniedAt.get(`${dstNs}/${dstName}`) ?? new Map();
    for (const [identity, policies] of denied) {
      if (parseIdentity(identity)?.namespace !== workload.namespace) continue;
      const callKey = `${key(
        workload,
      )}|${dstNs}/${dstName}|${protocol}|${identity}`;
      const known = byCall.get(callKey);
      if (known) {
        known.count += r.value;
        continue;
      }
      byCall.set(callKey, {
        workload,
        peer: { namespace: dstNs, workload: dstName },
        identity,
        ...(policies.size > 0
          ? { policy: [...policies].sort().join(', ') }
          : {}),
        count: r.value,
        protocol,
      });
    }
  }
  return [...byCall.values()];
}

/**
 * The route metrics of linkerd2-proxy's outbound stack, per protocol, that
 * name a call's parent and route (linkerd/linkerd2-proxy
 * linkerd/app/outbound/src/metrics.rs; http/logical/policy/route/metrics.rs,
 * opaq/logical/route.rs, tls/logical/route.rs): the parent is the
 * EgressNetwork a call out of the cluster matched, or the controller's
 * `egress-fallback` where none did (linkerd/linkerd2
 * policy-controller/grpc/src/outbound.rs `fallback`).
 */
const EGRESS_METRICS = {
  http: 'outbound_http_route_request_statuses_total',
  grpc: 'outbound_grpc_route_request_statuses_total',
  tls: 'outbound_tls_route_open_total',
  tcp: 'outbound_tcp_route_open_total',
} as const;

const EGRESS_LABELS = [
  'parent_kind',
  'parent_namespace',
  'parent_name',
  'parent_port',
  'route_kind',
  'route_namespace',
  'route_name',
  'hostname',
];

/** The label that tells the protocols' series apart in one answer. */
const EGRESS_PROTOCOL = 'mesh_posture_protocol';

/** Route kinds that declare a destination on an EgressNetwork. */
const DECLARING_ROUTES = new Set([
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
]);

/**
 * Calls out of the cluster from the route metrics: to a route declared on
 * an EgressNetwork, through its default route (`http-egress-allow` and
 * kin, linkerd/linkerd2 policy-controller/grpc/src/outbound/http.rs
 * `default_outbound_egress_route`), refused by it (`*-egress-deny`: 403 or
 * `error="forbidden"`), or through `egress-fallback` where no EgressNetwork
 * covers the address. The host is the `hostname` label, which proxies
 * export only when asked (`config.linkerd.io/proxy-metrics-hostname-labels`,
 * 2.18+); without it the call is unnamed.
 */
export function egressCallsOf(
  samples: PromSample[],
  workloadOf: (labels: Record<string, string>) => WorkloadRef | undefined,
): EgressCall[] {
  const calls: EgressCall[] = [];
  for (const s of samples) {
    if (!Number.isFinite(s.value) || s.value <= 0) continue;
    const l = s.labels;
    const workload = workloadOf(l);
    const protocol = l[EGRESS_PROTOCOL] as EgressCall['protocol'];
    if (!workload || !(protocol in EGRESS_METRICS)) continue;
    const network = `EgressNetwork ${l.parent_namespace}/${l.parent_name}`;
    let route: EgressCall['route'];
    let via: string;
    if (l.parent_kind === 'EgressNetwork') {
      if (DECLARING_ROUTES.has(l.route_kind)) {
        route = 'declared';
        via = `${l.route_kind} ${l.route_namespace}/${l.route_name} on ${network}`;
      } else if (/-egress-deny$/.test(l.route_name ?? '')) {
        route = 'blocked';
        via = `${network} denies by default (${l.route_name})`;
      } else {
        // `*-egress-allow`, or a route kind nobody foresaw: not declared.
        route = 'passthrough';
        via = `${network} allows by default (${l.route_name || 'no route'})`;
      }
    } else if (l.parent_name === 'egress-fallback') {
      route = 'passthrough';
      via = 'no EgressNetwork covers it (egress-fallback)';
    } else {
      continue;
    }
    const host = l.hostname || undefined;
    const port = l.parent_port || undefined;
    calls.push({
      workload,
      ...(host ? { host } : {}),
      ...(port ? { port } : {}),
      protocol,
      route,
      via,
      count: s.value,
    });
  }
  return mergeEgressCalls(calls);
}

/**
 * The proxy's workload certificate expiry, under both of its names: it was
 * renamed with a control_ prefix in proxy v2.227 (edge-24.4)
 * (linkerd/linkerd2-proxy linkerd/identity/src/metrics.rs).
 */
function certificateExpiry(matchers: Matcher[]): string {
  return or(
    selector('control_identity_cert_expiration_timestamp_seconds', matchers),
    selector('identity_cert_expiration_timestamp_seconds', matchers),
  );
}

/**
 * Kubelet probes: the policy controller gives the HTTP probe paths of a
 * port their own route, reported as `route_kind="default"`,
 * `route_name="probe"`, admitted unauthenticated from the probe networks
 * (linkerd/linkerd2 policy-controller/k8s/index/src/inbound/index.rs
 * `default_inbound_http_routes`). Plaintext by design.
 */
function isProbe(labels: Record<string, string>): boolean {
  return labels.route_kind === 'default' && labels.route_name === 'probe';
}

/**
 * What an inbound TCP connection's `tls` label says of its security
 * (linkerd2-proxy linkerd/app/core/src/transport/labels.rs `TlsAccept`):
 * `true` is mesh mTLS; `no_identity` (with `no_tls_reason`) and `disabled`
 * are plaintext the proxy read; `opaque` is TLS of the client's own that
 * the proxy passed through to the application (`sni`), encrypted but not
 * authenticated by the mesh, so neither mTLS nor plaintext.
 */
function inboundTcpSecurity(
  labels: Record<string, string>,
): Pick<TrafficObservation, 'noTlsReason' | 'unverified'> {
  switch (labels.tls) {
    case 'true':
      return {};
    case 'opaque':
      return {
        unverified: true,
        noTlsReason: `TLS passed through to the application${
          labels.sni ? ` (SNI ${labels.sni})` : ''
        }, not mesh mTLS`,
      };
    case 'disabled':
      return { noTlsReason: 'mesh identity disabled' };
    default:
      return { noTlsReason: labels.no_tls_reason || labels.tls || 'unknown' };
  }
}

/** An outbound line's workload, destination and port, to tell TCP from HTTP. */
function outboundPort(
  workload: WorkloadRef,
  labels: Record<string, string>,
): string {
  const dst =
    Object.values(DST_KIND_LABELS)
      .map(l => labels[l!])
      .find(Boolean) ?? labels.dst_target_service;
  return `${key(workload)}|${labels.dst_namespace ?? ''}/${dst ?? ''}|${
    labels.target_port
  }`;
}

/**
 * Linkerd telemetry from Prometheus: traffic and mTLS from `request_total`
 * and, for what the proxies did not read as HTTP, the TCP transport metrics,
 * callers by `client_id`, refusals from the authorization deny counters, and
 * workload certificate expiry from `control_identity_cert_expiration_timestamp_seconds`
 * (or its former name), issuer expiry from `issuer_cert_ttl_seconds`.
 * One query of each kind serves every workload of the cluster.
 */
export class LinkerdTelemetry implements MeshTelemetrySource {
  private readonly prometheus: PrometheusQueries;
  private readonly labels: LinkerdMetricLabels;

  private readonly scope: Matcher[];

  /**
   * Labels every aggregation keeps: the scope's, so one query can serve
   * several clusters of a shared endpoint and be told apart by cluster.
   */
  private readonly keep: string[];

  constructor(options: {
    prometheus: PrometheusQueries;
    labels?: LinkerdMetricLabels;
    /** Matchers every selector carries: the cluster's series on a shared endpoint. */
    scope?: Matcher[];
  }) {
    this.prometheus = options.prometheus;
    this.labels = options.labels ?? LINKERD_VIZ_LABELS;
    this.scope = options.scope ?? [];
    this.keep = this.scope.map(m => m.label);
  }

  private kindLabels(): Array<[WorkloadKind, string]> {
    return KIND_ORDER.flatMap(kind => {
      const label = kind === 'Pod' ? undefined : this.labels.workloads[kind];
      return label ? [[kind, label] as [WorkloadKind, string]] : [];
    });
  }

  /**
   * An aggregation per workload: by the owner labels, or, for series no
   * owner label names (CronJob and bare pods), by pod. One query: the
   * second branch holds only ownerless series, whose label sets (with
   * `pod`) never collide with the first's.
   */
  private byWorkload(
    op: Aggregation,
    by: string[],
    expr: (ownerless: Matcher[]) => string,
  ): string {
    const ns = this.labels.namespace;
    const kinds = this.kindLabels().map(([, l]) => l);
    const owned = aggregateBy(
      op,
      [...this.keep, ns, ...kinds, ...by],
      expr([]),
    );
    if (!this.labels.pod) return owned;
    return or(
      owned,
      aggregateBy(
        op,
        [...this.keep, ns, this.labels.pod, ...by],
        expr(kinds.map(l => eq(l, ''))),
      ),
    );
  }

  /**
   * The selections of the workloads' own series: by namespace for a batch;
   * for a few, by the owner label each is named by, or its pods' names (a
   * CronJob's by its Jobs' and pods' generated names, a bare pod by its
   * own), one selection per label.
   */
  private ownSelections(
    workloads: WorkloadRef[],
    byName: boolean,
  ): Matcher[][] {
    return this.ownSelectionsAnywhere(workloads, byName).map(s => [
      ...this.scope,
      ...s,
    ]);
  }

  private ownSelectionsAnywhere(
    workloads: WorkloadRef[],
    byName: boolean,
  ): Matcher[][] {
    const inNamespaces = oneOf(this.labels.namespace, namespacesOf(workloads));
    if (!byName) return [[inNamespaces]];
    const selections: Matcher[][] = [];
    for (const [kind, label] of this.kindLabels()) {
      const names = workloads.flatMap((w): NamePattern[] => {
        if (w.kind === kind) return [{ name: w.name }];
        // Linkerd labels a CronJob's pods with their Job (see workloadFinder).
        if (kind === 'Job' && w.kind === 'CronJob') {
          return [{ name: w.name, suffix: 'cronJobJob' }];
        }
        return [];
      });
      if (names.length > 0) {
        selections.push([inNamespaces, namedAny(label, names)]);
      }
    }
    if (this.labels.pod) {
      const pods = workloads.flatMap((w): NamePattern[] => {
        if (w.kind === 'Pod') return [{ name: w.name }];
        if (w.kind === 'CronJob') {
          return [{ name: w.name, suffix: 'cronJobPod' }];
        }
        return [];
      });
      if (pods.length > 0) {
        selections.push([inNamespaces, namedAny(this.labels.pod, pods)]);
      }
    }
    return selections.length > 0 ? selections : [[inNamespaces]];
  }

  /**
   * The selections of callers' outbound series to the workloads: by
   * destination namespace for a batch; for a few, by the destination
   * metadata that names them (`dst_deployment="x"`).
   */
  private destinationSelections(
    workloads: WorkloadRef[],
    byName: boolean,
  ): Matcher[][] {
    return this.destinationSelectionsAnywhere(workloads, byName).map(s => [
      ...this.scope,
      ...s,
    ]);
  }

  private destinationSelectionsAnywhere(
    workloads: WorkloadRef[],
    byName: boolean,
  ): Matcher[][] {
    const inNamespaces = oneOf('dst_namespace', namespacesOf(workloads));
    if (!byName) return [[inNamespaces]];
    const selections = DST_KINDS.flatMap(kind => {
      const names = workloads
        .filter(w => w.kind === kind)
        .map(w => ({ name: w.name }));
      return names.length > 0
        ? [[inNamespaces, namedAny(DST_KIND_LABELS[kind]!, names)]]
        : [];
    });
    return selections.length > 0 ? selections : [[inNamespaces]];
  }

  /** One query over every selection; a series two of them hold counts once. */
  private overSelections(
    selections: Matcher[][],
    query: (select: Matcher[]) => string,
  ): string {
    return selections.map(query).reduce((a, b) => or(a, b));
  }

  /**
   * Finds the workload a series belongs to: by the first owner label it
   * carries, or by its pod's name.
   */
  private workloadFinder(wanted: WorkloadRef[]) {
    const byKey = new Map(wanted.map(w => [key(w), w]));
    const byPod = podNameIndex(wanted);
    const kinds = this.kindLabels();
    return (labels: Record<string, string>): WorkloadRef | undefined => {
      const namespace = labels[this.labels.namespace];
      if (!namespace) return undefined;
      for (const [kind, label] of kinds) {
        const name = labels[label];
        if (!name) continue;
        // Linkerd labels a plain Job by its name; pods list such a Job as a
        // CronJob's when its name ends like one (see workloadNames.ts).
        const cronJob = kind === 'Job' ? cronJobOfJob(name) : undefined;
        return (
          byKey.get(key({ namespace, kind, name })) ??
          (cronJob
            ? byKey.get(key({ namespace, kind: 'CronJob', name: cronJob }))
            : undefined)
        );
      }
      const pod = this.labels.pod ? labels[this.labels.pod] : undefined;
      return pod ? byPod(namespace, pod) : undefined;
    };
  }

  /** The caller's workload name of a series, for people: owner, else pod. */
  private sourceName(labels: Record<string, string>): string | undefined {
    const owner = this.kindLabels()
      .map(([, l]) => labels[l])
      .find(Boolean);
    if (owner) return owner;
    const pod = this.labels.pod ? labels[this.labels.pod] : undefined;
    return pod ? workloadNameOfPod(pod) : undefined;
  }

  /** The destination workload an outbound series names, if one was asked about. */
  private destinationFinder(wanted: WorkloadRef[]) {
    const byKey = new Map(wanted.map(w => [key(w), w]));
    return (labels: Record<string, string>): WorkloadRef | undefined => {
      const namespace = labels.dst_namespace;
      if (!namespace) return undefined;
      for (const kind of DST_KINDS) {
        const name = labels[DST_KIND_LABELS[kind]!];
        if (name) return byKey.get(key({ namespace, kind, name }));
      }
      return undefined;
    };
  }

  /**
   * The callee's side of refusals: the denials, at the workloads that
   * answered our callers 403 (or gRPC status 7), of identities of the
   * callers' namespaces (`<sa>.<ns>.serviceaccount.identity.…`;
   * linkerd2-proxy linkerd/app/inbound/src/metrics/authz.rs, `client_id`
   * set on mTLS connections). Asked only when some caller saw a refusal,
   * and only about those callees, so what it reads does not grow with the
   * other services of their namespaces.
   */
  private denialsAt(
    refused: PromSample[],
    callerWindow: string,
  ): string | undefined {
    const callers = new Set<string>();
    const callees = new Map<
      string,
      { namespaces: Set<string>; names: Set<string> }
    >();
    for (const r of refused) {
      const kind = DST_KINDS.find(k => r.labels[DST_KIND_LABELS[k]!]);
      const label = kind && this.labels.workloads[kind];
      if (
        !label ||
        !r.labels.dst_namespace ||
        !r.labels[this.labels.namespace]
      ) {
        continue;
      }
      callers.add(r.labels[this.labels.namespace]);
      const of = callees.get(label) ?? {
        namespaces: new Set(),
        names: new Set(),
      };
      of.namespaces.add(r.labels.dst_namespace);
      of.names.add(r.labels[DST_KIND_LABELS[kind]!]);
      callees.set(label, of);
    }
    const selections = [...callees].map(([label, of]) => [
      ...this.scope,
      oneOf(this.labels.namespace, [...of.namespaces]),
      oneOf(label, [...of.names]),
      identityOfNamespaces([...callers]),
    ]);
    // Callees no owner label names: nothing to pair with.
    if (selections.length === 0) return undefined;
    return this.overSelections(selections, sel =>
      sumBy(
        [
          ...this.keep,
          this.labels.namespace,
          ...this.kindLabels().map(([, l]) => l),
          'srv_kind',
          'srv_name',
          'route_kind',
          'route_name',
          'client_id',
        ],
        eventsIn(selector('inbound_http_authz_deny_total', sel), callerWindow),
      ),
    );
  }

  async workloadTelemetry(
    query: TelemetryQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadTelemetry> {
    const asked = { ...options, workloads: query.workloads.length };
    const workloadOf = this.workloadFinder(query.workloads);
    const destinationOf = this.destinationFinder(query.workloads);
    const at = query.at ?? new Date();
    const ns = this.labels.namespace;
    const dstKinds = Object.values(DST_KIND_LABELS) as string[];
    const byName = selectsByName(query.workloads, query);
    const own = this.ownSelections(query.workloads, byName);
    const toUs = this.destinationSelections(query.workloads, byName);
    // Each query over the workloads' own series, by workload.
    const ours = (
      op: Aggregation,
      by: string[],
      expr: (select: Matcher[]) => string,
    ) =>
      this.overSelections(own, sel =>
        this.byWorkload(op, by, m => expr([...sel, ...m])),
      );
    const q = (promql: string) => this.prometheus.query(promql, at, asked);
    const tcp = (
      direction: 'inbound' | 'outbound',
      peer: 'src' | 'dst',
      by: string[],
    ) => {
      const of = (metric: string, expr: (s: string) => string) =>
        ours('sum', by, m =>
          expr(
            selector(metric, [
              eq('direction', direction),
              eq('peer', peer),
              ...m,
            ]),
          ),
        );
      return tcpMeasures({
        read: of('tcp_read_bytes_total', x => rate(x, query.window)),
        write: of('tcp_write_bytes_total', x => rate(x, query.window)),
        open: of('tcp_open_connections', x => x),
      });
    };
    const hours =
      query.historyHours ??
      historyLookbackHours(durationSeconds(query.callerWindow));

    const [
      inbound,
      outbound,
      callersOfUs,
      callers,
      httpDenied,
      tcpDenied,
      certs,
      issuerTtl,
      history,
      tcpInbound,
      tcpOutbound,
      gateways,
      refusedResponses,
      egress,
    ] = await Promise.all([
      q(
        ours(
          'sum',
          [
            'tls',
            'client_id',
            'no_tls_reason',
            'route_kind',
            'route_name',
            'target_port',
          ],
          m =>
            rate(
              selector('request_total', [eq('direction', 'inbound'), ...m]),
              query.window,
            ),
        ),
      ),
      q(
        ours(
          'sum',
          [
            'dst_namespace',
            ...dstKinds,
            ...TARGET_LABELS,
            'tls',
            'server_id',
            'no_tls_reason',
            'target_port',
          ],
          m =>
            rate(
              selector('request_total', [eq('direction', 'outbound'), ...m]),
              query.window,
            ),
        ),
      ),
      // Requests to our workloads as their callers' proxies see them.
      q(
        this.overSelections(toUs, sel =>
          this.byWorkload(
            'sum',
            ['dst_namespace', ...dstKinds, 'tls', 'no_tls_reason'],
            m =>
              rate(
                selector('request_total', [
                  eq('direction', 'outbound'),
                  ...sel,
                  ...m,
                ]),
                query.window,
              ),
          ),
        ),
      ),
      // Callers by identity: requests, and TCP connections opened (a TCP
      // client admitted by policy makes no requests at all).
      q(
        ours('sum', ['client_id'], m =>
          or(
            eventsIn(
              selector('request_total', [
                eq('direction', 'inbound'),
                eq('tls', 'true'),
                ...m,
              ]),
              query.callerWindow,
            ),
            eventsIn(
              selector('tcp_open_total', [
                eq('direction', 'inbound'),
                eq('peer', 'src'),
                eq('tls', 'true'),
                ...m,
              ]),
              query.callerWindow,
            ),
          ),
        ),
      ),
      q(
        ours(
          'sum',
          ['srv_kind', 'srv_name', 'route_kind', 'route_name', 'client_id'],
          m =>
            eventsIn(
              selector('inbound_http_authz_deny_total', m),
              query.callerWindow,
            ),
        ),
      ),
      q(
        ours('sum', ['srv_kind', 'srv_name', 'client_id'], m =>
          eventsIn(
            selector('inbound_tcp_authz_deny_total', m),
            query.callerWindow,
          ),
        ),
      ),
      q(ours('min', [], m => certificateExpiry(m))),
      // The identity controller's issuer certificate (edge-25.2 and later).
      q(
        minBy(
          [...this.keep, 'component'],
          selector('issuer_cert_ttl_seconds', this.scope),
        ),
      ),
      // Since when each workload's proxies report: their certificate gauge
      // is there whenever a proxy runs, traffic or not.
      q(
        sampleTimes(
          ours('count', [], m =>
            or(certificateExpiry(m), selector('request_total', m)),
          ),
          hours,
        ),
      ),
      // TCP as the proxy accepted it from clients (`peer="src"`; the
      // proxy's own connection to the application is `peer="dst"`), and
      // as it connected to servers (linkerd2-proxy
      // linkerd/app/core/src/transport/labels.rs). HTTP connections are
      // counted here too; the ports that carried requests tell them apart.
      q(
        tcp('inbound', 'src', [
          'target_port',
          'tls',
          'client_id',
          'no_tls_reason',
          'sni',
        ]),
      ),
      q(
        tcp('outbound', 'dst', [
          'dst_namespace',
          ...dstKinds,
          ...TARGET_LABELS,
          'target_port',
          'tls',
          'server_id',
          'no_tls_reason',
        ]),
      ),
      // Each Link's gateway as its service mirror probes it: 0 once
      // `failureThreshold` probes failed in a row (linkerd/linkerd2
      // multicluster/service-mirror/metrics.go, probe_worker.go).
      q(
        minBy(
          [...this.keep, 'target_cluster_name'],
          selector('gateway_alive', this.scope),
        ),
      ),
      // What a refusal looks like to the caller's proxy: an HTTP 403, or
      // gRPC status 7 with HTTP 200 (linkerd2-proxy linkerd/app/core/src/
      // errors/respond.rs `permission_denied`; the caller's
      // response_total labels in linkerd/app/core/src/metrics.rs). An
      // application's 403 looks the same, so these count only beside the
      // callee's own denials below.
      q(
        ours('sum', ['dst_namespace', ...dstKinds, 'grpc_status'], m =>
          or(
            eventsIn(
              selector('response_total', [
                eq('direction', 'outbound'),
                eq('status_code', '403'),
                ...m,
              ]),
              query.callerWindow,
            ),
            eventsIn(
              selector('response_total', [
                eq('direction', 'outbound'),
                eq('grpc_status', '7'),
                ...m,
              ]),
              query.callerWindow,
            ),
          ),
        ),
      ),
      // Calls out of the cluster, per protocol, over the window.
      q(
        (Object.keys(EGRESS_METRICS) as Array<keyof typeof EGRESS_METRICS>)
          .map(protocol =>
            tagged(
              ours('sum', EGRESS_LABELS, m =>
                eventsIn(
                  selector(EGRESS_METRICS[protocol], [
                    // EgressNetwork parents, and `default` for the
                    // fallback (told apart below).
                    {
                      label: 'parent_kind',
                      op: '=~',
                      value: 'EgressNetwork|default',
                    },
                    ...m,
                  ]),
                  query.window,
                ),
              ),
              EGRESS_PROTOCOL,
              protocol,
            ),
          )
          .reduce((a, b) => or(a, b)),
      ),
    ]);

    // Who calls each of our workloads, seen from the callers' proxies.
    const clientReported: TrafficObservation[] = [];
    const callerWorkloads = new Map<
      string,
      Array<{ namespace: string; name: string }>
    >();
    for (const s of callersOfUs.filter(finite)) {
      const target = destinationOf(s.labels);
      const callerName = this.sourceName(s.labels);
      const callerNs = s.labels[ns];
      if (!target || !callerName || !callerNs) continue;
      const mtls = s.labels.tls === 'true';
      clientReported.push({
        workload: target,
        direction: 'inbound',
        peer: { namespace: callerNs, workload: callerName },
        mtls,
        ...(mtls
          ? {}
          : {
              noTlsReason: s.labels.no_tls_reason || s.labels.tls || 'unknown',
            }),
        reportedBy: 'peer',
        requestsPerSecond: s.value,
      });
      const list = callerWorkloads.get(key(target)) ?? [];
      list.push({ namespace: callerNs, name: callerName });
      callerWorkloads.set(key(target), list);
    }

    // A client identity's namespace, and its workload when the callers'
    // own reports name one there.
    const clientPeer = (
      workload: WorkloadRef,
      identity: string | undefined,
    ): TrafficObservation['peer'] => {
      const peer: TrafficObservation['peer'] = identity ? { identity } : {};
      const parsed = identity ? parseIdentity(identity) : undefined;
      if (parsed) {
        const candidates = (callerWorkloads.get(key(workload)) ?? []).filter(
          c => c.namespace === parsed.namespace,
        );
        const named =
          candidates.find(c => c.name === parsed.serviceAccount) ??
          (new Set(candidates.map(c => c.name)).size === 1
            ? candidates[0]
            : undefined);
        peer.namespace = parsed.namespace;
        if (named) peer.workload = named.name;
      }
      return peer;
    };

    const traffic: TrafficObservation[] = [];
    // The ports of each workload that served HTTP in the window: the TCP
    // connections to them carried those requests.
    const httpPorts = new Set<string>();
    for (const s of inbound) {
      const workload = workloadOf(s.labels);
      if (workload && s.labels.target_port) {
        httpPorts.add(`${key(workload)}|${s.labels.target_port}`);
      }
    }
    for (const s of inbound.filter(finite)) {
      const workload = workloadOf(s.labels);
      if (!workload) continue;
      const mtls = s.labels.tls === 'true';
      const identity = mtls ? s.labels.client_id || undefined : undefined;
      const peer = clientPeer(workload, identity);
      traffic.push({
        workload,
        direction: 'inbound',
        peer,
        mtls,
        ...(mtls
          ? {}
          : {
              noTlsReason: s.labels.no_tls_reason || s.labels.tls || 'unknown',
            }),
        ...(isProbe(s.labels) ? { probe: true } : {}),
        ...(s.labels.route_kind && s.labels.route_kind !== 'default'
          ? { route: `${s.labels.route_kind}/${s.labels.route_name}` }
          : {}),
        requestsPerSecond: s.value,
      });
    }
    for (const s of outbound.filter(finite)) {
      const workload = workloadOf(s.labels);
      if (!workload) continue;
      const mtls = s.labels.tls === 'true';
      traffic.push({
        workload,
        direction: 'outbound',
        peer: outboundPeer(s.labels, dstKinds, mtls),
        mtls,
        ...(mtls
          ? {}
          : {
              noTlsReason: s.labels.no_tls_reason || s.labels.tls || 'unknown',
            }),
        requestsPerSecond: s.value,
      });
    }

    // TCP the proxies did not read as HTTP: connections to ports that
    // served no request (opaque ports, databases).
    for (const line of tcpLines(tcpInbound)) {
      const workload = workloadOf(line.labels);
      if (!workload) continue;
      const port = line.labels.target_port;
      if (port && httpPorts.has(`${key(workload)}|${port}`)) continue;
      const tls = line.labels.tls;
      const mtls = tls === 'true';
      const identity = mtls ? line.labels.client_id || undefined : undefined;
      traffic.push({
        workload,
        direction: 'inbound',
        peer: clientPeer(workload, identity),
        mtls,
        ...inboundTcpSecurity(line.labels),
        protocol: 'tcp',
        requestsPerSecond: 0,
        tcp: {
          bytesPerSecond: line.bytesPerSecond,
          openConnections: line.openConnections,
        },
      });
    }
    const httpDestinations = new Set<string>();
    for (const s of outbound) {
      const workload = workloadOf(s.labels);
      if (workload && s.labels.target_port) {
        httpDestinations.add(outboundPort(workload, s.labels));
      }
    }
    for (const line of tcpLines(tcpOutbound)) {
      const workload = workloadOf(line.labels);
      if (!workload) continue;
      if (
        line.labels.target_port &&
        httpDestinations.has(outboundPort(workload, line.labels))
      ) {
        continue;
      }
      const mtls = line.labels.tls === 'true';
      traffic.push({
        workload,
        direction: 'outbound',
        peer: outboundPeer(line.labels, dstKinds, mtls),
        mtls,
        // Bytes the proxy forwarded without reading them: it knows it did
        // not authenticate the server, not whether the application
        // encrypted them itself (TLS to an outside API looks the same).
        ...(mtls
          ? {}
          : {
              unverified: true,
              noTlsReason: `no mesh mTLS (${
                line.labels.no_tls_reason || line.labels.tls || 'unknown'
              }); whether the application encrypts this TCP itself is not observed`,
            }),
        protocol: 'tcp',
        requestsPerSecond: 0,
        tcp: {
          bytesPerSecond: line.bytesPerSecond,
          openConnections: line.openConnections,
        },
      });
    }

    const observedCallers: ObservedCaller[] = [];
    for (const s of callers.filter(finite)) {
      const workload = workloadOf(s.labels);
      if (workload && s.labels.client_id) {
        observedCallers.push({
          workload,
          identity: s.labels.client_id,
          count: s.value,
        });
      }
    }

    const decisions: AuthorizationDecision[] = [];
    for (const [samples, protocol] of [
      [httpDenied, 'http'],
      [tcpDenied, 'tcp'],
    ] as const) {
      for (const s of samples.filter(finite)) {
        const workload = workloadOf(s.labels);
        if (!workload) continue;
        decisions.push({
          workload,
          decision: 'deny',
          ...(s.labels.client_id ? { identity: s.labels.client_id } : {}),
          ...(s.labels.srv_name
            ? {
                server: `${s.labels.srv_kind || 'server'}/${s.labels.srv_name}`,
              }
            : {}),
          ...(s.labels.route_name
            ? {
                route: `${s.labels.route_kind || 'route'}/${
                  s.labels.route_name
                }`,
              }
            : {}),
          count: s.value,
          protocol,
        });
      }
    }

    const refused = refusedResponses.filter(finite);
    const denials = this.denialsAt(refused, query.callerWindow);
    const refusedCalls = pairRefusals(
      refused,
      denials ? (await q(denials)).filter(finite) : [],
      {
        caller: workloadOf,
        callee: labels => {
          const name = this.kindLabels()
            .map(([, l]) => labels[l])
            .find(Boolean);
          return labels[ns] && name ? `${labels[ns]}/${name}` : undefined;
        },
      },
    );

    const workloadCertificates = certs
      .filter(s => Number.isFinite(s.value) && s.value > 0)
      .flatMap(s => {
        const workload = workloadOf(s.labels);
        return workload
          ? [
              {
                workload,
                notAfter: new Date(s.value * 1000),
                location: "the proxies' certificate metrics",
              },
            ]
          : [];
      });

    const meshCertificates: CertificateStatus[] = [];
    const ttl = issuerTtl.find(s => Number.isFinite(s.value));
    if (ttl) {
      meshCertificates.push(
        statusOf(
          {
            subject: 'identity.linkerd.cluster.local',
            notAfter: new Date(at.getTime() + ttl.value * 1000),
          },
          {
            cluster: query.cluster,
            mesh: 'linkerd',
            role: 'issuer',
            location: "the identity controller's metrics",
            now: at,
          },
        ),
      );
    }

    return {
      traffic,
      callers: observedCallers,
      decisions,
      workloadCertificates,
      meshCertificates,
      workloadHistory: sampleTimesByWorkload(history, workloadOf),
      clientReported,
      refusedCalls,
      egressCalls: egressCallsOf(egress, workloadOf),
      gaps: gatewayGaps(traffic, gateways, query.cluster),
    };
  }

  async workloadSignals(
    query: SignalsQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadSignals> {
    const asked = { ...options, workloads: query.workloads.length };
    const at = query.at ?? new Date();
    const dstKinds = Object.values(DST_KIND_LABELS) as string[];
    // A workload without a proxy is measured by its callers' proxies: their
    // outbound series that name it as the destination.
    const byCallers =
      query.direction === 'inbound' && query.observedBy === 'callers';
    const direction = byCallers ? 'outbound' : query.direction;
    const selections = byCallers
      ? this.destinationSelections(
          query.workloads,
          selectsByName(query.workloads, query),
        )
      : this.ownSelections(
          query.workloads,
          selectsByName(query.workloads, query),
        );
    const matchers = [eq('direction', direction)];
    const self = this.workloadFinder(query.workloads);
    const target = this.destinationFinder(query.workloads);
    const aggregate = (by: string[], expr: (m: Matcher[]) => string) =>
      this.overSelections(selections, sel =>
        byCallers
          ? sumBy(
              [...this.keep, 'dst_namespace', ...dstKinds, ...by],
              expr(sel),
            )
          : this.byWorkload(
              'sum',
              [
                ...(query.direction === 'outbound'
                  ? ['dst_namespace', ...dstKinds]
                  : []),
                ...by,
              ],
              m => expr([...sel, ...m]),
            ),
      );
    const workloadOf = byCallers ? target : self;
    const responses = (w: string) =>
      aggregate(['classification'], m =>
        rate(selector('response_total', [...matchers, ...m]), w),
      );
    const latency = (w: string) =>
      aggregate(['le'], m =>
        rate(selector('response_latency_ms_bucket', [...matchers, ...m]), w),
      );
    const errors = aggregate(['status_code', 'grpc_status'], m =>
      rate(
        selector('response_total', [
          ...matchers,
          eq('classification', 'failure'),
          ...m,
        ]),
        query.window,
      ),
    );
    // Series: inbound per workload; outbound summed over dependencies.
    const seriesOf = (by: string[], expr: (m: Matcher[]) => string) =>
      this.overSelections(selections, sel =>
        byCallers
          ? sumBy(
              [...this.keep, 'dst_namespace', ...dstKinds, ...by],
              expr(sel),
            )
          : this.byWorkload('sum', by, m => expr([...sel, ...m])),
      );

    const [byClass, buckets, failures, seriesClass, seriesBuckets] =
      await Promise.all([
        this.prometheus.query(responses(query.window), at, asked),
        this.prometheus.query(latency(query.window), at, asked),
        this.prometheus.query(errors, at, asked),
        ...(query.series
          ? (() => {
              const windowSeconds = durationSeconds(query.window);
              const step = query.series.stepSeconds;
              const steps = stepsOf(at, windowSeconds, step);
              const start = new Date(steps[0] * 1000);
              const end = new Date(steps[steps.length - 1] * 1000);
              const rateWindow = query.series.rateWindow;
              return [
                this.prometheus.queryRange(
                  seriesOf(['classification'], m =>
                    rate(
                      selector('response_total', [...matchers, ...m]),
                      rateWindow,
                    ),
                  ),
                  start,
                  end,
                  step,
                  asked,
                ),
                this.prometheus.queryRange(
                  seriesOf(['le'], m =>
                    rate(
                      selector('response_latency_ms_bucket', [
                        ...matchers,
                        ...m,
                      ]),
                      rateWindow,
                    ),
                  ),
                  start,
                  end,
                  step,
                  asked,
                ),
              ];
            })()
          : [Promise.resolve([]), Promise.resolve([])]),
      ]);

    const signalKey = (labels: Record<string, string>) => {
      const workload = workloadOf(labels);
      if (!workload) return undefined;
      if (query.direction === 'inbound') {
        return { workload, key: key(workload) };
      }
      const dstNs = labels.dst_namespace || undefined;
      const dstName = dstKinds.map(l => labels[l]).find(Boolean);
      return {
        workload,
        peer: {
          ...(dstNs ? { namespace: dstNs } : {}),
          ...(dstName ? { workload: dstName } : {}),
        },
        key: `${key(workload)}->${dstNs ?? ''}/${dstName ?? ''}`,
      };
    };
    const { summaries, summaryOf } = summaryTable(signalKey);
    for (const s of byClass) {
      if (!Number.isFinite(s.value) || s.value <= 0) continue;
      const entry = summaryOf(s.labels);
      if (!entry) continue;
      entry.requestsPerSecond += s.value;
      if (s.labels.classification === 'failure')
        entry.failuresPerSecond += s.value;
    }
    for (const s of buckets) {
      const le = leOf(s.labels);
      if (le === undefined || !Number.isFinite(s.value)) continue;
      summaryOf(s.labels)?.latencyBuckets.push({ le, rate: s.value });
    }
    for (const s of failures) {
      if (!Number.isFinite(s.value) || s.value <= 0) continue;
      const grpc = s.labels.grpc_status;
      summaryOf(s.labels)?.errors.push(
        grpc && grpc !== '0'
          ? { status: grpc, protocol: 'grpc', requestsPerSecond: s.value }
          : {
              status: s.labels.status_code || 'no response',
              protocol: 'http',
              requestsPerSecond: s.value,
            },
      );
    }
    for (const entry of summaries.values()) {
      entry.latencyBuckets.sort((a, b) => a.le - b.le);
    }

    const series = new Map<
      string,
      { workload: WorkloadRef; points: Map<number, TrafficSignalsPoint> }
    >();
    const pointOf = (labels: Record<string, string>, t: number) => {
      const workload = workloadOf(labels);
      if (!workload) return undefined;
      let entry = series.get(key(workload));
      if (!entry) {
        entry = { workload, points: new Map() };
        series.set(key(workload), entry);
      }
      let point = entry.points.get(t);
      if (!point) {
        point = {
          t: t * 1000,
          requestsPerSecond: 0,
          failuresPerSecond: 0,
          latencyBuckets: [],
        };
        entry.points.set(t, point);
      }
      return point;
    };
    for (const [t, samples] of samplesByStep(seriesClass as PromSeries[])) {
      for (const s of samples) {
        if (!Number.isFinite(s.value) || s.value <= 0) continue;
        const point = pointOf(s.labels, t);
        if (!point) continue;
        point.requestsPerSecond += s.value;
        if (s.labels.classification === 'failure')
          point.failuresPerSecond += s.value;
      }
    }
    for (const [t, samples] of samplesByStep(seriesBuckets as PromSeries[])) {
      for (const s of samples) {
        const le = leOf(s.labels);
        if (le === undefined || !Number.isFinite(s.value)) continue;
        pointOf(s.labels, t)?.latencyBuckets.push({ le, rate: s.value });
      }
    }

    return {
      summaries: [...summaries.values()],
      series: [...series.values()].map(e => ({
        workload: e.workload,
        points: [...e.points.values()].sort((a, b) => a.t - b.t),
      })),
      gaps: [],
      queries: [
        {
          title: 'Requests by classification',
          promql: responses(query.window),
        },
        { title: 'Latency buckets', promql: latency(query.window) },
      ],
    };
  }
}
