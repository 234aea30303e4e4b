import type {
  CertificateStatus,
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  MeshTelemetrySource,
  ObservedCaller,
  SourceCallOptions,
  TelemetryQuery,
  WorkloadTelemetry,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  PrometheusClient,
  PromSample,
} from '../../prometheus/PrometheusClient';
import {
  earliestSampleTime,
  eq,
  increase,
  maxBy,
  oneOf,
  rate,
  selector,
  sumBy,
} from '../../prometheus/promql';
import { statusOf } from '../certificates';

const SRC_NS = 'source_workload_namespace';
const SRC = 'source_workload';
const DST_NS = 'destination_workload_namespace';
const DST = 'destination_workload';

function known(value: string | undefined): string | undefined {
  return value && value !== 'unknown' ? value : undefined;
}

function finite(s: PromSample): boolean {
  return Number.isFinite(s.value) && s.value > 0;
}

/**
 * Istio telemetry from Prometheus (Istio's standard metrics). mTLS is read
 * from destination-reported series only, where `connection_security_policy`
 * is set; outbound calls to destinations outside the mesh are found in
 * source-reported series that have no destination-reported counterpart.
 */
export class IstioTelemetry implements MeshTelemetrySource {
  private readonly prometheus: PrometheusClient;

  constructor(options: { prometheus: PrometheusClient }) {
    this.prometheus = options.prometheus;
  }

  async workloadTelemetry(
    query: TelemetryQuery,
    options: SourceCallOptions,
  ): Promise<WorkloadTelemetry> {
    // Istio's workload label is the workload's name; its kind is not recorded.
    const byName = new Map(
      query.workloads.map(w => [`${w.namespace}/${w.name}`, w]),
    );
    const find = (ns?: string, name?: string): WorkloadRef | undefined =>
      ns && name ? byName.get(`${ns}/${name}`) : undefined;
    const namespaces = [...new Set(query.workloads.map(w => w.namespace))];
    const at = query.at ?? new Date();
    const q = (promql: string) => this.prometheus.query(promql, at, options);
    const requests = (matchers: Parameters<typeof selector>[1]) =>
      selector('istio_requests_total', matchers);
    const destination = eq('reporter', 'destination');

    const [
      inbound,
      outbound,
      outboundBySource,
      callers,
      tcpDenied,
      rootExpiry,
      chainExpiry,
      history,
    ] = await Promise.all([
      q(
        sumBy(
          [
            DST_NS,
            DST,
            SRC_NS,
            SRC,
            'source_principal',
            'connection_security_policy',
          ],
          rate(
            requests([destination, oneOf(DST_NS, namespaces)]),
            query.window,
          ),
        ),
      ),
      q(
        sumBy(
          [
            SRC_NS,
            SRC,
            DST_NS,
            DST,
            'destination_principal',
            'connection_security_policy',
          ],
          rate(
            requests([destination, oneOf(SRC_NS, namespaces)]),
            query.window,
          ),
        ),
      ),
      q(
        sumBy(
          [SRC_NS, SRC, DST_NS, DST, 'destination_service'],
          rate(
            requests([eq('reporter', 'source'), oneOf(SRC_NS, namespaces)]),
            query.window,
          ),
        ),
      ),
      q(
        sumBy(
          [DST_NS, DST, 'source_principal'],
          increase(
            requests([
              destination,
              eq('connection_security_policy', 'mutual_tls'),
              oneOf(DST_NS, namespaces),
            ]),
            query.callerWindow,
          ),
        ),
      ),
      // Ambient: ztunnel marks connections its policy refused.
      q(
        sumBy(
          [DST_NS, DST, 'source_principal'],
          increase(
            selector('istio_tcp_connections_opened_total', [
              destination,
              eq('response_flags', 'DENY'),
              oneOf(DST_NS, namespaces),
            ]),
            query.callerWindow,
          ),
        ),
      ),
      q(
        maxBy(
          ['cluster_id'],
          selector('citadel_server_root_cert_expiry_timestamp', []),
        ),
      ),
      q(
        maxBy(
          ['cluster_id'],
          selector('citadel_server_cert_chain_expiry_timestamp', []),
        ),
      ),
      q(
        earliestSampleTime(
          `count(${requests([destination, oneOf(DST_NS, namespaces)])})`,
          query.callerWindow,
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
    const secured = new Set<string>();
    for (const s of outbound.filter(finite)) {
      const workload = find(s.labels[SRC_NS], s.labels[SRC]);
      if (!workload) continue;
      secured.add(
        `${workload.namespace}/${workload.name}->${s.labels[DST_NS]}/${s.labels[DST]}`,
      );
      const mtls = s.labels.connection_security_policy === 'mutual_tls';
      traffic.push({
        workload,
        direction: 'outbound',
        peer: {
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
    for (const s of outboundBySource.filter(finite)) {
      const workload = find(s.labels[SRC_NS], s.labels[SRC]);
      if (!workload) continue;
      const pair = `${workload.namespace}/${workload.name}->${s.labels[DST_NS]}/${s.labels[DST]}`;
      if (secured.has(pair)) continue;
      // No destination proxy reported it: the destination is outside the mesh.
      traffic.push({
        workload,
        direction: 'outbound',
        peer: {
          ...(known(s.labels[DST_NS]) ? { namespace: s.labels[DST_NS] } : {}),
          workload:
            known(s.labels[DST]) ??
            known(s.labels.destination_service) ??
            'outside the mesh',
        },
        mtls: false,
        noTlsReason: 'destination outside the mesh',
        requestsPerSecond: s.value,
      });
    }

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

    const earliest = history.find(s => Number.isFinite(s.value));
    return {
      traffic,
      callers: observedCallers,
      decisions,
      workloadCertificates: [],
      meshCertificates,
      ...(earliest ? { historyFrom: new Date(earliest.value * 1000) } : {}),
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
}
