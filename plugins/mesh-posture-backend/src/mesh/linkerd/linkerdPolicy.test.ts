import type { WorkloadRef } from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesObject,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import {
  defaultInboundPolicy,
  evaluateLinkerdAuthorization,
  LinkerdPolicyObjects,
} from './linkerdPolicy';

const ledger: WorkloadRef = {
  cluster: 'prod',
  namespace: 'payments',
  kind: 'StatefulSet',
  name: 'ledger',
};

function pod(
  defaultPolicy?: string,
  annotations?: Record<string, string>,
): KubernetesPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'ledger-0',
      namespace: 'payments',
      labels: { app: 'ledger', 'backstage.io/kubernetes-id': 'ledger' },
      annotations,
    },
    spec: {
      serviceAccountName: 'ledger',
      containers: [
        {
          name: 'linkerd-proxy',
          ports: [
            { name: 'linkerd-proxy', containerPort: 4143 },
            { name: 'linkerd-admin', containerPort: 4191 },
          ],
          env: defaultPolicy
            ? [
                {
                  name: 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY',
                  value: defaultPolicy,
                },
              ]
            : [],
        },
        {
          name: 'ledger',
          ports: [
            { name: 'grpc', containerPort: 9090 },
            { name: 'metrics', containerPort: 9102 },
          ],
        },
      ],
    },
  };
}

function obj(
  apiVersion: string,
  kind: string,
  name: string,
  spec: any,
  extra: Partial<KubernetesObject['metadata']> = {},
): KubernetesObject {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: 'payments', ...extra },
    spec,
  };
}

const grpcServer = obj('policy.linkerd.io/v1beta3', 'Server', 'ledger-grpc', {
  podSelector: { matchLabels: { app: 'ledger' } },
  port: 'grpc',
  proxyProtocol: 'gRPC',
});

const callers = obj(
  'policy.linkerd.io/v1alpha1',
  'MeshTLSAuthentication',
  'ledger-callers',
  {
    identityRefs: [
      { kind: 'ServiceAccount', name: 'payments-api' },
      { kind: 'ServiceAccount', name: 'reconciliation', namespace: 'batch' },
    ],
  },
);

const grpcPolicy = obj(
  'policy.linkerd.io/v1alpha1',
  'AuthorizationPolicy',
  'ledger-grpc',
  {
    targetRef: {
      group: 'policy.linkerd.io',
      kind: 'Server',
      name: 'ledger-grpc',
    },
    requiredAuthenticationRefs: [
      {
        group: 'policy.linkerd.io',
        kind: 'MeshTLSAuthentication',
        name: 'ledger-callers',
      },
    ],
  },
);

function objects(partial: Partial<LinkerdPolicyObjects>): LinkerdPolicyObjects {
  return {
    servers: [],
    authorizationPolicies: [],
    meshTLSAuthentications: [],
    networkAuthentications: [],
    serverAuthorizations: [],
    httpRoutes: [],
    ...partial,
  };
}

const TD = 'cluster.local';

describe('evaluateLinkerdAuthorization', () => {
  it('is default-deny with a Server, its AuthorizationPolicy and a deny default', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [grpcServer],
        authorizationPolicies: [grpcPolicy],
        meshTLSAuthentications: [callers],
      }),
    });
    expect(result.ports.map(p => [p.port, p.access])).toEqual([
      ['9090 (grpc)', 'deny'],
      ['9102 (metrics)', 'deny'],
      ['*', 'deny'],
    ]);
    expect(result.ports[0]).toMatchObject({
      selectedBy: 'Server payments/ledger-grpc',
      explanation: 'Server ledger-grpc: 1 authorization',
    });
    expect(result.ports[1].explanation).toBe(
      'no Server; default policy deny (proxy configuration)',
    );
    expect(result.admitted).toEqual([
      {
        identity:
          'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
        grantedBy: ['AuthorizationPolicy payments/ledger-grpc'],
      },
      {
        identity:
          'reconciliation.batch.serviceaccount.identity.linkerd.cluster.local',
        grantedBy: ['AuthorizationPolicy payments/ledger-grpc'],
      },
    ]);
  });

  it('leaves unselected ports open under the Helm default all-unauthenticated', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod()],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({ servers: [grpcServer] }),
    });
    expect(result.ports.map(p => [p.port, p.access])).toEqual([
      ['9090 (grpc)', 'deny'],
      ['9102 (metrics)', 'open'],
      ['*', 'open'],
    ]);
    expect(result.ports[0].explanation).toBe(
      'Server ledger-grpc: no authorization, all traffic denied',
    );
  });

  it('reads a Server accessPolicy (v1beta3)', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [
          {
            ...grpcServer,
            spec: { ...grpcServer.spec, accessPolicy: 'all-authenticated' },
          },
        ],
      }),
    });
    expect(result.ports[0]).toMatchObject({
      access: 'authenticated',
      explanation:
        'Server ledger-grpc: no authorization, plus accessPolicy all-authenticated',
    });
  });

  it('classifies network and wildcard grants', () => {
    const everyone = obj(
      'policy.linkerd.io/v1alpha1',
      'NetworkAuthentication',
      'everyone',
      {
        networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }],
      },
    );
    const kubelet = obj(
      'policy.linkerd.io/v1alpha1',
      'NetworkAuthentication',
      'kubelet',
      {
        networks: [{ cidr: '10.0.0.0/8' }],
      },
    );
    const anyMesh = obj(
      'policy.linkerd.io/v1alpha1',
      'MeshTLSAuthentication',
      'any',
      {
        identities: ['*'],
      },
    );
    const policyWith = (name: string, kind: string) =>
      obj('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy', `p-${name}`, {
        targetRef: {
          group: 'policy.linkerd.io',
          kind: 'Server',
          name: 'ledger-grpc',
        },
        requiredAuthenticationRefs: [
          { group: 'policy.linkerd.io', kind, name },
        ],
      });
    const accessWith = (policy: KubernetesObject) =>
      evaluateLinkerdAuthorization({
        workload: ledger,
        pods: [pod('deny')],
        domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
        objects: objects({
          servers: [grpcServer],
          authorizationPolicies: [policy],
          meshTLSAuthentications: [anyMesh],
          networkAuthentications: [everyone, kubelet],
        }),
      }).ports[0].access;
    expect(accessWith(policyWith('everyone', 'NetworkAuthentication'))).toBe(
      'open',
    );
    expect(accessWith(policyWith('kubelet', 'NetworkAuthentication'))).toBe(
      'cluster',
    );
    expect(accessWith(policyWith('any', 'MeshTLSAuthentication'))).toBe(
      'authenticated',
    );
  });

  it('reads legacy ServerAuthorizations by server name or selector', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [
          {
            ...grpcServer,
            metadata: { ...grpcServer.metadata, labels: { tier: 'db' } },
          },
        ],
        serverAuthorizations: [
          obj(
            'policy.linkerd.io/v1beta1',
            'ServerAuthorization',
            'ledger-legacy',
            {
              server: { selector: { matchLabels: { tier: 'db' } } },
              client: {
                meshTLS: { serviceAccounts: [{ name: 'payments-api' }] },
              },
            },
          ),
        ],
      }),
    });
    expect(result.ports[0].access).toBe('deny');
    expect(result.admitted.map(a => a.identity)).toEqual([
      'payments-api.payments.serviceaccount.identity.linkerd.cluster.local',
    ]);
  });

  it('shows route-level grants without widening the port', () => {
    const probes = obj(
      'policy.linkerd.io/v1beta3',
      'HTTPRoute',
      'ledger-probes',
      {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'ledger-grpc' },
        ],
        rules: [{ matches: [{ path: { value: '/ready' } }] }],
      },
    );
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [grpcServer],
        httpRoutes: [probes],
        authorizationPolicies: [
          obj('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy', 'probes', {
            targetRef: {
              group: 'policy.linkerd.io',
              kind: 'HTTPRoute',
              name: 'ledger-probes',
            },
            requiredAuthenticationRefs: [],
          }),
        ],
      }),
    });
    expect(result.ports[0].access).toBe('deny');
    expect(result.ports[0].grants[0].policy).toBe(
      'AuthorizationPolicy payments/probes (route ledger-probes, some paths)',
    );
  });

  it('has nothing to say about a pod without a proxy', () => {
    const unmeshed: KubernetesPod = {
      ...pod(),
      spec: { containers: [{ name: 'ledger' }] },
    };
    expect(
      evaluateLinkerdAuthorization({
        workload: ledger,
        pods: [unmeshed],
        domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
        objects: objects({ servers: [grpcServer] }),
      }),
    ).toEqual({ ports: [], admitted: [], notes: [] });
  });
});

describe('defaultInboundPolicy', () => {
  it('prefers the proxy environment, then the pod, then the namespace', () => {
    const ns: KubernetesObject = {
      metadata: {
        name: 'payments',
        annotations: {
          'config.linkerd.io/default-inbound-policy': 'cluster-authenticated',
        },
      },
    };
    expect(defaultInboundPolicy(pod('deny'), ns)).toEqual({
      policy: 'deny',
      from: 'proxy configuration',
    });
    expect(
      defaultInboundPolicy(
        pod(undefined, {
          'config.linkerd.io/default-inbound-policy': 'all-authenticated',
        }),
        ns,
      ).policy,
    ).toBe('all-authenticated');
    expect(defaultInboundPolicy(pod(), ns)).toEqual({
      policy: 'cluster-authenticated',
      from: 'namespace annotation',
    });
    expect(defaultInboundPolicy(pod()).policy).toBe('all-unauthenticated');
  });
});
