import type {
  KubernetesContainer,
  KubernetesObject,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  DEMO_CANARY_MAX_WEIGHT,
  DEMO_CANARY_STEP_WEIGHT,
  DEMO_ROLLBACK_THRESHOLD,
  demoCanaryState,
  DemoCanaryState,
  demoRollbackState,
  stableHash,
} from './simulation';
import {
  DEMO_CLUSTERS,
  DemoCluster,
  DemoNamespace,
  DemoWorkload,
} from './topology';

/*
 * The demo mesh's Kubernetes objects, shaped as the API server returns them:
 * pods, namespaces, and the Linkerd and Istio policy resources that the real
 * adapters read.
 */

const POD_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const CREATED = '2026-03-02T09:14:00Z';

function podSuffix(seed: string, length: number): string {
  let h = stableHash(seed);
  let out = '';
  for (let i = 0; i < length; i++) {
    out += POD_NAME_ALPHABET[h % POD_NAME_ALPHABET.length];
    h = Math.floor(h / POD_NAME_ALPHABET.length) || stableHash(`${seed}${i}`);
  }
  return out;
}

export function clusterOf(name: string): DemoCluster {
  return DEMO_CLUSTERS.find(c => c.name === name)!;
}

/** Replicas running at an instant: the canary side scales with the rollout. */
function replicas(w: DemoWorkload, at: Date): number {
  if (w.canary === 'canary') {
    return demoCanaryState(at).phase === 'Progressing' ? w.replicas : 0;
  }
  return w.replicas;
}

function revisionOf(w: DemoWorkload, at: Date): string {
  if (!w.canary) return w.podRevision ?? 'stable';
  const state = demoCanaryState(at);
  // The primary takes the new revision once promoted.
  const promoted = ['Finalising', 'Succeeded'].includes(state.phase);
  return String(
    w.canary === 'canary' || promoted ? state.revision : state.revision - 1,
  );
}

/** The app label the demo's policies select pods by. */
export function appLabel(w: DemoWorkload): string {
  return w.kubernetesId ?? w.name;
}

export function podsOf(w: DemoWorkload, at: Date): KubernetesPod[] {
  const cluster = clusterOf(w.cluster);
  const count = replicas(w, at);
  const revision = revisionOf(w, at);
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
      'app.kubernetes.io/name': appLabel(w),
    };
    if (w.kubernetesId) labels['backstage.io/kubernetes-id'] = w.kubernetesId;
    const annotations: Record<string, string> = { ...w.podAnnotations };
    const containers: KubernetesContainer[] = [
      {
        name: appLabel(w),
        image: w.image,
        ports: [
          { name: w.port.name, containerPort: w.port.number, protocol: 'TCP' },
        ],
      },
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
        ports: [
          { name: 'linkerd-proxy', containerPort: 4143 },
          { name: 'linkerd-admin', containerPort: 4191 },
        ],
        env: [
          {
            name: 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME',
            value:
              '$(_pod_sa).$(_pod_ns).serviceaccount.identity.linkerd.cluster.local',
          },
          {
            name: 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY',
            value: w.defaultPolicy ?? 'all-unauthenticated',
          },
        ],
      };
      initContainers.push({ name: 'linkerd-init', image: cluster.proxyImage });
      if (w.nativeSidecar) {
        initContainers.push({ ...proxy, restartPolicy: 'Always' });
      } else {
        containers.unshift(proxy);
      }
    }
    if (w.meshed && cluster.mesh === 'istio' && w.ambient) {
      // Set by istio-cni once the pod's traffic is redirected to ztunnel.
      annotations['ambient.istio.io/redirection'] = 'enabled';
    }
    if (w.meshed && cluster.mesh === 'istio' && !w.ambient) {
      labels['security.istio.io/tlsMode'] = 'istio';
      labels['service.istio.io/canonical-name'] = appLabel(w);
      annotations['sidecar.istio.io/status'] = JSON.stringify({
        initContainers: ['istio-init'],
        containers: ['istio-proxy'],
        volumes: ['istio-envoy', 'istio-data', 'istio-token'],
        revision: 'default',
      });
      initContainers.push({ name: 'istio-init', image: cluster.proxyImage });
      containers.push({
        name: 'istio-proxy',
        image: cluster.proxyImage,
        ports: [{ name: 'http-envoy-prom', containerPort: 15090 }],
      });
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
        creationTimestamp: CREATED,
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

export function namespaceObjects(
  cluster: string,
  namespaces: DemoNamespace[],
): KubernetesObject[] {
  return namespaces
    .filter(n => n.cluster === cluster)
    .map(n => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: n.name,
        creationTimestamp: CREATED,
        labels: { 'kubernetes.io/metadata.name': n.name, ...n.labels },
        ...(n.annotations ? { annotations: n.annotations } : {}),
      },
      status: { phase: 'Active' },
    }));
}

function meta(name: string, namespace: string) {
  return { name, namespace, creationTimestamp: CREATED };
}

/** Linkerd policy resources by `group/version/resource`. */
export function linkerdPolicyObjects(
  workloads: DemoWorkload[],
): Record<string, KubernetesObject[]> {
  const servers: KubernetesObject[] = [];
  const policies: KubernetesObject[] = [];
  const authentications: KubernetesObject[] = [];
  // The canary and its primary share one policy, keyed by the app label.
  const seen = new Set<string>();
  for (const w of workloads) {
    if (w.cluster !== 'prod-eu-west' || !w.admits || seen.has(appLabel(w)))
      continue;
    seen.add(appLabel(w));
    const name = `${appLabel(w)}-${w.port.name}`;
    servers.push({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: meta(name, w.namespace),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': appLabel(w) } },
        port: w.port.name,
        proxyProtocol: w.port.protocol,
        accessPolicy: 'deny',
      },
    });
    authentications.push({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: meta(`${appLabel(w)}-callers`, w.namespace),
      spec: {
        identityRefs: w.admits.map(sa => {
          const [namespace, account] = sa.split('/');
          return { kind: 'ServiceAccount', name: account, namespace };
        }),
      },
    });
    policies.push({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: meta(name, w.namespace),
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name },
        requiredAuthenticationRefs: [
          {
            group: 'policy.linkerd.io',
            kind: 'MeshTLSAuthentication',
            name: `${appLabel(w)}-callers`,
          },
        ],
      },
    });
  }
  return {
    'policy.linkerd.io/v1beta3/servers': servers,
    'policy.linkerd.io/v1alpha1/authorizationpolicies': policies,
    'policy.linkerd.io/v1alpha1/meshtlsauthentications': authentications,
    'policy.linkerd.io/v1alpha1/networkauthentications': [],
    'policy.linkerd.io/v1beta1/serverauthorizations': [],
    'policy.linkerd.io/v1beta3/httproutes': [],
    // Egress (linkerd/linkerd2 policy-controller/k8s/api/src/policy/
    // egress_network.rs): payments denies by default, all of its addresses
    // (no `networks`), and admits its payment service provider by SNI.
    'policy.linkerd.io/v1alpha1/egressnetworks': [
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'EgressNetwork',
        metadata: meta('payments-egress', 'payments'),
        spec: { trafficPolicy: 'Deny' },
        status: {
          conditions: [
            { type: 'Accepted', status: 'True', reason: 'Accepted' },
          ],
        },
      },
    ],
    'gateway.networking.k8s.io/v1alpha2/tlsroutes': [
      {
        apiVersion: 'gateway.networking.k8s.io/v1alpha2',
        kind: 'TLSRoute',
        metadata: meta('psp-api', 'payments'),
        spec: {
          hostnames: ['api.psp.example'],
          parentRefs: [
            {
              name: 'payments-egress',
              kind: 'EgressNetwork',
              group: 'policy.linkerd.io',
              namespace: 'payments',
              port: 443,
            },
          ],
          rules: [
            {
              backendRefs: [
                {
                  name: 'payments-egress',
                  kind: 'EgressNetwork',
                  group: 'policy.linkerd.io',
                  port: 443,
                },
              ],
            },
          ],
        },
      },
    ],
    'gateway.networking.k8s.io/v1alpha2/tcproutes': [],
  };
}

/** Istio security resources by `group/version/resource`. */
export function istioPolicyObjects(
  workloads: DemoWorkload[],
): Record<string, KubernetesObject[]> {
  const policies: KubernetesObject[] = [];
  for (const w of workloads) {
    if (w.cluster !== 'pci-eu-central' || !w.admits) continue;
    policies.push({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: meta(appLabel(w), w.namespace),
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': appLabel(w) } },
        action: 'ALLOW',
        rules: [
          {
            from: [
              {
                source: {
                  principals: w.admits.map(sa => {
                    const [namespace, account] = sa.split('/');
                    return `cluster.local/ns/${namespace}/sa/${account}`;
                  }),
                },
              },
            ],
          },
        ],
      },
    });
  }
  return {
    'security.istio.io/v1/peerauthentications': [
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: meta('default', 'istio-system'),
        spec: { mtls: { mode: 'STRICT' } },
      },
    ],
    'security.istio.io/v1/authorizationpolicies': policies,
    // Egress (istio/api networking/v1alpha3/service_entry.proto): the card
    // network, declared for the cards namespace; the mesh config refuses
    // the rest (REGISTRY_ONLY, see the `istio` ConfigMap).
    'networking.istio.io/v1/sidecars': [],
    'networking.istio.io/v1/serviceentries': [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta('card-network', 'cards'),
        spec: {
          hosts: ['api.cardnetwork.example'],
          location: 'MESH_EXTERNAL',
          resolution: 'DNS',
          ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
          exportTo: ['.'],
        },
      },
    ],
  };
}

/** The PCI cluster's mesh config (ConfigMap istio-system/istio, key `mesh`). */
export const DEMO_ISTIO_MESH_CONFIG = `defaultConfig:
  discoveryAddress: istiod.istio-system.svc:15012
outboundTrafficPolicy:
  mode: REGISTRY_ONLY
rootNamespace: istio-system
trustDomain: cluster.local
`;

const PROMOTED_MESSAGES: Record<string, string> = {
  Initialized: 'Deployment initialization completed.',
  Progressing: 'New revision detected, progressing canary analysis.',
  Promoting: 'Canary analysis completed, starting primary rolling update.',
  Finalising: 'Canary analysis completed, routing all traffic to primary.',
  Succeeded: 'Canary analysis completed successfully, promotion finished.',
  Failed: 'Canary analysis failed, Deployment scaled to zero.',
};

const PROMOTED_STATUS: Record<string, string> = {
  Initialized: 'True',
  Succeeded: 'True',
  Failed: 'False',
};

function flaggerCanary(options: {
  namespace: string;
  name: string;
  state: DemoCanaryState;
  analysis: object;
  failedReason?: string;
}): KubernetesObject {
  const { namespace, name, state } = options;
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: {
      name,
      namespace,
      uid: `canary-${stableHash(`${namespace}/${name}`).toString(16)}`,
      creationTimestamp: CREATED,
    },
    spec: {
      provider: 'linkerd',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { port: 8080 },
      analysis: options.analysis,
    },
    status: {
      phase: state.phase,
      canaryWeight: state.weight,
      failedChecks: state.failedChecks,
      iterations: 0,
      lastAppliedSpec: stableHash(`${name}#${state.revision}`).toString(16),
      lastPromotedSpec: stableHash(
        `${name}#${
          state.phase === 'Succeeded' ? state.revision : state.revision - 1
        }`,
      ).toString(16),
      lastTransitionTime: state.since.toISOString(),
      conditions: [
        {
          type: 'Promoted',
          status: PROMOTED_STATUS[state.phase] ?? 'Unknown',
          reason: state.phase,
          message:
            state.phase === 'Failed' && options.failedReason
              ? options.failedReason
              : PROMOTED_MESSAGES[state.phase],
          lastUpdateTime: state.since.toISOString(),
          lastTransitionTime: state.since.toISOString(),
        },
      ],
    },
  };
}

const LOAD_TESTER = 'http://flagger-loadtester.test.svc.cluster.local/';

/**
 * The demo's Flagger canaries: fraud-scoring rolling out every hour, and
 * accounts-service, whose release keeps being rolled back.
 */
export function canaryObjects(cluster: string, at: Date): KubernetesObject[] {
  if (cluster !== 'prod-eu-west') return [];
  return [
    flaggerCanary({
      namespace: 'payments',
      name: 'fraud-scoring',
      state: demoCanaryState(at),
      analysis: {
        interval: '1m',
        threshold: 5,
        maxWeight: DEMO_CANARY_MAX_WEIGHT,
        stepWeight: DEMO_CANARY_STEP_WEIGHT,
        metrics: [
          {
            name: 'request-success-rate',
            thresholdRange: { min: 99 },
            interval: '1m',
          },
          {
            name: 'request-duration',
            thresholdRange: { max: 500 },
            interval: '1m',
          },
        ],
        webhooks: [
          {
            name: 'acceptance-test',
            type: 'pre-rollout',
            url: `${LOAD_TESTER}`,
            metadata: {
              type: 'bash',
              cmd: 'curl -s http://fraud-scoring-canary.payments:8080/healthz',
            },
          },
          {
            name: 'load-test',
            type: 'rollout',
            url: `${LOAD_TESTER}`,
            metadata: {
              cmd: 'hey -z 1m -q 10 -c 2 http://fraud-scoring-canary.payments:8080/',
            },
          },
        ],
      },
    }),
    flaggerCanary({
      namespace: 'open-banking',
      name: 'accounts-service',
      state: demoRollbackState(at),
      analysis: {
        interval: '1m',
        threshold: DEMO_ROLLBACK_THRESHOLD,
        stepWeights: [10, 20, 30],
        metrics: [
          {
            name: 'request-success-rate',
            thresholdRange: { min: 99.5 },
            interval: '1m',
          },
          {
            name: 'request-duration',
            thresholdRange: { max: 300 },
            interval: '1m',
          },
          {
            name: 'consent-errors',
            templateRef: { name: 'consent-error-ratio', namespace: 'flagger' },
            thresholdRange: { max: 1 },
            interval: '5m',
          },
        ],
        webhooks: [
          {
            name: 'promotion-gate',
            type: 'confirm-promotion',
            url: `${LOAD_TESTER}gate/check`,
          },
          {
            name: 'notify-oncall',
            type: 'event',
            url: 'https://hooks.demo-bank.eu/flagger',
          },
        ],
      },
      failedReason:
        'Canary analysis failed, Deployment scaled to zero. Halt accounts-service.open-banking advancement success rate 97.80% < 99.5%',
    }),
  ];
}

/*
 * The demo's NetworkPolicies (networking.k8s.io/v1, as the API server
 * returns them), per namespace as topology.ts says: a default-deny for the
 * namespace and, for each workload, in-cluster callers, DNS and the mesh's
 * ports allowed.
 */

/** Who scrapes the proxies: linkerd-viz's Prometheus, Istio's in istio-system. */
const SCRAPER_NAMESPACE: Record<string, string> = {
  linkerd: 'linkerd-viz',
  istio: 'istio-system',
};

const namespaceNamed = (name: string) => ({
  namespaceSelector: {
    matchLabels: { 'kubernetes.io/metadata.name': name },
  },
});

function meshPortsOf(w: DemoWorkload, mesh: string) {
  if (!w.meshed) return { open: [], scraped: [] };
  if (mesh === 'linkerd') return { open: [4143], scraped: [4191] };
  return w.ambient
    ? { open: [15008], scraped: [] }
    : { open: [], scraped: [15090] };
}

export function networkPolicyObjects(
  cluster: string,
  namespaces: DemoNamespace[],
  workloads: DemoWorkload[],
): KubernetesObject[] {
  const mesh = clusterOf(cluster).mesh;
  const policies: KubernetesObject[] = [];
  const denies = new Map(
    namespaces
      .filter(n => n.cluster === cluster && n.networkDefaultDeny)
      .map(n => [n.name, n.networkDefaultDeny!]),
  );
  for (const [ns, directions] of denies) {
    const both = directions === 'both';
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny', ns),
      spec: {
        podSelector: {},
        policyTypes: both ? ['Ingress', 'Egress'] : ['Ingress'],
      },
    });
  }
  // The ports in-cluster callers reach: every service's, and the mesh's
  // inbound port for its opaque and HBONE connections.
  const servicePorts = [
    ...new Set([
      ...workloads.filter(w => w.cluster === cluster).map(w => w.port.number),
      mesh === 'linkerd' ? 4143 : 15008,
    ]),
  ].sort((a, b) => a - b);
  const seen = new Set<string>();
  for (const w of workloads) {
    const directions = w.cluster === cluster && denies.get(w.namespace);
    if (!directions) continue;
    const both = directions === 'both';
    // A canary and its primary share the app label, so one policy.
    const key = `${w.namespace}/${appLabel(w)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ports = meshPortsOf(w, mesh);
    const callers =
      w.namespace === 'ingress' || w.name === 'istio-ingressgateway'
        ? [{ ipBlock: { cidr: '0.0.0.0/0' } }]
        : [{ namespaceSelector: {} }];
    const ingress: object[] = [
      {
        ports: [w.port.number, ...ports.open].map(port => ({
          protocol: 'TCP',
          port,
        })),
        from: callers,
      },
    ];
    if (ports.scraped.length > 0) {
      ingress.push({
        ports: ports.scraped.map(port => ({ protocol: 'TCP', port })),
        from: [namespaceNamed(SCRAPER_NAMESPACE[mesh])],
      });
    }
    policies.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(`${appLabel(w)}-allow`, w.namespace),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': appLabel(w) } },
        policyTypes: both ? ['Ingress', 'Egress'] : ['Ingress'],
        ingress,
        ...(both
          ? {
              egress: [
                {
                  ports: [
                    { protocol: 'UDP', port: 53 },
                    { protocol: 'TCP', port: 53 },
                  ],
                  to: [namespaceNamed('kube-system')],
                },
                // The control plane: identity, destination and policy
                // (Linkerd), xDS and certificates (istiod).
                {
                  ports: (mesh === 'linkerd'
                    ? [8080, 8086, 8090]
                    : [15012]
                  ).map(port => ({ protocol: 'TCP', port })),
                  to: [
                    namespaceNamed(
                      mesh === 'linkerd' ? 'linkerd' : 'istio-system',
                    ),
                  ],
                },
                // In-cluster peers on the ports the platform's services
                // listen on: nothing leaves the cluster.
                {
                  ports: servicePorts.map(port => ({ protocol: 'TCP', port })),
                  to: [{ namespaceSelector: {} }],
                },
              ],
            }
          : {}),
      },
    });
  }
  return policies;
}
