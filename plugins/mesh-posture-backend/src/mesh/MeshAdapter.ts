import type {
  CertificateStatus,
  MeshGap,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import {
  ClusterObjectSource,
  KubernetesObject,
  KubernetesPod,
  MeshAdapter,
  MeshCluster,
  MeshObjectAdapter,
  MeshObjects,
  MeshTelemetrySource,
  SourceError,
  statusOf,
} from '@mesh-posture/plugin-mesh-posture-node';
import type { ClusterConfig } from '../config';
import type { PrometheusQueries } from '../prometheus/PrometheusClient';
import type { Matcher } from '../prometheus/promql';
import {
  CertificateParseError,
  certificateStatuses,
  notIssuedByAnchors,
  certManagerProblem,
  notSynced,
  staleAnchors,
} from './certificates';
import { envValue, findSidecar } from './pods';
import {
  evaluateIstioAuthorization,
  IstioPolicyObjects,
} from './istio/istioPolicy';
import {
  evaluateLinkerdAuthorization,
  LinkerdPolicyObjects,
} from './linkerd/linkerdPolicy';
import { VersionedLister } from './objects';
import { evaluateLinkerdEgress } from './linkerd/linkerdEgress';
import {
  evaluateIstioEgress,
  meshOutboundMode,
  revisionMeshModes,
} from './istio/istioEgress';

/** The label names a cluster's scrape config gives its mesh's metrics. */
export type TelemetryLabels = ClusterConfig['labels'];

/**
 * A mesh the backend ships (`linkerd/linkerdAdapter.ts`,
 * `istio/istioAdapter.ts`): it can also build the telemetry of a cluster
 * declared in `meshPosture.clusters`. Callers ask the adapter of a
 * cluster's mesh, never branch on the mesh themselves.
 */
export interface BuiltInMeshAdapter extends MeshAdapter {
  flaggerSuccessShare: NonNullable<MeshAdapter['flaggerSuccessShare']>;
  /** The mesh's telemetry in a cluster's Prometheus. */
  telemetry(
    prometheus: PrometheusQueries,
    labels?: TelemetryLabels,
    /** Matchers every query carries (one cluster's series on a shared endpoint). */
    scope?: Matcher[],
  ): MeshTelemetrySource;
}

function settingsOf(cluster: MeshCluster) {
  return {
    linkerdNamespace: cluster.settings?.linkerdNamespace ?? 'linkerd',
    // The chart's default (linkerd/linkerd2 charts/linkerd-control-plane/
    // values.yaml egress.globalEgressNetworkNamespace).
    linkerdEgressNamespace:
      cluster.settings?.linkerdEgressNamespace ?? 'linkerd-egress',
    istioRootNamespace: cluster.settings?.istioRootNamespace ?? 'istio-system',
    trustDomain: cluster.settings?.trustDomain ?? 'cluster.local',
    readIssuerSecret: cluster.settings?.readIssuerSecret ?? false,
  };
}

/** The Secrets of Linkerd's admission webhooks, by the webhook they serve. */
const LINKERD_WEBHOOK_SECRETS: Record<string, string> = {
  'linkerd-proxy-injector-k8s-tls': 'proxy injector',
  'linkerd-sp-validator-k8s-tls': 'service profile validator',
  'linkerd-policy-validator-k8s-tls': 'policy validator',
};

function bundleStatuses(
  pem: string | undefined,
  context: Parameters<typeof certificateStatuses>[1],
  gaps: MeshGap[],
): CertificateStatus[] {
  if (!pem) {
    gaps.push({
      topic: 'certificates',
      cluster: context.cluster,
      message: `${context.location} was not found`,
    });
    return [];
  }
  try {
    return certificateStatuses(pem, context);
  } catch (error) {
    if (error instanceof CertificateParseError) {
      throw new SourceError(
        'invalid-response',
        `${context.location}: ${error.message}`,
      );
    }
    throw error;
  }
}

const inNamespace = (ns: string) => (o: KubernetesObject) =>
  o.metadata.namespace === ns;

export class LinkerdObjectAdapter implements MeshObjectAdapter {
  private readonly lister = new VersionedLister();

  async read(
    source: ClusterObjectSource,
    cluster: MeshCluster,
    namespaces: string[],
    now: Date,
    signal?: AbortSignal,
  ): Promise<MeshObjects> {
    const settings = settingsOf(cluster);
    const gaps: MeshGap[] = [];
    const list = (versions: string[], resource: string) =>
      this.lister.list(
        source,
        cluster.name,
        'policy.linkerd.io',
        versions,
        resource,
        signal,
      );
    const [
      namespaceObjects,
      servers,
      authorizationPolicies,
      meshTLSAuthentications,
      networkAuthentications,
      serverAuthorizations,
      httpRoutes,
      gatewayHttpRoutes,
      gatewayGrpcRoutes,
      trustRoots,
      certManagerCertificates,
      trustBundle,
      egressNetworks,
      tlsRoutes,
      tcpRoutes,
    ] = await Promise.all([
      Promise.all(
        namespaces.map(name =>
          source.get(
            {
              cluster: cluster.name,
              apiVersion: 'v1',
              resource: 'namespaces',
              name,
            },
            { signal },
          ),
        ),
      ),
      list(['v1beta3', 'v1beta2', 'v1beta1'], 'servers'),
      list(['v1alpha1'], 'authorizationpolicies'),
      list(['v1alpha1'], 'meshtlsauthentications'),
      list(['v1alpha1'], 'networkauthentications'),
      list(['v1beta1'], 'serverauthorizations'),
      list(['v1beta3', 'v1beta2', 'v1beta1', 'v1alpha1'], 'httproutes'),
      // Linkerd also serves Gateway API routes as parents of Servers.
      this.lister.list(
        source,
        cluster.name,
        'gateway.networking.k8s.io',
        ['v1', 'v1beta1'],
        'httproutes',
        signal,
      ),
      this.lister.list(
        source,
        cluster.name,
        'gateway.networking.k8s.io',
        ['v1', 'v1alpha2'],
        'grpcroutes',
        signal,
      ),
      source.get(
        {
          cluster: cluster.name,
          apiVersion: 'v1',
          resource: 'configmaps',
          namespace: settings.linkerdNamespace,
          name: 'linkerd-identity-trust-roots',
        },
        { signal },
      ),
      // cert-manager keeps the issuer's validity in its Certificate status,
      // readable without touching the Secret that holds the private key.
      this.lister
        .list(
          source,
          cluster.name,
          'cert-manager.io',
          ['v1'],
          'certificates',
          signal,
        )
        .then(items =>
          (items ?? []).filter(
            c => c.metadata.namespace === settings.linkerdNamespace,
          ),
        ),
      // trust-manager, where it distributes the anchors: the Bundle whose
      // target is the trust-roots ConfigMap (cluster-scoped; Linkerd's docs
      // name it linkerd-identity-trust-roots).
      this.lister
        .list(
          source,
          cluster.name,
          'trust.cert-manager.io',
          ['v1alpha1'],
          'bundles',
          signal,
        )
        .then(items =>
          items?.find(
            b =>
              b.metadata.name === 'linkerd-identity-trust-roots' ||
              b.spec?.target?.configMap?.key === 'ca-bundle.crt',
          ),
        ),
      // Egress (Linkerd 2.17+): the networks, and the routes on them.
      list(['v1alpha1'], 'egressnetworks'),
      this.lister.list(
        source,
        cluster.name,
        'gateway.networking.k8s.io',
        ['v1alpha2'],
        'tlsroutes',
        signal,
      ),
      this.lister.list(
        source,
        cluster.name,
        'gateway.networking.k8s.io',
        ['v1alpha2'],
        'tcproutes',
        signal,
      ),
    ]);
    if (egressNetworks === undefined) {
      gaps.push({
        topic: 'egress',
        cluster: cluster.name,
        message:
          'EgressNetwork (policy.linkerd.io) is not installed: Linkerd before 2.17 neither controls nor reports calls out of the cluster',
      });
    }
    const egressRoutes = [
      ...(httpRoutes ?? []),
      ...(gatewayHttpRoutes ?? []),
      ...(gatewayGrpcRoutes ?? []),
      ...(tlsRoutes ?? []),
      ...(tcpRoutes ?? []),
    ];
    if (servers === undefined) {
      gaps.push({
        topic: 'authorization',
        cluster: cluster.name,
        message:
          'policy.linkerd.io resources are not installed: only the default inbound policy is known',
      });
    }

    const issuerCertificate = certManagerCertificates.find(
      c => c.spec?.secretName === 'linkerd-identity-issuer',
    );
    const context = { cluster: cluster.name, mesh: 'linkerd' as const, now };
    const unsynced = trustBundle ? notSynced(trustBundle) : undefined;
    const certificates = bundleStatuses(
      trustRoots?.data?.['ca-bundle.crt'],
      {
        ...context,
        role: 'trust-anchor',
        location: `ConfigMap ${settings.linkerdNamespace}/linkerd-identity-trust-roots`,
      },
      gaps,
    ).map(c => (unsynced ? { ...c, problem: unsynced } : c));
    if (issuerCertificate?.status?.notAfter) {
      const problem = certManagerProblem(issuerCertificate, now);
      certificates.push({
        ...statusOf(
          {
            subject:
              issuerCertificate.spec?.commonName ??
              'identity.linkerd.cluster.local',
            notBefore: issuerCertificate.status.notBefore
              ? new Date(issuerCertificate.status.notBefore)
              : undefined,
            notAfter: new Date(issuerCertificate.status.notAfter),
          },
          {
            ...context,
            role: 'issuer',
            location: `Certificate ${settings.linkerdNamespace}/${issuerCertificate.metadata.name} (cert-manager)`,
          },
        ),
        ...(problem ? { problem } : {}),
      });
    } else if (settings.readIssuerSecret) {
      const secret = await source.get(
        {
          cluster: cluster.name,
          apiVersion: 'v1',
          resource: 'secrets',
          namespace: settings.linkerdNamespace,
          name: 'linkerd-identity-issuer',
        },
        { signal },
      );
      const encoded = secret?.data?.['crt.pem'] ?? secret?.data?.['tls.crt'];
      const pem = encoded
        ? Buffer.from(encoded, 'base64').toString('utf8')
        : undefined;
      const issuer = bundleStatuses(
        pem,
        {
          ...context,
          role: 'issuer',
          location: `Secret ${settings.linkerdNamespace}/linkerd-identity-issuer`,
        },
        gaps,
      );
      // Its PEM is the issuer first, then any intermediates: the first is
      // the issuer the identity controller signs with.
      const anchors = trustRoots?.data?.['ca-bundle.crt'];
      const problem =
        pem && anchors && issuer.length > 0
          ? notIssuedByAnchors(pem, anchors)
          : undefined;
      certificates.push(
        ...issuer.map((c, i) => (i === 0 && problem ? { ...c, problem } : c)),
      );
    }
    // The admission webhooks' certificates, where cert-manager issues them
    // (Linkerd's docs: linkerd/website "automatically rotating webhook
    // TLS credentials", Secrets `<webhook>-k8s-tls`). Without it they live
    // only in Secrets beside their keys, which are not read.
    for (const c of certManagerCertificates) {
      const webhook = LINKERD_WEBHOOK_SECRETS[c.spec?.secretName ?? ''];
      if (!webhook || !c.status?.notAfter) continue;
      const problem = certManagerProblem(c, now);
      certificates.push({
        ...statusOf(
          {
            subject: c.spec?.commonName ?? webhook,
            notBefore: c.status.notBefore
              ? new Date(c.status.notBefore)
              : undefined,
            notAfter: new Date(c.status.notAfter),
          },
          {
            ...context,
            role: 'webhook',
            location: `Certificate ${c.metadata.namespace}/${c.metadata.name} (cert-manager, ${webhook})`,
          },
        ),
        ...(problem ? { problem } : {}),
      });
    }
    const issuerUnknown = certificates.some(c => c.role === 'issuer')
      ? undefined
      : 'issuer expiry unknown: the identity controller reports no issuer lifetime (Linkerd edge-25.2 and later do), no cert-manager Certificate manages linkerd-identity-issuer, and reading its Secret is off (meshPosture.clusters[].linkerd.readIssuerSecret)';

    const namespaceByName = new Map(
      namespaceObjects
        .filter((n): n is KubernetesObject => !!n)
        .map(n => [n.metadata.name, n]),
    );
    return {
      certificates,
      gaps,
      ...(issuerUnknown ? { issuerUnknown } : {}),
      evaluate: (workload, pods) => {
        const ns = workload.namespace;
        const objects: LinkerdPolicyObjects = {
          namespace: namespaceByName.get(ns),
          servers: (servers ?? []).filter(inNamespace(ns)),
          authorizationPolicies: (authorizationPolicies ?? []).filter(
            inNamespace(ns),
          ),
          // Authentications may be referenced across namespaces.
          meshTLSAuthentications: meshTLSAuthentications ?? [],
          networkAuthentications: networkAuthentications ?? [],
          serverAuthorizations: (serverAuthorizations ?? []).filter(
            inNamespace(ns),
          ),
          httpRoutes: [
            ...(httpRoutes ?? []),
            ...(gatewayHttpRoutes ?? []),
            ...(gatewayGrpcRoutes ?? []),
          ].filter(inNamespace(ns)),
        };
        const stale = staleProxyAnchors(
          workload,
          pods,
          trustRoots?.data?.['ca-bundle.crt'],
          context,
        );
        return {
          ...evaluateLinkerdAuthorization({
            workload,
            pods,
            objects,
            domain: {
              controlPlaneNamespace: settings.linkerdNamespace,
              trustDomain: settings.trustDomain,
            },
          }),
          ...(stale.length > 0 ? { certificates: stale } : {}),
          ...(egressNetworks
            ? {
                egress: evaluateLinkerdEgress(workload, {
                  egressNetworks,
                  routes: egressRoutes,
                  globalNamespace: settings.linkerdEgressNamespace,
                }),
              }
            : {}),
        };
      },
    };
  }
}

/**
 * The trust anchors a workload's proxies were injected with, where none of
 * them is in the current bundle (see staleAnchors): each with how many pods
 * hold it. Pods whose anchors come from elsewhere than a literal value are
 * not judged.
 */
function staleProxyAnchors(
  workload: WorkloadRef,
  pods: KubernetesPod[],
  bundle: string | undefined,
  context: { cluster: string; mesh: 'linkerd'; now: Date },
): CertificateStatus[] {
  if (!bundle) return [];
  const held = new Map<string, { pem: string; pods: number }>();
  for (const pod of pods) {
    const proxy = findSidecar(pod, 'linkerd-proxy')?.container;
    const pem = proxy
      ? envValue(proxy, 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS')?.trim()
      : undefined;
    if (!pem) continue;
    const entry = held.get(pem) ?? { pem, pods: 0 };
    entry.pods += 1;
    held.set(pem, entry);
  }
  const statuses: CertificateStatus[] = [];
  for (const { pem, pods: count } of held.values()) {
    let stale;
    try {
      stale = staleAnchors(pem, bundle);
    } catch (error) {
      if (error instanceof CertificateParseError) continue;
      throw error;
    }
    for (const anchor of stale) {
      statuses.push({
        ...statusOf(
          {
            subject: anchor.subject.replace(/^CN=/, '').replace(/\n/g, ', '),
            notBefore: new Date(anchor.validFrom),
            notAfter: new Date(anchor.validTo),
          },
          {
            ...context,
            role: 'trust-anchor',
            location: `proxy env LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS of ${workload.namespace}/${workload.name}`,
          },
        ),
        problem: `${count} of ${pods.length} pods' proxies hold only anchors that are not in the current trust bundle: they cannot verify peers until restarted (linkerd check --proxy)`,
      });
    }
  }
  return statuses;
}

export class IstioObjectAdapter implements MeshObjectAdapter {
  private readonly lister = new VersionedLister();

  async read(
    source: ClusterObjectSource,
    cluster: MeshCluster,
    namespaces: string[],
    now: Date,
    signal?: AbortSignal,
  ): Promise<MeshObjects> {
    const settings = settingsOf(cluster);
    const gaps: MeshGap[] = [];
    const list = (resource: string) =>
      this.lister.list(
        source,
        cluster.name,
        'security.istio.io',
        ['v1', 'v1beta1'],
        resource,
        signal,
      );
    const networking = (resource: string) =>
      this.lister.list(
        source,
        cluster.name,
        'networking.istio.io',
        ['v1', 'v1beta1', 'v1alpha3'],
        resource,
        signal,
      );
    let revisionsUnread: string | undefined;
    const [
      peerAuthentications,
      authorizationPolicies,
      rootCerts,
      sidecars,
      serviceEntries,
      destinationRules,
      meshConfig,
      revisionConfigs,
    ] = await Promise.all([
      list('peerauthentications'),
      list('authorizationpolicies'),
      Promise.all(
        namespaces.map(ns =>
          source.get(
            {
              cluster: cluster.name,
              apiVersion: 'v1',
              resource: 'configmaps',
              namespace: ns,
              name: 'istio-ca-root-cert',
            },
            { signal },
          ),
        ),
      ),
      // Egress: the Sidecars and ServiceEntries, and the mesh config
      // (ConfigMap `istio`, key `mesh`: istio/istio pilot/pkg/bootstrap/
      // mesh.go; a revisioned control plane's is `istio-<revision>`).
      networking('sidecars'),
      networking('serviceentries'),
      // Which external hosts the sidecar originates TLS to.
      networking('destinationrules'),
      source.get(
        {
          cluster: cluster.name,
          apiVersion: 'v1',
          resource: 'configmaps',
          namespace: settings.istioRootNamespace,
          name: 'istio',
        },
        { signal },
      ),
      // Each revisioned control plane's own (one list, by its label); a
      // refusal only leaves revisioned pods unjudged.
      source
        .list(
          {
            cluster: cluster.name,
            apiVersion: 'v1',
            resource: 'configmaps',
            namespace: settings.istioRootNamespace,
            selector: {
              requirements: [
                { key: 'istio.io/rev', operator: 'Exists', values: [] },
              ],
            },
          },
          { signal },
        )
        .catch(error => {
          if (!(error instanceof SourceError)) throw error;
          revisionsUnread = error.message;
          return undefined;
        }),
    ]);
    if (revisionsUnread) {
      gaps.push({
        topic: 'egress',
        cluster: cluster.name,
        message: `the mesh configs of revisioned control planes (ConfigMaps labelled istio.io/rev in ${settings.istioRootNamespace}) could not be listed, so pods of a revision are not judged: ${revisionsUnread}`,
      });
    }
    if (peerAuthentications === undefined) {
      gaps.push({
        topic: 'authorization',
        cluster: cluster.name,
        message: 'security.istio.io resources are not served by this cluster',
      });
    }
    // Every namespace holds the same root; read it once.
    const rootCm = rootCerts.find(c => c?.data?.['root-cert.pem']);
    const certificates = bundleStatuses(
      rootCm?.data?.['root-cert.pem'],
      {
        cluster: cluster.name,
        mesh: 'istio',
        role: 'root',
        location: `ConfigMap ${
          rootCm?.metadata.namespace ?? namespaces[0]
        }/istio-ca-root-cert`,
        now,
      },
      gaps,
    );
    const objects: IstioPolicyObjects = {
      peerAuthentications: peerAuthentications ?? [],
      authorizationPolicies: authorizationPolicies ?? [],
    };
    const mesh = meshOutboundMode(meshConfig?.data?.mesh);
    const meshModeSource = !meshConfig
      ? `ConfigMap ${settings.istioRootNamespace}/istio not found`
      : `mesh config ${settings.istioRootNamespace}/istio${
          mesh?.explicit === false ? ', the default' : ''
        }`;
    if (!mesh) {
      gaps.push({
        topic: 'egress',
        cluster: cluster.name,
        message: `${
          meshConfig
            ? `the mesh config in ConfigMap ${settings.istioRootNamespace}/istio could not be read`
            : `ConfigMap ${settings.istioRootNamespace}/istio was not found (a revisioned control plane keeps it as istio-<revision>)`
        }: the mesh-wide outbound traffic policy is unknown`,
      });
    }
    if (sidecars === undefined || serviceEntries === undefined) {
      gaps.push({
        topic: 'egress',
        cluster: cluster.name,
        message:
          'networking.istio.io Sidecars or ServiceEntries are not served by this cluster: egress is not judged',
      });
    }
    const egressObjects =
      sidecars && serviceEntries
        ? {
            sidecars,
            serviceEntries,
            destinationRules: destinationRules ?? [],
            ...(mesh ? { meshMode: mesh.mode } : {}),
            meshModeSource,
            ...(revisionConfigs
              ? { revisionModes: revisionMeshModes(revisionConfigs) }
              : {}),
            rootNamespace: settings.istioRootNamespace,
          }
        : undefined;
    return {
      certificates,
      gaps,
      evaluate: (workload, pods) => {
        const egress = egressObjects
          ? evaluateIstioEgress(workload, pods, egressObjects)
          : undefined;
        return {
          ...evaluateIstioAuthorization({
            workload,
            pods,
            objects,
            rootNamespace: settings.istioRootNamespace,
          }),
          ...(egress ? { egress } : {}),
        };
      },
    };
  }
}

export type { MeshAdapter, MeshObjectAdapter, MeshObjects };
