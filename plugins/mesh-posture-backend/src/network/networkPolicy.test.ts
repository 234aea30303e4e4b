import type { WorkloadPosture } from '@mesh-posture/plugin-mesh-posture-common';
import {
  ClusterObjectSource,
  KubernetesObject,
  KubernetesPod,
  SourceError,
} from '@mesh-posture/plugin-mesh-posture-node';
import { VersionedLister } from '../mesh/objects';
import { evaluateNetworkIsolation, readNetworkPolicies } from './networkPolicy';

/*
 * NetworkPolicies as the API server returns them (kubernetes/api
 * networking/v1/types.go: podSelector, policyTypes, ingress[].from/ports,
 * egress[].to/ports, ipBlock), and pods whose linkerd-proxy container
 * declares the ports the injector gives it (linkerd2
 * charts/partials/templates/_proxy.tpl: linkerd-proxy 4143, linkerd-admin
 * 4191).
 */

function pod(name: string, labels: Record<string, string>): KubernetesPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'payments', labels },
    spec: {
      containers: [
        {
          name: 'linkerd-proxy',
          ports: [
            { name: 'linkerd-proxy', containerPort: 4143 },
            { name: 'linkerd-admin', containerPort: 4191 },
          ],
        },
        {
          name: 'api',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        },
      ],
    },
    status: { phase: 'Running' },
  };
}

const API_PODS = [
  pod('payments-api-7d9c-abcde', { app: 'payments-api', tier: 'api' }),
  pod('payments-api-7d9c-fghij', { app: 'payments-api', tier: 'api' }),
];

const WORKLOAD: WorkloadPosture = {
  workload: {
    cluster: 'prod',
    namespace: 'payments',
    kind: 'Deployment',
    name: 'payments-api',
  },
  mesh: 'linkerd',
  dataPlane: 'sidecar',
  totalPods: 2,
  meshedPods: 2,
} as WorkloadPosture;

function policy(name: string, spec: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: 'payments' },
    spec,
  };
}

const DEFAULT_DENY = policy('default-deny', {
  podSelector: {},
  policyTypes: ['Ingress', 'Egress'],
});

describe('evaluateNetworkIsolation', () => {
  it('finds every pod open both ways when no policy selects it, and the mesh ports open', () => {
    const n = evaluateNetworkIsolation(WORKLOAD, API_PODS, [
      policy('other', {
        podSelector: { matchLabels: { app: 'ledger' } },
        policyTypes: ['Ingress', 'Egress'],
      }),
    ]);
    expect(n.pods).toBe(2);
    expect(n.ingress).toEqual({ unisolatedPods: 2, policies: [], rules: [] });
    expect(n.egress.unisolatedPods).toBe(2);
    expect(n.meshPorts).toEqual([
      { port: 4143, name: 'linkerd-proxy', allowed: true },
      { port: 4191, name: 'linkerd-admin', allowed: true },
    ]);
  });

  it('isolates both ways with an empty podSelector, and then the mesh ports are closed', () => {
    const n = evaluateNetworkIsolation(WORKLOAD, API_PODS, [DEFAULT_DENY]);
    expect(n.ingress).toEqual({
      unisolatedPods: 0,
      policies: ['payments/default-deny'],
      rules: [],
    });
    expect(n.egress.unisolatedPods).toBe(0);
    expect(n.meshPorts.map(p => p.allowed)).toEqual([false, false]);
  });

  // kubernetes pkg/apis/networking/v1/defaults.go: SetDefaults_NetworkPolicy.
  it('defaults policyTypes as the API server does: Ingress always, Egress when there are egress rules', () => {
    for (const spec of [{ podSelector: {} }, { podSelector: {}, egress: [] }]) {
      const ingressOnly = evaluateNetworkIsolation(WORKLOAD, API_PODS, [
        policy('no-types', spec),
      ]);
      expect(ingressOnly.ingress.unisolatedPods).toBe(0);
      expect(ingressOnly.egress.unisolatedPods).toBe(2);
    }
    const both = evaluateNetworkIsolation(WORKLOAD, API_PODS, [
      policy('with-egress', {
        podSelector: {},
        egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
      }),
    ]);
    expect(both.egress.unisolatedPods).toBe(0);
  });

  it('opens a mesh port by number, by range or by the container port name, TCP only', () => {
    const n = evaluateNetworkIsolation(WORKLOAD, API_PODS, [
      DEFAULT_DENY,
      policy('allow', {
        podSelector: { matchLabels: { app: 'payments-api' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'linkerd-viz' },
                },
              },
            ],
            ports: [{ port: 4191, protocol: 'UDP' }],
          },
          { ports: [{ port: 'linkerd-proxy' }] },
        ],
      }),
    ]);
    expect(n.meshPorts).toEqual([
      { port: 4143, name: 'linkerd-proxy', allowed: true },
      { port: 4191, name: 'linkerd-admin', allowed: false },
    ]);
    const range = evaluateNetworkIsolation(WORKLOAD, API_PODS, [
      policy('range', {
        podSelector: {},
        ingress: [{ ports: [{ protocol: 'TCP', port: 4000, endPort: 4200 }] }],
      }),
    ]);
    expect(range.meshPorts.every(p => p.allowed)).toBe(true);
    expect(range.ingress.rules[0].ports).toEqual(['TCP 4000-4200']);
  });

  it('says whom each rule admits, and which rules allow everything', () => {
    const n = evaluateNetworkIsolation(WORKLOAD, API_PODS, [
      policy('web', {
        podSelector: { matchLabels: { tier: 'api' } },
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { app: 'web' } } },
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'web' },
                },
              },
              {
                namespaceSelector: { matchLabels: { team: 'ob' } },
                podSelector: {},
              },
              { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
            ],
            ports: [{ port: 8080 }],
          },
          {},
          { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] },
          {
            from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }],
          },
        ],
      }),
    ]);
    expect(n.ingress.rules).toEqual([
      {
        policy: 'payments/web',
        peers: [
          'pods app=web in payments',
          'every pod in web',
          'every pod in namespaces team=ob',
          '10.0.0.0/8 except 10.1.0.0/16',
        ],
        ports: ['TCP 8080'],
        allowsAll: false,
      },
      {
        policy: 'payments/web',
        peers: ['any peer'],
        ports: ['every port'],
        allowsAll: true,
      },
      {
        policy: 'payments/web',
        peers: ['0.0.0.0/0'],
        ports: ['every port'],
        allowsAll: true,
      },
      // Everything but a range is still nearly everything.
      {
        policy: 'payments/web',
        peers: ['0.0.0.0/0 except 10.0.0.0/8'],
        ports: ['every port'],
        allowsAll: true,
      },
    ]);
  });

  it('counts as allowing everything every pod of every namespace, any /0 and any full port list', () => {
    const allowsAll = (rule: Record<string, unknown>) =>
      evaluateNetworkIsolation(WORKLOAD, API_PODS, [
        policy('p', { podSelector: {}, ingress: [rule] }),
      ]).ingress.rules[0].allowsAll;
    expect(allowsAll({ from: [{ namespaceSelector: {} }] })).toBe(true);
    expect(
      allowsAll({ from: [{ namespaceSelector: {}, podSelector: {} }] }),
    ).toBe(true);
    // Host bits under a /0 still mean every address.
    expect(allowsAll({ from: [{ ipBlock: { cidr: '10.0.0.0/0' } }] })).toBe(
      true,
    );
    expect(allowsAll({ from: [{ ipBlock: { cidr: '::/0' } }] })).toBe(true);
    expect(allowsAll({ ports: [{}] })).toBe(true);
    expect(allowsAll({ ports: [{ protocol: 'TCP' }] })).toBe(true);
    expect(allowsAll({ ports: [{ port: 1, endPort: 65535 }] })).toBe(true);
    // Narrower in peers or ports: a rule, not an opening.
    expect(
      allowsAll({
        from: [
          { namespaceSelector: {}, podSelector: { matchLabels: { a: 'b' } } },
        ],
      }),
    ).toBe(false);
    expect(allowsAll({ ports: [{ port: 8080 }] })).toBe(false);
    expect(allowsAll({ ports: [{ protocol: 'UDP' }] })).toBe(false);
  });

  it('judges a mesh port on each pod by the policies that select that pod, and names whom they let in', () => {
    const pods = [
      pod('payments-api-a', { app: 'payments-api', tier: 'api' }),
      pod('payments-api-b', { app: 'payments-api' }),
    ];
    const viz = {
      namespaceSelector: {
        matchLabels: { 'kubernetes.io/metadata.name': 'linkerd-viz' },
      },
    };
    const n = evaluateNetworkIsolation(WORKLOAD, pods, [
      policy('tier-api', {
        podSelector: { matchLabels: { tier: 'api' } },
        ingress: [
          { ports: [{ port: 4143 }] },
          { from: [viz], ports: [{ port: 4191 }] },
        ],
      }),
      policy('all', {
        podSelector: {},
        ingress: [{ from: [viz], ports: [{ port: 4191 }] }],
      }),
    ]);
    expect(n.meshPorts).toEqual([
      // Open on pod a, closed on pod b (only "all" selects it).
      { port: 4143, name: 'linkerd-proxy', allowed: false },
      {
        port: 4191,
        name: 'linkerd-admin',
        allowed: true,
        from: ['every pod in linkerd-viz'],
      },
    ]);
  });

  it('counts the pods a selector leaves out', () => {
    const n = evaluateNetworkIsolation(
      WORKLOAD,
      [...API_PODS, pod('payments-api-debug', { app: 'payments-api' })],
      [
        policy('api-tier', {
          podSelector: {
            matchExpressions: [
              { key: 'tier', operator: 'In', values: ['api'] },
            ],
          },
          policyTypes: ['Ingress'],
        }),
      ],
    );
    expect(n.pods).toBe(3);
    expect(n.ingress.unisolatedPods).toBe(1);
  });

  it('needs no mesh port on a workload without a proxy, and HBONE on an ambient one', () => {
    expect(
      evaluateNetworkIsolation(
        { ...WORKLOAD, meshedPods: 0, dataPlane: 'none' },
        API_PODS,
        [DEFAULT_DENY],
      ).meshPorts,
    ).toEqual([]);
    // istio/ztunnel src/config.rs: inbound_addr 15008 in the pod's netns.
    expect(
      evaluateNetworkIsolation(
        { ...WORKLOAD, mesh: 'istio', dataPlane: 'ambient' },
        API_PODS,
        [DEFAULT_DENY],
      ).meshPorts,
    ).toEqual([{ port: 15008, name: 'HBONE (ztunnel)', allowed: false }]);
  });
});

/** A source that answers lists by `apiVersion/resource`, or fails them. */
function sourceOf(
  answers: Record<string, KubernetesObject[] | 'forbidden'>,
): ClusterObjectSource & { lists: string[] } {
  const lists: string[] = [];
  return {
    lists,
    list: async query => {
      const key = `${query.apiVersion}/${query.resource}`;
      lists.push(key);
      const answer = answers[key];
      if (answer === 'forbidden') {
        throw new SourceError(
          'unavailable',
          `not allowed to read ${query.resource} on prod (403)`,
        );
      }
      return answer;
    },
    get: async () => undefined,
  };
}

describe('readNetworkPolicies', () => {
  it('lists the cluster once and judges each workload against its namespace only', async () => {
    const source = sourceOf({
      'networking.k8s.io/v1/networkpolicies': [
        DEFAULT_DENY,
        { ...DEFAULT_DENY, metadata: { name: 'x', namespace: 'web' } },
      ],
    });
    const reading = await readNetworkPolicies(
      source,
      'prod',
      new VersionedLister(),
    );
    expect(reading.gaps).toEqual([]);
    expect(
      source.lists.filter(l => l === 'networking.k8s.io/v1/networkpolicies'),
    ).toHaveLength(1);
    expect(reading.evaluate(WORKLOAD, API_PODS)?.ingress.policies).toEqual([
      'payments/default-deny',
    ]);
  });

  it('names a refused read as a gap and judges nothing, rather than failing the posture', async () => {
    const reading = await readNetworkPolicies(
      sourceOf({ 'networking.k8s.io/v1/networkpolicies': 'forbidden' }),
      'prod',
      new VersionedLister(),
    );
    expect(reading.gaps).toEqual([
      {
        topic: 'network',
        cluster: 'prod',
        message:
          'NetworkPolicies could not be read: not allowed to read networkpolicies on prod (403)',
      },
    ]);
    expect(reading.evaluate(WORKLOAD, API_PODS)).toBeUndefined();
  });

  it('says so where the cluster holds policy kinds it does not evaluate, or may hold them unseen', async () => {
    const present = await readNetworkPolicies(
      sourceOf({
        'networking.k8s.io/v1/networkpolicies': [DEFAULT_DENY],
        // Calico's selectors are an expression language of their own:
        // detected, not evaluated (Cilium's are: see ciliumPolicy.test.ts).
        'crd.projectcalico.org/v1/networkpolicies': [
          {
            apiVersion: 'crd.projectcalico.org/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'allow-tcp-6379', namespace: 'payments' },
            spec: { selector: "role == 'database'", types: ['Ingress'] },
          },
        ],
      }),
      'prod',
      new VersionedLister(),
    );
    expect(present.gaps.map(g => g.message)).toEqual([
      '1 Calico NetworkPolicy in the cluster, not evaluated: they can admit or refuse what the NetworkPolicies do not',
    ]);
    const unseen = await readNetworkPolicies(
      sourceOf({
        'networking.k8s.io/v1/networkpolicies': [DEFAULT_DENY],
        'policy.networking.k8s.io/v1alpha1/adminnetworkpolicies': 'forbidden',
      }),
      'prod',
      new VersionedLister(),
    );
    expect(unseen.gaps[0].message).toMatch(
      /^AdminNetworkPolicy could not be read, so policies of those kinds may exist unseen/,
    );
  });

  it('leaves out a policy it cannot read and the namespace it is in unjudged, the others judged', async () => {
    const broken = [
      { ...DEFAULT_DENY, spec: { podSelector: {}, ingress: [{ from: {} }] } },
      { ...DEFAULT_DENY, spec: { podSelector: null } },
      {
        ...DEFAULT_DENY,
        spec: { podSelector: {}, ingress: [{ ports: '80' }] },
      },
      {
        ...DEFAULT_DENY,
        spec: {
          podSelector: {
            matchExpressions: [{ key: 'app', operator: 'In', values: 'x' }],
          },
        },
      },
    ];
    for (const spec of broken) {
      const reading = await readNetworkPolicies(
        sourceOf({
          'networking.k8s.io/v1/networkpolicies': [
            { ...spec, metadata: { name: 'odd', namespace: 'payments' } },
            { ...DEFAULT_DENY, metadata: { name: 'd', namespace: 'web' } },
          ],
        }),
        'prod',
        new VersionedLister(),
      );
      expect(reading.gaps).toEqual([]);
      expect(reading.namespaceGaps('payments')).toEqual([
        {
          topic: 'network',
          cluster: 'prod',
          message: expect.stringMatching(
            /^1 NetworkPolicy object in payments could not be judged: odd \(/,
          ),
        },
      ]);
      expect(reading.evaluate(WORKLOAD, API_PODS)).toBeUndefined();
      expect(reading.namespaceGaps('web')).toEqual([]);
      expect(
        reading.evaluate(
          { ...WORKLOAD, workload: { ...WORKLOAD.workload, namespace: 'web' } },
          API_PODS,
        ),
      ).toBeDefined();
    }
  });

  it('names a cluster that does not serve NetworkPolicy', async () => {
    const reading = await readNetworkPolicies(
      sourceOf({}),
      'prod',
      new VersionedLister(),
    );
    expect(reading.gaps.map(g => g.message)).toEqual([
      'networking.k8s.io/v1 NetworkPolicy is not served by this cluster',
    ]);
    expect(reading.evaluate(WORKLOAD, API_PODS)).toBeUndefined();
  });
});
