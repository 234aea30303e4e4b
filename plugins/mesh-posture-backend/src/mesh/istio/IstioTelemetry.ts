import type {
  CertificateStatus,
  EgressCall,
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
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
  sampleTimes,
  eq,
  historyLookbackHours,
  eventsIn,
  Matcher,
  oneOf,
  or,
  rate,
  selector,
  tagged,
} from '../../prometheus/promql';
import { sampleTimesByWorkload } from '../history';
import { mergeEgressCalls } from '../egressCalls';
import { podOwnerIndex } from '../workloadNames';
import { TcpLine, tcpLines, tcpMeasures } from '../tcpParts';
import { namespacesOf, selectsByName } from '../selection';
import { statusOf, stepsOf } from '@mesh-posture/plugin-mesh-posture-node';

const SRC_NS = 'source_workload_namespace';
const SRC = 'source_workload';
const DST_NS = 'destination_workload_namespace';
const DST = 'destination_workload';

/**
 * The matchers that select the workloads on one side of Istio's series:
 * their namespaces, and for a few workloads their names too, so an entity's
 * answer does not grow with its namespace (see mesh/selection.ts).
 */
function sideOf(
  namespaceLabel: string,
  workloadLabel: string,
  workloads: WorkloadRef[],
  scope: Matcher[],
  byName: boolean,
): Matcher[] {
  return [
    ...scope,
    oneOf(namespaceLabel, namespacesOf(workloads)),
    ...(byName
      ? [
          oneOf(
            workloadLabel,
            workloads.map(w => w.name),
          ),
        ]
      : []),
  ];
}

function known(value: string | undefined): string | undefined {
  return value && value !== 'unknown' ? value : undefined;
}

const CLUSTERS = ['source_cluster', 'destination_cluster'];

/*
 * Calls out of the mesh, as the caller's sidecar names them
 * (istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc
 * `populatePeerInfo`): `destination_service_name` is `PassthroughCluster`
 * where the catch-all let an undeclared destination through (ALLOW_ANY) and
 * `BlackHoleCluster` where it refused one (REGISTRY_ONLY; istio/istio
 * pilot/pkg/networking/util/util.go); to a ServiceEntry's host,
 * `destination_service` is that host (pilot/pkg/serviceregistry/
 * serviceentry/conversion.go) and no Kubernetes service name
 * `<name>.<namespace>.svc.<domain>`. HTTP passthrough keeps the Host header
 * in `destination_service`; TCP passthrough names nothing ("unknown").
 */
const CATCH_ALL = ['BlackHoleCluster', 'PassthroughCluster'];
/** The egress gateway's workload name in Istio's charts (gateways/istio-egress). */
const EGRESS_GATEWAYS = ['istio-egressgateway'];
const EGRESS_BY = [
  'destination_workload',
  'destination_workload_namespace',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'request_protocol',
];
const EGRESS_PROTOCOL = 'mesh_posture_protocol';

/**
 * A metric's series from our workloads' sidecars to the catch-all clusters
 * or to a host that is no Kubernetes service, as events over the window.
 */
function externalCalls(metric: string, fromOurs: Matcher[], window: string) {
  const source = [eq('reporter', 'source'), ...fromOurs];
  return or(
    or(
      eventsIn(
        selector(metric, [
          ...source,
          oneOf('destination_service_name', CATCH_ALL),
        ]),
        window,
      ),
      eventsIn(
        selector(metric, [
          ...source,
          // A fixed pattern: a Kubernetes service's name, or nothing named.
          {
            label: 'destination_service',
            op: '!~',
            value: '.+\\.svc\\..+|unknown',
          },
          // Named at all: a series whose name a Telemetry override removed
          // is not taken for a ServiceEntry's.
          { label: 'destination_service_name', op: '=~', value: '.+' },
          {
            label: 'destination_service_name',
            op: '!~',
            value: CATCH_ALL.join('|'),
          },
        ]),
        window,
      ),
    ),
    // To the egress gateway, which forwards by its own Gateway and
    // VirtualService (istio.io docs tasks/traffic-management/egress/
    // egress-gateway): a call out whose destination is not judged.
    eventsIn(
      selector(metric, [
        ...source,
        oneOf('destination_workload', EGRESS_GATEWAYS),
      ]),
      window,
    ),
  );
}

/** Istio's calls out of the mesh, from the caller's own series. */
export function istioEgressCalls(
  samples: PromSample[],
  find: (ns?: string, name?: string) => WorkloadRef | undefined,
): EgressCall[] {
  const calls: EgressCall[] = [];
  for (const s of samples) {
    if (!Number.isFinite(s.value) || s.value <= 0) continue;
    const l = s.labels;
    const workload = find(l.source_workload_namespace, l.source_workload);
    if (!workload) continue;
    const name = l.destination_service_name;
    let host = known(l.destination_service);
    let route: EgressCall['route'];
    let via: string;
    if (EGRESS_GATEWAYS.includes(l.destination_workload)) {
      route = 'gateway';
      via = `egress gateway ${
        known(l.destination_workload_namespace) ?? 'in an unknown namespace'
      }/${l.destination_workload}`;
      // The gateway's service, not where it sends the call.
      host = undefined;
    } else if (name === 'PassthroughCluster') {
      route = 'passthrough';
      via = 'PassthroughCluster: no ServiceEntry, let through';
    } else if (name === 'BlackHoleCluster') {
      route = 'blocked';
      via = 'BlackHoleCluster: no ServiceEntry, refused';
    } else if (host) {
      route = 'declared';
      via = `ServiceEntry host in ${
        known(l.destination_service_namespace) ?? 'an unknown namespace'
      }`;
    } else {
      continue;
    }
    let protocol: EgressCall['protocol'] = 'http';
    if (l[EGRESS_PROTOCOL] === 'tcp') protocol = 'tcp';
    else if (l.request_protocol === 'grpc') protocol = 'grpc';
    calls.push({
      workload,
      ...(host ? { host } : {}),
      protocol,
      route,
      via,
      count: s.value,
    });
  }
  return mergeEgressCalls(calls);
}

/** The labels of a destination-reported edge, requests or TCP alike. */
const INBOUND_EDGE = [
  DST_NS,
  DST,
  SRC_NS,
  SRC,
  'source_principal',
  'connection_security_policy',
  ...CLUSTERS,
];
const OUTBOUND_EDGE = [
  SRC_NS,
  SRC,
  DST_NS,
  DST,
  'destination_principal',
  'connection_security_policy',
  ...CLUSTERS,
];

/**
 * The peer's cluster, when the series names one other than our side's:
 * each proxy's CLUSTER_ID, which the stats filter reads from its node
 * metadata (Istio's cluster IDs, as the mesh was installed).
 */
function peerCluster(
  labels: Record<string, string>,
  peerSide: 'source' | 'destination',
): { cluster: string } | undefined {
  const ours = known(
    labels[peerSide === 'source' ? 'destination_cluster' : 'source_cluster'],
  );
  const theirs = known(labels[`${peerSide}_cluster`]);
  return ours && theirs && ours !== theirs ? { cluster: theirs } : undefined;
}

/**
 * Whether a request failed, as Istio's dashboards and Flagger count it: a
 * 5xx, no response at all (code 0), or a gRPC status other than OK.
 */
export function istioFailure(
  labels: Record<string, string>,
): { status: string; protocol: 'http' | 'grpc' } | undefined {
  const code = labels.response_code ?? '';
  const grpc = labels.grpc_response_status ?? '';
  if (grpc && grpc !== '0') return { status: grpc, protocol: 'grpc' };
  if (code === '0') return { status: 'no response', protocol: 'http' };
  if (/^5\d\d$/.test(code)) return { status: code, protocol: 'http' };
  return undefined;
}

function finite(s: PromSample): boolean {
  return Number.isFinite(s.value) && s.value > 0;
}

/**
 * Envoy response flags of requests the caller's own proxy answered: no
 * healthy upstream, no cluster, no route, upstream connection failure
 * (envoyproxy/envoy docs/root/configuration/observability/access_log/
 * usage.rst). Nothing reached a destination to report them.
 */
const LOCAL_FAILURES: Record<string, string> = {
  UH: 'no healthy upstream',
  NC: 'no such cluster',
  NR: 'no route',
  UF: 'upstream connection failure',
};

/**
 * What a source-reported call without a destination-reported counterpart
 * says of its security: mTLS or plaintext when the destination's ztunnel
 * reported the connections (ambient), and otherwise not observed, with the
 * likely reason (failed locally, another cluster, outside the mesh, no
 * sidecar).
 */
function notSeenAtDestination(
  labels: Record<string, string>,
  dstWorkload: string | undefined,
  ztunnel: { mtls: boolean; principal?: string } | undefined,
  peer: { namespace?: string; workload: string },
): Pick<TrafficObservation, 'peer' | 'mtls' | 'noTlsReason' | 'unverified'> {
  const flags = (labels.response_flags ?? '').split(',');
  const local = flags.map(f => LOCAL_FAILURES[f]).filter(Boolean);
  if (local.length > 0 && flags.every(f => LOCAL_FAILURES[f])) {
    return {
      peer,
      mtls: false,
      unverified: true,
      noTlsReason: `not sent: the caller's proxy failed them (${flags.join(
        ',',
      )}: ${local.join(', ')})`,
    };
  }
  if (ztunnel) {
    return ztunnel.mtls
      ? {
          peer: {
            ...peer,
            ...(ztunnel.principal ? { identity: ztunnel.principal } : {}),
          },
          mtls: true,
        }
      : {
          peer,
          mtls: false,
          noTlsReason: tcpPlaintextReason('unknown'),
        };
  }
  const source = known(labels.source_cluster);
  const target = known(labels.destination_cluster);
  if (target && source && target !== source) {
    return {
      peer,
      mtls: false,
      unverified: true,
      noTlsReason: `not observed at the destination: it runs in cluster ${target}, whose proxies report to that cluster's Prometheus`,
    };
  }
  if (!dstWorkload) {
    // No mesh workload answered: the sidecar sent it out of the mesh, where
    // no proxy reports it. It may originate TLS (a DestinationRule's tls
    // mode), which these metrics do not show.
    return {
      peer,
      mtls: false,
      unverified: true,
      noTlsReason:
        'destination outside the mesh: whether the sidecar originates TLS is not in the metrics',
    };
  }
  return {
    peer,
    mtls: false,
    unverified: true,
    noTlsReason:
      'not observed at the destination: it has no sidecar, or its proxy is not scraped by this Prometheus',
  };
}

/**
 * The soonest-expiring workload certificate of each asked workload, from
 * its pods' agents (ambient pods have none: ztunnel holds their
 * certificates and exports no expiry).
 */
function workloadCertificatesOf(
  samples: PromSample[],
  workloads: WorkloadRef[],
  at: Date,
): WorkloadTelemetry['workloadCertificates'] {
  const ownerOf = podOwnerIndex(workloads);
  const soonest = new Map<string, { workload: WorkloadRef; left: number }>();
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const workload = ownerOf(s.labels.namespace ?? '', s.labels.pod ?? '');
    if (!workload) continue;
    const key = `${workload.namespace}/${workload.kind}/${workload.name}`;
    const seen = soonest.get(key);
    if (!seen || s.value < seen.left) {
      soonest.set(key, { workload, left: s.value });
    }
  }
  return [...soonest.values()].map(({ workload, left }) => ({
    workload,
    notAfter: new Date(at.getTime() + left * 1000),
    location: "the sidecar agents' certificate metrics",
  }));
}

/**
 * A destination-reported TCP line of one of our workloads, inbound (the
 * peer is the source) or outbound (the peer is the destination).
 */
function destinationTcp(
  workload: WorkloadRef,
  direction: 'inbound' | 'outbound',
  line: TcpLine,
): TrafficObservation {
  const side = direction === 'inbound' ? 'source' : 'destination';
  const [ns, name] = direction === 'inbound' ? [SRC_NS, SRC] : [DST_NS, DST];
  const policy = line.labels.connection_security_policy;
  const mtls = policy === 'mutual_tls';
  const identity = mtls ? known(line.labels[`${side}_principal`]) : undefined;
  return {
    workload,
    direction,
    peer: {
      ...peerCluster(line.labels, side),
      ...(known(line.labels[ns]) ? { namespace: line.labels[ns] } : {}),
      ...(known(line.labels[name]) ? { workload: line.labels[name] } : {}),
      ...(identity ? { identity } : {}),
    },
    mtls,
    ...(mtls ? {} : { noTlsReason: tcpPlaintextReason(policy) }),
    protocol: 'tcp',
    requestsPerSecond: 0,
    tcp: {
      bytesPerSecond: line.bytesPerSecond,
      openConnections: line.openConnections,
    },
  };
}

/**
 * Why a destination-reported TCP connection was not mTLS: a sidecar says
 * `none`; ztunnel says `unknown` for plaintext it took in passthrough
 * rather than over HBONE (istio/ztunnel src/proxy/inbound_passthrough.rs).
 */
function tcpPlaintextReason(policy: string | undefined): string {
  return policy === 'unknown'
    ? "connection_security_policy=unknown (the destination's ztunnel saw plaintext)"
    : `connection_security_policy=${policy || 'none'}`;
}

/**
 * Istio telemetry from Prometheus (Istio's standard metrics). mTLS is read
 * from destination-reported series only, where `connection_security_policy`
 * is set; outbound calls to destinations outside the mesh are found in
 * source-reported series that have no destination-reported counterpart.
 */
export class IstioTelemetry implements MeshTelemetrySource {
  private readonly prometheus: PrometheusQueries;

  private readonly scope: Matcher[];

  private readonly keep: string[];

  constructor(options: {
    prometheus: PrometheusQueries;
    /** Matchers every selector carries: the cluster's series on a shared endpoint. */
    scope?: Matcher[];
  }) {
    this.prometheus = options.prometheus;
    this.scope = options.scope ?? [];
    this.keep = this.scope.map(m => m.label);
  }

  // Every aggregation keeps the scope's labels, so one query can serve
  // several clusters of a shared endpoint and be told apart by cluster.
  private sumBy(by: readonly string[], expr: string): string {
    return aggregateBy('sum', [...this.keep, ...by], expr);
  }

  private minBy(by: readonly string[], expr: string): string {
    return aggregateBy('min', [...this.keep, ...by], expr);
  }

  private maxBy(by: readonly string[], expr: string): string {
    return aggregateBy('max', [...this.keep, ...by], expr);
  }

  private countBy(by: readonly string[], expr: string): string {
    return aggregateBy('count', [...this.keep, ...by], expr);
  }

  async workloadTelemetry(
    query: TelemetryQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadTelemetry> {
    const asked = { ...options, workloads: query.workloads.length };
    // Istio's workload label is the workload's name; its kind is not
    // recorded (a CronJob's pods carry the CronJob's name, trimmed as in
    // istio/istio pkg/kube/util.go GetDeployMetaFromPod).
    const byName = new Map(
      query.workloads.map(w => [`${w.namespace}/${w.name}`, w]),
    );
    const find = (ns?: string, name?: string): WorkloadRef | undefined =>
      ns && name ? byName.get(`${ns}/${name}`) : undefined;
    const named = selectsByName(query.workloads, query);
    const toOurs = sideOf(DST_NS, DST, query.workloads, this.scope, named);
    const fromOurs = sideOf(SRC_NS, SRC, query.workloads, this.scope, named);
    const at = query.at ?? new Date();
    const q = (promql: string) => this.prometheus.query(promql, at, asked);
    const requests = (matchers: Parameters<typeof selector>[1]) =>
      selector('istio_requests_total', matchers);
    const destination = eq('reporter', 'destination');
    // Requests at the destination's side: its sidecar, or the waypoint in
    // front of an ambient workload, which reports the real client and
    // backend with `connection_security_policy` set (istio/proxy
    // istio_stats.cc, reporter="waypoint"; istio/istio
    // tests/integration/ambient/baseline_test.go). Waypoints serve ambient
    // workloads only, so no request is reported by both.
    const atDestination = oneOf('reporter', ['destination', 'waypoint']);
    const hours =
      query.historyHours ??
      historyLookbackHours(durationSeconds(query.callerWindow));
    // Istio's TCP metrics: bytes each way, and connections open, which no
    // gauge gives per edge: opened less closed, both counted by each proxy
    // since it started. Sidecars record them on TCP-proxied ports only (the
    // HTTP filter chain records requests instead); ztunnel records every
    // connection (istio/ztunnel src/proxy/metrics.rs).
    const tcp = (matchers: Matcher[], by: string[]) => {
      const of = (metric: string) => selector(metric, matchers);
      const opened = this.sumBy(by, of('istio_tcp_connections_opened_total'));
      const closed = this.sumBy(by, of('istio_tcp_connections_closed_total'));
      return tcpMeasures({
        read: this.sumBy(
          by,
          rate(of('istio_tcp_received_bytes_total'), query.window),
        ),
        write: this.sumBy(
          by,
          rate(of('istio_tcp_sent_bytes_total'), query.window),
        ),
        open: `clamp_min(${opened} - (${closed} or ${opened} * 0), 0)`,
      });
    };

    const [
      inbound,
      outbound,
      outboundBySource,
      callersOfUs,
      callers,
      tcpDenied,
      rootExpiry,
      chainExpiry,
      history,
      tcpInbound,
      tcpOutbound,
      tcpOutboundBySource,
      agentCertificates,
      egress,
    ] = await Promise.all([
      q(
        this.sumBy(
          INBOUND_EDGE,
          rate(requests([atDestination, ...toOurs]), query.window),
        ),
      ),
      q(
        this.sumBy(
          OUTBOUND_EDGE,
          rate(requests([atDestination, ...fromOurs]), query.window),
        ),
      ),
      q(
        this.sumBy(
          [
            SRC_NS,
            SRC,
            DST_NS,
            DST,
            'destination_service',
            'source_cluster',
            'destination_cluster',
            'response_flags',
          ],
          rate(requests([eq('reporter', 'source'), ...fromOurs]), query.window),
        ),
      ),
      // Requests to our workloads as their callers' sidecars report them.
      q(
        this.sumBy(
          [SRC_NS, SRC, DST_NS, DST],
          rate(requests([eq('reporter', 'source'), ...toOurs]), query.window),
        ),
      ),
      // Callers by identity: requests, and TCP connections opened (a TCP
      // client admitted by policy makes no requests at all).
      q(
        this.sumBy(
          [DST_NS, DST, 'source_principal'],
          or(
            eventsIn(
              requests([
                atDestination,
                eq('connection_security_policy', 'mutual_tls'),
                ...toOurs,
              ]),
              query.callerWindow,
            ),
            eventsIn(
              selector('istio_tcp_connections_opened_total', [
                destination,
                eq('connection_security_policy', 'mutual_tls'),
                ...toOurs,
              ]),
              query.callerWindow,
            ),
          ),
        ),
      ),
      // Ambient: ztunnel sets DENY when it closes a connection its policy
      // refused; the opened counter was already counted with "-"
      // (istio/ztunnel src/proxy/metrics.rs ConnectionResultBuilder).
      q(
        this.sumBy(
          [DST_NS, DST, 'source_principal'],
          eventsIn(
            selector('istio_tcp_connections_closed_total', [
              destination,
              eq('response_flags', 'DENY'),
              ...toOurs,
            ]),
            query.callerWindow,
          ),
        ),
      ),
      q(
        this.maxBy(
          ['cluster_id'],
          selector('citadel_server_root_cert_expiry_timestamp', this.scope),
        ),
      ),
      q(
        this.maxBy(
          ['cluster_id'],
          selector('citadel_server_cert_chain_expiry_timestamp', this.scope),
        ),
      ),
      // Since when each workload's proxies report, as destination or source.
      q(
        sampleTimes(
          or(
            this.countBy(
              [DST_NS, DST],
              or(
                requests([atDestination, ...toOurs]),
                selector('istio_tcp_connections_opened_total', [
                  destination,
                  ...toOurs,
                ]),
              ),
            ),
            this.countBy(
              [SRC_NS, SRC],
              requests([eq('reporter', 'source'), ...fromOurs]),
            ),
          ),
          hours,
        ),
      ),
      // TCP at our workloads, as their sidecar or ztunnel accepted it.
      q(tcp([destination, ...toOurs], INBOUND_EDGE)),
      // TCP from our workloads, as the destination reported it (it alone
      // knows the security), and as our side did, for destinations that
      // report nothing.
      q(tcp([destination, ...fromOurs], OUTBOUND_EDGE)),
      q(
        tcp(
          [eq('reporter', 'source'), ...fromOurs],
          [
            SRC_NS,
            SRC,
            DST_NS,
            DST,
            'destination_service',
            'destination_principal',
            'source_cluster',
            'destination_cluster',
            'connection_security_policy',
          ],
        ),
      ),
      // Each sidecar's workload certificate, as its agent counts the
      // seconds it has left (istio/istio security/pkg/nodeagent/cache
      // CertExpirySeconds, `resource_name="default"`; ROOTCA is the root).
      // The series carry only the pod, from the scrape (`namespace`, `pod`).
      q(
        this.minBy(
          ['namespace', 'pod'],
          selector('istio_agent_cert_expiry_seconds', [
            ...this.scope,
            eq('resource_name', 'default'),
            oneOf('namespace', namespacesOf(query.workloads)),
          ]),
        ),
      ),
      // Calls out of the mesh over the window: requests, and TCP
      // connections (TLS the app originates is TCP to its sidecar).
      q(
        or(
          tagged(
            this.sumBy(
              [SRC_NS, SRC, ...EGRESS_BY],
              externalCalls('istio_requests_total', fromOurs, query.window),
            ),
            EGRESS_PROTOCOL,
            'http',
          ),
          tagged(
            this.sumBy(
              [SRC_NS, SRC, ...EGRESS_BY],
              externalCalls(
                'istio_tcp_connections_opened_total',
                fromOurs,
                query.window,
              ),
            ),
            EGRESS_PROTOCOL,
            'tcp',
          ),
        ),
      ),
    ]);

    const traffic: TrafficObservation[] = [];
    for (const s of inbound.filter(finite)) {
      const workload = find(s.labels[DST_NS], s.labels[DST]);
      if (!workload) continue;
      const mtls = s.labels.connection_security_policy === 'mutual_tls';
      const identity = mtls ? known(s.labels.source_principal) : undefined;
      traffic.push({
        workload,
        direction: 'inbound',
        peer: {
          ...peerCluster(s.labels, 'source'),
          ...(known(s.labels[SRC_NS]) ? { namespace: s.labels[SRC_NS] } : {}),
          ...(known(s.labels[SRC]) ? { workload: s.labels[SRC] } : {}),
          ...(identity ? { identity } : {}),
        },
        mtls,
        ...(mtls
          ? {}
          : {
              noTlsReason: `connection_security_policy=${
                s.labels.connection_security_policy || 'none'
              }`,
            }),
        requestsPerSecond: s.value,
      });
    }
    const pairOf = (labels: Record<string, string>) =>
      `${labels[SRC_NS]}/${labels[SRC]}->${labels[DST_NS]}/${labels[DST]}`;
    const secured = new Set<string>();
    for (const s of outbound.filter(finite)) {
      const workload = find(s.labels[SRC_NS], s.labels[SRC]);
      if (!workload) continue;
      secured.add(pairOf(s.labels));
      const mtls = s.labels.connection_security_policy === 'mutual_tls';
      traffic.push({
        workload,
        direction: 'outbound',
        peer: {
          ...peerCluster(s.labels, 'destination'),
          ...(known(s.labels[DST_NS]) ? { namespace: s.labels[DST_NS] } : {}),
          ...(known(s.labels[DST]) ? { workload: s.labels[DST] } : {}),
          ...(mtls && known(s.labels.destination_principal)
            ? { identity: s.labels.destination_principal }
            : {}),
        },
        mtls,
        ...(mtls
          ? {}
          : {
              noTlsReason: `connection_security_policy=${
                s.labels.connection_security_policy || 'none'
              }`,
            }),
        requestsPerSecond: s.value,
      });
    }
    // A destination in ambient mode has no sidecar to report requests; its
    // ztunnel reports the connections, with their security
    // (istio/ztunnel src/proxy/metrics.rs: mutual_tls for HBONE).
    const outboundTcp = tcpLines(tcpOutbound);
    const ztunnel = new Map<string, { mtls: boolean; principal?: string }>();
    for (const line of outboundTcp) {
      const pair = pairOf(line.labels);
      const mtls = line.labels.connection_security_policy === 'mutual_tls';
      const seen = ztunnel.get(pair);
      ztunnel.set(pair, {
        mtls: (seen?.mtls ?? true) && mtls,
        principal: seen?.principal ?? known(line.labels.destination_principal),
      });
    }
    for (const s of outboundBySource.filter(finite)) {
      const workload = find(s.labels[SRC_NS], s.labels[SRC]);
      if (!workload) continue;
      const pair = pairOf(s.labels);
      if (secured.has(pair)) continue;
      const dstWorkload = known(s.labels[DST]);
      const peer = {
        ...peerCluster(s.labels, 'destination'),
        ...(known(s.labels[DST_NS]) ? { namespace: s.labels[DST_NS] } : {}),
        workload:
          dstWorkload ??
          known(s.labels.destination_service) ??
          'outside the mesh',
      };
      traffic.push({
        workload,
        direction: 'outbound',
        requestsPerSecond: s.value,
        ...notSeenAtDestination(s.labels, dstWorkload, ztunnel.get(pair), peer),
      });
    }

    // TCP at our workloads. A sidecar's are TCP-proxied ports, apart from
    // its requests; ztunnel's are every connection of an ambient workload,
    // which has no requests reported at all.
    for (const line of tcpLines(tcpInbound)) {
      const workload = find(line.labels[DST_NS], line.labels[DST]);
      if (workload) traffic.push(destinationTcp(workload, 'inbound', line));
    }
    // TCP from our workloads. Where our sidecar's requests reached an
    // ambient destination, that ztunnel's connections carried them: the
    // requests already stand for them.
    const carriedRequests = new Set(
      outboundBySource
        .filter(finite)
        .map(s => pairOf(s.labels))
        .filter(pair => !secured.has(pair)),
    );
    const tcpReported = new Set<string>();
    for (const line of outboundTcp) {
      const workload = find(line.labels[SRC_NS], line.labels[SRC]);
      if (!workload) continue;
      const pair = pairOf(line.labels);
      tcpReported.add(pair);
      if (carriedRequests.has(pair)) continue;
      traffic.push(destinationTcp(workload, 'outbound', line));
    }
    for (const line of tcpLines(tcpOutboundBySource)) {
      const workload = find(line.labels[SRC_NS], line.labels[SRC]);
      if (!workload) continue;
      const pair = pairOf(line.labels);
      if (tcpReported.has(pair)) continue;
      const dstWorkload = known(line.labels[DST]);
      const peer = {
        ...peerCluster(line.labels, 'destination'),
        ...(known(line.labels[DST_NS])
          ? { namespace: line.labels[DST_NS] }
          : {}),
        workload:
          dstWorkload ??
          known(line.labels.destination_service) ??
          'outside the mesh',
      };
      // Our ztunnel says mutual_tls when it tunnelled the connection over
      // HBONE itself (istio/ztunnel src/proxy/outbound.rs); a sidecar's
      // source reports always say unknown.
      const hbone = line.labels.connection_security_policy === 'mutual_tls';
      traffic.push({
        workload,
        direction: 'outbound',
        ...(hbone
          ? {
              peer: {
                ...peer,
                ...(known(line.labels.destination_principal)
                  ? { identity: line.labels.destination_principal }
                  : {}),
              },
              mtls: true,
            }
          : notSeenAtDestination(line.labels, dstWorkload, undefined, peer)),
        protocol: 'tcp',
        requestsPerSecond: 0,
        tcp: {
          bytesPerSecond: line.bytesPerSecond,
          openConnections: line.openConnections,
        },
      });
    }

    const clientReported: TrafficObservation[] = callersOfUs
      .filter(finite)
      .flatMap(s => {
        const workload = find(s.labels[DST_NS], s.labels[DST]);
        const caller = known(s.labels[SRC]);
        if (!workload || !caller) return [];
        return [
          {
            workload,
            direction: 'inbound' as const,
            peer: {
              ...(known(s.labels[SRC_NS])
                ? { namespace: s.labels[SRC_NS] }
                : {}),
              workload: caller,
            },
            // A caller's sidecar cannot tell: connection_security_policy is
            // "unknown" on every source-reported series.
            mtls: false,
            unverified: true,
            noTlsReason: "reported by the caller's sidecar, which cannot tell",
            reportedBy: 'peer' as const,
            requestsPerSecond: s.value,
          },
        ];
      });

    const observedCallers: ObservedCaller[] = callers
      .filter(finite)
      .flatMap(s => {
        const workload = find(s.labels[DST_NS], s.labels[DST]);
        const identity = known(s.labels.source_principal);
        return workload && identity
          ? [{ workload, identity, count: s.value }]
          : [];
      });

    const decisions = tcpDenied.filter(finite).flatMap(s => {
      const workload = find(s.labels[DST_NS], s.labels[DST]);
      const identity = known(s.labels.source_principal);
      return workload
        ? [
            {
              workload,
              decision: 'deny' as const,
              ...(identity ? { identity } : {}),
              count: s.value,
              protocol: 'tcp' as const,
            },
          ]
        : [];
    });

    const meshCertificates: CertificateStatus[] = [];
    for (const [samples, role, subject] of [
      [rootExpiry, 'root', 'istiod CA root'],
      [chainExpiry, 'issuer', 'istiod CA certificate chain'],
    ] as const) {
      const sample = samples.find(s => Number.isFinite(s.value) && s.value > 0);
      if (sample) {
        meshCertificates.push(
          statusOf(
            { subject, notAfter: new Date(sample.value * 1000) },
            {
              cluster: query.cluster,
              mesh: 'istio',
              role,
              location: `metric citadel_server_${
                role === 'root' ? 'root_cert' : 'cert_chain'
              }_expiry_timestamp`,
              now: at,
            },
          ),
        );
      }
    }

    return {
      traffic,
      callers: observedCallers,
      decisions,
      workloadCertificates: workloadCertificatesOf(
        agentCertificates,
        query.workloads,
        at,
      ),
      meshCertificates,
      workloadHistory: sampleTimesByWorkload(
        history,
        labels =>
          find(labels[DST_NS], labels[DST]) ??
          find(labels[SRC_NS], labels[SRC]),
      ),
      clientReported,
      egressCalls: istioEgressCalls(egress, find),
      gaps: [
        {
          topic: 'denials',
          cluster: query.cluster,
          message:
            'Istio sidecars do not report authorization denials in the standard metrics (ambient ztunnel denials are counted)',
        },
      ],
    };
  }

  async workloadSignals(
    query: SignalsQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadSignals> {
    const asked = { ...options, workloads: query.workloads.length };
    const byName = new Map(
      query.workloads.map(w => [`${w.namespace}/${w.name}`, w]),
    );
    const at = query.at ?? new Date();
    const inbound = query.direction === 'inbound';
    // Inbound as the workload's own proxy reports it (or, for a workload
    // without one, as its callers' sidecars do); outbound as the caller's
    // proxy does (the latency the caller sees).
    const byCallers = inbound && query.observedBy === 'callers';
    const self = inbound ? [DST_NS, DST] : [SRC_NS, SRC];
    const peer = inbound ? [] : [DST_NS, DST, 'destination_service'];
    const matchers = [
      inbound && !byCallers
        ? oneOf('reporter', ['destination', 'waypoint'])
        : eq('reporter', 'source'),
      ...sideOf(
        self[0],
        self[1],
        query.workloads,
        this.scope,
        selectsByName(query.workloads, query),
      ),
    ];
    const by = [...self, ...peer];
    const requests = (w: string, labels: string[]) =>
      this.sumBy(
        [...labels, 'response_code', 'grpc_response_status'],
        rate(selector('istio_requests_total', matchers), w),
      );
    const histogram = (metric: string, w: string, labels: string[]) =>
      this.sumBy([...labels, 'le'], rate(selector(metric, matchers), w));

    const windowSeconds = durationSeconds(query.window);
    const range = query.series
      ? (() => {
          const steps = stepsOf(at, windowSeconds, query.series.stepSeconds);
          return {
            start: new Date(steps[0] * 1000),
            end: new Date(steps[steps.length - 1] * 1000),
            step: query.series.stepSeconds,
            rateWindow: query.series.rateWindow,
          };
        })()
      : undefined;
    const [
      codes,
      latency,
      requestSizes,
      responseSizes,
      seriesCodes,
      seriesLatency,
    ] = await Promise.all([
      this.prometheus.query(requests(query.window, by), at, asked),
      this.prometheus.query(
        histogram(
          'istio_request_duration_milliseconds_bucket',
          query.window,
          by,
        ),
        at,
        asked,
      ),
      this.prometheus.query(
        histogram('istio_request_bytes_bucket', query.window, by),
        at,
        asked,
      ),
      this.prometheus.query(
        histogram('istio_response_bytes_bucket', query.window, by),
        at,
        asked,
      ),
      range
        ? this.prometheus.queryRange(
            requests(range.rateWindow, self),
            range.start,
            range.end,
            range.step,
            asked,
          )
        : Promise.resolve([] as PromSeries[]),
      range
        ? this.prometheus.queryRange(
            histogram(
              'istio_request_duration_milliseconds_bucket',
              range.rateWindow,
              self,
            ),
            range.start,
            range.end,
            range.step,
            asked,
          )
        : Promise.resolve([] as PromSeries[]),
    ]);

    const keyOf = (labels: Record<string, string>) => {
      const workload = byName.get(`${labels[self[0]]}/${labels[self[1]]}`);
      if (!workload) return undefined;
      if (inbound)
        return { workload, key: `${workload.namespace}/${workload.name}` };
      const peerNs = known(labels[DST_NS]);
      const peerName = known(labels[DST]) ?? known(labels.destination_service);
      return {
        workload,
        peer: {
          ...(peerNs ? { namespace: peerNs } : {}),
          ...(peerName ? { workload: peerName } : {}),
        },
        key: `${workload.namespace}/${workload.name}->${peerNs ?? ''}/${
          peerName ?? ''
        }`,
      };
    };
    const { summaries, summaryOf } = summaryTable(keyOf, () => ({
      requestBytesBuckets: [],
      responseBytesBuckets: [],
    }));
    for (const s of codes) {
      if (!Number.isFinite(s.value) || s.value <= 0) continue;
      const entry = summaryOf(s.labels);
      if (!entry) continue;
      entry.requestsPerSecond += s.value;
      const failure = istioFailure(s.labels);
      if (failure) {
        entry.failuresPerSecond += s.value;
        entry.errors.push({ ...failure, requestsPerSecond: s.value });
      }
    }
    for (const [samples, field] of [
      [latency, 'latencyBuckets'],
      [requestSizes, 'requestBytesBuckets'],
      [responseSizes, 'responseBytesBuckets'],
    ] as const) {
      for (const s of samples) {
        const le = leOf(s.labels);
        if (le === undefined || !Number.isFinite(s.value)) continue;
        summaryOf(s.labels)?.[field]?.push({ le, rate: s.value });
      }
    }
    for (const entry of summaries.values()) {
      entry.latencyBuckets.sort((a, b) => a.le - b.le);
      for (const field of [
        'requestBytesBuckets',
        'responseBytesBuckets',
      ] as const) {
        if (!entry[field]?.length) delete entry[field];
        else entry[field]!.sort((a, b) => a.le - b.le);
      }
    }

    const series = new Map<
      string,
      { workload: WorkloadRef; points: Map<number, TrafficSignalsPoint> }
    >();
    const pointOf = (labels: Record<string, string>, t: number) => {
      const workload = byName.get(`${labels[self[0]]}/${labels[self[1]]}`);
      if (!workload) return undefined;
      const k = `${workload.namespace}/${workload.name}`;
      let entry = series.get(k);
      if (!entry) {
        entry = { workload, points: new Map() };
        series.set(k, entry);
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
    for (const [t, samples] of samplesByStep(seriesCodes)) {
      for (const s of samples) {
        if (!Number.isFinite(s.value) || s.value <= 0) continue;
        const point = pointOf(s.labels, t);
        if (!point) continue;
        point.requestsPerSecond += s.value;
        if (istioFailure(s.labels)) point.failuresPerSecond += s.value;
      }
    }
    for (const [t, samples] of samplesByStep(seriesLatency)) {
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
          title: 'Requests by response code',
          promql: requests(query.window, by),
        },
        {
          title: 'Latency buckets',
          promql: histogram(
            'istio_request_duration_milliseconds_bucket',
            query.window,
            by,
          ),
        },
      ],
    };
  }
}
