import type { KubernetesObject } from '@mesh-posture/plugin-mesh-posture-node';
import { evaluateLinkerdEgress } from './linkerdEgress';

const workload = {
  cluster: 'prod',
  namespace: 'payments',
  kind: 'Deployment' as const,
  name: 'payments-api',
};

// As policy.linkerd.io/v1alpha1 serves it (linkerd/linkerd2
// policy-controller/k8s/api/src/policy/egress_network.rs).
function network(
  name: string,
  namespace: string,
  spec: Record<string, unknown>,
): KubernetesObject {
  return {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'EgressNetwork',
    metadata: { name, namespace },
    spec,
  };
}

// A TLSRoute on an EgressNetwork, as linkerd/website
// tasks/managing-egress-traffic.md writes it.
const githubRoute: KubernetesObject = {
  apiVersion: 'gateway.networking.k8s.io/v1alpha2',
  kind: 'TLSRoute',
  metadata: { name: 'tls-egress', namespace: 'payments' },
  spec: {
    hostnames: ['github.com'],
    parentRefs: [
      {
        name: 'egress',
        kind: 'EgressNetwork',
        group: 'policy.linkerd.io',
        namespace: 'payments',
        port: 443,
      },
    ],
  },
};

const of = (egressNetworks: KubernetesObject[], routes = [githubRoute]) =>
  evaluateLinkerdEgress(workload, {
    egressNetworks,
    routes,
    globalNamespace: 'linkerd-egress',
  });

describe('evaluateLinkerdEgress', () => {
  it('is open without an EgressNetwork: calls out go through egress-fallback', () => {
    expect(of([])).toMatchObject({
      mode: 'open',
      decidedBy: expect.stringContaining('egress-fallback'),
      declared: [],
    });
  });

  it('refuses the undeclared where its namespace denies by default, everywhere, and names the routes that declare', () => {
    expect(
      of([network('egress', 'payments', { trafficPolicy: 'Deny' })]),
    ).toEqual({
      workload,
      mode: 'declared-only',
      decidedBy: 'EgressNetwork payments/egress denies by default',
      declared: [
        {
          host: 'github.com',
          ports: ['443'],
          by: 'TLSRoute payments/tls-egress',
        },
      ],
    });
  });

  it("uses its namespace's EgressNetworks instead of the global ones (resolve_egress_network)", () => {
    const globalDeny = network('all', 'linkerd-egress', {
      trafficPolicy: 'Deny',
    });
    const ownAllow = network('egress', 'payments', { trafficPolicy: 'Allow' });
    expect(of([globalDeny]).mode).toBe('declared-only');
    expect(of([globalDeny, ownAllow])).toMatchObject({
      mode: 'open',
      decidedBy: 'EgressNetwork payments/egress allows by default',
    });
    // Another namespace's network applies to neither.
    expect(of([network('x', 'batch', { trafficPolicy: 'Deny' })]).mode).toBe(
      'open',
    );
  });

  it('is open where the denying networks cover only some addresses', () => {
    expect(
      of([
        network('egress', 'payments', {
          trafficPolicy: 'Deny',
          networks: [{ cidr: '203.0.113.0/24' }],
        }),
      ]),
    ).toMatchObject({
      mode: 'open',
      decidedBy: expect.stringContaining('cover only some addresses'),
    });
    expect(
      of([
        network('egress', 'payments', {
          trafficPolicy: 'Deny',
          networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }],
        }),
      ]).mode,
    ).toBe('declared-only');
    // IPv4 alone leaves IPv6 to egress-fallback.
    expect(
      of([
        network('egress', 'payments', {
          trafficPolicy: 'Deny',
          networks: [{ cidr: '0.0.0.0/0' }],
        }),
      ]).mode,
    ).toBe('open');
  });

  it('is open where a route on the denying network names no host (a TCPRoute never does)', () => {
    const tcpRoute: KubernetesObject = {
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'TCPRoute',
      metadata: { name: 'postgres-out', namespace: 'payments' },
      spec: {
        parentRefs: [
          {
            name: 'egress',
            kind: 'EgressNetwork',
            group: 'policy.linkerd.io',
            port: 5432,
          },
        ],
      },
    };
    expect(
      of(
        [network('egress', 'payments', { trafficPolicy: 'Deny' })],
        [githubRoute, tcpRoute],
      ),
    ).toMatchObject({
      mode: 'open',
      decidedBy:
        'EgressNetwork payments/egress denies by default, but TCPRoute payments/postgres-out admits every destination on port 5432',
    });
  });
});
