import type { WorkloadPosture } from '@mesh-posture/plugin-mesh-posture-common';
import {
  ClusterObjectSource,
  KubernetesObject,
  KubernetesPod,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';
import { VersionedLister } from '../mesh/objects';
import { CiliumPolicyNotJudged, ciliumPolicies } from './ciliumPolicy';
import { evaluateNetworkIsolation, readNetworkPolicies } from './networkPolicy';

/*
 * Cilium policies as the API server serves them (cilium.io/v2, `spec` or
 * `specs`: cilium/cilium pkg/k8s/apis/cilium.io/v2/cnp_types.go), shaped
 * after cilium/cilium examples/policies/l3 (simple/l3.yaml,
 * entities/world.yaml, fqdn/fqdn.yaml, ingress-allow-all,
 * egress-default-deny) and pods whose linkerd-proxy declares the ports the
 * injector gives it (linkerd2 charts/partials/templates/_proxy.tpl).
 */

function pod(
  name: string,
  labels: Record<string, string>,
  namespace = 'payments',
): KubernetesPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      serviceAccountName: 'payments-api',
      containers: [
        {
          name: 'linkerd-proxy',
          ports: [
            { name: 'linkerd-proxy', containerPort: 4143 },
            { name: 'linkerd-admin', containerPort: 4191 },
          ],
        },
        { name: 'api', ports: [{ name: 'http', containerPort: 8080 }] },
      ],
    },
    status: { phase: 'Running' },
  };
}

const BACKEND = [pod('backend-1', { role: 'backend', app: 'payments-api' })];

const WORKLOAD = {
  workload: {
    cluster: 'prod',
    namespace: 'payments',
    kind: 'Deployment',
    name: 'payments-api',
  },
  mesh: 'linkerd',
  dataPlane: 'sidecar',
  totalPods: 1,
  meshedPods: 1,
} as WorkloadPosture;

function cnp(
  name: string,
  spec: Record<string, unknown>,
  namespace = 'payments',
): KubernetesObject {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name, namespace },
    spec,
  };
}

function ccnp(name: string, spec: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name },
    spec,
  };
}

// examples/policies/l3/simple/l3.yaml
const L3_RULE = cnp('l3-rule', {
  endpointSelector: { matchLabels: { role: 'backend' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }] }],
});

const isolationOf = (
  namespaced: KubernetesObject[],
  clusterwide: KubernetesObject[] = [],
  pods = BACKEND,
  networkPolicies: KubernetesObject[] = [],
) => {
  const cilium = ciliumPolicies(namespaced, clusterwide);
  return evaluateNetworkIsolation(WORKLOAD, pods, networkPolicies, p =>
    cilium.of(p),
  );
};

describe('Cilium policies', () => {
  it('isolates the pods a rule selects, in the directions it has entries for, with its peers in words', () => {
    const n = isolationOf([L3_RULE]);
    expect(n.ingress).toEqual({
      unisolatedPods: 0,
      policies: ['CiliumNetworkPolicy payments/l3-rule'],
      rules: [
        {
          policy: 'CiliumNetworkPolicy payments/l3-rule',
          peers: ['pods role=frontend in payments'],
          ports: ['every port'],
          allowsAll: false,
        },
      ],
    });
    expect(n.egress.unisolatedPods).toBe(1);
    // Only frontends may reach the proxy's ports.
    expect(n.meshPorts).toEqual([
      {
        port: 4143,
        name: 'linkerd-proxy',
        allowed: true,
        from: ['pods role=frontend in payments'],
      },
      {
        port: 4191,
        name: 'linkerd-admin',
        allowed: true,
        from: ['pods role=frontend in payments'],
      },
    ]);
  });

  it('selects only in its own namespace; a clusterwide policy everywhere', () => {
    const elsewhere = cnp('l3-rule', L3_RULE.spec!, 'web');
    expect(isolationOf([elsewhere]).ingress.unisolatedPods).toBe(1);
    const everywhere = ccnp('all-pods', {
      endpointSelector: {},
      ingress: [{ fromEntities: ['cluster'] }],
    });
    const n = isolationOf([], [everywhere]);
    expect(n.ingress).toMatchObject({
      unisolatedPods: 0,
      policies: ['CiliumClusterwideNetworkPolicy all-pods'],
      rules: [{ peers: ['entity cluster'], allowsAll: true }],
    });
  });

  it('counts entities, /0 and every pod of every namespace as undoing the isolation', () => {
    // examples/policies/l3/entities/world.yaml
    const world = cnp('from-world-to-role-public', {
      endpointSelector: { matchLabels: { role: 'backend' } },
      ingress: [{ fromEntities: ['world'] }],
    });
    expect(isolationOf([world]).ingress.rules[0]).toMatchObject({
      peers: ['entity world'],
      allowsAll: true,
    });
    const cidr = cnp('cidr', {
      endpointSelector: { matchLabels: { role: 'backend' } },
      egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }],
    });
    expect(isolationOf([cidr]).egress.rules[0]).toMatchObject({
      peers: ['0.0.0.0/0 except 10.0.0.0/8'],
      allowsAll: true,
    });
    const anyNamespace = cnp('any-namespace', {
      endpointSelector: { matchLabels: { role: 'backend' } },
      ingress: [
        {
          fromEndpoints: [
            {
              matchExpressions: [
                { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
              ],
            },
          ],
        },
      ],
    });
    expect(isolationOf([anyNamespace]).ingress.rules[0].allowsAll).toBe(true);
    // examples/policies/l3/ingress-allow-all: every pod, but of its
    // namespace only in a namespaced policy.
    const sameNamespace = cnp('allow-all-to-victim', {
      endpointSelector: { matchLabels: { role: 'backend' } },
      ingress: [{ fromEndpoints: [{ matchLabels: {} }] }],
    });
    expect(isolationOf([sameNamespace]).ingress.rules[0]).toMatchObject({
      peers: ['every pod in payments'],
      allowsAll: false,
    });
  });

  it('reads ports, named ports and the egress of examples/policies/l3/fqdn', () => {
    const fqdn = cnp('to-fqdn', {
      endpointSelector: { matchLabels: { app: 'payments-api' } },
      egress: [
        {
          toEndpoints: [
            {
              matchLabels: {
                'k8s:io.kubernetes.pod.namespace': 'kube-system',
                'k8s:k8s-app': 'kube-dns',
              },
            },
          ],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }],
        },
        { toFQDNs: [{ matchName: 'my-remote-service.com' }] },
      ],
    });
    const n = isolationOf([fqdn]);
    expect(n.egress).toMatchObject({
      unisolatedPods: 0,
      rules: [
        {
          peers: ['pods k8s-app=kube-dns in kube-system'],
          ports: ['any protocol 53'],
          allowsAll: false,
        },
        { peers: ['hosts my-remote-service.com'], allowsAll: false },
      ],
    });
    const proxyPort = cnp('mesh', {
      endpointSelector: { matchLabels: { role: 'backend' } },
      ingress: [
        {
          fromEntities: ['cluster'],
          toPorts: [
            { ports: [{ port: 'linkerd-proxy', protocol: 'TCP' }] },
            { ports: [{ port: '8080', protocol: 'TCP' }] },
          ],
        },
      ],
    });
    expect(isolationOf([proxyPort]).meshPorts).toEqual([
      { port: 4143, name: 'linkerd-proxy', allowed: true },
      { port: 4191, name: 'linkerd-admin', allowed: false },
    ]);
  });

  it("adds to the NetworkPolicies: a pod isolated by either, let in by either's rules", () => {
    const networkDeny: KubernetesObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'payments' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
    const meshPorts = cnp('mesh-ports', {
      endpointSelector: {},
      ingress: [
        {
          fromEntities: ['cluster'],
          toPorts: [
            {
              ports: [
                { port: '4143', protocol: 'TCP' },
                { port: '4191', protocol: 'TCP' },
              ],
            },
          ],
        },
      ],
    });
    const n = isolationOf([meshPorts], [], BACKEND, [networkDeny]);
    expect(n.ingress.policies).toEqual([
      'payments/default-deny',
      'CiliumNetworkPolicy payments/mesh-ports',
    ]);
    expect(n.egress.unisolatedPods).toBe(0);
    expect(n.meshPorts.map(p => p.allowed)).toEqual([true, true]);
    // An L7 rule sends the port through Cilium's proxy: not the mesh's.
    const l7 = cnp('l7', {
      endpointSelector: {},
      ingress: [
        {
          toPorts: [
            {
              ports: [{ port: '4143', protocol: 'TCP' }],
              rules: { http: [{ method: 'GET' }] },
            },
          ],
        },
      ],
    });
    expect(
      isolationOf([l7], [], BACKEND, [networkDeny]).meshPorts[0].allowed,
    ).toBe(false);
  });

  it('reads `specs`, skips what the operator marked invalid, and isolates no pod on the node network', () => {
    const both: KubernetesObject = {
      ...cnp('two-rules', {}),
      spec: undefined,
      specs: [L3_RULE.spec, { endpointSelector: {}, egress: [{}] }],
    } as KubernetesObject;
    const n = isolationOf([both]);
    expect([n.ingress.unisolatedPods, n.egress.unisolatedPods]).toEqual([0, 0]);
    const invalid = {
      ...L3_RULE,
      status: {
        conditions: [{ type: 'Valid', status: 'False', message: 'bad' }],
      },
    } as KubernetesObject;
    expect(isolationOf([invalid]).ingress.unisolatedPods).toBe(1);
    const onNode = {
      ...BACKEND[0],
      spec: { ...BACKEND[0].spec, hostNetwork: true },
    };
    expect(
      isolationOf([L3_RULE], [], [onNode as KubernetesPod]).ingress
        .unisolatedPods,
    ).toBe(1);
  });

  it('counts reserved identities, wildcard names and not-this selectors as wide, ICMP and none as letting no TCP in', () => {
    const wide = (peer: Record<string, unknown>) =>
      isolationOf(
        [],
        [
          ccnp('wide', {
            endpointSelector: {},
            ingress: [peer],
          }),
        ],
      ).ingress.rules[0]?.allowsAll;
    expect(
      wide({
        fromEndpoints: [
          {
            matchExpressions: [
              { key: 'reserved:host', operator: 'DoesNotExist' },
            ],
          },
        ],
      }),
    ).toBe(true);
    expect(
      wide({ fromEndpoints: [{ matchLabels: { 'reserved:world-ipv4': '' } }] }),
    ).toBe(true);
    expect(
      wide({
        fromEndpoints: [
          {
            matchExpressions: [
              { key: 'nonexistent', operator: 'DoesNotExist' },
            ],
          },
        ],
      }),
    ).toBe(true);
    expect(
      wide({ fromEndpoints: [{ matchLabels: { 'reserved:host': '' } }] }),
    ).toBe(false);
    const fqdn = isolationOf([
      cnp('all-names', {
        endpointSelector: {},
        egress: [{ toFQDNs: [{ matchPattern: '**' }] }],
      }),
    ]);
    expect(fqdn.egress.rules[0].allowsAll).toBe(true);
    const icmp = isolationOf([
      cnp('ping', {
        endpointSelector: {},
        ingress: [
          { fromEntities: ['cluster'], icmps: [{ fields: [{ type: 8 }] }] },
        ],
      }),
    ]);
    expect(icmp.ingress.unisolatedPods).toBe(0);
    expect(icmp.meshPorts.map(p => p.allowed)).toEqual([false, false]);
    const none = isolationOf([
      cnp('none', {
        endpointSelector: {},
        ingress: [{ fromEntities: ['none'] }],
      }),
    ]);
    expect(none.meshPorts.map(p => p.allowed)).toEqual([false, false]);
    // A reserved subject selects no pod (Cilium's Ingress policies).
    const ingressOnly = isolationOf(
      [],
      [
        ccnp('ingress', {
          endpointSelector: {
            matchExpressions: [{ key: 'reserved:ingress', operator: 'Exists' }],
          },
          ingress: [{}],
        }),
      ],
    );
    expect(ingressOnly.ingress.unisolatedPods).toBe(1);
  });

  it('does not isolate where every selecting rule turns default-deny off', () => {
    const noDefaultDeny = cnp('audit', {
      endpointSelector: { matchLabels: { role: 'backend' } },
      enableDefaultDeny: { ingress: false },
      ingress: [{ fromEntities: ['host'] }],
    });
    expect(isolationOf([noDefaultDeny]).ingress.unisolatedPods).toBe(1);
    expect(isolationOf([noDefaultDeny, L3_RULE]).ingress.unisolatedPods).toBe(
      0,
    );
  });

  it('refuses to judge what it does not model, naming the policy', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        {
          endpointSelector: {},
          ingressDeny: [{ fromEntities: ['world'] }],
        },
        /payments\/x: an ingressDeny rule/,
      ],
      [
        {
          endpointSelector: {},
          ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }],
        },
        /a rule with fromRequires/,
      ],
      // examples/policies/l3/egress-default-deny/egress-default-deny.json
      [
        { endpointSelector: {}, egress: [] },
        /an empty egress list, whose effect differs between Cilium versions/,
      ],
      [
        {
          endpointSelector: {
            matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'payments' },
          },
          ingress: [{}],
        },
        /endpointSelector selects by io\.cilium\.k8s\.namespace\.labels\.team/,
      ],
      [
        {
          endpointSelector: {},
          egress: [{ toCIDRSet: [{ cidrGroupRef: 'partners' }] }],
        },
        /CIDRs held elsewhere/,
      ],
    ];
    cases.push(
      [
        {
          endpointSelector: { matchLabels: { 'pod-template-hash': '7d9f' } },
          ingress: [{}],
        },
        /selects by pod-template-hash/,
      ],
      [
        {
          endpointSelector: {
            matchLabels: { 'any:app': 'x', 'k8s:app': 'web' },
          },
          ingress: [{}],
        },
        /names app twice/,
      ],
      [
        {
          endpointSelector: {},
          ingress: [{ fromEndpoints: [{}], fromEntities: ['host'] }],
        },
        /combining fromEndpoints and fromEntities, which Cilium refuses/,
      ],
      [
        {
          endpointSelector: {},
          ingress: [{ toPorts: [{ ports: [{ protocol: 'TCP' }] }] }],
        },
        /a port entry without a port/,
      ],
      [
        {
          endpointSelector: {},
          ingress: [{ toPorts: [{ ports: [{ port: '70000' }] }] }],
        },
        /a port out of range/,
      ],
    );
    for (const [spec, message] of cases) {
      const cilium = ciliumPolicies([cnp('x', spec)], []);
      expect(() => cilium.of(BACKEND[0])).toThrow(CiliumPolicyNotJudged);
      expect(() => cilium.of(BACKEND[0])).toThrow(message);
    }
    // A deny on the way out only narrows: judged.
    const egressDeny = ciliumPolicies(
      [
        cnp('x', {
          endpointSelector: {},
          egressDeny: [{ toEntities: ['world'] }],
        }),
      ],
      [],
    );
    expect(egressDeny.of(BACKEND[0]).egress[0]).toMatchObject({
      isolates: true,
      rules: [],
    });
    // A rule of `{}` lets nothing in: the default-deny of a translated
    // NetworkPolicy (pkg/k8s/network_policy.go).
    const deny = ciliumPolicies(
      [cnp('x', { endpointSelector: {}, ingress: [{}] })],
      [],
    );
    expect(deny.of(BACKEND[0]).ingress[0]).toEqual({
      policies: ['CiliumNetworkPolicy payments/x'],
      isolates: true,
      rules: [],
    });
  });
});

function sourceOf(
  answers: Record<string, KubernetesObject[] | 'forbidden'>,
  config?: Record<string, string>,
): ClusterObjectSource {
  return {
    list: async query => {
      const answer = answers[`${query.apiVersion}/${query.resource}`];
      if (answer === 'forbidden') {
        throw new SourceError(
          'unavailable',
          `not allowed to read ${query.resource} on prod (403)`,
        );
      }
      return answer;
    },
    get: async query =>
      config &&
      query.namespace === 'kube-system' &&
      query.name === 'cilium-config'
        ? {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'cilium-config', namespace: 'kube-system' },
            data: config,
          }
        : undefined,
  };
}

describe('readNetworkPolicies on a Cilium cluster', () => {
  const lists = (
    cnps: KubernetesObject[] | 'forbidden',
    config?: Record<string, string>,
  ) =>
    readNetworkPolicies(
      sourceOf(
        {
          'networking.k8s.io/v1/networkpolicies': [],
          'cilium.io/v2/ciliumnetworkpolicies': cnps,
          'cilium.io/v2/ciliumclusterwidenetworkpolicies': [],
        },
        config,
      ),
      'prod',
      new VersionedLister(),
    );

  it('judges Cilium policies instead of leaving the check unknown', async () => {
    const reading = await lists([L3_RULE], { 'enable-policy': 'default' });
    expect(reading.gaps).toEqual([]);
    expect(reading.evaluate(WORKLOAD, BACKEND)?.ingress.policies).toEqual([
      'CiliumNetworkPolicy payments/l3-rule',
    ]);
  });

  it('names what it could not read, and an agent that enforces nothing', async () => {
    const forbidden = await lists('forbidden', {});
    expect(forbidden.gaps.map(g => g.message)).toEqual([
      'Cilium policies (ciliumnetworkpolicies) could not be read, so some may admit or refuse unseen: not allowed to read ciliumnetworkpolicies on prod (403)',
    ]);
    // The agent lowercases the mode; audit mode and switched-off watchers
    // drop nothing the policies say.
    const never = await lists([L3_RULE], {
      'enable-policy': 'Never',
      'policy-audit-mode': 'true',
      'enable-k8s-networkpolicy': 'false',
    });
    expect(never.gaps.map(g => g.message)).toEqual([
      "Cilium's policies are not judged here: enable-policy: never; policy-audit-mode: true (verdicts logged, nothing dropped); enable-k8s-networkpolicy: false in kube-system/cilium-config",
    ]);
    // Installed elsewhere, its mode is not known: not taken as `default`.
    const noConfig = await lists([L3_RULE]);
    expect(noConfig.gaps.map(g => g.message)).toEqual([
      "Cilium's policies are not judged here: no ConfigMap cilium-config in kube-system, so its enforcement mode is unknown",
    ]);
  });

  it('isolates every pod both ways where the agent always enforces', async () => {
    const reading = await lists([], { 'enable-policy': 'always' });
    const n = reading.evaluate(WORKLOAD, BACKEND)!;
    expect(n.ingress.unisolatedPods).toBe(0);
    expect(n.egress.unisolatedPods).toBe(0);
    expect(n.ingress.policies).toEqual(['Cilium enable-policy: always']);
    expect(n.meshPorts.every(p => !p.allowed)).toBe(true);
  });
});
