/*
 * The one table of Mesh Posture's checks: what each asks, what a pass
 * means and how to fix a failure, read by the posture assessment, the
 * checklist templates, the scoring model, the pages and the Tech Insights
 * facts, so that an id, a title or an explanation is written once.
 */

/**
 * The meshes Mesh Posture ships adapters for; every check that can fail
 * or warn says how to fix it on each of them.
 * @public
 */
export const BUILT_IN_MESHES = ['linkerd', 'istio'] as const;

/**
 * A mesh Mesh Posture ships an adapter for.
 * @public
 */
export type BuiltInMesh = (typeof BUILT_IN_MESHES)[number];

/**
 * Something to copy and run or apply. Placeholders are written
 * `<namespace>`, `<workload>`, …: {@link checkRemediation} fills in the
 * ones it knows.
 * @public
 */
export interface RemediationSnippet {
  /** What it does, e.g. "Annotate the namespace for injection". */
  title: string;
  /** A shell command, or a manifest to apply. */
  language: 'shell' | 'yaml';
  /** The snippet, as it is copied. */
  text: string;
}

/**
 * What to do about a failing or warning check on one mesh.
 * @public
 */
export interface CheckRemediation {
  /** What to do, in one sentence. */
  summary: string;
  /** The mesh's own documentation of the task. */
  docs: ReadonlyArray<{ title: string; url: string }>;
  /** What to copy, in the order to use it; may be none. */
  snippets: readonly RemediationSnippet[];
}

/*
 * The snippets, each checked against the upstream source named beside it.
 */

// linkerd/linkerd2 pkg/k8s/labels.go: ProxyInjectAnnotation
// "linkerd.io/inject", ProxyInjectEnabled "enabled"; the injector reads it
// on the namespace or the pod template, when pods are created (so restart).
const LINKERD_INJECT_NAMESPACE: RemediationSnippet = {
  title: 'Mesh the namespace and restart its pods',
  language: 'shell',
  text: `kubectl annotate namespace <namespace> linkerd.io/inject=enabled
kubectl rollout restart deployment/<workload> --namespace <namespace>`,
};

// linkerd/linkerd2 pkg/k8s/labels.go (ProxyInjectAnnotation), on the pod
// template rather than the namespace.
const LINKERD_INJECT_POD_TEMPLATE: RemediationSnippet = {
  title: 'Or mesh only this workload (pod template)',
  language: 'yaml',
  text: `spec:
  template:
    metadata:
      annotations:
        linkerd.io/inject: enabled`,
};

// linkerd/linkerd2 pkg/k8s/labels.go:
// ProxyRequireIdentityOnInboundPortsAnnotation
// "config.linkerd.io/proxy-require-identity-inbound-ports".
const LINKERD_REQUIRE_IDENTITY: RemediationSnippet = {
  title: 'Then refuse plaintext on the port (pod template)',
  language: 'yaml',
  text: `spec:
  template:
    metadata:
      annotations:
        config.linkerd.io/proxy-require-identity-inbound-ports: "<port>"`,
};

// linkerd/website linkerd.io/content/2-edge/tasks/validating-your-traffic.md.
const LINKERD_EDGES: RemediationSnippet = {
  title: 'See which connections are mTLS',
  language: 'shell',
  text: 'linkerd viz --namespace <namespace> edges deployment',
};

// linkerd/linkerd2 pkg/k8s/labels.go: ProxyDefaultInboundPolicyAnnotation
// "config.linkerd.io/default-inbound-policy"; the injector writes it into
// the proxy's environment, so pods pick it up when restarted.
const LINKERD_DEFAULT_DENY: RemediationSnippet = {
  title: 'Deny by default in the namespace, then restart its pods',
  language: 'shell',
  text: `kubectl annotate namespace <namespace> config.linkerd.io/default-inbound-policy=deny
kubectl rollout restart deployment/<workload> --namespace <namespace>`,
};

// linkerd/linkerd2 charts/linkerd-crds/templates/policy/server.yaml
// (v1beta3: podSelector, port, proxyProtocol, accessPolicy default deny),
// meshtls-authentication.yaml (v1alpha1: identityRefs kind/name/namespace)
// and authorization-policy.yaml (v1alpha1: targetRef,
// requiredAuthenticationRefs); examples as in linkerd/website
// linkerd.io/content/2-edge/reference/authorization-policy.md.
const LINKERD_SERVER_POLICY: RemediationSnippet = {
  title: 'Admit only named callers to the port',
  language: 'yaml',
  text: `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata:
  name: <workload>-http
  namespace: <namespace>
spec:
  podSelector:
    matchLabels:
      app: <workload> # the workload's pod labels
  port: <port>
  proxyProtocol: HTTP/1 # HTTP/2, gRPC or opaque as the port speaks
  accessPolicy: deny
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata:
  name: <workload>-callers
  namespace: <namespace>
spec:
  identityRefs:
    - kind: ServiceAccount
      name: <caller-service-account>
      namespace: <caller-namespace>
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata:
  name: <workload>-callers
  namespace: <namespace>
spec:
  targetRef:
    group: policy.linkerd.io
    kind: Server
    name: <workload>-http
  requiredAuthenticationRefs:
    - group: policy.linkerd.io
      kind: MeshTLSAuthentication
      name: <workload>-callers`,
};

// linkerd/linkerd2 viz/cmd/authz.go (linkerd viz authz), as used in
// linkerd/website linkerd.io/content/2-edge/tasks/restricting-access.md.
const LINKERD_AUTHZ: RemediationSnippet = {
  title: 'See which authorization admits or refuses each request',
  language: 'shell',
  text: 'linkerd viz authz --namespace <namespace> deploy/<workload>',
};

// linkerd/linkerd2 cli/cmd/check.go: --proxy runs the data-plane checks
// (among them the proxies' certificates against the current trust roots).
const LINKERD_CHECK_PROXY: RemediationSnippet = {
  title: 'Check the certificates the proxies hold',
  language: 'shell',
  text: `linkerd check --proxy --namespace <namespace>`,
};

// linkerd/linkerd2 viz/cmd/stat.go (linkerd viz stat deploy/web).
const LINKERD_STAT: RemediationSnippet = {
  title: 'See success rate and latency per workload',
  language: 'shell',
  text: 'linkerd viz stat --namespace <namespace> deploy/<workload>',
};

// Istio's sidecar injection: the namespace label istio-injection=enabled,
// or istio.io/rev=<revision> for a revisioned control plane (istio.io
// docs/setup/additional-setup/sidecar-injection); injected when pods are
// created.
const ISTIO_INJECT_NAMESPACE: RemediationSnippet = {
  title: 'Inject sidecars in the namespace and restart its pods',
  language: 'shell',
  text: `kubectl label namespace <namespace> istio-injection=enabled
# with a revisioned control plane instead: istio.io/rev=<revision>
kubectl rollout restart deployment/<workload> --namespace <namespace>`,
};

// istio/istio pkg/config/constants and istio.io docs/ambient/usage/add-workloads:
// the label istio.io/dataplane-mode=ambient enrolls running pods, no restart.
const ISTIO_AMBIENT_NAMESPACE: RemediationSnippet = {
  title: 'Or enroll the namespace in ambient mode',
  language: 'shell',
  text: 'kubectl label namespace <namespace> istio.io/dataplane-mode=ambient',
};

// istio/api security/v1/peer_authentication.proto (mtls.mode STRICT; a
// PeerAuthentication without a selector covers the namespace).
const ISTIO_STRICT_MTLS: RemediationSnippet = {
  title: 'Then refuse plaintext in the namespace',
  language: 'yaml',
  text: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: <namespace>
spec:
  mtls:
    mode: STRICT`,
};

// istio/api security/v1beta1/authorization_policy.proto (its v1 examples):
// "spec: {}" allows nothing; an ALLOW policy admits only what its rules
// match; principals are written without spiffe://.
const ISTIO_DEFAULT_DENY: RemediationSnippet = {
  title: 'Allow nothing by default, then admit named callers',
  language: 'yaml',
  text: `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
  namespace: <namespace>
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: <workload>-callers
  namespace: <namespace>
spec:
  selector:
    matchLabels:
      app: <workload> # the workload's pod labels
  action: ALLOW
  rules:
    - from:
        - source:
            principals:
              - cluster.local/ns/<caller-namespace>/sa/<caller-service-account>`,
};

// istio/api security/v1beta1/authorization_policy.proto: rules[].from[]
// .source.principals of an ALLOW policy.
const ISTIO_ADMIT_CALLER: RemediationSnippet = {
  title: 'Admit a legitimate caller (a rule of the ALLOW policy)',
  language: 'yaml',
  text: `  rules:
    - from:
        - source:
            principals:
              - cluster.local/ns/<caller-namespace>/sa/<caller-service-account>`,
};

// The plug-in CA task (istio.io docs/tasks/security/cert-management/
// plugin-ca-cert): the Secret cacerts in istio-system, from the files the
// task generates; istiod reads it when it starts.
const ISTIO_PLUGIN_CA: RemediationSnippet = {
  title: 'Plug in the renewed CA, then restart istiod',
  language: 'shell',
  text: `kubectl create secret generic cacerts --namespace istio-system \\
  --from-file=<cluster>/ca-cert.pem \\
  --from-file=<cluster>/ca-key.pem \\
  --from-file=<cluster>/root-cert.pem \\
  --from-file=<cluster>/cert-chain.pem \\
  --dry-run=client --output yaml | kubectl apply --filename -
kubectl rollout restart deployment/istiod --namespace istio-system`,
};

// fluxcd/flagger docs/gitbook/tutorials/linkerd-progressive-delivery.md
// (flagger.app/v1beta1 Canary: targetRef, service.port, analysis with the
// built-in request-success-rate and request-duration metrics).
const FLAGGER_CANARY: RemediationSnippet = {
  title: 'A Flagger Canary for the workload',
  language: 'yaml',
  text: `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: <workload>
  namespace: <namespace>
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: <workload>
  service:
    port: <port>
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
      - name: request-success-rate
        thresholdRange:
          min: 99
        interval: 1m
      - name: request-duration
        thresholdRange:
          max: 500
        interval: 1m`,
};

/*
 * The docs, found in the projects' published documentation.
 */
// Kubernetes networking/v1 NetworkPolicySpec: a policy with an empty
// podSelector and both policyTypes isolates every pod of the namespace;
// allows are then the union of every selecting policy's rules.
const NETWORK_DEFAULT_DENY: RemediationSnippet = {
  title: 'Deny by default in the namespace, both directions',
  language: 'yaml',
  text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: <namespace>
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]`,
};

/**
 * The allow policy beside the namespace's default-deny: the service's
 * callers on its port and the proxy's inbound port, the scraper on the
 * proxy's metrics ports, DNS and the control plane out.
 */
function networkAllowSnippet(mesh: {
  /** The mesh's inbound port beside the app's, and what it is. */
  inbound: string;
  /** The proxy's metrics ports, and who scrapes them. */
  metrics: string;
  scraper: string;
  controlPlane: string;
  controlPlanePorts: string;
}): RemediationSnippet {
  return {
    title: "Then allow the service's callers, DNS and the mesh's own ports",
    language: 'yaml',
    text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: <workload>-allow
  namespace: <namespace>
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: <workload>
  policyTypes: [Ingress, Egress]
  ingress:
    - ports: [{ port: <port> }, ${mesh.inbound}
      from:
        - podSelector: {} # narrow to the callers
    - ports: ${mesh.metrics}
      from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: ${mesh.scraper}
  egress:
    - ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }]
      to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
    - ports: ${mesh.controlPlanePorts}
      to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: ${mesh.controlPlane}`,
  };
}

// The proxy's ports are those the injector declares on its container
// (linkerd2 charts/partials/templates/_proxy.tpl: linkerd-proxy 4143,
// linkerd-admin 4191); the control plane answers on 8080 (identity), 8086
// (destination) and 8090 (policy).
const LINKERD_NETWORK_ALLOW = networkAllowSnippet({
  inbound: "{ port: 4143 }] # the app, the proxy's inbound",
  metrics: '[{ port: 4191 }] # linkerd-admin: Prometheus scrapes the proxy',
  scraper: 'linkerd-viz',
  controlPlane: 'linkerd',
  controlPlanePorts: '[{ port: 8080 }, { port: 8086 }, { port: 8090 }]',
});

// istiod serves xDS and certificates on 15012; ztunnel and waypoints reach
// ambient pods over HBONE on 15008 (istio/ztunnel src/config.rs); sidecars
// export metrics on 15090 (the injection template's http-envoy-prom).
const ISTIO_NETWORK_ALLOW = networkAllowSnippet({
  inbound: '{ port: 15008 }] # the app, HBONE (ambient)',
  metrics: '[{ port: 15090 }, { port: 15020 }] # Prometheus scrapes the proxy',
  scraper: 'istio-system',
  controlPlane: 'istio-system',
  controlPlanePorts: '[{ port: 15012 }]',
});

// istio/api networking/v1alpha3/service_entry.proto (hosts, ports,
// location MESH_EXTERNAL, resolution DNS) and sidecar.proto
// (outboundTrafficPolicy.mode REGISTRY_ONLY; a Sidecar without a
// workloadSelector in the namespace applies to all of its workloads; istio/
// istio pilot/pkg/model/sidecar.go takes the Sidecar's mode over the mesh's).
const ISTIO_EGRESS_DECLARED: RemediationSnippet = {
  title:
    'Declare each external host, then refuse what nothing declares in the namespace',
  language: 'yaml',
  text: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: <host-name>
  namespace: <namespace>
spec:
  hosts: [<external host>]
  location: MESH_EXTERNAL
  resolution: DNS
  ports:
    - { number: 443, name: tls, protocol: TLS }
  exportTo: ['.']
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: <namespace>
spec:
  outboundTrafficPolicy:
    mode: REGISTRY_ONLY`,
};

// linkerd/linkerd2 policy-controller/k8s/api/src/policy/egress_network.rs
// (EgressNetwork: networks omitted = every address outside the cluster's
// networks; trafficPolicy Allow | Deny) and the managing-egress-traffic task
// (a TLSRoute whose parentRef is the EgressNetwork admits one SNI).
const LINKERD_EGRESS_DECLARED: RemediationSnippet = {
  title:
    'Deny egress by default in the namespace, then admit each external host by name',
  language: 'yaml',
  text: `apiVersion: policy.linkerd.io/v1alpha1
kind: EgressNetwork
metadata:
  name: egress
  namespace: <namespace>
spec:
  trafficPolicy: Deny
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata:
  name: <host-name>
  namespace: <namespace>
spec:
  hostnames: [<external host>]
  parentRefs:
    - { name: egress, kind: EgressNetwork, group: policy.linkerd.io, port: 443 }
  rules:
    - backendRefs:
        - { name: egress, kind: EgressNetwork, group: policy.linkerd.io, port: 443 }`,
};

const DOCS = {
  linkerdAddService: {
    title: 'Linkerd: adding your services to the mesh',
    url: 'https://linkerd.io/2/tasks/adding-your-service/',
  },
  linkerdValidateMtls: {
    title: 'Linkerd: validating your mTLS traffic',
    url: 'https://linkerd.io/2/tasks/validating-your-traffic/',
  },
  linkerdEgress: {
    title: 'Linkerd: managing egress traffic',
    url: 'https://linkerd.io/2/tasks/managing-egress-traffic/',
  },
  linkerdEgressNetwork: {
    title: 'Linkerd: EgressNetwork reference',
    url: 'https://linkerd.io/2/reference/egress-network/',
  },
  istioEgressControl: {
    title: 'Istio: accessing external services',
    url: 'https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/',
  },
  istioServiceEntry: {
    title: 'Istio: ServiceEntry reference',
    url: 'https://istio.io/latest/docs/reference/config/networking/service-entry/',
  },
  linkerdRestrictAccess: {
    title: 'Linkerd: restricting access to services',
    url: 'https://linkerd.io/2/tasks/restricting-access/',
  },
  linkerdPolicyReference: {
    title: 'Linkerd: authorization policy reference',
    url: 'https://linkerd.io/2/reference/authorization-policy/',
  },
  linkerdManualRotation: {
    title: 'Linkerd: rotating the trust anchor and issuer by hand',
    url: 'https://linkerd.io/2/tasks/manually-rotating-control-plane-tls-credentials/',
  },
  linkerdAutoRotation: {
    title: 'Linkerd: rotating control-plane TLS credentials with cert-manager',
    url: 'https://linkerd.io/2/tasks/automatically-rotating-control-plane-tls-credentials/',
  },
  linkerdCheck: {
    title: 'Linkerd: linkerd check',
    url: 'https://linkerd.io/2/reference/cli/check/',
  },
  linkerdDebugging: {
    title: 'Linkerd: debugging an application',
    url: 'https://linkerd.io/2/tasks/debugging-your-service/',
  },
  linkerdFlagger: {
    title: 'Linkerd: progressive delivery with Flagger',
    url: 'https://linkerd.io/2/tasks/flagger/',
  },
  istioSidecarInjection: {
    title: 'Istio: installing the sidecar',
    url: 'https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/',
  },
  istioAmbient: {
    title: 'Istio: adding workloads to the ambient mesh',
    url: 'https://istio.io/latest/docs/ambient/usage/add-workloads/',
  },
  istioMtlsMigration: {
    title: 'Istio: mutual TLS migration',
    url: 'https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/',
  },
  istioAuthzHttp: {
    title: 'Istio: authorization for HTTP traffic',
    url: 'https://istio.io/latest/docs/tasks/security/authorization/authz-http/',
  },
  istioAuthzReference: {
    title: 'Istio: AuthorizationPolicy reference',
    url: 'https://istio.io/latest/docs/reference/config/security/authorization-policy/',
  },
  istioPluginCa: {
    title: 'Istio: plug in CA certificates',
    url: 'https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/',
  },
  istioDashboards: {
    title: 'Istio: visualizing metrics with Grafana',
    url: 'https://istio.io/latest/docs/tasks/observability/metrics/using-istio-dashboard/',
  },
  istioPorts: {
    title: 'Istio: ports used by Istio',
    url: 'https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio',
  },
  kubernetesNetworkPolicies: {
    title: 'Kubernetes: network policies',
    url: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
  },
  flaggerIstio: {
    title: 'Flagger: Istio canary deployments',
    url: 'https://docs.flagger.app/tutorials/istio-progressive-delivery',
  },
} as const;

/** The same remediation on every built-in mesh. */
function everyMesh(
  remediation: CheckRemediation,
): Record<BuiltInMesh, CheckRemediation> {
  return { linkerd: remediation, istio: remediation };
}

/**
 * One check of the table.
 * @public
 */
export interface MeshPostureCheckInfo {
  /** What the check asks, as a sentence a pass makes true. */
  title: string;
  /** A short label for chips, filters and exports. */
  label: string;
  /**
   * What the check is about, as the subject of what it found: "Default-deny"
   * in "Default-deny: open on 2 ports". Never a goal, so it reads true
   * beside a failing icon.
   */
  subject: string;
  /** A column heading short enough for a table of every check. */
  column: string;
  /** What a pass means: the evidence it needs. */
  passes: string;
  /** How to fix a failure, in words a service team can act on. */
  fix: string;
  /** Judged by the posture assessment (automatic checklist items bind to these). */
  posture: boolean;
  /** Scored in the zero-trust scorecards. */
  scored: boolean;
  /** How to fix a failure or a warning, on each built-in mesh. */
  remediation: Readonly<Record<BuiltInMesh, CheckRemediation>>;
}

/**
 * Every check, by id, in the order the pages show them.
 * @public
 */
export const MESH_POSTURE_CHECKS = {
  'inbound-mtls': {
    title: 'Every inbound request is mutually authenticated',
    label: 'Inbound mTLS',
    subject: 'Inbound mTLS',
    column: 'mTLS in',
    passes:
      'every request the workloads served in the window came over mTLS from a known identity, as their proxies (or ztunnel) reported it',
    fix: 'mesh the callers that still connect in plaintext, or make the ports require identity',
    posture: true,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          'Mesh the callers that still connect in plaintext, then make the port require an identity.',
        docs: [DOCS.linkerdAddService, DOCS.linkerdValidateMtls],
        snippets: [LINKERD_EDGES, LINKERD_REQUIRE_IDENTITY],
      },
      istio: {
        summary:
          "Inject the callers that still connect in plaintext, then set the namespace's peer authentication to STRICT.",
        docs: [DOCS.istioSidecarInjection, DOCS.istioMtlsMigration],
        snippets: [ISTIO_STRICT_MTLS],
      },
    },
  },
  'outbound-mtls': {
    title: 'Every outbound request is mutually authenticated',
    label: 'Outbound mTLS',
    subject: 'Outbound mTLS',
    column: 'mTLS out',
    passes:
      'every request the workloads made in the window left over mTLS to a meshed peer',
    fix: 'mesh the services it calls, or route calls outside the mesh through an egress gateway',
    posture: true,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          'Mesh the services it calls in plaintext; send calls that leave the cluster through an egress route.',
        docs: [DOCS.linkerdAddService, DOCS.linkerdEgress],
        snippets: [LINKERD_EDGES],
      },
      istio: {
        summary:
          'Inject sidecars into the services it calls in plaintext, and require mTLS of them.',
        docs: [DOCS.istioSidecarInjection, DOCS.istioMtlsMigration],
        snippets: [ISTIO_STRICT_MTLS],
      },
    },
  },
  'meshed-pods': {
    title: 'Every pod runs in the mesh',
    label: 'All pods meshed',
    subject: 'Meshed pods',
    column: 'Meshed',
    passes: "every running pod of the workloads carries the mesh's proxy",
    fix: 'enable injection for the namespace or workload and restart the pods',
    posture: true,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          'Annotate the namespace (or the pod template) with linkerd.io/inject: enabled and restart the pods.',
        docs: [DOCS.linkerdAddService],
        snippets: [LINKERD_INJECT_NAMESPACE, LINKERD_INJECT_POD_TEMPLATE],
      },
      istio: {
        summary:
          'Label the namespace istio-injection=enabled (or istio.io/rev) and restart the pods, or enroll it in ambient mode.',
        docs: [DOCS.istioSidecarInjection, DOCS.istioAmbient],
        snippets: [ISTIO_INJECT_NAMESPACE, ISTIO_AMBIENT_NAMESPACE],
      },
    },
  },
  'default-deny': {
    title: 'Authorization is default-deny on every port',
    label: 'Default-deny authorization',
    subject: 'Default-deny',
    column: 'Deny',
    passes:
      'every port of the workloads refuses callers no policy names (Linkerd default policy deny or a Server; Istio an ALLOW policy)',
    fix: 'set the default inbound policy to deny and authorize each caller by identity',
    posture: true,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          'Make deny the default inbound policy, then admit each caller by identity with a Server and an AuthorizationPolicy.',
        docs: [DOCS.linkerdRestrictAccess, DOCS.linkerdPolicyReference],
        snippets: [LINKERD_DEFAULT_DENY, LINKERD_SERVER_POLICY],
      },
      istio: {
        summary:
          'Add an allow-nothing AuthorizationPolicy, then an ALLOW policy that names each caller.',
        docs: [DOCS.istioAuthzHttp, DOCS.istioAuthzReference],
        snippets: [ISTIO_DEFAULT_DENY],
      },
    },
  },
  'network-default-deny': {
    title: 'The network denies by default, beside the mesh',
    label: 'Network default-deny',
    subject: 'Network policy',
    column: 'Net',
    passes:
      'a Kubernetes NetworkPolicy isolates every pod of the workloads for ingress and for egress, no rule of it allows every peer on every port, and the ports the mesh needs stay open',
    fix: "add a default-deny NetworkPolicy to the namespace, then allow the service's callers, DNS and the mesh's ports",
    posture: true,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          "Add a default-deny NetworkPolicy to the namespace, then allow the service's callers, DNS, the proxy's ports and the control plane.",
        docs: [DOCS.kubernetesNetworkPolicies],
        snippets: [NETWORK_DEFAULT_DENY, LINKERD_NETWORK_ALLOW],
      },
      istio: {
        summary:
          "Add a default-deny NetworkPolicy to the namespace, then allow the service's callers, DNS, the proxy's ports and istiod.",
        docs: [DOCS.kubernetesNetworkPolicies, DOCS.istioPorts],
        snippets: [NETWORK_DEFAULT_DENY, ISTIO_NETWORK_ALLOW],
      },
    },
  },
  'egress-declared': {
    title: 'Calls out of the mesh go only where an entry declares',
    label: 'Egress declared',
    subject: 'Egress',
    column: 'Egress',
    passes:
      'the mesh refuses every destination outside it that nothing declares (Istio REGISTRY_ONLY; Linkerd EgressNetworks that deny by default), and no call in the window went through undeclared',
    fix: 'declare each external destination the service needs, then make the mesh refuse the rest',
    posture: true,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          'Add an EgressNetwork with trafficPolicy Deny to the namespace, and a TLSRoute (or HTTPRoute) on it for each external host the service needs.',
        docs: [DOCS.linkerdEgress, DOCS.linkerdEgressNetwork],
        snippets: [LINKERD_EGRESS_DECLARED],
      },
      istio: {
        summary:
          "Declare each external host in a ServiceEntry, and set the namespace's Sidecar to outboundTrafficPolicy REGISTRY_ONLY.",
        docs: [DOCS.istioEgressControl, DOCS.istioServiceEntry],
        snippets: [ISTIO_EGRESS_DECLARED],
      },
    },
  },
  'no-over-grants': {
    title: 'Every admitted identity is used',
    label: 'No over-granted identities',
    subject: 'Admitted identities',
    column: 'Grants',
    passes:
      'every identity the authorization policies admit was seen calling within the caller window, over enough telemetry history',
    fix: 'remove the identities that never call from the policies',
    posture: true,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          'Remove the identities that never call from the MeshTLSAuthentication (or policy) that admits them.',
        docs: [DOCS.linkerdPolicyReference],
        snippets: [LINKERD_AUTHZ],
      },
      istio: {
        summary:
          'Remove the principals that never call from the rules of the ALLOW policy that admits them.',
        docs: [DOCS.istioAuthzReference],
        snippets: [],
      },
    },
  },
  'denied-callers': {
    title: 'No caller is refused by policy',
    label: 'No refused callers',
    subject: 'Refused callers',
    column: 'Refused',
    passes: 'no request was refused by an authorization policy in the window',
    fix: 'authorize the caller if it is legitimate, or stop it calling',
    posture: true,
    scored: false,
    remediation: {
      linkerd: {
        summary:
          "Admit the caller's identity if the calls are legitimate; otherwise make the caller stop.",
        docs: [DOCS.linkerdRestrictAccess],
        snippets: [LINKERD_AUTHZ],
      },
      istio: {
        summary:
          "Add the caller's principal to the ALLOW policy if the calls are legitimate; otherwise make the caller stop.",
        docs: [DOCS.istioAuthzHttp],
        snippets: [ISTIO_ADMIT_CALLER],
      },
    },
  },
  certificates: {
    title: 'Mesh certificates valid for more than 60 days',
    label: 'Certificates valid > 60 days',
    subject: 'Certificates',
    column: 'Certs',
    passes:
      'the trust anchor and issuer of every cluster are valid for more than 60 days and the workload certificates are current',
    fix: 'rotate the trust anchor or issuer before it expires (cert-manager, trust-manager)',
    posture: true,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          'Rotate the trust anchor or issuer before it expires (cert-manager can renew the issuer), then check the proxies.',
        docs: [
          DOCS.linkerdManualRotation,
          DOCS.linkerdAutoRotation,
          DOCS.linkerdCheck,
        ],
        snippets: [LINKERD_CHECK_PROXY],
      },
      istio: {
        summary:
          'Plug in a renewed CA before the root expires, then restart istiod and the workloads.',
        docs: [DOCS.istioPluginCa],
        snippets: [ISTIO_PLUGIN_CA],
      },
    },
  },
  'golden-signals': {
    title: 'Golden signals within SLO',
    label: 'Golden signals within SLO',
    subject: 'Golden signals',
    column: 'SLO',
    passes:
      "the success rate and p99 latency of the window meet the service's objectives, every source having answered",
    fix: 'look at the errors by status and the slowest dependencies on the golden signals card',
    posture: false,
    scored: true,
    remediation: {
      linkerd: {
        summary:
          'Find the failing status codes and the slowest dependencies, then fix or roll back the change that brought them.',
        docs: [DOCS.linkerdDebugging],
        snippets: [LINKERD_STAT],
      },
      istio: {
        summary:
          'Find the failing status codes and the slowest dependencies, then fix or roll back the change that brought them.',
        docs: [DOCS.istioDashboards],
        snippets: [],
      },
    },
  },
  'progressive-delivery': {
    title: 'Releases go out progressively',
    label: 'Progressive delivery',
    subject: 'Progressive delivery',
    column: 'Canary',
    passes: "a Flagger Canary targets the service's workloads",
    fix: 'add a Flagger Canary for the workload',
    posture: false,
    scored: true,
    remediation: {
      linkerd: {
        summary: 'Add a Flagger Canary for the workload.',
        docs: [DOCS.linkerdFlagger],
        snippets: [FLAGGER_CANARY],
      },
      istio: {
        summary: 'Add a Flagger Canary for the workload.',
        docs: [DOCS.flaggerIstio],
        snippets: [FLAGGER_CANARY],
      },
    },
  },
  checklists: {
    title: 'Checklists attested and current',
    label: 'Checklists attested',
    subject: 'Checklists',
    column: 'Lists',
    passes:
      'every checklist that applies is attested, and the attestation is still current',
    fix: 'answer the open items on the Compliance tab and attest',
    posture: false,
    scored: true,
    // Not a mesh setting: answered in the portal itself.
    remediation: everyMesh({
      summary: 'Answer the open items on the Compliance tab and attest.',
      docs: [],
      snippets: [],
    }),
  },
} as const satisfies Record<string, MeshPostureCheckInfo>;

/** @public */
export type MeshPostureCheckId = keyof typeof MESH_POSTURE_CHECKS;

/**
 * The ids of the checks that have the given property, in table order.
 * @public
 */
export function checkIdsWhere(
  key: 'posture' | 'scored',
): readonly MeshPostureCheckId[] {
  return (Object.keys(MESH_POSTURE_CHECKS) as MeshPostureCheckId[]).filter(
    id => MESH_POSTURE_CHECKS[id][key],
  );
}

/**
 * The checks the posture assessment judges, in table order.
 * @public
 */
export const POSTURE_CHECK_IDS: readonly MeshPostureCheckId[] =
  checkIdsWhere('posture');

/**
 * What a remediation's placeholders stand for, where the page knows it.
 * @public
 */
export interface RemediationContext {
  /** The workload's namespace, for `<namespace>`. */
  namespace?: string;
  /** The workload's name, for `<workload>`. */
  workload?: string;
}

/**
 * How to fix a check on a mesh, with the placeholders it knows filled in;
 * undefined for a check the table does not know or a mesh it has no
 * remediation for (a module's mesh: its `fix` sentence is all there is).
 * @public
 */
export function checkRemediation(
  id: string,
  mesh: string,
  context: RemediationContext = {},
): CheckRemediation | undefined {
  // Own keys only: an id or a mesh named "constructor" finds nothing.
  const own = (o: object, key: string) =>
    Object.prototype.hasOwnProperty.call(o, key);
  if (!own(MESH_POSTURE_CHECKS, id)) return undefined;
  const info: MeshPostureCheckInfo =
    MESH_POSTURE_CHECKS[id as MeshPostureCheckId];
  if (!own(info.remediation, mesh)) return undefined;
  const remediation = info.remediation[mesh as BuiltInMesh];
  const fill = (text: string) =>
    text.replace(/<(namespace|workload)>/g, (placeholder, key: string) => {
      const value = context[key as keyof RemediationContext];
      return value ?? placeholder;
    });
  return {
    summary: remediation.summary,
    docs: remediation.docs,
    snippets: remediation.snippets.map(snippet => ({
      ...snippet,
      text: fill(snippet.text),
    })),
  };
}
