import {
  CertificateStatus,
  matchesLabelSelector,
  MeshKind,
  TrafficObservation,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  ClusterObjectSource,
  KubernetesContainer,
  KubernetesPod,
  MeshCluster,
  MeshClusterProvider,
  MeshTelemetrySource,
  PodQuery,
  TrafficQuery,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  DEMO_CLUSTERS,
  DEMO_EDGES,
  DEMO_WORKLOADS,
  DemoCluster,
  DemoWorkload,
} from './topology';
import {
  demoCanaryState,
  edgeRate,
  rotatingCertificate,
  stableHash,
} from './simulation';

const DAY = 24 * 3600_000;
const POD_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function podSuffix(seed: string, length: number): string {
  let h = stableHash(seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += POD_NAME_ALPHABET[h % POD_NAME_ALPHABET.length];
    h = Math.floor(h / POD_NAME_ALPHABET.length) || stableHash(`${seed}${i}`);
  }
  return out;
}

function identityOf(w: DemoWorkload, mesh: MeshKind): string {
  return mesh === 'linkerd'
    ? `${w.serviceAccount}.${w.namespace}.serviceaccount.identity.linkerd.cluster.local`
    : `spiffe://cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`;
}

/**
 * The built-in demo mesh: a simulated platform served through the same
 * {@link ClusterObjectSource} and {@link MeshTelemetrySource} interfaces as
 * real clusters, so everything after the sources is the production code.
 * Deterministic in time: no state, the same instant gives the same answer.
 */
export class DemoMesh implements MeshClusterProvider {
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
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

  /** Replicas running at an instant: the canary side scales with the rollout. */
  private replicas(w: DemoWorkload, at: Date): number {
    if (w.canary === 'canary') {
      return demoCanaryState(at).phase === 'Progressing' ? w.replicas : 0;
    }
    return w.replicas;
  }

  private revisionOf(w: DemoWorkload, at: Date): string {
    if (!w.canary) return 'stable';
    const state = demoCanaryState(at);
    // The primary takes the new revision once promoted.
    const promoted = ['Finalising', 'Succeeded'].includes(state.phase);
    return String(
      w.canary === 'canary' || promoted ? state.revision : state.revision - 1,
    );
  }

  private podsOf(
    w: DemoWorkload,
    cluster: DemoCluster,
    at: Date,
  ): KubernetesPod[] {
    const count = this.replicas(w, at);
    const revision = this.revisionOf(w, at);
    const templateHash = podSuffix(`${w.name}/${revision}`, 10);
    const pods: KubernetesPod[] = [];
    for (let i = 0; i < count; i++) {
      const name =
        w.kind === 'StatefulSet'
          ? `${w.name}-${i}`
          : `${w.name}-${templateHash}-${podSuffix(
              `${w.name}/${revision}/${i}`,
              5,
            )}`;
      const labels: Record<string, string> = {
        'app.kubernetes.io/name': w.kubernetesId ?? w.name,
      };
      if (w.kubernetesId) labels['backstage.io/kubernetes-id'] = w.kubernetesId;
      const annotations: Record<string, string> = {};
      const containers: KubernetesContainer[] = [
        { name: w.kubernetesId ?? w.name, image: w.image },
      ];
      const initContainers: KubernetesContainer[] = [];

      if (w.meshed && cluster.mesh === 'linkerd') {
        labels['linkerd.io/control-plane-ns'] = 'linkerd';
        labels['linkerd.io/workload-ns'] = w.namespace;
        labels[`linkerd.io/proxy-${w.kind.toLowerCase()}`] = w.name;
        annotations[
          'linkerd.io/created-by'
        ] = `linkerd/proxy-injector ${cluster.proxyVersion}`;
        annotations['linkerd.io/proxy-version'] = cluster.proxyVersion;
        const proxy: KubernetesContainer = {
          name: 'linkerd-proxy',
          image: cluster.proxyImage,
          env: [
            {
              name: 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME',
              value:
                '$(_pod_sa).$(_pod_ns).serviceaccount.identity.linkerd.cluster.local',
            },
            {
              name: 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY',
              value: 'all-unauthenticated',
            },
          ],
        };
        initContainers.push({
          name: 'linkerd-init',
          image: cluster.proxyImage,
        });
        if (w.nativeSidecar) {
          initContainers.push({ ...proxy, restartPolicy: 'Always' });
        } else {
          containers.unshift(proxy);
        }
      }
      if (w.meshed && cluster.mesh === 'istio') {
        labels['security.istio.io/tlsMode'] = 'istio';
        labels['service.istio.io/canonical-name'] = w.kubernetesId ?? w.name;
        annotations['sidecar.istio.io/status'] = JSON.stringify({
          initContainers: ['istio-init'],
          containers: ['istio-proxy'],
          volumes: ['istio-envoy', 'istio-data', 'istio-token'],
          revision: 'default',
        });
        initContainers.push({ name: 'istio-init', image: cluster.proxyImage });
        containers.push({ name: 'istio-proxy', image: cluster.proxyImage });
      }

      if (w.kind === 'Deployment') labels['pod-template-hash'] = templateHash;
      if (w.kind === 'StatefulSet') {
        labels['controller-revision-hash'] = `${w.name}-${templateHash}`;
      }
      pods.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: w.namespace,
          labels,
          annotations,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: w.kind === 'Deployment' ? 'ReplicaSet' : w.kind,
              name:
                w.kind === 'Deployment' ? `${w.name}-${templateHash}` : w.name,
              controller: true,
            },
          ],
        },
        spec: {
          serviceAccountName: w.serviceAccount,
          containers,
          ...(initContainers.length ? { initContainers } : {}),
        },
        status: {
          phase: 'Running',
          conditions: [
            { type: 'Initialized', status: 'True' },
            { type: 'Ready', status: 'True' },
            { type: 'ContainersReady', status: 'True' },
            { type: 'PodScheduled', status: 'True' },
          ],
        },
      });
    }
    return pods;
  }

  private objectsOf(cluster: DemoCluster): ClusterObjectSource {
    return {
      listPods: async (query: PodQuery) => {
        const at = this.now();
        return DEMO_WORKLOADS.filter(
          w =>
            w.cluster === cluster.name &&
            (!query.namespace || w.namespace === query.namespace),
        )
          .flatMap(w => this.podsOf(w, cluster, at))
          .filter(pod =>
            matchesLabelSelector(query.selector, pod.metadata.labels),
          );
      },
      listMeshCertificates: async () =>
        this.certificatesOf(cluster, this.now()),
    };
  }

  private certificatesOf(cluster: DemoCluster, at: Date): CertificateStatus[] {
    const status = (
      role: CertificateStatus['role'],
      subject: string,
      location: string,
      cert: { notBefore: Date; notAfter: Date },
    ): CertificateStatus => ({
      cluster: cluster.name,
      mesh: cluster.mesh,
      role,
      subject,
      location,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      daysToExpiry: Math.floor((cert.notAfter.getTime() - at.getTime()) / DAY),
    });
    if (cluster.mesh === 'linkerd') {
      const anchor = rotatingCertificate(at, 300, 390, 'anchor');
      const anchors = [
        status(
          'trust-anchor',
          'root.linkerd.cluster.local',
          'ConfigMap linkerd/linkerd-identity-trust-roots',
          anchor,
        ),
      ];
      // For 20 days after a rotation the bundle still carries the old anchor.
      if (at.getTime() - anchor.notBefore.getTime() < 20 * DAY) {
        anchors.push(
          status(
            'trust-anchor',
            'root.linkerd.cluster.local',
            'ConfigMap linkerd/linkerd-identity-trust-roots',
            rotatingCertificate(
              new Date(anchor.notBefore.getTime() - DAY),
              300,
              390,
              'anchor',
            ),
          ),
        );
      }
      return [
        ...anchors,
        status(
          'issuer',
          'identity.linkerd.cluster.local',
          'Secret linkerd/linkerd-identity-issuer',
          rotatingCertificate(at, 60, 180, 'issuer'),
        ),
      ];
    }
    // The PCI cluster's plugged-in CA is due for rotation: always 15-45 days left.
    return [
      status(
        'root',
        'Demo Bank PCI Root CA',
        'Secret istio-system/cacerts (root-cert.pem)',
        rotatingCertificate(at, 30, 45, 'pci-root'),
      ),
      status(
        'issuer',
        'Demo Bank PCI Intermediate CA',
        'Secret istio-system/cacerts (ca-cert.pem)',
        rotatingCertificate(at, 30, 100, 'pci-intermediate'),
      ),
    ];
  }

  private telemetryOf(cluster: DemoCluster): MeshTelemetrySource {
    return {
      workloadTraffic: async (query: TrafficQuery) =>
        this.trafficOf(cluster, query),
    };
  }

  /**
   * Traffic as a mesh adapter reports it: a proxy sees only its own side, so
   * an unmeshed workload has no telemetry of its own, and an unmeshed caller
   * is known to the callee only as a plaintext, unidentified client.
   */
  private trafficOf(
    cluster: DemoCluster,
    query: TrafficQuery,
  ): TrafficObservation[] {
    const at = query.at ?? this.now();
    const canary = demoCanaryState(at);
    const inCluster = DEMO_WORKLOADS.filter(w => w.cluster === cluster.name);
    const byName = new Map(inCluster.map(w => [w.name, w]));

    // Resolve service-level edges to workload-level ones (the canary split).
    const edges = DEMO_EDGES.filter(e => e.cluster === cluster.name).flatMap(
      e => {
        const rate = edgeRate(`${e.cluster}/${e.from}->${e.to}`, e.peakRps, at);
        if (e.to === 'fraud-scoring') {
          const canaryShare =
            canary.phase === 'Progressing' ? canary.weight / 100 : 0;
          return [
            {
              from: e.from,
              to: 'fraud-scoring-primary',
              rate: rate * (1 - canaryShare),
            },
            { from: e.from, to: 'fraud-scoring', rate: rate * canaryShare },
          ];
        }
        return [{ from: e.from, to: e.to, rate }];
      },
    );

    const observations: TrafficObservation[] = [];
    for (const ref of query.workloads) {
      const self = byName.get(ref.name);
      if (!self || self.namespace !== ref.namespace || self.kind !== ref.kind) {
        continue;
      }
      for (const edge of edges) {
        if (edge.rate <= 0) continue;
        if (edge.to === self.name) {
          const caller = byName.get(edge.from)!;
          if (self.meshed && caller.meshed) {
            observations.push({
              workload: ref,
              direction: 'inbound',
              peer: {
                namespace: caller.namespace,
                workload: caller.name,
                identity: identityOf(caller, cluster.mesh),
              },
              mtls: true,
              requestsPerSecond: edge.rate,
            });
          } else if (self.meshed) {
            observations.push({
              workload: ref,
              direction: 'inbound',
              peer: {},
              mtls: false,
              noTlsReason: 'no_tls_from_remote',
              requestsPerSecond: edge.rate,
            });
          } else if (caller.meshed) {
            // Seen only from the caller's proxy, by destination.
            observations.push({
              workload: ref,
              direction: 'inbound',
              peer: { namespace: caller.namespace, workload: caller.name },
              mtls: false,
              noTlsReason: 'not_provided_by_service_discovery',
              requestsPerSecond: edge.rate,
            });
          }
        }
        if (edge.from === self.name && self.meshed) {
          const callee = byName.get(edge.to)!;
          observations.push({
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
    return observations;
  }
}
