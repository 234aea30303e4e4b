/*
 * The many-services dataset: a Linkerd cluster (or several) of `svc-<i>`
 * services, each with two meshed pods, calling the next service in a ring,
 * every fifth one also taking plaintext from an unmeshed client. Series are
 * written as OpenMetrics for `promtool tsdb create-blocks-from openmetrics`
 * and streamed: lines go to a sink as they are made, family by family (the
 * format groups samples by metric family), so thousands of services never
 * sit in memory as one string. The tests use it small, into a string; the
 * benchmark large, into files backfilled part by part.
 *
 * Label names are linkerd-viz's (linkerd/linkerd2
 * viz/charts/linkerd-viz/templates/prometheus.yaml: `namespace`, `pod` and
 * the per-kind owner label `deployment`); metric names are the proxy's
 * (linkerd/linkerd2-proxy linkerd/app/core/src/metrics.rs `request_total`,
 * `response_total`, `response_latency_ms`; linkerd/identity/src/metrics.rs
 * `control_identity_cert_expiration_timestamp_seconds`).
 */
'use strict';

const fs = require('node:fs');

const LINKERD_BOUNDS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000,
  4000, 5000, 10000,
];
// The share of responses landing in (previous bound, bound].
const LATENCY_SHARES = { 10: 0.6, 50: 0.3, 100: 0.09, 500: 0.01 };
const CUMULATIVE = (() => {
  let sum = 0;
  return LINKERD_BOUNDS.map(b => (sum += LATENCY_SHARES[b] ?? 0));
})();

const linkerdId = (sa, ns) =>
  `${sa}.${ns}.serviceaccount.identity.linkerd.cluster.local`;

function escapeLabelValue(value) {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

function labelText(labels) {
  return Object.keys(labels)
    .sort()
    .map(k => `${k}="${escapeLabelValue(String(labels[k]))}"`)
    .join(',');
}

/**
 * Where service i lives. By default four namespaces taken in turn
 * (`team-<i mod 4>`); with `perNamespace`, consecutive blocks of that many
 * services share one namespace (the benchmark puts 2,000 in one).
 */
function namespaceOf(i, layout = {}) {
  return layout.perNamespace
    ? `team-${Math.floor(i / layout.perNamespace)}`
    : `team-${i % 4}`;
}

/**
 * The cluster of each service: with `clusters` > 1 the services are split
 * into that many consecutive blocks, each a cluster `prod-<k>` with its own
 * ring of calls.
 */
function clusterOf(i, layout = {}) {
  const clusters = layout.clusters ?? 1;
  if (clusters <= 1) return { index: 0, from: 0, to: layout.services };
  const size = Math.ceil(layout.services / clusters);
  const index = Math.floor(i / size);
  return {
    index,
    from: index * size,
    to: Math.min(layout.services, (index + 1) * size),
  };
}

const podsOf = (i, layout) =>
  ['a', 'b'].map(p => ({
    namespace: namespaceOf(i, layout),
    deployment: `svc-${i}`,
    pod: `svc-${i}-5d8f9-${p}`,
    control_plane_ns: 'linkerd',
  }));

/** Service i's callee and caller: its neighbours in its cluster's ring. */
function ringOf(i, layout) {
  const { from, to } = clusterOf(i, layout);
  const n = to - from;
  return {
    callee: from + ((i - from + 1) % n),
    caller: from + ((i - from - 1 + n) % n),
  };
}

/**
 * The series of service i, by family: [family, type, series name suffix
 * handled by the writer, labels, value at elapsed seconds].
 */
function seriesOf(i, layout, end, family) {
  const out = [];
  const ns = namespaceOf(i, layout);
  const { callee, caller } = ringOf(i, layout);
  const rate = (i % 7) + 1;
  if (family === 'request') {
    // Outbound from i's pods to its callee, and inbound at the callee.
    for (const from of podsOf(i, layout)) {
      out.push([
        {
          ...from,
          direction: 'outbound',
          tls: 'true',
          server_id: linkerdId(`svc-${callee}`, namespaceOf(callee, layout)),
          dst_namespace: namespaceOf(callee, layout),
          dst_deployment: `svc-${callee}`,
          dst_serviceaccount: `svc-${callee}`,
        },
        rate / 2,
      ]);
    }
    for (const to of podsOf(callee, layout)) {
      out.push([
        {
          ...to,
          direction: 'inbound',
          tls: 'true',
          client_id: linkerdId(`svc-${i}`, ns),
        },
        rate / 2,
      ]);
    }
    if (i % 5 === 0) {
      for (const to of podsOf(i, layout)) {
        out.push([
          {
            ...to,
            direction: 'inbound',
            tls: 'no_identity',
            no_tls_reason: 'no_tls_from_remote',
          },
          0.25,
        ]);
      }
    }
    return out;
  }
  // Every eleventh service (svc-1, svc-12, …) calls its callee on a route that refuses it:
  // the callee's proxy counts the denial of its identity, its own proxy
  // the 403s (linkerd2-proxy linkerd/app/inbound/src/metrics/authz.rs,
  // linkerd/app/core/src/errors/respond.rs).
  const refused = i % 11 === 1;
  if (family === 'inbound_http_authz_deny') {
    if (!refused) return out;
    for (const to of podsOf(callee, layout)) {
      out.push([
        {
          ...to,
          srv_group: 'policy.linkerd.io',
          srv_kind: 'server',
          srv_name: `svc-${callee}-http`,
          route_group: '',
          route_kind: 'default',
          route_name: 'default',
          tls: 'true',
          client_id: linkerdId(`svc-${i}`, ns),
        },
        0.05,
      ]);
    }
    return out;
  }
  if (family === 'response' && refused) {
    for (const from of podsOf(i, layout)) {
      out.push([
        {
          ...from,
          direction: 'outbound',
          tls: 'true',
          server_id: linkerdId(`svc-${callee}`, namespaceOf(callee, layout)),
          dst_namespace: namespaceOf(callee, layout),
          dst_deployment: `svc-${callee}`,
          classification: 'success',
          status_code: '403',
        },
        0.05 / 2,
      ]);
    }
  }
  const inbound = (caller % 7) + 1 + (i % 5 === 0 ? 0.5 : 0);
  for (const to of podsOf(i, layout)) {
    const labels = { ...to, direction: 'inbound', tls: 'true' };
    if (family === 'response') {
      out.push([
        { ...labels, classification: 'success', status_code: '200' },
        (inbound * 0.99) / 2,
      ]);
      out.push([
        { ...labels, classification: 'failure', status_code: '503' },
        (inbound * 0.01) / 2,
      ]);
    } else if (family === 'response_latency_ms') {
      out.push([labels, inbound / 2]);
    } else if (
      family === 'control_identity_cert_expiration_timestamp_seconds'
    ) {
      out.push([to, end + 24 * 3600]);
    }
  }
  return out;
}

const FAMILIES = [
  ['request', 'counter'],
  ['response', 'counter'],
  ['response_latency_ms', 'histogram'],
  ['control_identity_cert_expiration_timestamp_seconds', 'gauge'],
  ['inbound_http_authz_deny', 'counter'],
];

/**
 * Streams services [from, to) of the layout as one OpenMetrics document
 * into `write(text)`. Samples every `stepSeconds` over the last
 * `durationSeconds` before `end`; counters grow linearly from zero, so
 * rate() over any window inside the data is the stated rate exactly.
 */
function streamManyServices(write, options) {
  const { layout, from = 0, to = layout.services } = options;
  const step = options.stepSeconds ?? 15;
  const end = Math.floor(options.end / step) * step;
  const start = end - (options.durationSeconds ?? 2 * 3600);
  const extra = options.extraLabels ?? (() => ({}));
  let buffer = [];
  let size = 0;
  const emit = line => {
    buffer.push(line);
    size += line.length;
    if (size > 1 << 20) {
      write(buffer.join(''));
      buffer = [];
      size = 0;
    }
  };
  for (const [family, type] of FAMILIES) {
    emit(`# TYPE ${family} ${type}\n`);
    for (let i = from; i < to; i++) {
      for (const [own, value] of seriesOf(i, layout, end, family)) {
        const labels = { ...own, ...extra(i) };
        if (type === 'gauge') {
          const text = `${family}{${labelText(labels)}} ${value} `;
          for (let t = start; t <= end; t += step) emit(`${text}${t}\n`);
        } else if (type === 'counter') {
          const text = `${family}_total{${labelText(labels)}} `;
          for (let t = start; t <= end; t += step) {
            emit(`${text}${value * (t - start)} ${t}\n`);
          }
        } else {
          const buckets = [...LINKERD_BOUNDS, '+Inf'].map(
            le =>
              `${family}_bucket{${labelText({ ...labels, le: String(le) })}} `,
          );
          const sum = `${family}_sum{${labelText(labels)}} `;
          const count = `${family}_count{${labelText(labels)}} `;
          for (let t = start; t <= end; t += step) {
            const n = value * (t - start);
            buckets.forEach((b, k) =>
              emit(
                `${b}${k < CUMULATIVE.length ? n * CUMULATIVE[k] : n} ${t}\n`,
              ),
            );
            emit(`${sum}${n * 30} ${t}\n`);
            emit(`${count}${n} ${t}\n`);
          }
        }
      }
    }
  }
  emit('# EOF\n');
  write(buffer.join(''));
  return { at: end };
}

/** The dataset as one string, for tests of a few dozen services. */
function manyServicesOpenMetrics(options) {
  const parts = [];
  const { at } = streamManyServices(text => parts.push(text), options);
  return { openMetrics: parts.join(''), at };
}

/** The dataset written to `file`, never held whole in memory. */
function writeManyServicesOpenMetrics(file, options) {
  const fd = fs.openSync(file, 'w');
  try {
    return streamManyServices(text => fs.writeSync(fd, text), options);
  } finally {
    fs.closeSync(fd);
  }
}

module.exports = {
  escapeLabelValue,
  labelText,
  namespaceOf,
  clusterOf,
  streamManyServices,
  manyServicesOpenMetrics,
  writeManyServicesOpenMetrics,
};
