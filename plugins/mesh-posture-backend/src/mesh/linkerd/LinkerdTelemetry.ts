import type {
  CertificateStatus,
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
  PrometheusClient,
  PromSample,
  PromSeries,
} from '../../prometheus/PrometheusClient';
import {
  durationSeconds,
  leOf,
  samplesByStep,
  stepsOf,
  summaryTable,
} from '../signalParts';
import {
  earliestSampleTime,
  eq,
  increase,
  minBy,
  oneOf,
  or,
  rate,
  selector,
  sumBy,
} from '../../prometheus/promql';
import { historyByNamespace } from '../history';
import { statusOf } from '../certificates';

/**
 * Label names on Linkerd proxy metrics that Prometheus relabelling adds.
 * linkerd-viz turns the pod label `linkerd.io/proxy-deployment=x` into
 * `deployment="x"`, and so on per kind; other scrape setups may differ.
 */
export interface LinkerdMetricLabels {
  namespace: string;
  workloads: Partial<Record<WorkloadKind, string>>;
}

export const LINKERD_VIZ_LABELS: LinkerdMetricLabels = {
  namespace: 'namespace',
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

/** Destination metadata the proxy itself adds to outbound series. */
const DST_KIND_LABELS: Partial<Record<WorkloadKind, string>> = {
  Deployment: 'dst_deployment',
  StatefulSet: 'dst_statefulset',
  DaemonSet: 'dst_daemonset',
  Job: 'dst_k8s_job',
  CronJob: 'dst_cronjob',
  ReplicaSet: 'dst_replicaset',
};

function key(w: { namespace: string; kind: string; name: string }): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

function finite(s: PromSample): boolean {
  return Number.isFinite(s.value) && s.value > 0;
}

/** `sa.ns.serviceaccount.identity.linkerd.<domain>` → its namespace and account. */
function parseIdentity(
  id: string,
): { serviceAccount: string; namespace: string } | undefined {
  const m = /^([^.]+)\.([^.]+)\.serviceaccount\.identity\.linkerd\./.exec(id);
  return m ? { serviceAccount: m[1], namespace: m[2] } : undefined;
}

/**
 * Linkerd telemetry from Prometheus: traffic and mTLS from `request_total`,
 * callers by `client_id`, refusals from the authorization deny counters, and
 * workload certificate expiry from `control_identity_cert_expiration_timestamp_seconds`
 * (or its former name), issuer expiry from `issuer_cert_ttl_seconds`.
 * One query of each kind serves every workload of the cluster.
 */
export class LinkerdTelemetry implements MeshTelemetrySource {
  private readonly prometheus: PrometheusClient;
  private readonly labels: LinkerdMetricLabels;

  constructor(options: {
    prometheus: PrometheusClient;
    labels?: LinkerdMetricLabels;
  }) {
    this.prometheus = options.prometheus;
    this.labels = options.labels ?? LINKERD_VIZ_LABELS;
  }

  private kindLabels(): Array<[WorkloadKind, string]> {
    return KIND_ORDER.flatMap(kind => {
      const label = kind === 'Pod' ? undefined : this.labels.workloads[kind];
      return label ? [[kind, label] as [WorkloadKind, string]] : [];
    });
  }

  /** The workload a series belongs to, by the first kind label it carries. */
  private workloadOf(
    labels: Record<string, string>,
    wanted: Map<string, WorkloadRef>,
  ): WorkloadRef | undefined {
    const namespace = labels[this.labels.namespace];
    if (!namespace) return undefined;
    for (const [kind, label] of this.kindLabels()) {
      const name = labels[label];
      if (name) {
        return wanted.get(key({ namespace, kind, name }));
      }
    }
    return undefined;
  }

  async workloadTelemetry(
    query: TelemetryQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadTelemetry> {
    const wanted = new Map(query.workloads.map(w => [key(w), w]));
    const namespaces = [...new Set(query.workloads.map(w => w.namespace))];
    const at = query.at ?? new Date();
    const ns = this.labels.namespace;
    const kinds = this.kindLabels().map(([, l]) => l);
    const dstKinds = Object.values(DST_KIND_LABELS) as string[];
    const inOurNamespaces = oneOf(ns, namespaces);
    const q = (promql: string) => this.prometheus.query(promql, at, options);

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
    ] = await Promise.all([
      q(
        sumBy(
          [ns, ...kinds, 'tls', 'client_id', 'no_tls_reason'],
          rate(
            selector('request_total', [
              eq('direction', 'inbound'),
              inOurNamespaces,
            ]),
            query.window,
          ),
        ),
      ),
      q(
        sumBy(
          [
            ns,
            ...kinds,
            'dst_namespace',
            ...dstKinds,
            'tls',
            'server_id',
            'no_tls_reason',
          ],
          rate(
            selector('request_total', [
              eq('direction', 'outbound'),
              inOurNamespaces,
            ]),
            query.window,
          ),
        ),
      ),
      q(
        sumBy(
          [ns, ...kinds, 'dst_namespace', ...dstKinds],
          rate(
            selector('request_total', [
              eq('direction', 'outbound'),
              oneOf('dst_namespace', namespaces),
            ]),
            query.window,
          ),
        ),
      ),
      q(
        sumBy(
          [ns, ...kinds, 'client_id'],
          increase(
            selector('request_total', [
              eq('direction', 'inbound'),
              eq('tls', 'true'),
              inOurNamespaces,
            ]),
            query.callerWindow,
          ),
        ),
      ),
      q(
        sumBy(
          [
            ns,
            ...kinds,
            'srv_kind',
            'srv_name',
            'route_kind',
            'route_name',
            'client_id',
          ],
          increase(
            selector('inbound_http_authz_deny_total', [inOurNamespaces]),
            query.callerWindow,
          ),
        ),
      ),
      q(
        sumBy(
          [ns, ...kinds, 'srv_kind', 'srv_name', 'client_id'],
          increase(
            selector('inbound_tcp_authz_deny_total', [inOurNamespaces]),
            query.callerWindow,
          ),
        ),
      ),
      // Renamed with a control_ prefix in proxy v2.227 (edge-24.4): ask for both.
      q(
        minBy(
          [ns, ...kinds],
          or(
            selector('control_identity_cert_expiration_timestamp_seconds', [
              inOurNamespaces,
            ]),
            selector('identity_cert_expiration_timestamp_seconds', [
              inOurNamespaces,
            ]),
          ),
        ),
      ),
      // The identity controller's issuer certificate (edge-25.2 and later).
      q(minBy(['component'], selector('issuer_cert_ttl_seconds', []))),
      q(
        earliestSampleTime(
          `count by (${ns}) (${selector('request_total', [
            eq('direction', 'inbound'),
            inOurNamespaces,
          ])})`,
          query.callerWindow,
        ),
      ),
    ]);

    // Who calls each of our workloads, seen from the callers' proxies: used
    // to put a workload name on an inbound identity.
    const callerWorkloads = new Map<
      string,
      Array<{ namespace: string; name: string }>
    >();
    for (const s of callersOfUs.filter(finite)) {
      const dstNs = s.labels.dst_namespace;
      const dstName = dstKinds.map(l => s.labels[l]).find(Boolean);
      const callerName = kinds.map(l => s.labels[l]).find(Boolean);
      if (!dstNs || !dstName || !callerName || !s.labels[ns]) continue;
      const list = callerWorkloads.get(`${dstNs}/${dstName}`) ?? [];
      list.push({ namespace: s.labels[ns], name: callerName });
      callerWorkloads.set(`${dstNs}/${dstName}`, list);
    }

    const traffic: TrafficObservation[] = [];
    for (const s of inbound.filter(finite)) {
      const workload = this.workloadOf(s.labels, wanted);
      if (!workload) continue;
      const mtls = s.labels.tls === 'true';
      const identity = mtls ? s.labels.client_id || undefined : undefined;
      const peer: TrafficObservation['peer'] = identity ? { identity } : {};
      const parsed = identity ? parseIdentity(identity) : undefined;
      if (parsed) {
        const candidates = (
          callerWorkloads.get(`${workload.namespace}/${workload.name}`) ?? []
        ).filter(c => c.namespace === parsed.namespace);
        const named =
          candidates.find(c => c.name === parsed.serviceAccount) ??
          (candidates.length === 1 ? candidates[0] : undefined);
        peer.namespace = parsed.namespace;
        if (named) peer.workload = named.name;
      }
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
        requestsPerSecond: s.value,
      });
    }
    for (const s of outbound.filter(finite)) {
      const workload = this.workloadOf(s.labels, wanted);
      if (!workload) continue;
      const mtls = s.labels.tls === 'true';
      const dstName = dstKinds.map(l => s.labels[l]).find(Boolean);
      traffic.push({
        workload,
        direction: 'outbound',
        peer: {
          ...(s.labels.dst_namespace
            ? { namespace: s.labels.dst_namespace }
            : {}),
          ...(dstName ? { workload: dstName } : {}),
          ...(mtls && s.labels.server_id
            ? { identity: s.labels.server_id }
            : {}),
        },
        mtls,
        ...(mtls
          ? {}
          : {
              noTlsReason: s.labels.no_tls_reason || s.labels.tls || 'unknown',
            }),
        requestsPerSecond: s.value,
      });
    }

    const observedCallers: ObservedCaller[] = [];
    for (const s of callers.filter(finite)) {
      const workload = this.workloadOf(s.labels, wanted);
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
        const workload = this.workloadOf(s.labels, wanted);
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

    const workloadCertificates = certs
      .filter(s => Number.isFinite(s.value) && s.value > 0)
      .flatMap(s => {
        const workload = this.workloadOf(s.labels, wanted);
        return workload
          ? [{ workload, notAfter: new Date(s.value * 1000) }]
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
            location: 'metric issuer_cert_ttl_seconds (identity controller)',
            now: at,
          },
        ),
      );
    }

    const { earliest, byNamespace } = historyByNamespace(history, ns);
    return {
      traffic,
      callers: observedCallers,
      decisions,
      workloadCertificates,
      meshCertificates,
      ...(earliest ? { historyFrom: earliest } : {}),
      historyFromByNamespace: byNamespace,
      gaps: [],
    };
  }

  /** The workload and, outbound, the dependency a series is about. */
  private signalKey(
    labels: Record<string, string>,
    wanted: Map<string, WorkloadRef>,
    direction: 'inbound' | 'outbound',
  ):
    | {
        workload: WorkloadRef;
        peer?: { namespace?: string; workload?: string };
        key: string;
      }
    | undefined {
    const workload = this.workloadOf(labels, wanted);
    if (!workload) return undefined;
    if (direction === 'inbound') {
      return { workload, key: key(workload) };
    }
    const dstNs = labels.dst_namespace || undefined;
    const dstName = (Object.values(DST_KIND_LABELS) as string[])
      .map(l => labels[l])
      .find(Boolean);
    return {
      workload,
      peer: {
        ...(dstNs ? { namespace: dstNs } : {}),
        ...(dstName ? { workload: dstName } : {}),
      },
      key: `${key(workload)}->${dstNs ?? ''}/${dstName ?? ''}`,
    };
  }

  async workloadSignals(
    query: SignalsQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadSignals> {
    const wanted = new Map(query.workloads.map(w => [key(w), w]));
    const namespaces = [...new Set(query.workloads.map(w => w.namespace))];
    const at = query.at ?? new Date();
    const ns = this.labels.namespace;
    const kinds = this.kindLabels().map(([, l]) => l);
    const dst =
      query.direction === 'outbound'
        ? ['dst_namespace', ...(Object.values(DST_KIND_LABELS) as string[])]
        : [];
    const matchers = [eq('direction', query.direction), oneOf(ns, namespaces)];
    const by = [ns, ...kinds, ...dst];
    const responses = (w: string) =>
      sumBy(
        [...by, 'classification'],
        rate(selector('response_total', matchers), w),
      );
    const latency = (w: string) =>
      sumBy(
        [...by, 'le'],
        rate(selector('response_latency_ms_bucket', matchers), w),
      );
    const errors = sumBy(
      [...by, 'status_code', 'grpc_status'],
      rate(
        selector('response_total', [
          ...matchers,
          eq('classification', 'failure'),
        ]),
        query.window,
      ),
    );

    const [byClass, buckets, failures, seriesClass, seriesBuckets] =
      await Promise.all([
        this.prometheus.query(responses(query.window), at, options),
        this.prometheus.query(latency(query.window), at, options),
        this.prometheus.query(errors, at, options),
        ...(query.series
          ? (() => {
              const windowSeconds = durationSeconds(query.window);
              const step = query.series.stepSeconds;
              const steps = stepsOf(at, windowSeconds, step);
              const start = new Date(steps[0] * 1000);
              const end = new Date(steps[steps.length - 1] * 1000);
              // Inbound series per workload; outbound summed over dependencies.
              const seriesBy = [ns, ...kinds];
              return [
                this.prometheus.queryRange(
                  sumBy(
                    [...seriesBy, 'classification'],
                    rate(
                      selector('response_total', matchers),
                      query.series.rateWindow,
                    ),
                  ),
                  start,
                  end,
                  step,
                  options,
                ),
                this.prometheus.queryRange(
                  sumBy(
                    [...seriesBy, 'le'],
                    rate(
                      selector('response_latency_ms_bucket', matchers),
                      query.series.rateWindow,
                    ),
                  ),
                  start,
                  end,
                  step,
                  options,
                ),
              ];
            })()
          : [Promise.resolve([]), Promise.resolve([])]),
      ]);

    const { summaries, summaryOf } = summaryTable(labels =>
      this.signalKey(labels, wanted, query.direction),
    );
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
      const workload = this.workloadOf(labels, wanted);
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
