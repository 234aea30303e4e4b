#!/usr/bin/env node
/*
 * Generates Prometheus series with known ground truth, as OpenMetrics text
 * for `promtool tsdb create-blocks-from openmetrics`. The tests backfill a
 * real Prometheus with these datasets and compare what Mesh Posture reads
 * back with the truth returned alongside.
 *
 *   node scripts/prometheus-fixtures.js <out-dir> [end-unix-seconds]
 *
 * writes <dataset>.om and <dataset>.truth.json for every dataset.
 *
 * Counters grow linearly at the stated rate, sampled every 15 s (a scrape
 * interval), so rate() over any window inside the data returns the rate
 * exactly.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const {
  labelText,
  manyServicesOpenMetrics,
  namespaceOf,
} = require('./many-services-dataset');

const STEP_SECONDS = 15;
const DURATION_SECONDS = 2 * 3600;

/**
 * Collects series and writes them as one OpenMetrics document, grouped by
 * metric family as the format requires.
 */
class OpenMetricsWriter {
  /**
   * `end` is the last sample. Every series has dense samples (every 15 s)
   * over the last two hours; with `historySeconds`, series may reach back
   * further, sampled every `historyStep` seconds before that.
   */
  constructor(end, { historySeconds = 0, historyStep = 300 } = {}) {
    this.end = Math.floor(end / STEP_SECONDS) * STEP_SECONDS;
    this.start = this.end - DURATION_SECONDS;
    this.historyStart = this.start - historySeconds;
    this.historyStep = historyStep;
    this.families = new Map();
  }

  family(name, type) {
    if (!this.families.has(name)) this.families.set(name, { type, lines: [] });
    return this.families.get(name);
  }

  /**
   * The sample times of a series that began `since` seconds before the
   * end (default: as far back as the data goes), oldest first.
   */
  times(since) {
    const first = Math.max(
      this.historyStart,
      since === undefined ? this.historyStart : this.end - since,
    );
    const out = [];
    let t = first;
    for (; t < this.start; t += this.historyStep) out.push(t);
    t = Math.max(this.start, Math.ceil(t / STEP_SECONDS) * STEP_SECONDS);
    if (first >= this.start) t = first;
    for (; t <= this.end; t += STEP_SECONDS) out.push(t);
    return out;
  }

  /**
   * A counter `<name>_total` growing at `ratePerSecond` from `initial` (a
   * proxy creates its counters at their first event, so one born with an
   * event starts at 1).
   */
  counter(name, labels, ratePerSecond, { since, initial = 0 } = {}) {
    const f = this.family(name, 'counter');
    const text = labelText(labels);
    const times = this.times(since);
    for (const t of times) {
      f.lines.push([
        t,
        `${name}_total{${text}} ${
          initial + ratePerSecond * (t - times[0])
        } ${t}`,
      ]);
    }
  }

  /**
   * A counter that restarts from zero `restartAfter` seconds into the data,
   * just after a scrape, as a restarted proxy's counters do. Prometheus's
   * rate() must see through it.
   */
  counterWithRestart(name, labels, ratePerSecond, restartAfter) {
    const f = this.family(name, 'counter');
    const text = labelText(labels);
    const restart =
      this.start + Math.floor(restartAfter / STEP_SECONDS) * STEP_SECONDS;
    for (let t = this.start; t <= this.end; t += STEP_SECONDS) {
      const value =
        t <= restart
          ? ratePerSecond * (t - this.start)
          : ratePerSecond * (t - restart);
      f.lines.push([t, `${name}_total{${text}} ${value} ${t}`]);
    }
  }

  /** A gauge holding `value` throughout. */
  gauge(name, labels, value, { since } = {}) {
    const f = this.family(name, 'gauge');
    const text = labelText(labels);
    for (const t of this.times(since)) {
      f.lines.push([t, `${name}{${text}} ${value} ${t}`]);
    }
  }

  /**
   * A classic histogram `<name>_bucket|_sum|_count` receiving `ratePerSecond`
   * observations, split across bucket upper bounds by `shares` (which sum to
   * 1 and are cumulative-free: the share landing in each bucket).
   */
  histogram(
    name,
    labels,
    ratePerSecond,
    bounds,
    shares,
    meanValue,
    { since } = {},
  ) {
    const f = this.family(name, 'histogram');
    let cumulative = 0;
    const cumulativeShares = shares.map(s => (cumulative += s));
    const times = this.times(since);
    for (const t of times) {
      const count = ratePerSecond * (t - times[0]);
      bounds.forEach((le, i) => {
        f.lines.push([
          t,
          `${name}_bucket{${labelText({ ...labels, le: String(le) })}} ${
            count * cumulativeShares[i]
          } ${t}`,
        ]);
      });
      f.lines.push([
        t,
        `${name}_bucket{${labelText({ ...labels, le: '+Inf' })}} ${count} ${t}`,
      ]);
      f.lines.push([
        t,
        `${name}_sum{${labelText(labels)}} ${count * meanValue} ${t}`,
      ]);
      f.lines.push([t, `${name}_count{${labelText(labels)}} ${count} ${t}`]);
    }
  }

  toString() {
    const out = [];
    for (const [name, f] of this.families) {
      out.push(`# TYPE ${name} ${f.type}`);
      // Within a family, samples of one series must be in time order; keep
      // each series contiguous by the order they were added.
      for (const [, line] of f.lines) out.push(line);
    }
    out.push('# EOF');
    return `${out.join('\n')}\n`;
  }
}

/**
 * One series per hostile value of the `deployment` label, each with its own
 * rate, so a query for one value can be checked to match only its series.
 */
function hostileDataset(values, end) {
  const w = new OpenMetricsWriter(end);
  const truth = {};
  values.forEach((value, i) => {
    const rate = i + 1;
    w.counter(
      'request',
      { namespace: 'hostile', deployment: value, direction: 'inbound' },
      rate,
    );
    truth[value] = rate;
  });
  return { openMetrics: w.toString(), truth, at: w.end };
}

const LINKERD_TD = 'cluster.local';
const linkerdId = (sa, ns) =>
  `${sa}.${ns}.serviceaccount.identity.linkerd.${LINKERD_TD}`;

/**
 * A Linkerd cluster as linkerd-viz's Prometheus sees it: proxy metrics with
 * `namespace`, `pod` and per-kind workload labels added by relabelling.
 *
 * - web-frontend (web) → payments-api: 12 req/s mTLS, over 2 + 2 pods
 * - notifications (messaging, no proxy) → payments-api: 1.5 req/s plaintext
 * - payments-api → ledger (StatefulSet): 20 req/s mTLS
 * - payments-api → notifications: 0.5 req/s plaintext
 * - fraud-scoring → ledger: 0.2 req/s refused by Server ledger-grpc
 */
function linkerdDataset(end) {
  const w = new OpenMetricsWriter(end);
  const proxy = (ns, kind, name, pod) => ({
    namespace: ns,
    [kind]: name,
    pod,
    control_plane_ns: 'linkerd',
  });
  const web = pods =>
    pods.map(p => proxy('web', 'deployment', 'web-frontend', p));
  const api = [
    'payments-api-7d9f8b6c5-a1b2c',
    'payments-api-7d9f8b6c5-d3e4f',
  ].map(p => proxy('payments', 'deployment', 'payments-api', p));
  const ledger = proxy('payments', 'statefulset', 'ledger', 'ledger-0');
  const fraud = proxy(
    'payments',
    'deployment',
    'fraud-scoring',
    'fraud-scoring-5c6d7-x9y8z',
  );

  // web-frontend → payments-api, 12 req/s, each of 2 caller pods to each of 2 callee pods.
  for (const from of web([
    'web-frontend-6b7c8-aaaaa',
    'web-frontend-6b7c8-bbbbb',
  ])) {
    w.counter(
      'request',
      {
        ...from,
        direction: 'outbound',
        tls: 'true',
        server_id: linkerdId('payments-api', 'payments'),
        dst_namespace: 'payments',
        dst_deployment: 'payments-api',
        dst_serviceaccount: 'payments-api',
        authority: 'payments-api.payments.svc.cluster.local:8080',
      },
      6,
    );
  }
  for (const to of api) {
    w.counter(
      'request',
      {
        ...to,
        direction: 'inbound',
        tls: 'true',
        client_id: linkerdId('web-frontend', 'web'),
        authority: 'payments-api.payments.svc.cluster.local:8080',
      },
      6,
    );
    // notifications has no proxy: the callee sees plaintext without identity.
    w.counter(
      'request',
      {
        ...to,
        direction: 'inbound',
        tls: 'no_identity',
        no_tls_reason: 'no_tls_from_remote',
        authority: 'payments-api.payments.svc.cluster.local:8080',
      },
      0.75,
    );
    // payments-api → ledger, 20 req/s, 10 from each pod.
    w.counter(
      'request',
      {
        ...to,
        direction: 'outbound',
        tls: 'true',
        server_id: linkerdId('ledger', 'payments'),
        dst_namespace: 'payments',
        dst_statefulset: 'ledger',
        dst_serviceaccount: 'ledger',
      },
      10,
    );
    // payments-api → notifications, 0.5 req/s, plaintext.
    w.counter(
      'request',
      {
        ...to,
        direction: 'outbound',
        tls: 'no_identity',
        no_tls_reason: 'not_provided_by_service_discovery',
        dst_namespace: 'messaging',
        dst_deployment: 'notifications',
      },
      0.25,
    );
  }
  w.counter(
    'request',
    {
      ...ledger,
      direction: 'inbound',
      tls: 'true',
      client_id: linkerdId('payments-api', 'payments'),
    },
    20,
  );
  // fraud-scoring tries ledger and is refused.
  w.counter(
    'inbound_http_authz_deny',
    {
      ...ledger,
      target_addr: '10.42.0.17:9090',
      srv_group: 'policy.linkerd.io',
      srv_kind: 'server',
      srv_name: 'ledger-grpc',
      route_group: '',
      route_kind: 'default',
      route_name: 'default',
      tls: 'true',
      client_id: linkerdId('fraud-scoring', 'payments'),
    },
    0.2,
  );
  w.counter(
    'request',
    {
      ...fraud,
      direction: 'outbound',
      tls: 'true',
      server_id: linkerdId('ledger', 'payments'),
      dst_namespace: 'payments',
      dst_statefulset: 'ledger',
      dst_serviceaccount: 'ledger',
    },
    0.2,
  );
  // What the callers' proxies saw of their answers (response_total, its
  // labels in linkerd2-proxy linkerd/app/core/src/metrics.rs). The refused
  // gRPC calls come back as HTTP 200 with grpc-status 7 (linkerd/app/core/
  // src/errors/respond.rs permission_denied). fraud-scoring is a Flagger
  // canary: its primary runs under the same service account, so the same
  // identity, and its calls to ledger are answered.
  const answers = (from, to, labels, ratePerSecond) =>
    w.counter(
      'response',
      {
        ...from,
        direction: 'outbound',
        tls: 'true',
        server_id: linkerdId('ledger', 'payments'),
        dst_namespace: 'payments',
        dst_statefulset: to,
        dst_serviceaccount: to,
        error: '',
        ...labels,
      },
      ratePerSecond,
    );
  answers(
    fraud,
    'ledger',
    { status_code: '200', classification: 'failure', grpc_status: '7' },
    0.2,
  );
  answers(
    proxy(
      'payments',
      'deployment',
      'fraud-scoring-primary',
      'fraud-scoring-primary-6f7a8-k2l3m',
    ),
    'ledger',
    { status_code: '200', classification: 'success', grpc_status: '0' },
    0.5,
  );
  // payments-api's own 403s from ledger are the application's (its
  // identity is not denied): not a refusal.
  answers(
    api[0],
    'ledger',
    { status_code: '403', classification: 'success', grpc_status: '' },
    0.1,
  );
  // Workload certificates: the soonest of payments-api's proxies expires in
  // 20 h. One proxy is older and still uses the metric's former name.
  w.gauge(
    'control_identity_cert_expiration_timestamp_seconds',
    api[0],
    w.end + 20 * 3600,
  );
  w.gauge(
    'identity_cert_expiration_timestamp_seconds',
    api[1],
    w.end + 23 * 3600,
  );
  w.gauge(
    'control_identity_cert_expiration_timestamp_seconds',
    ledger,
    w.end + 22 * 3600,
  );
  // payments-api's calls out of the cluster, as linkerd2-proxy's route
  // metrics label them (linkerd/linkerd2-proxy linkerd/app/outbound/src/
  // metrics.rs; the examples of linkerd/website tasks/managing-egress-
  // traffic.md): one declared by an HTTPRoute on an EgressNetwork, one
  // through its default allow route, a TLS host its deny route refuses, and
  // a TCP address no EgressNetwork covers (the controller's egress-fallback,
  // linkerd/linkerd2 policy-controller/grpc/src/outbound.rs). A call to a
  // Service in the cluster has a Service parent: not egress.
  const egressNetwork = {
    parent_group: 'policy.linkerd.io',
    parent_kind: 'EgressNetwork',
    parent_namespace: 'linkerd-egress',
    parent_name: 'all-egress-traffic',
    parent_section_name: '',
  };
  w.counter(
    'outbound_http_route_request_statuses',
    {
      ...api[0],
      ...egressNetwork,
      parent_port: '80',
      route_group: 'gateway.networking.k8s.io',
      route_kind: 'HTTPRoute',
      route_namespace: 'linkerd-egress',
      route_name: 'httpbin-get',
      hostname: 'httpbin.org',
      http_status: '200',
      error: '',
    },
    0.5,
  );
  w.counter(
    'outbound_http_route_request_statuses',
    {
      ...api[0],
      ...egressNetwork,
      parent_port: '80',
      route_group: '',
      route_kind: 'default',
      route_namespace: '',
      route_name: 'http-egress-allow',
      hostname: 'example.org',
      http_status: '200',
      error: '',
    },
    0.2,
  );
  w.counter(
    'outbound_tls_route_open',
    {
      ...api[0],
      ...egressNetwork,
      parent_port: '443',
      route_group: '',
      route_kind: 'default',
      route_namespace: '',
      route_name: 'tls-egress-deny',
      hostname: 'github.com',
    },
    0.1,
  );
  w.counter(
    'outbound_tcp_route_open',
    {
      ...api[0],
      parent_group: '',
      parent_kind: 'default',
      parent_namespace: '',
      parent_name: 'egress-fallback',
      parent_port: '5432',
      parent_section_name: '',
      route_group: '',
      route_kind: 'default',
      route_namespace: '',
      route_name: 'egress-fallback',
    },
    0.05,
  );
  w.counter(
    'outbound_http_route_request_statuses',
    {
      ...api[0],
      parent_group: 'core',
      parent_kind: 'Service',
      parent_namespace: 'payments',
      parent_name: 'ledger',
      parent_port: '8080',
      parent_section_name: '',
      route_group: '',
      route_kind: 'default',
      route_namespace: '',
      route_name: 'http',
      hostname: 'ledger.payments.svc.cluster.local',
      http_status: '200',
      error: '',
    },
    20,
  );

  // The identity controller's issuer: 150 days left at the end of the data.
  const issuerTtlAtEnd = 150 * 86400;
  const ttl = w.family('issuer_cert_ttl_seconds', 'gauge');
  for (let t = w.start; t <= w.end; t += STEP_SECONDS) {
    ttl.lines.push([
      t,
      `issuer_cert_ttl_seconds{component="identity",namespace="linkerd",pod="linkerd-identity-5f9b8-qwert"} ${
        issuerTtlAtEnd + (w.end - t)
      } ${t}`,
    ]);
  }

  const window = DURATION_SECONDS;
  return {
    openMetrics: w.toString(),
    at: w.end,
    start: w.start,
    truth: {
      'payments-api': {
        inbound: [
          {
            identity: linkerdId('web-frontend', 'web'),
            namespace: 'web',
            workload: 'web-frontend',
            mtls: true,
            rps: 12,
          },
          { mtls: false, reason: 'no_tls_from_remote', rps: 1.5 },
        ],
        outbound: [
          {
            namespace: 'payments',
            workload: 'ledger',
            identity: linkerdId('ledger', 'payments'),
            mtls: true,
            rps: 20,
          },
          {
            namespace: 'messaging',
            workload: 'notifications',
            mtls: false,
            reason: 'not_provided_by_service_discovery',
            rps: 0.5,
          },
        ],
        inboundMtlsShare: 12 / 13.5,
        outboundMtlsShare: 20 / 20.5,
        callers: { [linkerdId('web-frontend', 'web')]: 12 * window },
        certificateNotAfter: w.end + 20 * 3600,
        // Over a 5m window.
        egress: [
          {
            host: 'httpbin.org',
            port: '80',
            protocol: 'http',
            route: 'declared',
            count: 0.5 * 300,
          },
          {
            host: 'example.org',
            port: '80',
            protocol: 'http',
            route: 'passthrough',
            count: 0.2 * 300,
          },
          {
            host: 'github.com',
            port: '443',
            protocol: 'tls',
            route: 'blocked',
            count: 0.1 * 300,
          },
          {
            port: '5432',
            protocol: 'tcp',
            route: 'passthrough',
            count: 0.05 * 300,
          },
        ],
      },
      ledger: {
        inbound: [
          {
            identity: linkerdId('payments-api', 'payments'),
            namespace: 'payments',
            workload: 'payments-api',
            mtls: true,
            rps: 20,
          },
        ],
        denied: [
          {
            identity: linkerdId('fraud-scoring', 'payments'),
            server: 'server/ledger-grpc',
            count: 0.2 * window,
          },
        ],
        refusedCalls: [
          {
            caller: 'fraud-scoring',
            identity: linkerdId('fraud-scoring', 'payments'),
            policy: 'server/ledger-grpc',
            protocol: 'grpc',
            count: 0.2 * window,
          },
        ],
        callers: { [linkerdId('payments-api', 'payments')]: 20 * window },
        certificateNotAfter: w.end + 22 * 3600,
      },
      issuerNotAfter: w.end + issuerTtlAtEnd,
    },
  };
}

const spiffe = (sa, ns) => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;

/**
 * An Istio cluster (sidecars), with Istio's standard metrics:
 * - istio-ingressgateway → card-issuing: 6 req/s mTLS
 * - legacy-batch (no sidecar) → card-issuing: 0.5 req/s plaintext
 * - card-issuing → card-vault: 6 req/s mTLS
 * - card-issuing → api.cardnetwork.example (outside the mesh): 1 req/s
 * - istiod: root certificate expires in 30 days, chain in 200 days
 */
function istioDataset(end) {
  const w = new OpenMetricsWriter(end);
  const base = {
    request_protocol: 'http',
    response_code: '200',
    response_flags: '-',
    grpc_response_status: '',
  };
  const edge = (
    reporter,
    src,
    srcNs,
    srcPrincipal,
    dst,
    dstNs,
    dstPrincipal,
    policy,
    rate,
    extra = {},
  ) =>
    w.counter(
      'istio_requests',
      {
        ...base,
        reporter,
        source_workload: src,
        source_workload_namespace: srcNs,
        source_principal: srcPrincipal,
        source_canonical_service: src,
        source_app: src,
        destination_workload: dst,
        destination_workload_namespace: dstNs,
        destination_principal: dstPrincipal,
        destination_service: `${dst}.${dstNs}.svc.cluster.local`,
        destination_canonical_service: dst,
        connection_security_policy: policy,
        ...extra,
      },
      rate,
    );
  const gw = spiffe('istio-ingressgateway-service-account', 'istio-system');
  const issuing = spiffe('card-issuing', 'cards');
  const vault = spiffe('card-vault', 'cards');
  // Each request appears once per reporting proxy; only the destination knows the policy.
  edge(
    'destination',
    'istio-ingressgateway',
    'istio-system',
    gw,
    'card-issuing',
    'cards',
    issuing,
    'mutual_tls',
    6,
  );
  edge(
    'source',
    'istio-ingressgateway',
    'istio-system',
    gw,
    'card-issuing',
    'cards',
    issuing,
    'unknown',
    6,
  );
  edge(
    'destination',
    'legacy-batch',
    'batch',
    'unknown',
    'card-issuing',
    'cards',
    'unknown',
    'none',
    0.5,
  );
  edge(
    'destination',
    'card-issuing',
    'cards',
    issuing,
    'card-vault',
    'cards',
    vault,
    'mutual_tls',
    6,
  );
  edge(
    'source',
    'card-issuing',
    'cards',
    issuing,
    'card-vault',
    'cards',
    vault,
    'unknown',
    6,
  );
  w.counter(
    'istio_requests',
    {
      ...base,
      reporter: 'source',
      source_workload: 'card-issuing',
      source_workload_namespace: 'cards',
      source_principal: issuing,
      destination_workload: 'unknown',
      destination_workload_namespace: 'unknown',
      destination_principal: 'unknown',
      destination_service: 'api.cardnetwork.example',
      destination_service_name: 'api.cardnetwork.example',
      // A ServiceEntry's host, in the ServiceEntry's namespace (istio/istio
      // pilot/pkg/serviceregistry/serviceentry/conversion.go).
      destination_service_namespace: 'cards',
      connection_security_policy: 'unknown',
    },
    1,
  );
  // Undeclared calls out (istio/proxy istio_stats.cc populatePeerInfo): an
  // HTTP request let through by ALLOW_ANY keeps its Host header; a TCP
  // connection to the catch-all names no host. With REGISTRY_ONLY, refused
  // at BlackHoleCluster (istio/istio pilot/pkg/networking/util/util.go).
  const undeclared = {
    reporter: 'source',
    source_workload: 'card-issuing',
    source_workload_namespace: 'cards',
    source_principal: issuing,
    destination_workload: 'unknown',
    destination_workload_namespace: 'unknown',
    destination_principal: 'unknown',
    destination_service_namespace: 'unknown',
    connection_security_policy: 'unknown',
  };
  w.counter(
    'istio_requests',
    {
      ...base,
      ...undeclared,
      destination_service: 'httpbin.org',
      destination_service_name: 'PassthroughCluster',
    },
    0.2,
  );
  // Through the egress gateway: the sidecar's series name the gateway's
  // service and workload; where it forwards is in the gateway's config.
  w.counter(
    'istio_requests',
    {
      ...base,
      ...undeclared,
      destination_workload: 'istio-egressgateway',
      destination_workload_namespace: 'istio-system',
      destination_service: 'istio-egressgateway.istio-system.svc.cluster.local',
      destination_service_name: 'istio-egressgateway',
      destination_service_namespace: 'istio-system',
    },
    0.3,
  );
  w.counter(
    'istio_tcp_connections_opened',
    {
      ...undeclared,
      request_protocol: 'tcp',
      response_flags: '-',
      destination_service: 'unknown',
      destination_service_name: 'BlackHoleCluster',
    },
    0.1,
  );
  w.gauge(
    'citadel_server_root_cert_expiry_timestamp',
    { app: 'istiod', cluster_id: 'pci' },
    w.end + 30 * 86400,
  );
  w.gauge(
    'citadel_server_cert_chain_expiry_timestamp',
    { app: 'istiod', cluster_id: 'pci' },
    w.end + 200 * 86400,
  );

  const window = DURATION_SECONDS;
  return {
    openMetrics: w.toString(),
    at: w.end,
    start: w.start,
    truth: {
      'card-issuing': {
        inbound: [
          {
            identity: gw,
            namespace: 'istio-system',
            workload: 'istio-ingressgateway',
            mtls: true,
            rps: 6,
          },
          {
            namespace: 'batch',
            workload: 'legacy-batch',
            mtls: false,
            reason: 'connection_security_policy=none',
            rps: 0.5,
          },
        ],
        outbound: [
          {
            identity: vault,
            namespace: 'cards',
            workload: 'card-vault',
            mtls: true,
            rps: 6,
          },
          {
            workload: 'api.cardnetwork.example',
            // No proxy outside the mesh reports it, and the sidecar's TLS
            // origination is not in the metrics: neither mTLS nor plaintext.
            mtls: false,
            unverified:
              'destination outside the mesh: whether the sidecar originates TLS is not in the metrics',
            rps: 1,
          },
          {
            // The egress gateway reports no destination side of its own.
            workload: 'istio-egressgateway',
            namespace: 'istio-system',
            mtls: false,
            unverified:
              'not observed at the destination: it has no sidecar, or its proxy is not scraped by this Prometheus',
            rps: 0.3,
          },
          {
            // Let through undeclared: the Host header names it.
            workload: 'httpbin.org',
            mtls: false,
            unverified:
              'destination outside the mesh: whether the sidecar originates TLS is not in the metrics',
            rps: 0.2,
          },
        ],
        inboundMtlsShare: 6 / 6.5,
        // Over the requests whose security was observed.
        outboundMtlsShare: 1,
        callers: { [gw]: 6 * window },
      },
      rootNotAfter: w.end + 30 * 86400,
      chainNotAfter: w.end + 200 * 86400,
    },
  };
}

const LINKERD_BOUNDS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000,
  4000, 5000, 10000,
];
const ISTIO_BOUNDS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
];

/** Bucket shares over `bounds` from a map of upper bound → share landing in (prev, bound]. */
function sharesOver(bounds, byBound) {
  return bounds.map(b => byBound[b] ?? 0);
}

/**
 * An Istio cluster (sidecars) with a crowded namespace, for the entity
 * page's selection by name: `crowded` services `svc-<i>` in `cards`, the
 * rest in `vault`. Service i is called by service i-1 (wrapping) at
 * (i % 7 + 1) req/s over mTLS, each request reported by both proxies as
 * Istio's standard metrics label them (istio/istio
 * tests/integration/telemetry/stats/prometheus, the labels of istioDataset
 * above); 1% of them fail with 503; the destination records the latency.
 */
function istioCrowdedDataset(end, { services = 34, crowded = 30 } = {}) {
  const w = new OpenMetricsWriter(end);
  const ns = i => (i < crowded ? 'cards' : 'vault');
  const name = i => `svc-${i}`;
  const id = i => spiffe(name(i), ns(i));
  for (let i = 0; i < services; i++) {
    const caller = (i + services - 1) % services;
    const rate = (i % 7) + 1;
    const labels = {
      request_protocol: 'http',
      response_flags: '-',
      grpc_response_status: '',
      source_workload: name(caller),
      source_workload_namespace: ns(caller),
      source_principal: id(caller),
      source_canonical_service: name(caller),
      source_app: name(caller),
      destination_workload: name(i),
      destination_workload_namespace: ns(i),
      destination_principal: id(i),
      destination_service: `${name(i)}.${ns(i)}.svc.cluster.local`,
      destination_canonical_service: name(i),
    };
    for (const reporter of ['destination', 'source']) {
      const policy = reporter === 'destination' ? 'mutual_tls' : 'unknown';
      const edge = { ...labels, reporter, connection_security_policy: policy };
      w.counter(
        'istio_requests',
        { ...edge, response_code: '200' },
        rate * 0.99,
      );
      w.counter(
        'istio_requests',
        { ...edge, response_code: '503' },
        rate * 0.01,
      );
    }
    w.histogram(
      'istio_request_duration_milliseconds',
      {
        ...labels,
        reporter: 'destination',
        connection_security_policy: 'mutual_tls',
      },
      rate,
      ISTIO_BOUNDS,
      sharesOver(ISTIO_BOUNDS, { 50: 0.6, 100: 0.35, 250: 0.05 }),
      55,
    );
  }
  return { openMetrics: w.toString(), at: w.end, start: w.start };
}

/**
 * Golden signals of a Linkerd cluster with known truth:
 * - payments-api inbound: 13.5 req/s over two pods; 0.1 req/s fail with 503
 *   and 0.035 with a gRPC UNAVAILABLE (14); latency shares 50% ≤ 10 ms,
 *   30% ≤ 20, 15% ≤ 50, 4% ≤ 100, 1% ≤ 500 ms;
 * - payments-api → ledger: 20 req/s, 20% ≤ 5 ms, 70% ≤ 10, 10% ≤ 50;
 * - ledger inbound: 20 req/s whose counter restarts mid-data;
 * - fraud-scoring inbound: a series with no traffic at all.
 */
function linkerdSignalsDataset(end) {
  const w = new OpenMetricsWriter(end);
  const pod = p => ({
    namespace: 'payments',
    deployment: 'payments-api',
    pod: p,
  });
  const pods = ['payments-api-7d9f8b6c5-a1b2c', 'payments-api-7d9f8b6c5-d3e4f'];
  const inboundShares = { 10: 0.5, 20: 0.3, 50: 0.15, 100: 0.04, 500: 0.01 };
  for (const p of pods) {
    const labels = { ...pod(p), direction: 'inbound', tls: 'true' };
    w.counter(
      'response',
      { ...labels, classification: 'success', status_code: '200' },
      13.365 / 2,
    );
    w.counter(
      'response',
      { ...labels, classification: 'failure', status_code: '503' },
      0.1 / 2,
    );
    w.counter(
      'response',
      {
        ...labels,
        classification: 'failure',
        status_code: '200',
        grpc_status: '14',
      },
      0.035 / 2,
    );
    w.histogram(
      'response_latency_ms',
      labels,
      13.5 / 2,
      LINKERD_BOUNDS,
      sharesOver(LINKERD_BOUNDS, inboundShares),
      15,
    );
    const out = {
      ...pod(p),
      direction: 'outbound',
      tls: 'true',
      dst_namespace: 'payments',
      dst_statefulset: 'ledger',
    };
    w.counter(
      'response',
      { ...out, classification: 'success', status_code: '200' },
      10,
    );
    w.histogram(
      'response_latency_ms',
      out,
      10,
      LINKERD_BOUNDS,
      sharesOver(LINKERD_BOUNDS, { 5: 0.2, 10: 0.7, 50: 0.1 }),
      8,
    );
  }
  w.counterWithRestart(
    'response',
    {
      namespace: 'payments',
      statefulset: 'ledger',
      pod: 'ledger-0',
      direction: 'inbound',
      tls: 'true',
      classification: 'success',
      status_code: '200',
    },
    20,
    DURATION_SECONDS - 150,
  );
  w.counter(
    'response',
    {
      namespace: 'payments',
      deployment: 'fraud-scoring',
      pod: 'fraud-scoring-1',
      direction: 'inbound',
      tls: 'true',
      classification: 'success',
      status_code: '200',
    },
    0,
  );
  return {
    openMetrics: w.toString(),
    at: w.end,
    start: w.start,
    truth: {
      'payments-api': {
        inbound: {
          requestsPerSecond: 13.5,
          successRate: 13.365 / 13.5,
          errors: [
            { status: '503', protocol: 'http', requestsPerSecond: 0.1 },
            { status: '14', protocol: 'grpc', requestsPerSecond: 0.035 },
          ],
          // The bucket each quantile truly falls in: (lower, upper].
          quantileBuckets: { p50: [5, 10], p95: [20, 50], p99: [50, 100] },
        },
        outbound: {
          ledger: {
            requestsPerSecond: 20,
            successRate: 1,
            quantileBuckets: { p50: [5, 10], p99: [10, 50] },
          },
        },
      },
      ledger: { requestsPerSecond: 20, successRate: 1 },
      'fraud-scoring': { requestsPerSecond: 0 },
    },
  };
}

/**
 * Golden signals of an Istio cluster with known truth: card-issuing serves
 * 6 req/s: 5.9 succeed, 0.06 fail with 503, 0.04 get no response (code 0);
 * latency 60% ≤ 50 ms, 35% ≤ 100, 5% ≤ 250; responses 90% ≤ 1000 bytes.
 */
function istioSignalsDataset(end) {
  const w = new OpenMetricsWriter(end);
  const base = {
    reporter: 'destination',
    destination_workload: 'card-issuing',
    destination_workload_namespace: 'cards',
    source_workload: 'istio-ingressgateway',
    source_workload_namespace: 'istio-system',
    connection_security_policy: 'mutual_tls',
    request_protocol: 'http',
  };
  w.counter(
    'istio_requests',
    { ...base, response_code: '200', grpc_response_status: '' },
    5.9,
  );
  w.counter(
    'istio_requests',
    { ...base, response_code: '503', grpc_response_status: '' },
    0.06,
  );
  w.counter(
    'istio_requests',
    { ...base, response_code: '0', grpc_response_status: '' },
    0.04,
  );
  // 4xx is the caller's fault: not a failure of the service.
  w.counter(
    'istio_requests',
    { ...base, response_code: '404', grpc_response_status: '' },
    0,
  );
  w.histogram(
    'istio_request_duration_milliseconds',
    base,
    6,
    ISTIO_BOUNDS,
    sharesOver(ISTIO_BOUNDS, { 50: 0.6, 100: 0.35, 250: 0.05 }),
    55,
  );
  w.histogram(
    'istio_request_bytes',
    base,
    6,
    [100, 1000, 10000, 100000],
    [0.8, 0.2, 0, 0],
    150,
  );
  w.histogram(
    'istio_response_bytes',
    base,
    6,
    [100, 1000, 10000, 100000],
    [0.1, 0.8, 0.1, 0],
    900,
  );
  return {
    openMetrics: w.toString(),
    at: w.end,
    start: w.start,
    truth: {
      'card-issuing': {
        requestsPerSecond: 6,
        successRate: 5.9 / 6,
        errors: [
          { status: '503', protocol: 'http', requestsPerSecond: 0.06 },
          { status: 'no response', protocol: 'http', requestsPerSecond: 0.04 },
        ],
        quantileBuckets: { p50: [25, 50], p95: [50, 100], p99: [100, 250] },
        responseBytesP50Bucket: [100, 1000],
      },
    },
  };
}

/**
 * A Linkerd cluster with many services, for the batched snapshot: `count`
 * Deployments `svc-<i>` spread over four namespaces, two pods each. Service
 * i calls service i+1 (wrapping) at (i % 7 + 1) req/s over mTLS; every
 * fifth service also takes 0.5 req/s of plaintext from an unmeshed caller.
 * Each service answers with 1% failures and a latency histogram, and its
 * proxies report a certificate expiring a day after `end`.
 */
/**
 * `count` services in four namespaces, calling each other in a ring (see
 * many-services-dataset.js, which streams it for the benchmark's sizes).
 */
function manyWorkloadsDataset(end, count) {
  const { openMetrics, at } = manyServicesOpenMetrics({
    layout: { services: count },
    end,
    stepSeconds: STEP_SECONDS,
    durationSeconds: DURATION_SECONDS,
  });
  return {
    openMetrics,
    at,
    namespaces: [
      ...new Set(Array.from({ length: count }, (_, i) => namespaceOf(i))),
    ],
  };
}

const DAY = 86400;

/**
 * A Linkerd cluster read against the upstream sources, to prove the
 * posture true where it used to be wrong. Control plane in `linkerd-prod`,
 * trust domain `bank.example`; eight days of history.
 *
 * Label shapes, and where they come from:
 * - inbound `request_total`: `tls`, `client_id` (with tls="true") or
 *   `no_tls_reason` (with tls="no_identity"), `srv_*`, `route_*`, `authz_*`,
 *   `target_*` (linkerd2-proxy linkerd/app/core/src/metrics.rs,
 *   InboundEndpointLabels / RouteAuthzLabels);
 * - outbound: `dst_*` from the destination controller, `dst_cronjob` for a
 *   CronJob's pods, `server_id` with tls="true"; `no_tls_reason`
 *   `not_provided_by_service_discovery` or `ingress_without_override`
 *   (linkerd2-proxy linkerd/tls/src/client.rs; linkerd2 pkg/k8s/labels.go);
 * - kubelet probes on the probe route: route_kind="default",
 *   route_name="probe", authz_name="probe", plaintext (linkerd2
 *   policy-controller/k8s/index/src/inbound/index.rs);
 * - `namespace`, `pod` and the owner label from linkerd-viz's relabelling;
 *   a CronJob's pod has no owner label (linkerd2 pkg/inject/inject.go);
 * - identities `<sa>.<ns>.serviceaccount.identity.<control-plane ns>.<trust
 *   domain>` (linkerd2 policy-controller/k8s/index/src/cluster_info.rs).
 *
 * Traffic (req/s):
 * - payments-api → ledger 10 (mTLS); report-builder (CronJob pod) → ledger 1
 *   (mTLS); kubelet → ledger probes 0.2 (plaintext, by design);
 * - payments-api → statements 4 (mTLS); ingress-nginx-controller (meshed,
 *   ingress mode, no override header) → statements 2 (plaintext); statements
 *   was deployed two days ago;
 * - payments-api → notifications 0.5 (no proxy at notifications: plaintext,
 *   1% failing with 503).
 */
function linkerdTruthfulDataset(end) {
  const w = new OpenMetricsWriter(end, { historySeconds: 8 * DAY });
  const CP = 'linkerd-prod';
  const TD = 'bank.example';
  const id = (sa, ns) => `${sa}.${ns}.serviceaccount.identity.${CP}.${TD}`;
  const proxy = (ns, kind, name, pod) => ({
    namespace: ns,
    ...(kind ? { [kind]: name } : {}),
    pod,
    control_plane_ns: CP,
    workload_ns: ns,
  });
  const ledger = proxy('payments', 'statefulset', 'ledger', 'ledger-0');
  const statements = proxy(
    'payments',
    'deployment',
    'statements',
    'statements-6c9d8f7b5-q2w3e',
  );
  const api = proxy(
    'payments',
    'deployment',
    'payments-api',
    'payments-api-7d9f8b6c5-a1b2c',
  );
  const ingress = proxy(
    'ingress',
    'deployment',
    'ingress-nginx-controller',
    'ingress-nginx-controller-5c7b9-zx8cv',
  );
  // A CronJob's Job's pod: only `pod` names it.
  const reportBuilder = proxy(
    'payments',
    undefined,
    undefined,
    'report-builder-29412345-x7k2p',
  );
  const since = { statements: 2 * DAY, reportBuilder: 3600 };
  const server = (name, port) => ({
    srv_group: 'policy.linkerd.io',
    srv_kind: 'server',
    srv_name: name,
    srv_port: String(port),
    route_group: '',
    route_kind: 'default',
    route_name: 'default',
  });
  const inbound = (target, port, extra) => ({
    ...target,
    direction: 'inbound',
    target_addr: `10.42.0.17:${port}`,
    target_ip: '10.42.0.17',
    target_port: String(port),
    ...extra,
  });
  const viaPolicy = name => ({
    authz_group: 'policy.linkerd.io',
    authz_kind: 'authorizationpolicy',
    authz_name: name,
  });

  // ledger's inbound.
  w.counter(
    'request',
    inbound(ledger, 9090, {
      ...server('ledger-grpc', 9090),
      ...viaPolicy('ledger-grpc'),
      tls: 'true',
      client_id: id('payments-api', 'payments'),
    }),
    10,
  );
  w.counter(
    'request',
    inbound(ledger, 9090, {
      ...server('ledger-grpc', 9090),
      ...viaPolicy('ledger-grpc'),
      tls: 'true',
      client_id: id('report-builder', 'payments'),
    }),
    1,
    { since: since.reportBuilder },
  );
  w.counter(
    'request',
    inbound(ledger, 9102, {
      srv_group: '',
      srv_kind: 'default',
      srv_name: 'deny',
      srv_port: '9102',
      route_group: '',
      route_kind: 'default',
      route_name: 'probe',
      authz_group: '',
      authz_kind: 'default',
      authz_name: 'probe',
      tls: 'no_identity',
      no_tls_reason: 'no_tls_from_remote',
    }),
    0.2,
  );
  // A lone refusal three days ago: the proxy created the counter at 1 and
  // it never moved again.
  w.counter(
    'inbound_http_authz_deny',
    {
      ...ledger,
      target_addr: '10.42.0.17:9090',
      target_ip: '10.42.0.17',
      target_port: '9090',
      ...server('ledger-grpc', 9090),
      tls: 'true',
      client_id: id('reconciliation', 'batch'),
    },
    0,
    { since: 3 * DAY, initial: 1 },
  );
  // statements' inbound, from its deployment two days ago.
  w.counter(
    'request',
    inbound(statements, 8080, {
      ...server('statements-http', 8080),
      ...viaPolicy('statements-http'),
      tls: 'true',
      client_id: id('payments-api', 'payments'),
    }),
    4,
    { since: since.statements },
  );
  w.counter(
    'request',
    inbound(statements, 8081, {
      srv_group: '',
      srv_kind: 'default',
      srv_name: 'all-unauthenticated',
      srv_port: '8081',
      route_group: '',
      route_kind: 'default',
      route_name: 'default',
      authz_group: '',
      authz_kind: 'default',
      authz_name: 'all-unauthenticated',
      tls: 'no_identity',
      no_tls_reason: 'no_tls_from_remote',
    }),
    2,
    { since: since.statements },
  );

  // statements' Server has routes, so its probes come through its own
  // probe route (attaching routes removes the controller's).
  w.counter(
    'request',
    inbound(statements, 8080, {
      ...server('statements-http', 8080),
      route_group: 'policy.linkerd.io',
      route_kind: 'HTTPRoute',
      route_name: 'statements-probes',
      authz_group: 'policy.linkerd.io',
      authz_kind: 'authorizationpolicy',
      authz_name: 'statements-probes',
      tls: 'no_identity',
      no_tls_reason: 'no_tls_from_remote',
    }),
    0.1,
    { since: since.statements },
  );
  // A plain Job whose name ends like a CronJob's: Linkerd labels it k8s_job.
  const migrate = {
    ...proxy(
      'payments',
      'k8s_job',
      'db-migrate-20261130',
      'db-migrate-20261130-p4k9s',
    ),
  };
  w.counter(
    'request',
    {
      ...migrate,
      direction: 'outbound',
      dst_namespace: 'payments',
      dst_deployment: 'statements',
      dst_serviceaccount: 'statements',
      dst_pod: 'statements-6c9d8f7b5-q2w3e',
      dst_control_plane_ns: CP,
      tls: 'true',
      server_id: id('statements', 'payments'),
    },
    0.3,
    { since: 3600 },
  );
  w.gauge(
    'control_identity_cert_expiration_timestamp_seconds',
    migrate,
    w.end + 20 * 3600,
    { since: 3600 },
  );

  // Outbound, as the callers' proxies report it.
  const out = (from, dst, extra) => ({
    ...from,
    direction: 'outbound',
    dst_namespace: dst.namespace,
    [dst.kind]: dst.name,
    dst_serviceaccount: dst.sa,
    dst_pod: dst.pod,
    ...(dst.meshed ? { dst_control_plane_ns: CP } : {}),
    ...extra,
  });
  const ledgerDst = {
    namespace: 'payments',
    kind: 'dst_statefulset',
    name: 'ledger',
    sa: 'ledger',
    pod: 'ledger-0',
    meshed: true,
  };
  const statementsDst = {
    namespace: 'payments',
    kind: 'dst_deployment',
    name: 'statements',
    sa: 'statements',
    pod: 'statements-6c9d8f7b5-q2w3e',
    meshed: true,
  };
  const notificationsDst = {
    namespace: 'messaging',
    kind: 'dst_deployment',
    name: 'notifications',
    sa: 'notifications',
    pod: 'notifications-84c6d-m9n8b',
    meshed: false,
  };
  const mtlsTo = sa => ({ tls: 'true', server_id: id(sa, 'payments') });
  w.counter('request', out(api, ledgerDst, mtlsTo('ledger')), 10);
  w.counter('request', out(reportBuilder, ledgerDst, mtlsTo('ledger')), 1, {
    since: since.reportBuilder,
  });
  w.counter('request', out(api, statementsDst, mtlsTo('statements')), 4, {
    since: since.statements,
  });
  w.counter(
    'request',
    out(ingress, statementsDst, {
      tls: 'no_identity',
      no_tls_reason: 'ingress_without_override',
    }),
    2,
    { since: since.statements },
  );
  const plaintextOut = {
    tls: 'no_identity',
    no_tls_reason: 'not_provided_by_service_discovery',
  };
  w.counter('request', out(api, notificationsDst, plaintextOut), 0.5);
  w.counter(
    'response',
    out(api, notificationsDst, {
      ...plaintextOut,
      classification: 'success',
      status_code: '202',
    }),
    0.495,
  );
  w.counter(
    'response',
    out(api, notificationsDst, {
      ...plaintextOut,
      classification: 'failure',
      status_code: '503',
    }),
    0.005,
  );
  w.histogram(
    'response_latency_ms',
    out(api, notificationsDst, plaintextOut),
    0.5,
    LINKERD_BOUNDS,
    sharesOver(LINKERD_BOUNDS, { 20: 0.5, 50: 0.4, 100: 0.1 }),
    30,
  );

  // Every proxy exports its certificate's expiry while it runs.
  for (const [labels, from] of [
    [ledger, undefined],
    [statements, since.statements],
    [api, undefined],
    [ingress, undefined],
    [reportBuilder, since.reportBuilder],
  ]) {
    w.gauge(
      'control_identity_cert_expiration_timestamp_seconds',
      labels,
      w.end + 20 * 3600,
      { since: from },
    );
  }

  return {
    openMetrics: w.toString(),
    at: w.end,
    start: w.historyStart,
    truth: {
      controlPlaneNamespace: CP,
      trustDomain: TD,
      identity: {
        paymentsApi: id('payments-api', 'payments'),
        reportBuilder: id('report-builder', 'payments'),
        reconciliation: id('reconciliation', 'batch'),
        auditExporter: id('audit-exporter', 'compliance'),
        ledger: id('ledger', 'payments'),
      },
      ledger: {
        denied: [{ identity: id('reconciliation', 'batch'), count: 1 }],
        inbound: [
          {
            namespace: 'payments',
            workload: 'payments-api',
            identity: id('payments-api', 'payments'),
            mtls: true,
            rps: 10,
          },
          {
            namespace: 'payments',
            workload: 'report-builder',
            identity: id('report-builder', 'payments'),
            mtls: true,
            rps: 1,
          },
        ],
        probeRps: 0.2,
      },
      statements: {
        inbound: [
          {
            namespace: 'payments',
            workload: 'payments-api',
            identity: id('payments-api', 'payments'),
            mtls: true,
            rps: 4,
          },
          {
            namespace: 'ingress',
            workload: 'ingress-nginx-controller',
            mtls: false,
            reason: 'no_tls_from_remote',
            rps: 2,
          },
        ],
        historyHours: 48,
        probeRps: 0.1,
      },
      dbMigrate: {
        outbound: [
          {
            namespace: 'payments',
            workload: 'statements',
            identity: id('statements', 'payments'),
            mtls: true,
            rps: 0.3,
          },
        ],
      },
      notifications: {
        inbound: [
          {
            namespace: 'payments',
            workload: 'payments-api',
            mtls: false,
            reason: 'not_provided_by_service_discovery',
            rps: 0.5,
          },
        ],
        successRate: 0.99,
      },
      reportBuilder: {
        outbound: [
          {
            namespace: 'payments',
            workload: 'ledger',
            identity: id('ledger', 'payments'),
            mtls: true,
            rps: 1,
          },
        ],
      },
    },
  };
}

/**
 * An Istio cluster (`pci`) read against the upstream sources: sidecar and
 * ambient workloads, calls the destination does not report, and denials
 * ztunnel counts on closed connections.
 *
 * - `connection_security_policy` is set on destination-reported series
 *   only ("unknown" at the source: istio_stats.cc); ztunnel reports
 *   `mutual_tls` for HBONE (istio/ztunnel src/proxy/inbound.rs);
 * - `response_flags="DENY"` only on `istio_tcp_connections_closed_total`
 *   (and `_failed_total`), never on opened (istio/ztunnel
 *   src/proxy/metrics.rs); Envoy's `UH` for no healthy upstream;
 * - `source_cluster`/`destination_cluster` from each proxy's CLUSTER_ID.
 *
 * card-issuing (sidecar) calls: card-vault 6 (mTLS, both sides report);
 * fraud-check 3 (ambient: ztunnel reports mTLS connections); ledger-replica
 * 1 (in cluster eu-2: not reported here); card-network-sim 0.5 (every
 * request UH); legacy-batch 0.25 (no sidecar). tokenizer (ambient) refused
 * 0.01 connections/s from batch/legacy, which ztunnel opened and closed.
 */
function istioTruthfulDataset(end) {
  const w = new OpenMetricsWriter(end, { historySeconds: 8 * DAY });
  const TD = 'bank.example';
  const spiffeId = (sa, ns) => `spiffe://${TD}/ns/${ns}/sa/${sa}`;
  const issuing = spiffeId('card-issuing', 'cards');
  const requests = (reporter, dst, extra, rate) =>
    w.counter(
      'istio_requests',
      {
        reporter,
        source_workload: 'card-issuing',
        source_workload_namespace: 'cards',
        source_principal: reporter === 'source' ? 'unknown' : issuing,
        source_cluster: 'pci',
        source_canonical_service: 'card-issuing',
        destination_workload: dst.name,
        destination_workload_namespace: dst.namespace,
        destination_principal: dst.principal ?? 'unknown',
        destination_service: dst.service,
        destination_cluster: dst.cluster ?? 'pci',
        request_protocol: 'http',
        response_code: '200',
        response_flags: '-',
        grpc_response_status: '',
        connection_security_policy:
          reporter === 'source' ? 'unknown' : 'mutual_tls',
        ...extra,
      },
      rate,
    );
  const vault = {
    name: 'card-vault',
    namespace: 'cards',
    principal: spiffeId('card-vault', 'cards'),
    service: 'card-vault.cards.svc.cluster.local',
  };
  requests('source', vault, {}, 6);
  requests('destination', vault, {}, 6);
  const fraud = {
    name: 'fraud-check',
    namespace: 'cards',
    service: 'fraud-check.cards.svc.cluster.local',
  };
  requests('source', fraud, {}, 3);
  const replica = {
    name: 'ledger-replica',
    namespace: 'payments',
    service: 'ledger-replica.payments.global',
    cluster: 'eu-2',
  };
  requests('source', replica, {}, 1);
  const sim = {
    name: 'card-network-sim',
    namespace: 'cards',
    service: 'card-network-sim.cards.svc.cluster.local',
  };
  requests('source', sim, { response_code: '503', response_flags: 'UH' }, 0.5);
  const legacy = {
    name: 'legacy-batch',
    namespace: 'batch',
    service: 'legacy-batch.batch.svc.cluster.local',
  };
  requests('source', legacy, {}, 0.25);

  const tcp = (name, labels, rate) =>
    w.counter(
      name,
      {
        reporter: 'destination',
        request_protocol: 'tcp',
        source_cluster: 'pci',
        destination_cluster: 'pci',
        ...labels,
      },
      rate,
    );
  // fraud-check's ztunnel terminates card-issuing's HBONE connections.
  tcp(
    'istio_tcp_connections_opened',
    {
      source_workload: 'card-issuing',
      source_workload_namespace: 'cards',
      source_principal: issuing,
      destination_workload: 'fraud-check',
      destination_workload_namespace: 'cards',
      destination_principal: spiffeId('fraud-check', 'cards'),
      connection_security_policy: 'mutual_tls',
      response_flags: '-',
    },
    0.3,
  );
  // tokenizer's ztunnel refuses batch/legacy: opened with "-", closed with DENY.
  const refused = {
    source_workload: 'legacy',
    source_workload_namespace: 'batch',
    source_principal: spiffeId('legacy', 'batch'),
    destination_workload: 'tokenizer',
    destination_workload_namespace: 'cards',
    destination_principal: spiffeId('tokenizer', 'cards'),
    connection_security_policy: 'mutual_tls',
  };
  tcp(
    'istio_tcp_connections_opened',
    { ...refused, response_flags: '-' },
    0.01,
  );
  tcp(
    'istio_tcp_connections_closed',
    { ...refused, response_flags: 'DENY' },
    0.01,
  );
  tcp(
    'istio_tcp_connections_failed',
    { ...refused, response_flags: 'DENY' },
    0.01,
  );
  // Refusals of a job that stopped 8 days ago: ztunnel keeps the series at
  // 5 for its life; none of them is in the 7-day window.
  w.counter(
    'istio_tcp_connections_closed',
    {
      reporter: 'destination',
      request_protocol: 'tcp',
      source_cluster: 'pci',
      destination_cluster: 'pci',
      ...refused,
      source_workload: 'old-job',
      source_principal: spiffeId('old-job', 'batch'),
      response_flags: 'DENY',
    },
    0,
    { initial: 5 },
  );

  return {
    openMetrics: w.toString(),
    at: w.end,
    start: w.historyStart,
    truth: {
      trustDomain: TD,
      cardIssuing: {
        outbound: {
          'card-vault': { mtls: true, rps: 6 },
          'fraud-check': { mtls: true, rps: 3 },
          'ledger-replica': {
            unverified: true,
            reason: 'not observed at the destination: it runs in cluster eu-2',
            rps: 1,
          },
          'card-network-sim': { unverified: true, reason: 'UH', rps: 0.5 },
          'legacy-batch': {
            unverified: true,
            reason: 'not observed at the destination',
            rps: 0.25,
          },
        },
      },
      legacyBatch: {
        clientReported: [
          { namespace: 'cards', workload: 'card-issuing', rps: 0.25 },
        ],
      },
      tokenizer: {
        denied: [
          {
            identity: spiffeId('legacy', 'batch'),
            // Over the 7d caller window, of a series 8 days long.
            count: 0.01 * 7 * DAY,
          },
        ],
      },
    },
  };
}

/**
 * Linkerd TCP as linkerd2-proxy labels its transport metrics
 * (linkerd/app/core/src/transport/labels.rs: `ServerLabels` for accepted
 * connections, `peer="src"`, with `target_*`, `TlsAccept` and the policy's
 * `srv_*`; `OutboundEndpointLabels` for connections to servers,
 * `peer="dst"`, with `TlsConnect` and the destination's `dst_*`; the
 * proxy's own hop to the application is `peer="dst"` inbound and
 * `peer="src"` outbound, over loopback). HTTP connections are counted in
 * the same metrics (linkerd/app/integration/src/tests/telemetry.rs
 * `test_http_accept`), on the port whose requests they carry.
 *
 * ledger-db (StatefulSet, opaque port 5432): ledger's pool over mTLS, and
 * one plaintext client; payments-api's HTTP port 8080 also shows TCP (its
 * requests' connections and kubelet's probes), which is not a TCP edge;
 * ledger also opens TCP to an outside address the mesh does not know.
 */
function linkerdTcpDataset(end) {
  const w = new OpenMetricsWriter(end);
  const proxy = (kind, name, pod) => ({
    namespace: 'payments',
    [kind]: name,
    pod,
    control_plane_ns: 'linkerd',
  });
  const db = proxy('statefulset', 'ledger-db', 'ledger-db-0');
  const ledger = proxy('statefulset', 'ledger', 'ledger-0');
  const api = proxy(
    'deployment',
    'payments-api',
    'payments-api-7d9f8b6c5-a1b2c',
  );
  // Requests carry no `peer` label; transport metrics do.
  const accepted = (ip, port, policy, transport = true) => ({
    direction: 'inbound',
    ...(transport ? { peer: 'src' } : {}),
    target_addr: `${ip}:${port}`,
    target_ip: ip,
    target_port: String(port),
    ...policy,
  });
  const dbPolicy = {
    srv_group: '',
    srv_kind: 'default',
    srv_name: 'all-unauthenticated',
    srv_port: '5432',
  };
  const tcp = (labels, { read, write, open }) => {
    w.counter('tcp_read_bytes', labels, read);
    w.counter('tcp_write_bytes', labels, write);
    w.gauge('tcp_open_connections', labels, open);
    // The pool opened its connections before the data begins.
    w.counter('tcp_open', labels, 0, { initial: open });
  };
  // ledger's pool to the database, over mTLS.
  tcp(
    {
      ...db,
      ...accepted('10.42.0.31', 5432, dbPolicy),
      tls: 'true',
      client_id: linkerdId('ledger', 'payments'),
    },
    { read: 1200, write: 48000, open: 12 },
  );
  // The statement export reads the database without a proxy: plaintext.
  tcp(
    {
      ...db,
      ...accepted('10.42.0.31', 5432, dbPolicy),
      tls: 'no_identity',
      no_tls_reason: 'no_tls_from_remote',
    },
    { read: 300, write: 9000, open: 2 },
  );
  // The proxy's own hop to PostgreSQL: loopback, not a client.
  tcp(
    {
      ...db,
      direction: 'inbound',
      peer: 'dst',
      tls: 'no_identity',
      no_tls_reason: 'loopback',
    },
    { read: 57000, write: 1500, open: 14 },
  );

  // payments-api's HTTP port: requests, and the connections carrying them.
  const apiPolicy = {
    srv_group: 'policy.linkerd.io',
    srv_kind: 'server',
    srv_name: 'payments-api-http',
    srv_port: '8080',
  };
  w.counter(
    'request',
    {
      ...api,
      ...accepted('10.42.0.12', 8080, apiPolicy, false),
      tls: 'true',
      client_id: linkerdId('web-frontend', 'web'),
      route_group: '',
      route_kind: 'default',
      route_name: 'default',
    },
    6,
  );
  w.counter(
    'request',
    {
      ...api,
      ...accepted('10.42.0.12', 8080, apiPolicy, false),
      tls: 'no_identity',
      no_tls_reason: 'no_tls_from_remote',
      route_group: '',
      route_kind: 'default',
      route_name: 'probe',
    },
    0.2,
  );
  tcp(
    {
      ...api,
      ...accepted('10.42.0.12', 8080, apiPolicy),
      tls: 'true',
      client_id: linkerdId('web-frontend', 'web'),
    },
    { read: 3000, write: 12000, open: 4 },
  );
  tcp(
    {
      ...api,
      ...accepted('10.42.0.12', 8080, apiPolicy),
      tls: 'no_identity',
      no_tls_reason: 'no_tls_from_remote',
    },
    { read: 40, write: 80, open: 0 },
  );

  // ledger's side: its pool to the database, and an outside address.
  tcp(
    {
      ...ledger,
      direction: 'outbound',
      peer: 'dst',
      target_addr: '10.42.0.31:5432',
      target_ip: '10.42.0.31',
      target_port: '5432',
      tls: 'true',
      server_id: linkerdId('ledger-db', 'payments'),
      dst_namespace: 'payments',
      dst_statefulset: 'ledger-db',
      dst_serviceaccount: 'ledger-db',
    },
    { read: 48000, write: 1200, open: 12 },
  );
  tcp(
    {
      ...ledger,
      direction: 'outbound',
      peer: 'dst',
      target_addr: '52.29.14.7:443',
      target_ip: '52.29.14.7',
      target_port: '443',
      tls: 'no_identity',
      no_tls_reason: 'not_provided_by_service_discovery',
    },
    { read: 800, write: 200, open: 1 },
  );
  // The application's hop to its own proxy.
  tcp(
    {
      ...ledger,
      direction: 'outbound',
      peer: 'src',
      target_addr: '10.42.0.31:5432',
      target_ip: '10.42.0.31',
      target_port: '5432',
      tls: 'no_identity',
      no_tls_reason: 'loopback',
    },
    { read: 1200, write: 48000, open: 12 },
  );
  return {
    openMetrics: w.toString(),
    at: w.end,
    truth: {
      dbFromLedger: 1200 + 48000,
      dbPlaintext: 300 + 9000,
      ledgerToDb: 48000 + 1200,
      ledgerOutside: 800 + 200,
    },
  };
}

/**
 * Istio TCP, sidecar and ambient, in the labels Istio's proxies give it:
 * - sidecars record `istio_tcp_*` on TCP-proxied ports only, once per
 *   reporting proxy; `connection_security_policy` is `mutual_tls` or `none`
 *   at the destination and `unknown` at the source (istio/istio
 *   tests/integration/telemetry/stats/prometheus; istio_stats.cc);
 * - ztunnel records every connection of an ambient workload: `mutual_tls`
 *   for HBONE (istio/ztunnel src/proxy/inbound.rs), `unknown` for
 *   plaintext it takes in passthrough (src/proxy/inbound_passthrough.rs);
 *   there is no per-edge gauge of open connections, only opened and closed
 *   counters (src/proxy/metrics.rs).
 *
 * card-db (sidecar, PostgreSQL): card-issuing's pool over mTLS, and
 * legacy-batch (no sidecar) in plaintext; card-issuing also opens TCP to
 * smtp.example.net outside the mesh (reported by its own sidecar only).
 * tokenizer (ambient): card-issuing's HTTP requests (reported by its
 * sidecar) ride on connections tokenizer's ztunnel reports as mTLS;
 * legacy-batch reaches it in plaintext through ztunnel's passthrough;
 * wallet (ambient) calls it through its waypoint.
 */
function istioTcpDataset(end) {
  const w = new OpenMetricsWriter(end);
  const issuing = spiffe('card-issuing', 'cards');
  const side = (prefix, workload) =>
    workload
      ? {
          [`${prefix}_workload`]: workload.name,
          [`${prefix}_workload_namespace`]: workload.namespace,
          [`${prefix}_principal`]: workload.principal ?? 'unknown',
          [`${prefix}_canonical_service`]: workload.name,
          [`${prefix}_cluster`]: 'prod',
        }
      : {
          [`${prefix}_workload`]: 'unknown',
          [`${prefix}_workload_namespace`]: 'unknown',
          [`${prefix}_principal`]: 'unknown',
          [`${prefix}_canonical_service`]: 'unknown',
          [`${prefix}_cluster`]: 'unknown',
        };
  const tcp = (reporter, src, dst, service, policy, m) => {
    const labels = {
      reporter,
      request_protocol: 'tcp',
      response_flags: '-',
      ...side('source', src),
      ...side('destination', dst),
      destination_service: service,
      connection_security_policy: policy,
    };
    w.counter('istio_tcp_received_bytes', labels, m.received);
    w.counter('istio_tcp_sent_bytes', labels, m.sent);
    // Opened before the data begins and churning at the same rate as they
    // close: `open` connections throughout.
    w.counter('istio_tcp_connections_opened', labels, m.churn, {
      initial: m.open,
    });
    w.counter('istio_tcp_connections_closed', labels, m.churn);
  };
  const card = { name: 'card-issuing', namespace: 'cards', principal: issuing };
  const db = {
    name: 'card-db',
    namespace: 'cards',
    principal: spiffe('card-db', 'cards'),
  };
  const tokenizer = {
    name: 'tokenizer',
    namespace: 'cards',
    principal: spiffe('tokenizer', 'cards'),
  };
  const legacy = { name: 'legacy-batch', namespace: 'batch' };
  const dbService = 'card-db.cards.svc.cluster.local';
  const pool = { received: 2000, sent: 60000, churn: 0.02, open: 10 };
  tcp('destination', card, db, dbService, 'mutual_tls', pool);
  tcp('source', card, db, dbService, 'unknown', {
    ...pool,
    received: pool.sent,
    sent: pool.received,
  });
  // A client without a sidecar: its own side reports nothing, and the
  // destination knows only its address.
  tcp(
    'destination',
    { ...legacy, name: 'unknown', namespace: 'unknown' },
    db,
    dbService,
    'none',
    { received: 500, sent: 7000, churn: 0.01, open: 1 },
  );
  tcp('source', card, undefined, 'smtp.example.net', 'unknown', {
    received: 50,
    sent: 350,
    churn: 0.01,
    open: 1,
  });

  const tokenizerService = 'tokenizer.cards.svc.cluster.local';
  w.counter(
    'istio_requests',
    {
      reporter: 'source',
      request_protocol: 'http',
      response_code: '200',
      response_flags: '-',
      grpc_response_status: '',
      ...side('source', { ...card, principal: undefined }),
      ...side('destination', { ...tokenizer, principal: undefined }),
      destination_service: tokenizerService,
      connection_security_policy: 'unknown',
    },
    4,
  );
  tcp('destination', card, tokenizer, tokenizerService, 'mutual_tls', {
    received: 8000,
    sent: 16000,
    churn: 0.05,
    open: 3,
  });
  tcp('destination', legacy, tokenizer, tokenizerService, 'unknown', {
    received: 100,
    sent: 300,
    churn: 0.01,
    open: 1,
  });
  // wallet (ambient) calls tokenizer through its waypoint: the waypoint
  // reports the requests with the real client and backend
  // (reporter="waypoint": istio/proxy istio_stats.cc; istio/istio
  // tests/integration/ambient/baseline_test.go), and tokenizer's ztunnel
  // sees the waypoint's connections.
  const wallet = {
    name: 'wallet',
    namespace: 'cards',
    principal: spiffe('wallet', 'cards'),
  };
  const waypoint = {
    name: 'waypoint',
    namespace: 'cards',
    principal: spiffe('waypoint', 'cards'),
  };
  w.counter(
    'istio_requests',
    {
      reporter: 'waypoint',
      request_protocol: 'http',
      response_code: '200',
      response_flags: '-',
      grpc_response_status: '',
      ...side('source', wallet),
      ...side('destination', tokenizer),
      destination_service: tokenizerService,
      connection_security_policy: 'mutual_tls',
    },
    2,
  );
  tcp('destination', waypoint, tokenizer, tokenizerService, 'mutual_tls', {
    received: 3000,
    sent: 9000,
    churn: 0.02,
    open: 2,
  });
  // The sidecars' agents: seconds left on each workload certificate
  // (istio/istio security/pkg/nodeagent/cache CertExpirySeconds), with only
  // the pod from the scrape. card-issuing-v2 is another workload.
  const agent = (pod, left, resource = 'default') =>
    w.gauge(
      'istio_agent_cert_expiry_seconds',
      { namespace: 'cards', pod, resource_name: resource },
      left,
    );
  agent('card-db-0', 20 * 3600);
  agent('card-issuing-5d4f8b6c9-x2x8q', 18 * 3600);
  agent('card-issuing-5d4f8b6c9-k7m2p', 5 * 3600);
  agent('card-issuing-5d4f8b6c9-k7m2p', 300 * 86400, 'ROOTCA');
  agent('card-issuing-v2-6b7c8d9f5-zzq4w', 3600);
  return {
    openMetrics: w.toString(),
    at: w.end,
    truth: {
      dbPool: 2000 + 60000,
      dbPlaintext: 500 + 7000,
      smtp: 50 + 350,
      tokenizerFromIssuing: 8000 + 16000,
      tokenizerPlaintext: 100 + 300,
      tokenizerFromWaypoint: 3000 + 9000,
      walletPrincipal: wallet.principal,
    },
  };
}

/**
 * Linkerd multicluster, gateway mode, as a client's proxy sees it: calls to
 * a mirrored service (`<name>-<link>`) go to the target cluster's gateway on
 * 4143; the destination controller labels the mirror's endpoints with the
 * Link's target cluster and the remote service (linkerd/linkerd2
 * controller/api/destination/watcher/port_publisher.go metricLabels), the
 * proxy prefixes them `dst_` (linkerd2-proxy linkerd/app/outbound/src/
 * http/concrete.rs, opaq/concrete.rs); no pod stands behind them, and
 * `server_id` is the gateway's (Link.spec.gatewayIdentity). The service
 * mirror's `gateway_alive` per `target_cluster_name`
 * (multicluster/service-mirror/metrics.go).
 *
 * payments-api calls ledger (local) and ledger-replica on eu-2 over HTTP,
 * and reports-db on us-1 over opaque TCP; us-1's gateway fails its probes.
 */
function linkerdMulticlusterDataset(end) {
  const w = new OpenMetricsWriter(end);
  const api = {
    namespace: 'payments',
    deployment: 'payments-api',
    pod: 'payments-api-7d9f8b6c5-a1b2c',
    control_plane_ns: 'linkerd',
  };
  const gatewayId = linkerdId('linkerd-gateway', 'linkerd-multicluster');
  const viaGateway = (cluster, service, gatewayIp) => ({
    direction: 'outbound',
    dst_namespace: 'payments',
    dst_service: `${service}-${cluster}`,
    dst_target_cluster: cluster,
    dst_target_service: service,
    dst_target_service_namespace: 'payments',
    dst_zone_locality: 'unknown',
    target_addr: `${gatewayIp}:4143`,
    target_ip: gatewayIp,
    target_port: '4143',
    tls: 'true',
    server_id: gatewayId,
  });
  w.counter(
    'request',
    {
      ...api,
      ...viaGateway('eu-2', 'ledger-replica', '172.18.0.20'),
      authority: 'ledger-replica-eu-2.payments.svc.cluster.local:9090',
    },
    3,
  );
  w.counter(
    'request',
    {
      ...api,
      direction: 'outbound',
      dst_namespace: 'payments',
      dst_service: 'ledger',
      dst_statefulset: 'ledger',
      dst_serviceaccount: 'ledger',
      dst_pod: 'ledger-0',
      target_addr: '10.42.0.30:9090',
      target_ip: '10.42.0.30',
      target_port: '9090',
      tls: 'true',
      server_id: linkerdId('ledger', 'payments'),
      authority: 'ledger.payments.svc.cluster.local:9090',
    },
    21,
  );
  const tcp = {
    ...api,
    ...viaGateway('us-1', 'reports-db', '172.18.0.30'),
    peer: 'dst',
  };
  w.counter('tcp_read_bytes', tcp, 4000);
  w.counter('tcp_write_bytes', tcp, 1000);
  w.gauge('tcp_open_connections', tcp, 2);
  w.counter('tcp_open', tcp, 0, { initial: 2 });
  const mirror = link => ({
    namespace: 'linkerd-multicluster',
    pod: `controller-${link}-5c9d7b8f6-x1y2z`,
    component: 'controller',
    target_cluster_name: link,
  });
  w.gauge('gateway_alive', mirror('eu-2'), 1);
  w.gauge('gateway_alive', mirror('us-1'), 0);
  return {
    openMetrics: w.toString(),
    at: w.end,
    truth: { gatewayId, reportsDbBytes: 5000 },
  };
}

module.exports = {
  istioCrowdedDataset,
  linkerdMulticlusterDataset,
  istioTcpDataset,
  linkerdTcpDataset,
  manyWorkloadsDataset,
  linkerdTruthfulDataset,
  istioTruthfulDataset,
  STEP_SECONDS,
  DURATION_SECONDS,
  OpenMetricsWriter,
  hostileDataset,
  linkerdDataset,
  istioDataset,
  linkerdSignalsDataset,
  istioSignalsDataset,
};

if (require.main === module) {
  const [outDir, endArg] = process.argv.slice(2);
  if (!outDir) {
    console.error(
      'usage: node scripts/prometheus-fixtures.js <out-dir> [end-unix-seconds]',
    );
    process.exit(2);
  }
  const end = endArg ? Number(endArg) : Math.floor(Date.now() / 1000) - 60;
  fs.mkdirSync(outDir, { recursive: true });
  const datasets = {
    linkerd: linkerdDataset(end),
    istio: istioDataset(end),
    'linkerd-signals': linkerdSignalsDataset(end),
    'istio-signals': istioSignalsDataset(end),
    hostile: hostileDataset(
      ['plain', 'quote"inside', 'back\\slash', '"} or up{x=~".*'],
      end,
    ),
  };
  for (const [name, d] of Object.entries(datasets)) {
    fs.writeFileSync(path.join(outDir, `${name}.om`), d.openMetrics);
    fs.writeFileSync(
      path.join(outDir, `${name}.truth.json`),
      `${JSON.stringify({ at: d.at, truth: d.truth }, null, 2)}\n`,
    );
  }
  console.log(`wrote ${Object.keys(datasets).join(', ')} to ${outDir}`);
}
