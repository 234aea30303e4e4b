import {
  CertificateStatus,
  EgressCall,
  matchesLabelSelector,
  mergeBuckets,
  MeshGap,
  RefusedCall,
  TrafficObservation,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  AuthorizationDecision,
  ClusterObjectSource,
  KubernetesObject,
  MeshCluster,
  MeshClusterProvider,
  MeshTelemetrySource,
  ObjectGetQuery,
  ObjectListQuery,
  ObservedCaller,
  SignalsQuery,
  TelemetryQuery,
  TrafficSignals,
  WorkloadTelemetry,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  countSourceRequest,
  statusOf,
  stepsOf,
} from '@mesh-posture/plugin-mesh-posture-node';
import { DemoCertificates } from './demoCertificates';
import {
  errorsOf,
  ISTIO_LATENCY_BOUNDS,
  LINKERD_LATENCY_BOUNDS,
  logNormalBuckets,
  serviceLevelAt,
} from './demoSignals';
import {
  appLabel,
  canaryObjects,
  DEMO_ISTIO_MESH_CONFIG,
  istioPolicyObjects,
  linkerdPolicyObjects,
  networkPolicyObjects,
  namespaceObjects,
  podsOf,
} from './demoObjects';
import {
  demoCanaryState,
  edgeRate,
  MEAN_DAILY_LOAD,
  rotatingCertificate,
  stableHash,
} from './simulation';
import {
  DEMO_CLUSTERS,
  DEMO_EGRESS,
  DEMO_REMOTE_EDGES,
  DemoCluster,
  demoPlatformAt,
  DemoWorkload,
} from './topology';

const DAY = 24 * 3600_000;
const WINDOW_SECONDS: Record<string, number> = {
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
  '6h': 21600,
  '24h': 86400,
  '7d': 604800,
  '30d': 2592000,
};

/**
 * What a caller's proxy says of a call's security: Linkerd's knows (mTLS,
 * or no identity from discovery for a callee without a proxy); Istio's
 * source reports say "unknown".
 */
function callerSideSecurity(
  mesh: DemoCluster['mesh'],
  calleeMeshed: boolean,
): Pick<TrafficObservation, 'mtls' | 'noTlsReason' | 'unverified'> {
  if (mesh === 'istio') {
    return {
      mtls: false,
      unverified: true,
      noTlsReason: "reported by the caller's sidecar, which cannot tell",
    };
  }
  return calleeMeshed
    ? { mtls: true }
    : { mtls: false, noTlsReason: 'not_provided_by_service_discovery' };
}

/** Up to 72 evenly spaced instants over a window ending at `at`, newest last. */
function sampleInstants(at: Date, windowSeconds: number): Date[] {
  const count = Math.min(72, Math.max(5, Math.round(windowSeconds / 60)));
  const step = (windowSeconds * 1000) / count;
  return Array.from(
    { length: count },
    (_, i) => new Date(at.getTime() - (count - 1 - i) * step),
  );
}

/**
 * The mean of a workload's raw signals over several instants, per peer:
 * rates, failures, bucket rates and errors averaged, as a rate over the
 * whole window is.
 */
function averageSignals(
  byInstant: TrafficSignals[][],
  instants: number,
): TrafficSignals[] {
  const groups = new Map<string, TrafficSignals[]>();
  for (const parts of byInstant) {
    for (const p of parts) {
      const key = `${p.peer?.namespace ?? ''}/${p.peer?.workload ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
  }
  return [...groups.values()].map(parts => {
    const mean = (n: number) => n / instants;
    const errors = new Map<string, TrafficSignals['errors'][number]>();
    for (const e of parts.flatMap(p => p.errors)) {
      const key = `${e.protocol}|${e.status}`;
      const seen = errors.get(key);
      errors.set(key, {
        ...e,
        requestsPerSecond:
          (seen?.requestsPerSecond ?? 0) + mean(e.requestsPerSecond),
      });
    }
    return {
      workload: parts[0].workload,
      ...(parts[0].peer ? { peer: parts[0].peer } : {}),
      requestsPerSecond: mean(
        parts.reduce((n, p) => n + p.requestsPerSecond, 0),
      ),
      failuresPerSecond: mean(
        parts.reduce((n, p) => n + p.failuresPerSecond, 0),
      ),
      latencyBuckets: mergeBuckets(parts.map(p => p.latencyBuckets)).map(b => ({
        le: b.le,
        rate: mean(b.rate),
      })),
      errors: [...errors.values()],
    };
  });
}

function identityOf(w: DemoWorkload, mesh: DemoCluster['mesh']): string {
  return mesh === 'linkerd'
    ? `${w.serviceAccount}.${w.namespace}.serviceaccount.identity.linkerd.cluster.local`
    : `spiffe://cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`;
}

/** The validity of the demo's certificates at an instant. */
function linkerdAnchor(at: Date) {
  return rotatingCertificate(at, 300, 390, 'anchor');
}
function linkerdIssuer(at: Date) {
  return rotatingCertificate(at, 60, 180, 'issuer');
}
/** The PCI cluster's plugged-in CA is due for rotation: 15-45 days left. */
function pciRoot(at: Date) {
  return rotatingCertificate(at, 30, 45, 'pci-root');
}
function pciIntermediate(at: Date) {
  return rotatingCertificate(at, 30, 100, 'pci-intermediate');
}

/**
 * The built-in demo mesh: a simulated platform served through the same
 * `ClusterObjectSource` and `MeshTelemetrySource` interfaces (from -node) as
 * real clusters. The objects are real Kubernetes shapes (pods, namespaces,
 * Linkerd and Istio policies, ConfigMaps with real certificates), so the
 * production adapters read and judge them. Deterministic in time: the same
 * instant gives the same answer, with no state.
 *
 * The demo has a past (`DEMO_CHANGES` in topology.ts): web-frontend went
 * default-deny 12 days before its present, and notifications (no proxy)
 * started calling accounts-service in plaintext 4 days before. Its present
 * is the clock's reading unless `present` says otherwise, so the live demo
 * has always lived its story; a snapshot of the past asks a demo whose
 * clock reads an earlier instant with the present of today, and sees the
 * platform as it was then.
 * @public
 */
export class DemoMesh implements MeshClusterProvider {
  private readonly now: () => Date;
  private readonly present?: Date;
  private readonly certificates = new DemoCertificates();

  constructor(options: { now?: () => Date; present?: Date } = {}) {
    this.now = options.now ?? (() => new Date());
    this.present = options.present;
  }

  /** The platform at an instant of the demo's story. */
  private platformAt(at: Date) {
    return demoPlatformAt(at, this.present ?? this.now());
  }

  async getClusters(): Promise<MeshCluster[]> {
    return DEMO_CLUSTERS.map(cluster => ({
      name: cluster.name,
      mesh: cluster.mesh,
      demo: true,
      objects: this.objectsOf(cluster),
      telemetry: this.telemetryOf(cluster),
    }));
  }

  private objectsOf(cluster: DemoCluster): ClusterObjectSource {
    // The demo answers in-process; it counts the reads a real cluster would serve.
    return {
      list: async (query: ObjectListQuery) => {
        countSourceRequest('kubernetesReads');
        return this.list(cluster, query);
      },
      get: async (query: ObjectGetQuery) => {
        countSourceRequest('kubernetesReads');
        return this.get(cluster, query);
      },
    };
  }

  private list(
    cluster: DemoCluster,
    query: ObjectListQuery,
  ): KubernetesObject[] | undefined {
    const at = this.now();
    const platform = this.platformAt(at);
    let items: KubernetesObject[] | undefined;
    if (query.apiVersion === 'v1' && query.resource === 'pods') {
      items = platform.workloads
        .filter(w => w.cluster === cluster.name)
        .flatMap(w => podsOf(w, at));
    } else if (query.apiVersion === 'v1' && query.resource === 'namespaces') {
      items = namespaceObjects(cluster.name, platform.namespaces);
    } else if (
      query.apiVersion === 'flagger.app/v1beta1' &&
      query.resource === 'canaries'
    ) {
      items = canaryObjects(cluster.name, at);
    } else if (
      query.apiVersion === 'networking.k8s.io/v1' &&
      query.resource === 'networkpolicies'
    ) {
      items = networkPolicyObjects(
        cluster.name,
        platform.namespaces,
        platform.workloads,
      );
    } else if (
      cluster.mesh === 'linkerd' &&
      query.apiVersion === 'cert-manager.io/v1' &&
      query.resource === 'certificates'
    ) {
      items = [this.linkerdIssuerCertificate(at)];
    } else if (
      cluster.mesh === 'istio' &&
      query.apiVersion === 'v1' &&
      query.resource === 'configmaps'
    ) {
      // One control plane, the default revision: its mesh config as the
      // istiod chart labels it (no istio-<revision> ConfigMap).
      items = [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'istio',
            namespace: 'istio-system',
            labels: { 'istio.io/rev': 'default' },
          },
          data: { mesh: DEMO_ISTIO_MESH_CONFIG },
        },
      ];
    } else {
      const resources =
        cluster.mesh === 'linkerd'
          ? linkerdPolicyObjects(platform.workloads)
          : istioPolicyObjects(platform.workloads);
      items = resources[`${query.apiVersion}/${query.resource}`];
    }
    if (!items) return undefined;
    return items.filter(
      o =>
        (!query.namespace || o.metadata.namespace === query.namespace) &&
        (!query.selector ||
          matchesLabelSelector(query.selector, o.metadata.labels)),
    );
  }

  private async get(
    cluster: DemoCluster,
    query: ObjectGetQuery,
  ): Promise<KubernetesObject | undefined> {
    const at = this.now();
    if (query.apiVersion === 'v1' && query.resource === 'configmaps') {
      if (
        cluster.mesh === 'linkerd' &&
        query.namespace === 'linkerd' &&
        query.name === 'linkerd-identity-trust-roots'
      ) {
        const current = linkerdAnchor(at);
        const pems = [
          await this.certificates.pem(
            'root.linkerd.cluster.local',
            current.notBefore,
            current.notAfter,
          ),
        ];
        // For 20 days after a rotation the bundle still carries the old anchor.
        if (at.getTime() - current.notBefore.getTime() < 20 * DAY) {
          const previous = linkerdAnchor(
            new Date(current.notBefore.getTime() - DAY),
          );
          pems.push(
            await this.certificates.pem(
              'root.linkerd.cluster.local',
              previous.notBefore,
              previous.notAfter,
            ),
          );
        }
        return this.configMap(query, { 'ca-bundle.crt': pems.join('') });
      }
      if (
        cluster.mesh === 'istio' &&
        query.namespace === 'istio-system' &&
        query.name === 'istio'
      ) {
        return this.configMap(query, { mesh: DEMO_ISTIO_MESH_CONFIG });
      }
      if (
        cluster.mesh === 'istio' &&
        query.name === 'istio-ca-root-cert' &&
        query.namespace
      ) {
        const root = pciRoot(at);
        return this.configMap(query, {
          'root-cert.pem': await this.certificates.pem(
            'Demo Bank PCI Root CA',
            root.notBefore,
            root.notAfter,
          ),
        });
      }
      return undefined;
    }
    return this.list(cluster, { ...query, namespace: query.namespace })?.find(
      o => o.metadata.name === query.name,
    );
  }

  private configMap(
    query: ObjectGetQuery,
    data: Record<string, string>,
  ): KubernetesObject {
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: query.name, namespace: query.namespace },
      data,
    };
  }

  /** cert-manager issues Linkerd's issuer in the demo. */
  private linkerdIssuerCertificate(at: Date): KubernetesObject {
    const issuer = linkerdIssuer(at);
    return {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'linkerd-identity-issuer', namespace: 'linkerd' },
      spec: {
        secretName: 'linkerd-identity-issuer',
        commonName: 'identity.linkerd.cluster.local',
        isCA: true,
        issuerRef: { name: 'linkerd-trust-anchor', kind: 'ClusterIssuer' },
      },
      status: {
        notBefore: issuer.notBefore.toISOString(),
        notAfter: issuer.notAfter.toISOString(),
        renewalTime: new Date(
          issuer.notAfter.getTime() - 60 * DAY,
        ).toISOString(),
        conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }],
      },
    };
  }

  /**
   * Edges averaged over a window ending at `at`, as a rate over that window
   * in Prometheus would be: sampled at evenly spaced instants.
   */
  private edgesOver(cluster: DemoCluster, at: Date, windowSeconds: number) {
    const instants = sampleInstants(at, windowSeconds);
    const sums = new Map<
      string,
      {
        from: string;
        to: string;
        rate: number;
        denied: boolean;
        peakRps: number;
      }
    >();
    for (const instant of instants) {
      for (const e of this.edgesAt(cluster, instant)) {
        const key = `${e.from}->${e.to}`;
        const sum = sums.get(key) ?? { ...e, rate: 0 };
        sum.rate += e.rate / instants.length;
        sums.set(key, sum);
      }
    }
    return [...sums.values()];
  }

  /** Service-level edges as workload-level ones at an instant (the canary split). */
  private edgesAt(cluster: DemoCluster, at: Date) {
    const canary = demoCanaryState(at);
    const { edges } = this.platformAt(at);
    return edges
      .filter(e => e.cluster === cluster.name)
      .flatMap(e => {
        const rate = edgeRate(`${e.cluster}/${e.from}->${e.to}`, e.peakRps, at);
        const denied = Boolean(e.denied);
        const peakRps = e.peakRps;
        if (e.to === 'fraud-scoring') {
          const share =
            canary.phase === 'Progressing' ? canary.weight / 100 : 0;
          return [
            {
              from: e.from,
              to: 'fraud-scoring-primary',
              rate: rate * (1 - share),
              denied,
              peakRps: peakRps * (1 - share),
            },
            {
              from: e.from,
              to: 'fraud-scoring',
              rate: rate * share,
              denied,
              peakRps: peakRps * share,
            },
          ];
        }
        if (e.from === 'fraud-scoring' && denied) {
          // The refused calls are the new model's, so the canary's: counted
          // over the caller window, which holds a rollout every hour.
          return [{ from: 'fraud-scoring', to: e.to, rate, denied, peakRps }];
        }
        if (e.from === 'fraud-scoring') {
          return [
            { from: 'fraud-scoring-primary', to: e.to, rate, denied, peakRps },
          ];
        }
        return [{ from: e.from, to: e.to, rate, denied, peakRps }];
      });
  }

  private signalsOf(
    cluster: DemoCluster,
  ): MeshTelemetrySource['workloadSignals'] {
    return async (query: SignalsQuery) => {
      const at = query.at ?? this.now();
      const bounds =
        cluster.mesh === 'linkerd'
          ? LINKERD_LATENCY_BOUNDS
          : ISTIO_LATENCY_BOUNDS;
      const inCluster = this.platformAt(at).workloads.filter(
        w => w.cluster === cluster.name,
      );
      const byCallers =
        query.direction === 'inbound' && query.observedBy === 'callers';
      // A proxy reports its own traffic; callers' proxies report a
      // workload that has none.
      const refOf = (ref: WorkloadRef) =>
        inCluster.find(
          w =>
            w.namespace === ref.namespace &&
            w.name === ref.name &&
            (byCallers ? !w.meshed : w.meshed),
        );

      /** Raw signals of the traffic a workload serves (inbound) or makes (outbound), at one instant. */
      const signalsAt = (ref: WorkloadRef, instant: Date): TrafficSignals[] => {
        const self = refOf(ref);
        if (!self) return [];
        const edges = this.edgesAt(cluster, instant).filter(
          e => !e.denied && e.rate > 0,
        );
        const parts: TrafficSignals[] = [];
        if (query.direction === 'inbound') {
          const rps = edges
            .filter(
              e =>
                e.to === self.name &&
                (!byCallers ||
                  inCluster.some(w => w.name === e.from && w.meshed)),
            )
            .reduce((n, e) => n + e.rate, 0);
          const level = serviceLevelAt(self.name, instant);
          if (!level || rps <= 0) return [];
          const failures = rps * level.errorRate;
          parts.push({
            workload: ref,
            requestsPerSecond: rps,
            failuresPerSecond: failures,
            latencyBuckets: logNormalBuckets(
              rps,
              level.p50Ms,
              level.p99Ms,
              bounds,
            ),
            errors: errorsOf(level, failures),
          });
        } else {
          for (const e of edges.filter(x => x.from === self.name)) {
            const callee = inCluster.find(w => w.name === e.to)!;
            const level = serviceLevelAt(callee.name, instant) ?? {
              p50Ms: 20,
              p99Ms: 120,
              errorRate: 0.001,
              protocol: 'http' as const,
            };
            const failures = e.rate * level.errorRate;
            parts.push({
              workload: ref,
              peer: { namespace: callee.namespace, workload: callee.name },
              requestsPerSecond: e.rate,
              failuresPerSecond: failures,
              // The caller also waits for the network hop.
              latencyBuckets: logNormalBuckets(
                e.rate,
                level.p50Ms + 1,
                level.p99Ms + 3,
                bounds,
              ),
              errors: errorsOf(level, failures),
            });
          }
        }
        return parts;
      };

      // Over the window, as increase() and histogram_quantile over it
      // would read a real Prometheus: the mean of evenly spaced instants.
      const windowSeconds = WINDOW_SECONDS[query.window] ?? 3600;
      const instants = sampleInstants(at, windowSeconds);
      const summaries = query.workloads.flatMap(ref =>
        averageSignals(
          instants.map(instant => signalsAt(ref, instant)),
          instants.length,
        ),
      );
      const series = query.series
        ? query.workloads.map(ref => {
            const steps = stepsOf(at, windowSeconds, query.series!.stepSeconds);
            return {
              workload: ref,
              points: steps.map(t => {
                const parts = signalsAt(ref, new Date(t * 1000));
                return {
                  t: t * 1000,
                  requestsPerSecond: parts.reduce(
                    (n, p) => n + p.requestsPerSecond,
                    0,
                  ),
                  failuresPerSecond: parts.reduce(
                    (n, p) => n + p.failuresPerSecond,
                    0,
                  ),
                  latencyBuckets: mergeBuckets(
                    parts.map(p => p.latencyBuckets),
                  ),
                };
              }),
            };
          })
        : [];
      return { summaries, series, gaps: [] };
    };
  }

  private telemetryOf(cluster: DemoCluster): MeshTelemetrySource {
    // No PromQL runs here: each batched call counts as one query.
    const signals = this.signalsOf(cluster);
    return {
      workloadTelemetry: async (query: TelemetryQuery) => {
        countSourceRequest('prometheusQueries');
        return this.telemetry(cluster, query);
      },
      workloadSignals: async (query, options) => {
        countSourceRequest('prometheusQueries');
        return signals(query, options);
      },
    };
  }

  /**
   * Telemetry as a mesh adapter reports it: a proxy sees only its own side,
   * so an unmeshed workload has no telemetry of its own, and an unmeshed
   * caller is known to the callee only as a plaintext, unidentified client.
   */
  private telemetry(
    cluster: DemoCluster,
    query: TelemetryQuery,
  ): WorkloadTelemetry {
    const at = query.at ?? this.now();
    const platform = this.platformAt(at);
    const inCluster = platform.workloads.filter(
      w => w.cluster === cluster.name,
    );
    const byName = new Map(inCluster.map(w => [w.name, w]));

    const edges = this.edgesOver(
      cluster,
      at,
      WINDOW_SECONDS[query.window] ?? 300,
    );

    const traffic: TrafficObservation[] = [];
    const clientReported: TrafficObservation[] = [];
    const callers: ObservedCaller[] = [];
    const decisions: AuthorizationDecision[] = [];
    const refusedCalls: RefusedCall[] = [];
    const callerSeconds = WINDOW_SECONDS[query.callerWindow] ?? 604800;
    const isRef = (ref: WorkloadRef, w: DemoWorkload) =>
      w.namespace === ref.namespace && w.name === ref.name;

    for (const ref of query.workloads) {
      const self = inCluster.find(w => isRef(ref, w));
      if (!self) continue;
      if (
        self.meshed &&
        cluster.mesh === 'linkerd' &&
        self.port.protocol !== 'gRPC' &&
        self.port.protocol !== 'opaque'
      ) {
        // Kubelet's liveness and readiness probes, every 10 s per pod, on
        // the probe route Linkerd gives them: plaintext by design.
        traffic.push({
          workload: ref,
          direction: 'inbound',
          peer: {},
          mtls: false,
          noTlsReason: 'no_tls_from_remote',
          probe: true,
          requestsPerSecond: 0.2 * self.replicas,
        });
      }
      for (const edge of edges) {
        // Refusals are counted over the caller window, which holds calls
        // even when the instant's rate rounds to none (a rare call at night).
        if (edge.rate <= 0 && !edge.denied) continue;
        const refusedOverWindow = Math.round(
          edge.peakRps * MEAN_DAILY_LOAD * callerSeconds,
        );
        if (edge.to === self.name) {
          const caller = byName.get(edge.from)!;
          if (edge.denied) {
            // Istio sidecars count no denials in the standard metrics.
            if (self.meshed && cluster.mesh === 'linkerd') {
              decisions.push({
                workload: ref,
                decision: 'deny',
                identity: identityOf(caller, cluster.mesh),
                server: `server/${appLabel(self)}-${self.port.name}`,
                count: refusedOverWindow,
                protocol: 'http',
              });
            }
            continue;
          }
          if (caller.meshed) {
            // The caller's proxy reports it too; only Linkerd's can tell
            // whether it was mTLS (Istio's source reports say "unknown").
            clientReported.push({
              workload: ref,
              direction: 'inbound',
              peer: { namespace: caller.namespace, workload: caller.name },
              ...callerSideSecurity(cluster.mesh, self.meshed),
              reportedBy: 'peer',
              requestsPerSecond: edge.rate,
            });
          }
          // An ambient workload's ztunnel reports connections, not
          // requests: see the TCP edges below.
          if (self.ambient) continue;
          if (self.meshed && caller.meshed) {
            const identity = identityOf(caller, cluster.mesh);
            traffic.push({
              workload: ref,
              direction: 'inbound',
              peer: {
                namespace: caller.namespace,
                workload: caller.name,
                identity,
              },
              mtls: true,
              requestsPerSecond: edge.rate,
            });
            // Callers over the caller window: the daily average.
            callers.push({
              workload: ref,
              identity,
              count: Math.round(edge.rate * callerSeconds * 0.55),
            });
          } else if (self.meshed) {
            traffic.push({
              workload: ref,
              direction: 'inbound',
              peer: {},
              mtls: false,
              noTlsReason:
                cluster.mesh === 'linkerd'
                  ? 'no_tls_from_remote'
                  : 'connection_security_policy=none',
              requestsPerSecond: edge.rate,
            });
          }
        }
        if (edge.from === self.name && edge.denied && self.meshed) {
          const callee = byName.get(edge.to)!;
          // Both proxies see the refusal: the callee counts the denial of
          // the caller's identity, the caller its 403s (gRPC status 7).
          if (callee.meshed && cluster.mesh === 'linkerd') {
            refusedCalls.push({
              workload: ref,
              peer: { namespace: callee.namespace, workload: callee.name },
              identity: identityOf(self, cluster.mesh),
              policy: `server/${appLabel(callee)}-${callee.port.name}`,
              count: refusedOverWindow,
              protocol: callee.port.protocol === 'gRPC' ? 'grpc' : 'http',
            });
          }
        }
        if (edge.from === self.name && self.meshed && !edge.denied) {
          const callee = byName.get(edge.to)!;
          traffic.push({
            workload: ref,
            direction: 'outbound',
            peer: callee.meshed
              ? {
                  namespace: callee.namespace,
                  workload: callee.name,
                  identity: identityOf(callee, cluster.mesh),
                }
              : { namespace: callee.namespace, workload: callee.name },
            mtls: callee.meshed,
            ...(callee.meshed
              ? {}
              : { noTlsReason: 'not_provided_by_service_discovery' }),
            requestsPerSecond: edge.rate,
          });
        }
      }
    }

    // Calls through a multicluster gateway to a cluster the demo does not
    // serve: only the caller's side is known.
    for (const e of DEMO_REMOTE_EDGES.filter(r => r.cluster === cluster.name)) {
      const ref = query.workloads.find(
        w => w.name === e.from && byName.get(w.name)?.meshed,
      );
      if (!ref) continue;
      traffic.push({
        workload: ref,
        direction: 'outbound',
        peer: {
          cluster: e.targetCluster,
          namespace: e.namespace,
          workload: e.to,
          identity:
            'linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local',
        },
        mtls: true,
        requestsPerSecond: edgeRate(
          `${e.cluster}/${e.from}->${e.targetCluster}/${e.to}`,
          e.peakRps,
          at,
        ),
      });
    }

    // Opaque TCP edges (a database): bytes and open connections, no requests.
    const tcpEdges = platform.tcpEdges.filter(e => e.cluster === cluster.name);
    for (const ref of query.workloads) {
      const self = inCluster.find(w => isRef(ref, w));
      if (!self?.meshed) continue;
      for (const e of tcpEdges) {
        const tcp = {
          bytesPerSecond: edgeRate(
            `${e.cluster}/${e.from}->${e.to}/tcp`,
            e.peakBytesPerSecond,
            at,
          ),
          openConnections: e.connections,
        };
        if (e.to === self.name) {
          const caller = byName.get(e.from)!;
          const identity = caller.meshed
            ? identityOf(caller, cluster.mesh)
            : undefined;
          traffic.push({
            workload: ref,
            direction: 'inbound',
            peer: identity
              ? { namespace: caller.namespace, workload: caller.name, identity }
              : {},
            mtls: Boolean(identity),
            ...(identity ? {} : { noTlsReason: 'no_tls_from_remote' }),
            protocol: 'tcp',
            requestsPerSecond: 0,
            tcp,
          });
          if (identity) {
            callers.push({
              workload: ref,
              identity,
              // Its pool reconnects hourly.
              count: Math.round((e.connections * callerSeconds) / 3600),
            });
          }
        }
        if (e.from === self.name && !e.carriesRequests) {
          const callee = byName.get(e.to)!;
          traffic.push({
            workload: ref,
            direction: 'outbound',
            peer: {
              namespace: callee.namespace,
              workload: callee.name,
              ...(callee.meshed
                ? { identity: identityOf(callee, cluster.mesh) }
                : {}),
            },
            mtls: callee.meshed,
            ...(callee.meshed
              ? {}
              : { noTlsReason: 'not_provided_by_service_discovery' }),
            protocol: 'tcp',
            requestsPerSecond: 0,
            tcp,
          });
        }
      }
    }

    const workloadCertificates =
      cluster.mesh === 'linkerd'
        ? query.workloads
            .filter(ref => inCluster.some(w => isRef(ref, w) && w.meshed))
            .map(ref => {
              // Workload certificates live 24 h and are renewed at 70% of that.
              const offset = (stableHash(ref.name) % 600) * 60_000;
              const cycle = Math.floor((at.getTime() - offset) / (0.7 * DAY));
              return {
                workload: ref,
                notAfter: new Date(cycle * 0.7 * DAY + offset + DAY),
                // Where Linkerd's proxies report it.
                location: "the proxies' certificate metrics",
              };
            })
        : [];

    const meshCertificates: CertificateStatus[] = [];
    const gaps: MeshGap[] = [];
    if (cluster.mesh === 'istio') {
      const chain = pciIntermediate(at);
      meshCertificates.push(
        statusOf(
          {
            subject: 'Demo Bank PCI Intermediate CA',
            notBefore: chain.notBefore,
            notAfter: chain.notAfter,
          },
          {
            cluster: cluster.name,
            mesh: 'istio',
            role: 'issuer',
            location: 'metric citadel_server_cert_chain_expiry_timestamp',
            now: at,
          },
        ),
      );
      gaps.push({
        topic: 'denials',
        cluster: cluster.name,
        message:
          'Istio sidecars do not report authorization denials in the standard metrics (ambient ztunnel denials are counted)',
      });
    }

    // Calls out of the mesh, as each caller's own proxy counts them over
    // the window.
    const windowSeconds = WINDOW_SECONDS[query.window] ?? 300;
    const egressCalls: EgressCall[] = [];
    for (const e of DEMO_EGRESS.filter(x => x.cluster === cluster.name)) {
      const workload = query.workloads.find(ref =>
        inCluster.some(w => isRef(ref, w) && w.meshed && w.name === e.from),
      );
      if (!workload) continue;
      const perSecond = edgeRate(
        `${cluster.name}/${e.from}->egress:${e.host ?? e.port}`,
        e.peakPerMinute / 60,
        at,
      );
      const count = Math.round(perSecond * windowSeconds);
      if (count <= 0) continue;
      egressCalls.push({
        workload,
        ...(e.host ? { host: e.host } : {}),
        ...(e.port ? { port: e.port } : {}),
        protocol: e.protocol,
        route: e.route,
        via: e.via,
        count,
      });
    }

    return {
      traffic,
      callers,
      decisions,
      ...(cluster.mesh === 'linkerd' ? { refusedCalls } : {}),
      egressCalls,
      workloadCertificates,
      meshCertificates,
      // The demo's telemetry holds a month of every meshed proxy's series.
      workloadHistory: query.workloads
        .filter(ref => inCluster.some(w => isRef(ref, w) && w.meshed))
        .map(workload => ({
          workload,
          from: new Date(at.getTime() - 30 * DAY),
          until: at,
        })),
      clientReported,
      gaps,
    };
  }
}
