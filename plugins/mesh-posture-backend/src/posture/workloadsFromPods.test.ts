import type {
  KubernetesContainer,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  owningWorkload,
  podMeshState,
  workloadsFromPods,
} from './workloadsFromPods';

/** A pod as `kubectl get pod -o json` shows one, trimmed to what matters. */
function pod(
  name: string,
  overrides: {
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    owner?: { kind: string; name: string };
    containers?: KubernetesContainer[];
    initContainers?: KubernetesContainer[];
    phase?: string;
    ready?: boolean;
    serviceAccountName?: string;
    hostNetwork?: boolean;
  } = {},
): KubernetesPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: overrides.namespace ?? 'payments',
      labels: overrides.labels,
      annotations: overrides.annotations,
      ownerReferences: overrides.owner
        ? [
            {
              apiVersion: 'apps/v1',
              kind: overrides.owner.kind,
              name: overrides.owner.name,
              uid: '5f0c4a8e-1c1d-4b8e-9a52-0c8f0c7c1a11',
              controller: true,
            },
          ]
        : undefined,
    },
    spec: {
      serviceAccountName: overrides.serviceAccountName ?? 'payments-api',
      containers: overrides.containers ?? [
        { name: 'app', image: 'registry.example/payments-api:1.4.2' },
      ],
      initContainers: overrides.initContainers,
      ...(overrides.hostNetwork ? { hostNetwork: true } : {}),
    },
    status: {
      phase: overrides.phase ?? 'Running',
      conditions: [
        { type: 'Ready', status: overrides.ready === false ? 'False' : 'True' },
      ],
    },
  };
}

const linkerdProxy = {
  name: 'linkerd-proxy',
  image: 'cr.l5d.io/linkerd/proxy:edge-24.11.8',
  env: [
    {
      name: 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME',
      value:
        '$(_pod_sa).$(_pod_ns).serviceaccount.identity.linkerd.cluster.local',
    },
  ],
};

describe('podMeshState', () => {
  it('reads a Linkerd sidecar, its version and its identity', () => {
    expect(
      podMeshState(
        pod('payments-api-7d9f8b6c5-x2x8q', {
          annotations: { 'linkerd.io/proxy-version': 'edge-24.11.8' },
          containers: [linkerdProxy, { name: 'app' }],
        }),
        'linkerd',
      ),
    ).toEqual({
      meshed: true,
      dataPlane: 'sidecar',
      proxyContainer: 'linkerd-proxy',
      proxyVersion: 'edge-24.11.8',
      identity:
        'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
    });
  });

  it('reads a Linkerd native sidecar from the init containers', () => {
    const state = podMeshState(
      pod('ledger-0', {
        initContainers: [
          { name: 'linkerd-init' },
          { ...linkerdProxy, restartPolicy: 'Always' },
        ],
      }),
      'linkerd',
    );
    expect(state.dataPlane).toBe('native-sidecar');
    expect(state.proxyVersion).toBe('edge-24.11.8');
  });

  it('does not count an ordinary init container named like the proxy', () => {
    expect(
      podMeshState(
        pod('x', { initContainers: [{ ...linkerdProxy }] }),
        'linkerd',
      ).meshed,
    ).toBe(false);
  });

  it('reads an injected Istio sidecar and its SPIFFE identity', () => {
    expect(
      podMeshState(
        pod('card-issuing-5d4f-abcde', {
          namespace: 'cards',
          serviceAccountName: 'card-issuing',
          annotations: {
            'sidecar.istio.io/status': '{"containers":["istio-proxy"]}',
          },
          containers: [
            { name: 'app' },
            { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.1' },
          ],
        }),
        'istio',
      ),
    ).toEqual({
      meshed: true,
      dataPlane: 'sidecar',
      proxyContainer: 'istio-proxy',
      proxyVersion: '1.28.1',
      identity: 'spiffe://cluster.local/ns/cards/sa/card-issuing',
    });
  });

  it('reads Istio ambient enrolment', () => {
    expect(
      podMeshState(
        pod('x', {
          annotations: { 'ambient.istio.io/redirection': 'enabled' },
        }),
        'istio',
      ).dataPlane,
    ).toBe('ambient');
  });

  it("treats a pod without the mesh's proxy as unmeshed", () => {
    expect(podMeshState(pod('x'), 'linkerd')).toEqual({
      meshed: false,
      dataPlane: 'none',
    });
    // A Linkerd proxy does not make a pod part of an Istio mesh.
    expect(
      podMeshState(pod('x', { containers: [linkerdProxy] }), 'istio').meshed,
    ).toBe(false);
  });
});

describe('owningWorkload', () => {
  it('maps a ReplicaSet to its Deployment by the pod-template-hash', () => {
    expect(
      owningWorkload(
        pod('payments-api-7d9f8b6c5-x2x8q', {
          labels: { 'pod-template-hash': '7d9f8b6c5' },
          owner: { kind: 'ReplicaSet', name: 'payments-api-7d9f8b6c5' },
        }),
        'prod',
      ),
    ).toEqual({
      cluster: 'prod',
      namespace: 'payments',
      kind: 'Deployment',
      name: 'payments-api',
    });
  });

  it('keeps StatefulSets and falls back to the pod', () => {
    expect(
      owningWorkload(
        pod('ledger-0', { owner: { kind: 'StatefulSet', name: 'ledger' } }),
        'prod',
      ).kind,
    ).toBe('StatefulSet');
    expect(owningWorkload(pod('debug'), 'prod')).toMatchObject({
      kind: 'Pod',
      name: 'debug',
    });
  });
});

describe('workloads and identities as the meshes name them', () => {
  it("names a CronJob's pod by its CronJob, as Istio's trimming does", () => {
    // istio/istio pkg/kube/util.go: `(.+)-\d{8,10}$` on the Job's name.
    expect(
      owningWorkload(
        pod('report-builder-29412345-x7k2p', {
          owner: { kind: 'Job', name: 'report-builder-29412345' },
        }),
        'prod',
      ),
    ).toEqual({
      cluster: 'prod',
      namespace: 'payments',
      kind: 'CronJob',
      name: 'report-builder',
    });
    // A Job of its own keeps its name.
    expect(
      owningWorkload(
        pod('migrate-schema-abcde', {
          owner: { kind: 'Job', name: 'migrate-schema' },
        }),
        'prod',
      ),
    ).toMatchObject({ kind: 'Job', name: 'migrate-schema' });
    // A bare pod is its own workload.
    expect(owningWorkload(pod('debug-shell'), 'prod')).toMatchObject({
      kind: 'Pod',
      name: 'debug-shell',
    });
  });

  it('mints SPIFFE IDs in the configured trust domain', () => {
    const sidecar = pod('card-issuing-5d4f-abcde', {
      annotations: { 'sidecar.istio.io/status': '{}' },
      containers: [{ name: 'app' }, { name: 'istio-proxy' }],
      serviceAccountName: 'card-issuing',
    });
    expect(
      podMeshState(sidecar, 'istio', { trustDomain: 'bank.example' }).identity,
    ).toBe('spiffe://bank.example/ns/payments/sa/card-issuing');
  });

  it("mints Linkerd identities in the control plane's namespace", () => {
    const meshed = pod('ledger-0', {
      containers: [{ name: 'linkerd-proxy' }, { name: 'ledger' }],
      serviceAccountName: 'ledger',
    });
    expect(
      podMeshState(meshed, 'linkerd', {
        linkerdNamespace: 'linkerd-prod',
        trustDomain: 'bank.example',
      }).identity,
    ).toBe('ledger.payments.serviceaccount.identity.linkerd-prod.bank.example');
  });
});

describe('workloadsFromPods', () => {
  it('groups live pods and counts meshed and ready ones', () => {
    const rs = { kind: 'ReplicaSet', name: 'payments-api-7d9f8b6c5' };
    const labels = { 'pod-template-hash': '7d9f8b6c5' };
    const meshed = {
      owner: rs,
      labels,
      containers: [linkerdProxy, { name: 'app' }],
    };
    const workloads = workloadsFromPods(
      [
        pod('payments-api-7d9f8b6c5-a', meshed),
        pod('payments-api-7d9f8b6c5-b', { ...meshed, ready: false }),
        pod('payments-api-7d9f8b6c5-c', { owner: rs, labels }),
        pod('payments-api-7d9f8b6c5-d', { ...meshed, phase: 'Succeeded' }),
      ],
      'prod',
      'linkerd',
    );
    expect(workloads).toEqual([
      {
        workload: {
          cluster: 'prod',
          namespace: 'payments',
          kind: 'Deployment',
          name: 'payments-api',
        },
        mesh: 'linkerd',
        totalPods: 3,
        meshedPods: 2,
        readyPods: 2,
        dataPlane: 'sidecar',
        proxyVersions: ['edge-24.11.8'],
        // Pod c's application image; the others name none.
        imageTags: ['1.4.2'],
        identity:
          'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
      },
    ]);
  });

  it("names what the application containers run, never the proxy's image", () => {
    const owner = { kind: 'ReplicaSet', name: 'ledger-7d9f8b6c5' };
    const labels = { 'pod-template-hash': '7d9f8b6c5' };
    const app = (image: string) => ({
      owner,
      labels,
      containers: [linkerdProxy, { name: 'ledger', image }],
    });
    const [ledger] = workloadsFromPods(
      [
        // Mid-rollout: two versions side by side.
        pod('ledger-7d9f8b6c5-a', app('registry.example:5000/ledger:2.1.0')),
        pod('ledger-7d9f8b6c5-b', app('registry.example/ledger:2.2.0-rc.1')),
        // Pinned by digest only, and no tag at all (Kubernetes pulls latest).
        pod(
          'ledger-7d9f8b6c5-c',
          app(
            'registry.example/ledger@sha256:4f0c2d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d',
          ),
        ),
        pod('ledger-7d9f8b6c5-d', app('registry.example/ledger')),
      ],
      'prod',
      'linkerd',
    );
    expect(ledger.imageTags).toEqual([
      '2.1.0',
      '2.2.0-rc.1',
      '4f0c2d9e8b7a',
      'latest',
    ]);
    expect(ledger.proxyVersions).toEqual(['edge-24.11.8']);
  });
});

describe('traffic that skips the proxy', () => {
  const rs = { kind: 'ReplicaSet', name: 'ledger-7d9f8b6c5' };
  const labels = { 'pod-template-hash': '7d9f8b6c5' };
  const istioSidecar = {
    'sidecar.istio.io/status': '{"containers":["istio-proxy"]}',
  };

  it("reads Linkerd's skip annotations, as the injector leaves them on the pod", () => {
    // Names from linkerd/linkerd2 pkg/k8s/labels.go; values as its docs
    // give them (a port, or a range `a-b`; CIDRs for skip-subnets).
    const state = podMeshState(
      pod('ledger-7d9f8b6c5-a', {
        owner: rs,
        labels,
        annotations: {
          'config.linkerd.io/skip-inbound-ports': '9102, 8500-8505',
          'config.linkerd.io/skip-outbound-ports': '5432',
          'config.linkerd.io/skip-subnets': '169.254.169.254/32,10.0.0.0/33',
          'config.linkerd.io/opaque-ports': '5432',
        },
        containers: [linkerdProxy, { name: 'app' }],
      }),
      'linkerd',
    );
    expect(state.bypass).toEqual([
      {
        direction: 'inbound',
        ports: ['9102', '8500-8505'],
        setting: 'config.linkerd.io/skip-inbound-ports',
      },
      {
        direction: 'outbound',
        ports: ['5432'],
        setting: 'config.linkerd.io/skip-outbound-ports',
      },
      {
        // The malformed /33 is left out.
        direction: 'outbound',
        ipRanges: ['169.254.169.254/32'],
        setting: 'config.linkerd.io/skip-subnets',
      },
    ]);
  });

  it("reads Istio's traffic annotations; an include list other than * leaves out the rest", () => {
    const state = podMeshState(
      pod('ledger-7d9f8b6c5-a', {
        annotations: {
          ...istioSidecar,
          'traffic.sidecar.istio.io/includeInboundPorts': '8080',
          'traffic.sidecar.istio.io/excludeOutboundPorts': '3306,not-a-port',
          'traffic.sidecar.istio.io/excludeOutboundIPRanges': '*',
        },
        containers: [{ name: 'app' }, { name: 'istio-proxy' }],
      }),
      'istio',
    );
    expect(state.bypass).toEqual([
      {
        direction: 'inbound',
        onlyPorts: ['8080'],
        setting: 'traffic.sidecar.istio.io/includeInboundPorts',
      },
      {
        direction: 'outbound',
        ports: ['3306'],
        setting: 'traffic.sidecar.istio.io/excludeOutboundPorts',
      },
      {
        direction: 'outbound',
        onlyIpRanges: [],
        setting: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
      },
    ]);
  });

  it('reads nothing from the defaults, or from an ambient pod', () => {
    expect(
      podMeshState(
        pod('a', {
          annotations: {
            ...istioSidecar,
            'traffic.sidecar.istio.io/includeInboundPorts': '*',
          },
          containers: [{ name: 'app' }, { name: 'istio-proxy' }],
        }),
        'istio',
      ).bypass,
    ).toBeUndefined();
    expect(
      podMeshState(
        pod('b', {
          annotations: {
            'ambient.istio.io/redirection': 'enabled',
            'traffic.sidecar.istio.io/excludeInboundPorts': '9090',
          },
        }),
        'istio',
      ).bypass,
    ).toBeUndefined();
  });

  it('counts the pods that carry each bypass, and the pods on the host network', () => {
    const meshed = {
      owner: rs,
      labels,
      annotations: { 'config.linkerd.io/skip-inbound-ports': '9102' },
      containers: [linkerdProxy, { name: 'app' }],
    };
    const [workload] = workloadsFromPods(
      [
        pod('ledger-7d9f8b6c5-a', meshed),
        pod('ledger-7d9f8b6c5-b', meshed),
        pod('ledger-7d9f8b6c5-c', { owner: rs, labels, hostNetwork: true }),
      ],
      'prod',
      'linkerd',
    );
    expect(workload.bypass).toEqual([
      {
        direction: 'inbound',
        ports: ['9102'],
        setting: 'config.linkerd.io/skip-inbound-ports',
        pods: 2,
      },
    ]);
    expect(workload.hostNetworkPods).toBe(1);
    expect(workload.meshedPods).toBe(2);
  });
});
