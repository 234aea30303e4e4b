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

  describe('route-level grants', () => {
    // The pod's readiness probe, as kubelet calls it.
    const probed: KubernetesPod = (() => {
      const p = pod('deny');
      p.spec!.containers![1] = {
        ...p.spec!.containers![1],
        readinessProbe: { httpGet: { path: '/ready', port: 'metrics' } },
      };
      return p;
    })();
    const route = (name: string, match: any) =>
      obj('policy.linkerd.io/v1beta3', 'HTTPRoute', name, {
        parentRefs: [
          { group: 'policy.linkerd.io', kind: 'Server', name: 'ledger-grpc' },
        ],
        rules: [{ matches: [match] }],
      });
    const anyoneOn = (routeName: string) =>
      obj('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy', routeName, {
        targetRef: {
          group: 'policy.linkerd.io',
          kind: 'HTTPRoute',
          name: routeName,
        },
        requiredAuthenticationRefs: [],
      });
    const evaluate = (r: KubernetesObject) =>
      evaluateLinkerdAuthorization({
        workload: ledger,
        pods: [probed],
        domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
        objects: objects({
          servers: [grpcServer],
          httpRoutes: [r],
          authorizationPolicies: [anyoneOn(r.metadata.name)],
        }),
      });

    it('do not widen the port on a route that carries only kubelet probes', () => {
      // Attaching routes removes the controller's own probe route, so a
      // Server with routes needs one like this for its probes.
      const result = evaluate(
        route('ledger-probes', {
          path: { type: 'Exact', value: '/ready' },
          method: 'GET',
        }),
      );
      expect(result.ports[0].access).toBe('deny');
      expect(result.ports[0].grants[0].policy).toBe(
        'AuthorizationPolicy payments/ledger-probes (route ledger-probes, kubelet probes)',
      );
      expect(result.probeRoutes).toEqual(['HTTPRoute/ledger-probes']);
    });

    it('widen the port on any other route: its callers reach the port', () => {
      const result = evaluate(
        route('ledger-api', { path: { type: 'PathPrefix', value: '/api' } }),
      );
      expect(result.ports[0].access).toBe('open');
      expect(result.probeRoutes).toEqual([]);
    });
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
    ).toEqual({ ports: [], admitted: [], notes: [], probeRoutes: [] });
  });
});

/*
 * The rules below are read from linkerd/linkerd2 (edge-26.8.3,
 * b24cd4059841), policy-controller/k8s/index/src/inbound/index.rs:
 * `client_authzs` extends the policies' authorizations with the Server's
 * accessPolicy; `policy_client_authz` fails on a missing authentication and
 * the caller logs "Illegal AuthorizationPolicy; ignoring";
 * `default_inbound_server` narrows the default policy of the ports
 * annotated config.linkerd.io/proxy-require-identity-inbound-ports.
 */
describe('Linkerd policy as the policy controller evaluates it', () => {
  const openPolicy = obj(
    'policy.linkerd.io/v1alpha1',
    'AuthorizationPolicy',
    'ledger-anyone',
    {
      targetRef: {
        group: 'policy.linkerd.io',
        kind: 'Server',
        name: 'ledger-grpc',
      },
      // No MeshTLSAuthentication: unauthenticated clients are admitted.
      requiredAuthenticationRefs: [],
    },
  );

  it('unions a Server accessPolicy with the policies that target it', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [
          {
            ...grpcServer,
            spec: { ...grpcServer.spec, accessPolicy: 'cluster-authenticated' },
          },
        ],
        authorizationPolicies: [openPolicy],
      }),
    });
    // Authenticated by the accessPolicy, but the policy admits anyone.
    expect(result.ports[0]).toMatchObject({
      port: '9090 (grpc)',
      access: 'open',
    });
    expect(result.ports[0].grants.map(g => g.policy)).toEqual([
      'AuthorizationPolicy payments/ledger-anyone',
      'Server payments/ledger-grpc accessPolicy cluster-authenticated',
    ]);
  });

  it('ignores an AuthorizationPolicy whose authentication does not exist', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [grpcServer],
        // grpcPolicy names MeshTLSAuthentication ledger-callers, absent here;
        // the second names a NetworkAuthentication that is absent too.
        authorizationPolicies: [
          grpcPolicy,
          obj('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy', 'lb', {
            targetRef: {
              group: 'policy.linkerd.io',
              kind: 'Server',
              name: 'ledger-grpc',
            },
            requiredAuthenticationRefs: [
              {
                group: 'policy.linkerd.io',
                kind: 'NetworkAuthentication',
                name: 'load-balancers',
              },
            ],
          }),
        ],
      }),
    });
    expect(result.ports[0]).toMatchObject({ access: 'deny', grants: [] });
    expect(result.admitted).toEqual([]);
    expect(result.notes).toEqual([
      'AuthorizationPolicy payments/ledger-grpc is ignored by Linkerd and grants nothing: MeshTLSAuthentication payments/ledger-callers does not exist',
      'AuthorizationPolicy payments/lb is ignored by Linkerd and grants nothing: NetworkAuthentication payments/load-balancers does not exist',
    ]);
  });

  it('narrows the default policy on require-identity ports without a Server', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [
        pod('all-unauthenticated', {
          'config.linkerd.io/proxy-require-identity-inbound-ports': '9100-9200',
        }),
      ],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({}),
    });
    expect(result.ports.map(p => [p.port, p.access])).toEqual([
      ['9090 (grpc)', 'open'],
      ['9102 (metrics)', 'authenticated'],
      ['*', 'open'],
    ]);
    expect(result.ports[1].explanation).toBe(
      'no Server; default policy all-unauthenticated (proxy configuration), all-authenticated on this port (config.linkerd.io/proxy-require-identity-inbound-ports)',
    );
  });

  it('keeps deny and audit on require-identity ports, and Servers ignore the annotation', () => {
    const annotated = (policy: string) =>
      pod(policy, {
        'config.linkerd.io/proxy-require-identity-inbound-ports': '9090,9102',
      });
    const audit = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [annotated('audit')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [
          {
            ...grpcServer,
            spec: { ...grpcServer.spec, accessPolicy: 'all-unauthenticated' },
          },
        ],
      }),
    });
    expect(audit.ports.map(p => [p.port, p.access])).toEqual([
      ['9090 (grpc)', 'open'],
      ['9102 (metrics)', 'audit'],
      ['*', 'audit'],
    ]);
  });

  it('reads a trust-domain-wide identity pattern as any authenticated caller', () => {
    const anyone = obj(
      'policy.linkerd.io/v1alpha1',
      'MeshTLSAuthentication',
      'ledger-callers',
      // Suffix match over every identity of the trust domain.
      { identities: ['*.cluster.local'] },
    );
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [grpcServer],
        authorizationPolicies: [grpcPolicy],
        meshTLSAuthentications: [anyone],
      }),
    });
    expect(result.ports[0].access).toBe('authenticated');
  });

  it('applies a selector-less ServerAuthorization to every Server, requiring TLS for unauthenticatedTLS', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({
        servers: [grpcServer],
        serverAuthorizations: [
          obj('policy.linkerd.io/v1beta1', 'ServerAuthorization', 'any-tls', {
            server: {},
            client: { meshTLS: { unauthenticatedTLS: true } },
          }),
        ],
      }),
    });
    // TLS without a named identity: not plaintext, not default-deny.
    expect(result.ports[0]).toMatchObject({
      port: '9090 (grpc)',
      access: 'authenticated',
    });
  });

  it('reports no port for a Server whose port an older Server took', () => {
    const older = {
      ...grpcServer,
      metadata: {
        ...grpcServer.metadata,
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
    };
    const newer = {
      ...grpcServer,
      metadata: {
        ...grpcServer.metadata,
        name: 'ledger-grpc-2',
        creationTimestamp: '2026-06-01T00:00:00Z',
      },
    };
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: { controlPlaneNamespace: 'linkerd', trustDomain: TD },
      objects: objects({ servers: [newer, older] }),
    });
    expect(result.ports.map(p => [p.port, p.selectedBy])).toEqual([
      ['9090 (grpc)', 'Server payments/ledger-grpc'],
      ['9102 (metrics)', undefined],
      ['*', undefined],
    ]);
  });

  it('names identities with the control plane namespace they are minted in', () => {
    const result = evaluateLinkerdAuthorization({
      workload: ledger,
      pods: [pod('deny')],
      domain: {
        controlPlaneNamespace: 'linkerd-prod',
        trustDomain: 'bank.example',
      },
      objects: objects({
        servers: [grpcServer],
        authorizationPolicies: [grpcPolicy],
        meshTLSAuthentications: [callers],
      }),
    });
    expect(result.admitted.map(a => a.identity)).toEqual([
      'payments-api.payments.serviceaccount.identity.linkerd-prod.bank.example',
      'reconciliation.batch.serviceaccount.identity.linkerd-prod.bank.example',
    ]);
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
