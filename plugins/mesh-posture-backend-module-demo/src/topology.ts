import type {
  MeshKind,
  WorkloadKind,
} from '@mesh-posture/plugin-mesh-posture-common';

/**
 * The demo platform: a small European open-banking and payments company on
 * two clusters. The general cluster runs Linkerd; the PCI-scoped card
 * cluster runs Istio. Names match the catalog in `examples/`.
 */

export interface DemoWorkload {
  cluster: string;
  namespace: string;
  kind: WorkloadKind;
  name: string;
  /** Value of the pods' `backstage.io/kubernetes-id` label, if any. */
  kubernetesId?: string;
  replicas: number;
  /** False for workloads whose namespace has no proxy injection. */
  meshed: boolean;
  /** Run the proxy as a native sidecar (init container, restartPolicy Always). */
  nativeSidecar?: boolean;
  /**
   * Istio ambient: no sidecar, the node's ztunnel carries the pods'
   * traffic and reports it as connections only.
   */
  ambient?: boolean;
  serviceAccount: string;
  image: string;
  /** Part of a Flagger canary: which side. */
  canary?: 'primary' | 'canary';
  /** The application's port. */
  port: {
    name: string;
    number: number;
    /** Linkerd `Server.spec.proxyProtocol` values; `opaque` is plain TCP. */
    protocol: 'HTTP/1' | 'HTTP/2' | 'gRPC' | 'opaque';
  };
  /** Linkerd's effective default inbound policy on the pods (proxy env). */
  defaultPolicy?: string;
  /** Mesh settings on the pods' own annotations. */
  podAnnotations?: Record<string, string>;
  /**
   * The pod template's revision, when a change of the demo's past made the
   * pods restart (new pod names); unset: the current one.
   */
  podRevision?: string;
  /**
   * Service accounts (`namespace/name`) a policy admits to the port. Unset:
   * no Server or ALLOW policy at all.
   */
  admits?: string[];
}

export interface DemoNamespace {
  cluster: string;
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /**
   * The directions a `default-deny` NetworkPolicy isolates its pods in,
   * beside an allow policy per workload; unset: no NetworkPolicy at all.
   */
  networkDefaultDeny?: 'ingress' | 'both';
}

export interface DemoEdge {
  cluster: string;
  from: string;
  to: string;
  /** Requests per second at the daily peak. */
  peakRps: number;
  /** Refused by the callee's authorization policy. */
  denied?: boolean;
}

/** A TCP edge the proxies do not read as HTTP (an opaque port). */
export interface DemoTcpEdge {
  cluster: string;
  from: string;
  to: string;
  /** Bytes per second both ways at the daily peak. */
  peakBytesPerSecond: number;
  /** Connections the client keeps open (a pool). */
  connections: number;
  /**
   * The connections carry HTTP requests the client's sidecar reports (to an
   * ambient destination, whose ztunnel sees only connections): no TCP edge
   * on the client's side.
   */
  carriesRequests?: boolean;
}

export interface DemoCluster {
  name: string;
  mesh: MeshKind;
  proxyVersion: string;
  proxyImage: string;
}

export const DEMO_CLUSTERS: DemoCluster[] = [
  {
    name: 'prod-eu-west',
    mesh: 'linkerd',
    proxyVersion: 'edge-26.10.2',
    proxyImage: 'cr.l5d.io/linkerd/proxy:edge-26.10.2',
  },
  {
    name: 'pci-eu-central',
    mesh: 'istio',
    proxyVersion: '1.28.1',
    proxyImage: 'docker.io/istio/proxyv2:1.28.1',
  },
];

function workload(
  cluster: string,
  namespace: string,
  name: string,
  replicas: number,
  extra: Partial<DemoWorkload> = {},
): DemoWorkload {
  return {
    cluster,
    namespace,
    kind: 'Deployment',
    name,
    kubernetesId: name,
    replicas,
    meshed: true,
    serviceAccount: name,
    image: `registry.demo-bank.eu/${name}:2026.11.${(name.length % 9) + 1}`,
    port: { name: 'http', number: 8080, protocol: 'HTTP/1' },
    ...extra,
  };
}

const EU = 'prod-eu-west';
const PCI = 'pci-eu-central';

const grpc = (number: number) => ({
  name: 'grpc',
  number,
  protocol: 'gRPC' as const,
});

export const DEMO_WORKLOADS: DemoWorkload[] = [
  workload(EU, 'ingress', 'ingress-nginx-controller', 2, {
    kubernetesId: undefined,
    serviceAccount: 'ingress-nginx',
    image: 'registry.k8s.io/ingress-nginx/controller:v1.14.0',
    port: { name: 'https', number: 443, protocol: 'HTTP/1' },
    defaultPolicy: 'all-unauthenticated',
  }),
  workload(EU, 'web', 'web-frontend', 3, {
    defaultPolicy: 'deny',
    admits: ['ingress/ingress-nginx'],
  }),
  workload(EU, 'open-banking', 'open-banking-gateway', 3, {
    defaultPolicy: 'deny',
    admits: ['ingress/ingress-nginx'],
  }),
  // Older service, never given policies: the Helm default leaves it open.
  workload(EU, 'open-banking', 'accounts-service', 2, {
    defaultPolicy: 'all-unauthenticated',
  }),
  workload(EU, 'payments', 'payments-api', 4, {
    defaultPolicy: 'deny',
    admits: ['web/web-frontend', 'open-banking/open-banking-gateway'],
  }),
  // `batch/reconciliation` was admitted for a job that was since retired.
  workload(EU, 'payments', 'ledger', 3, {
    kind: 'StatefulSet',
    nativeSidecar: true,
    port: grpc(9090),
    defaultPolicy: 'deny',
    admits: ['payments/payments-api', 'batch/reconciliation'],
  }),
  // Flagger keeps the stable version in `<name>-primary` and rolls the new
  // one out in `<name>`; both carry the same kubernetes-id.
  workload(EU, 'payments', 'fraud-scoring-primary', 2, {
    kubernetesId: 'fraud-scoring',
    serviceAccount: 'fraud-scoring',
    canary: 'primary',
    image: 'registry.demo-bank.eu/fraud-scoring:2026.11.4',
    port: grpc(50051),
    defaultPolicy: 'deny',
    admits: ['payments/payments-api'],
  }),
  workload(EU, 'payments', 'fraud-scoring', 2, {
    serviceAccount: 'fraud-scoring',
    canary: 'canary',
    image: 'registry.demo-bank.eu/fraud-scoring:2026.11.5',
    port: grpc(50051),
    defaultPolicy: 'deny',
    admits: ['payments/payments-api'],
  }),
  // The ledger's PostgreSQL, part of the ledger component; Linkerd proxies
  // its port as opaque TCP (no HTTP to read).
  workload(EU, 'payments', 'ledger-db', 1, {
    kind: 'StatefulSet',
    kubernetesId: 'ledger',
    serviceAccount: 'ledger-db',
    image: 'docker.io/library/postgres:17.6',
    port: { name: 'postgres', number: 5432, protocol: 'opaque' },
    // Left on the Helm default, so the plaintext client below gets in.
    defaultPolicy: 'all-unauthenticated',
    podAnnotations: {
      // The injector's default for a pod exposing 5432 (linkerd/linkerd2
      // controller/proxy-injector/webhook.go): still mTLS between proxies.
      'config.linkerd.io/opaque-ports': '5432',
      // The exporter's port, scraped around the proxy: outside the mesh.
      'config.linkerd.io/skip-inbound-ports': '9187',
    },
  }),
  // The messaging namespace was never annotated for injection.
  workload(EU, 'messaging', 'notifications', 2, { meshed: false }),
  workload(PCI, 'istio-system', 'istio-ingressgateway', 2, {
    kubernetesId: undefined,
    serviceAccount: 'istio-ingressgateway-service-account',
    image: 'docker.io/istio/proxyv2:1.28.1',
    port: { name: 'https', number: 8443, protocol: 'HTTP/1' },
  }),
  workload(PCI, 'cards', 'card-issuing', 2, {
    admits: ['istio-system/istio-ingressgateway-service-account'],
  }),
  workload(PCI, 'cards', 'card-vault', 2, {
    kubernetesId: undefined,
    port: grpc(9443),
    admits: ['cards/card-issuing'],
  }),
  // Card-number tokenization, moved to Istio's ambient mode.
  workload(PCI, 'tokens', 'card-tokenizer', 2, {
    ambient: true,
    admits: ['cards/card-issuing'],
  }),
];

export const DEMO_NAMESPACES: DemoNamespace[] = [
  ...['ingress', 'web', 'open-banking', 'payments'].map(
    (name): DemoNamespace => ({
      cluster: EU,
      name,
      annotations: {
        'linkerd.io/inject': name === 'ingress' ? 'ingress' : 'enabled',
        ...(name === 'payments' || name === 'web'
          ? { 'config.linkerd.io/default-inbound-policy': 'deny' }
          : {}),
      },
      // open-banking isolates ingress only: what its services call is open.
      networkDefaultDeny: name === 'open-banking' ? 'ingress' : 'both',
    }),
  ),
  // Never given policies of any kind: no proxy, no NetworkPolicy.
  { cluster: EU, name: 'messaging' },
  {
    cluster: EU,
    name: 'linkerd',
    labels: { 'linkerd.io/is-control-plane': 'true' },
  },
  { cluster: PCI, name: 'istio-system' },
  {
    cluster: PCI,
    name: 'cards',
    labels: { 'istio-injection': 'enabled' },
    networkDefaultDeny: 'both',
  },
  // istio/istio pkg/config/constants: istio.io/dataplane-mode=ambient.
  {
    cluster: PCI,
    name: 'tokens',
    labels: { 'istio.io/dataplane-mode': 'ambient' },
    networkDefaultDeny: 'both',
  },
];

export const DEMO_EDGES: DemoEdge[] = [
  {
    cluster: EU,
    from: 'ingress-nginx-controller',
    to: 'web-frontend',
    peakRps: 42,
  },
  {
    cluster: EU,
    from: 'ingress-nginx-controller',
    to: 'open-banking-gateway',
    peakRps: 26,
  },
  { cluster: EU, from: 'web-frontend', to: 'payments-api', peakRps: 12 },
  { cluster: EU, from: 'web-frontend', to: 'accounts-service', peakRps: 18 },
  {
    cluster: EU,
    from: 'open-banking-gateway',
    to: 'accounts-service',
    peakRps: 15,
  },
  { cluster: EU, from: 'open-banking-gateway', to: 'payments-api', peakRps: 8 },
  { cluster: EU, from: 'payments-api', to: 'ledger', peakRps: 21 },
  // Split between fraud-scoring-primary and fraud-scoring by canary weight.
  { cluster: EU, from: 'payments-api', to: 'fraud-scoring', peakRps: 20 },
  { cluster: EU, from: 'accounts-service', to: 'notifications', peakRps: 3 },
  // notifications has no proxy: it calls accounts-service in plaintext
  // (since 4 days before the present: see DEMO_CHANGES).
  { cluster: EU, from: 'notifications', to: 'accounts-service', peakRps: 2 },
  // fraud-scoring's new model tries to read ledger directly and is refused.
  {
    cluster: EU,
    from: 'fraud-scoring',
    to: 'ledger',
    peakRps: 0.004,
    denied: true,
  },
  {
    cluster: PCI,
    from: 'istio-ingressgateway',
    to: 'card-issuing',
    peakRps: 6,
  },
  { cluster: PCI, from: 'card-issuing', to: 'card-vault', peakRps: 6 },
  { cluster: PCI, from: 'card-issuing', to: 'card-tokenizer', peakRps: 4 },
];

/**
 * A call out of the mesh, as the caller's proxy names it: to a declared
 * host, through for want of a declaration, or refused.
 */
export interface DemoEgress {
  cluster: string;
  from: string;
  host?: string;
  port?: string;
  protocol: 'http' | 'grpc' | 'tls' | 'tcp';
  route: 'declared' | 'passthrough' | 'blocked';
  via: string;
  /** Requests or connections per minute at the daily peak. */
  peakPerMinute: number;
}

/*
 * The demo's calls out of the mesh. On prod-eu-west (Linkerd), payments
 * denies egress by default and declares its payment service provider; the
 * Open Banking gateway fetches the TPP directory, which nothing declares,
 * through Linkerd's egress-fallback. On pci-eu-central (Istio, mesh config
 * REGISTRY_ONLY), card-issuing reaches the card network through its
 * ServiceEntry, and a telemetry agent's calls to its vendor are refused.
 */
export const DEMO_EGRESS: DemoEgress[] = [
  {
    cluster: EU,
    from: 'payments-api',
    host: 'api.psp.example',
    port: '443',
    protocol: 'tls',
    route: 'declared',
    via: 'TLSRoute payments/psp-api on EgressNetwork payments/payments-egress',
    peakPerMinute: 240,
  },
  {
    cluster: EU,
    from: 'open-banking-gateway',
    host: 'directory.openbanking.example',
    port: '80',
    protocol: 'http',
    route: 'passthrough',
    via: 'no EgressNetwork covers it (egress-fallback)',
    peakPerMinute: 6,
  },
  {
    cluster: PCI,
    from: 'card-issuing',
    host: 'api.cardnetwork.example',
    protocol: 'tcp',
    route: 'declared',
    via: 'ServiceEntry host in cards',
    peakPerMinute: 90,
  },
  {
    cluster: PCI,
    from: 'card-issuing',
    host: 'telemetry.apm-vendor.example',
    protocol: 'http',
    route: 'blocked',
    via: 'BlackHoleCluster: no ServiceEntry, refused',
    peakPerMinute: 2,
  },
];

export const DEMO_TCP_EDGES: DemoTcpEdge[] = [
  {
    cluster: EU,
    from: 'ledger',
    to: 'ledger-db',
    peakBytesPerSecond: 180_000,
    connections: 12,
  },
  // The nightly statement export reads the database directly, from a
  // namespace without proxies: plaintext TCP to a port HTTP never sees.
  {
    cluster: EU,
    from: 'notifications',
    to: 'ledger-db',
    peakBytesPerSecond: 9_000,
    connections: 2,
  },
  // card-tokenizer's ztunnel: the HBONE connections under card-issuing's
  // requests, over mTLS.
  {
    cluster: PCI,
    from: 'card-issuing',
    to: 'card-tokenizer',
    peakBytesPerSecond: 24_000,
    connections: 3,
    carriesRequests: true,
  },
];

/**
 * A call to a workload on a cluster the demo does not serve, through a
 * Linkerd multicluster gateway: the caller's proxy names the remote
 * service and its cluster (dst_target_*), with the gateway's identity.
 */
export interface DemoRemoteEdge {
  cluster: string;
  from: string;
  /** The Link's target cluster name. */
  targetCluster: string;
  namespace: string;
  to: string;
  peakRps: number;
}

export const DEMO_REMOTE_EDGES: DemoRemoteEdge[] = [
  // payments-api reads balances from the ledger's disaster-recovery
  // replica on the second EU cluster (same kubernetes-id, same entity).
  {
    cluster: EU,
    from: 'payments-api',
    targetCluster: 'prod-eu-north',
    namespace: 'payments',
    to: 'ledger',
    peakRps: 2,
  },
];

/** The demo platform at one instant: what its objects and telemetry are made of. */
export interface DemoPlatform {
  workloads: DemoWorkload[];
  namespaces: DemoNamespace[];
  edges: DemoEdge[];
  tcpEdges: DemoTcpEdge[];
}

/**
 * A change in the demo's past. The tables above are the platform as it is
 * now; before a change, `undo` gives it as it was, so the month of
 * scorecards a fresh demo seeds has a story to tell.
 */
export interface DemoChange {
  /** What happened, as a changelog would say it. */
  what: string;
  /** When: this many days before the demo's present (its UTC day)... */
  daysBefore: number;
  /** ...at this UTC hour. */
  hourUtc: number;
  undo(platform: DemoPlatform): DemoPlatform;
}

export const DEMO_CHANGES: DemoChange[] = [
  {
    what: "web-frontend goes default-deny: the web namespace's default inbound policy becomes deny and a Server with an AuthorizationPolicy admits the ingress controller only, the namespace gets a default-deny NetworkPolicy beneath; the pods restart to take it",
    daysBefore: 12,
    hourUtc: 9.5,
    undo: platform => ({
      ...platform,
      workloads: platform.workloads.map(w =>
        w.cluster === EU && w.name === 'web-frontend'
          ? {
              ...w,
              // The Helm default, before the namespace annotation.
              defaultPolicy: 'all-unauthenticated',
              admits: undefined,
              podRevision: 'before-default-deny',
            }
          : w,
      ),
      namespaces: platform.namespaces.map(n =>
        n.cluster === EU && n.name === 'web'
          ? {
              ...n,
              annotations: { 'linkerd.io/inject': 'enabled' },
              networkDefaultDeny: undefined,
            }
          : n,
      ),
    }),
  },
  {
    what: "notifications starts calling accounts-service for account holders' contact details: its namespace has no proxy injection, so the calls are plaintext, and accounts-service's open default policy lets them in",
    daysBefore: 4,
    hourUtc: 10,
    undo: platform => ({
      ...platform,
      edges: platform.edges.filter(
        e =>
          !(
            e.cluster === EU &&
            e.from === 'notifications' &&
            e.to === 'accounts-service'
          ),
      ),
    }),
  },
];

const DAY = 24 * 3600_000;

/** When a change happened, for a demo whose present is `present`. */
export function demoChangeAt(change: DemoChange, present: Date): Date {
  const today = Date.UTC(
    present.getUTCFullYear(),
    present.getUTCMonth(),
    present.getUTCDate(),
  );
  return new Date(today - change.daysBefore * DAY + change.hourUtc * 3600_000);
}

const CURRENT: DemoPlatform = {
  workloads: DEMO_WORKLOADS,
  namespaces: DEMO_NAMESPACES,
  edges: DEMO_EDGES,
  tcpEdges: DEMO_TCP_EDGES,
};
// Few distinct pasts, asked for at every sampled instant: built once each.
const pasts = new Map<string, DemoPlatform>();

/**
 * The platform at `at`, for a demo whose present is `present`: the current
 * tables with every change that had not happened yet undone, newest first.
 */
export function demoPlatformAt(at: Date, present: Date): DemoPlatform {
  const pending = DEMO_CHANGES.map((c, i) => ({ c, i }))
    .filter(({ c }) => at.getTime() < demoChangeAt(c, present).getTime())
    .sort((a, b) => a.c.daysBefore - b.c.daysBefore);
  if (pending.length === 0) return CURRENT;
  const key = pending.map(p => p.i).join(',');
  let platform = pasts.get(key);
  if (!platform) {
    platform = pending.reduce((p, { c }) => c.undo(p), CURRENT);
    pasts.set(key, platform);
  }
  return platform;
}
