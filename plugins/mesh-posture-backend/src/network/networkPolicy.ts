import {
  formatLabelSelector,
  MeshGap,
  MeshPortReachability,
  NetworkDirectionPolicy,
  NetworkIsolation,
  NetworkPolicyRule,
  WorkloadPosture,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  ClusterObjectSource,
  KubernetesObject,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import { SourceError } from '@mesh-posture/plugin-mesh-posture-node';
import { findSidecar } from '../mesh/pods';
import { VersionedLister } from '../mesh/objects';
import {
  fromObjectSelector,
  ObjectLabelSelector,
  objectSelectorMatches,
} from '../mesh/selectors';

/*
 * Kubernetes NetworkPolicy beside the mesh, judged as the API documents it
 * (kubernetes/api networking/v1/types.go, NetworkPolicySpec): a pod is
 * isolated for a direction when any policy of that type selects it, and
 * then only what some rule of a selecting policy allows gets through;
 * rules add up across policies. `policyTypes` defaults to Ingress, plus
 * Egress when the policy has an egress section.
 */

/** A NetworkPolicyPort as the API serves it. */
interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface PolicyPeer {
  podSelector?: ObjectLabelSelector;
  namespaceSelector?: ObjectLabelSelector;
  ipBlock?: { cidr?: string; except?: string[] };
}

interface PolicyRule {
  ports?: PolicyPort[];
  from?: PolicyPeer[];
  to?: PolicyPeer[];
}

/**
 * Policy kinds that can change what reaches a pod but that this reading
 * does not evaluate. Where a cluster has any, a network check cannot be
 * decided from NetworkPolicy alone: an AdminNetworkPolicy `Allow` admits
 * traffic NetworkPolicies would drop, and Cilium and Calico policies add
 * rules of their own.
 */
const UNEVALUATED_KINDS: ReadonlyArray<{
  group: string;
  versions: string[];
  resource: string;
  kind: string;
}> = [
  {
    group: 'policy.networking.k8s.io',
    versions: ['v1alpha1'],
    resource: 'adminnetworkpolicies',
    kind: 'AdminNetworkPolicy',
  },
  {
    group: 'policy.networking.k8s.io',
    versions: ['v1alpha1'],
    resource: 'baselineadminnetworkpolicies',
    kind: 'BaselineAdminNetworkPolicy',
  },
  {
    group: 'cilium.io',
    versions: ['v2'],
    resource: 'ciliumnetworkpolicies',
    kind: 'CiliumNetworkPolicy',
  },
  {
    group: 'cilium.io',
    versions: ['v2'],
    resource: 'ciliumclusterwidenetworkpolicies',
    kind: 'CiliumClusterwideNetworkPolicy',
  },
  {
    group: 'crd.projectcalico.org',
    versions: ['v1'],
    resource: 'networkpolicies',
    kind: 'Calico NetworkPolicy',
  },
  {
    group: 'crd.projectcalico.org',
    versions: ['v1'],
    resource: 'globalnetworkpolicies',
    kind: 'Calico GlobalNetworkPolicy',
  },
];

/**
 * The mesh's own inbound ports on a pod with no proxy container to declare
 * them: ztunnel's HBONE listener in an ambient pod's network namespace
 * (istio/ztunnel src/config.rs, inbound_addr 15008).
 */
const AMBIENT_PORTS = [{ port: 15008, name: 'HBONE (ztunnel)' }];

/** The proxy container of each mesh, whose declared ports the mesh needs. */
const PROXY_CONTAINERS: Record<string, string> = {
  // linkerd2 charts/partials/templates/_proxy.tpl: linkerd-proxy (4143,
  // inbound) and linkerd-admin (4191, metrics and probes).
  linkerd: 'linkerd-proxy',
  // istio injection template: http-envoy-prom (15090).
  istio: 'istio-proxy',
};

/** What a cluster's network policies say, ready to judge workloads. */
export interface NetworkPolicyReading {
  gaps: MeshGap[];
  /** Undefined when the NetworkPolicies could not be read. */
  evaluate(
    workload: WorkloadPosture,
    pods: KubernetesPod[],
  ): NetworkIsolation | undefined;
}

function policyName(p: KubernetesObject): string {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}

function policyTypes(p: KubernetesObject): Set<string> {
  const declared = p.spec?.policyTypes;
  if (Array.isArray(declared) && declared.length > 0) {
    return new Set(declared.map(String));
  }
  // The API server defaults it on write; older objects may lack it.
  return new Set(
    Array.isArray(p.spec?.egress) ? ['Ingress', 'Egress'] : ['Ingress'],
  );
}

function describeSelector(selector: ObjectLabelSelector | undefined): string {
  const structured = fromObjectSelector(selector);
  if (!structured) return 'nothing';
  if (structured.requirements.length === 0) return '';
  try {
    return formatLabelSelector(structured);
  } catch {
    // A label the API would not have accepted: say so, print none of it.
    return '(a selector that cannot be shown)';
  }
}

function describePeer(peer: PolicyPeer, namespace: string): string {
  if (peer.ipBlock) {
    const except = peer.ipBlock.except ?? [];
    return `${peer.ipBlock.cidr ?? '?'}${
      except.length > 0 ? ` except ${except.join(', ')}` : ''
    }`;
  }
  const pods = peer.podSelector
    ? describeSelector(peer.podSelector)
    : undefined;
  const podPart = pods ? `pods ${pods}` : 'every pod';
  if (!peer.namespaceSelector) return `${podPart} in ${namespace}`;
  // One namespace by its name label (Kubernetes sets it on every one).
  const byName = peer.namespaceSelector.matchLabels?.[NAMESPACE_NAME_LABEL];
  if (
    byName &&
    Object.keys(peer.namespaceSelector.matchLabels ?? {}).length === 1 &&
    !(peer.namespaceSelector.matchExpressions ?? []).length
  ) {
    return `${podPart} in ${byName}`;
  }
  const namespaces = describeSelector(peer.namespaceSelector);
  return `${podPart} in ${
    namespaces ? `namespaces ${namespaces}` : 'every namespace'
  }`;
}

function describePort(p: PolicyPort): string {
  const protocol = p.protocol ?? 'TCP';
  if (p.port === undefined) return `every ${protocol} port`;
  return p.endPort !== undefined
    ? `${protocol} ${p.port}-${p.endPort}`
    : `${protocol} ${p.port}`;
}

const EVERYWHERE = new Set(['0.0.0.0/0', '::/0']);

/** The label the API server sets on every namespace, to its name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A peer list that admits anyone: absent, empty, or an unbounded ipBlock. */
function anyPeer(peers: PolicyPeer[] | undefined): boolean {
  return (
    !peers ||
    peers.length === 0 ||
    peers.some(
      p =>
        p.ipBlock?.cidr &&
        EVERYWHERE.has(p.ipBlock.cidr) &&
        !(p.ipBlock.except ?? []).length,
    )
  );
}

function describeRule(
  policy: KubernetesObject,
  rule: PolicyRule,
  peers: PolicyPeer[] | undefined,
): NetworkPolicyRule {
  const namespace = policy.metadata.namespace ?? '';
  const ports = rule.ports ?? [];
  return {
    policy: policyName(policy),
    peers: anyPeer(peers)
      ? ['any peer']
      : (peers ?? []).map(p => describePeer(p, namespace)),
    ports: ports.length === 0 ? ['every port'] : ports.map(describePort),
    allowsAll: anyPeer(peers) && ports.length === 0,
  };
}

/** True when a rule's ports let TCP traffic to the container port through. */
function rulePortAllows(
  ports: PolicyPort[] | undefined,
  port: { port: number; name?: string },
): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(p => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return p.port === port.name;
    if (p.endPort !== undefined) {
      return port.port >= p.port && port.port <= p.endPort;
    }
    return p.port === port.port;
  });
}

/** The ports the mesh needs open on a workload's pods. */
function meshPortsOf(
  workload: WorkloadPosture,
  pods: KubernetesPod[],
): Array<{ port: number; name: string }> {
  if (workload.meshedPods === 0) return [];
  if (workload.dataPlane === 'ambient') return AMBIENT_PORTS;
  const container = PROXY_CONTAINERS[workload.mesh];
  if (!container) return [];
  const found = new Map<number, string>();
  for (const pod of pods) {
    const proxy = findSidecar(pod, container)?.container;
    for (const p of proxy?.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      if (!found.has(p.containerPort)) {
        found.set(p.containerPort, p.name ?? `port ${p.containerPort}`);
      }
    }
  }
  return [...found].map(([port, name]) => ({ port, name }));
}

function judgeDirection(
  direction: 'Ingress' | 'Egress',
  pods: KubernetesPod[],
  policies: KubernetesObject[],
): NetworkDirectionPolicy & { selecting: KubernetesObject[] } {
  const ofType = policies.filter(p => policyTypes(p).has(direction));
  const selects = (p: KubernetesObject, pod: KubernetesPod) =>
    objectSelectorMatches(p.spec?.podSelector ?? {}, pod.metadata.labels);
  const selecting = ofType.filter(p => pods.some(pod => selects(p, pod)));
  const unisolatedPods = pods.filter(
    pod => !ofType.some(p => selects(p, pod)),
  ).length;
  const key = direction === 'Ingress' ? 'ingress' : 'egress';
  const rules = selecting.flatMap(p =>
    ((p.spec?.[key] as PolicyRule[] | undefined) ?? []).map(rule =>
      describeRule(p, rule, key === 'ingress' ? rule.from : rule.to),
    ),
  );
  return {
    unisolatedPods,
    policies: selecting.map(policyName),
    rules,
    selecting,
  };
}

/**
 * One workload's network isolation from the NetworkPolicies of its
 * namespace.
 */
export function evaluateNetworkIsolation(
  workload: WorkloadPosture,
  pods: KubernetesPod[],
  namespacePolicies: KubernetesObject[],
): NetworkIsolation {
  const { selecting: ingressPolicies, ...ingress } = judgeDirection(
    'Ingress',
    pods,
    namespacePolicies,
  );
  const { selecting: _egressPolicies, ...egress } = judgeDirection(
    'Egress',
    pods,
    namespacePolicies,
  );
  const ingressRules = ingressPolicies.flatMap(
    p => (p.spec?.ingress as PolicyRule[] | undefined) ?? [],
  );
  const meshPorts: MeshPortReachability[] = meshPortsOf(workload, pods).map(
    port => ({
      ...port,
      // Open unless the pods are isolated and no rule lets the port in.
      allowed:
        ingress.policies.length === 0 ||
        ingressRules.some(r => rulePortAllows(r.ports, port)),
    }),
  );
  return {
    workload: workload.workload,
    pods: pods.length,
    ingress,
    egress,
    meshPorts,
  };
}

/** Why a list failed, said without the objects. */
function failure(error: unknown): string {
  if (error instanceof SourceError) return error.message;
  throw error;
}

/**
 * Reads a cluster's NetworkPolicies (one list for the cluster) and whether
 * it holds policy kinds this does not evaluate. Never throws for want of
 * permission: a kind it may not read becomes a named gap.
 */
export async function readNetworkPolicies(
  source: ClusterObjectSource,
  cluster: string,
  lister: VersionedLister,
  signal?: AbortSignal,
): Promise<NetworkPolicyReading> {
  const gaps: MeshGap[] = [];
  const gap = (message: string) =>
    gaps.push({ topic: 'network', cluster, message });
  const [policies, others] = await Promise.all([
    lister
      .list(
        source,
        cluster,
        'networking.k8s.io',
        ['v1'],
        'networkpolicies',
        signal,
      )
      .catch(error => {
        gap(`NetworkPolicies could not be read: ${failure(error)}`);
        return null;
      }),
    Promise.all(
      UNEVALUATED_KINDS.map(k =>
        lister
          .list(source, cluster, k.group, k.versions, k.resource, signal)
          .then(items => ({ kind: k.kind, items, error: undefined }))
          .catch(error => ({
            kind: k.kind,
            items: undefined,
            error: failure(error),
          })),
      ),
    ),
  ]);
  if (policies === undefined) {
    gap('networking.k8s.io/v1 NetworkPolicy is not served by this cluster');
  }
  const present = others.filter(o => (o.items?.length ?? 0) > 0);
  if (present.length > 0) {
    gap(
      `${present
        .map(o => `${o.items!.length} ${o.kind}`)
        .join(
          ', ',
        )} in the cluster, not evaluated: they can admit or refuse what the NetworkPolicies do not`,
    );
  }
  const unreadable = others.filter(o => o.error);
  if (unreadable.length > 0 && present.length === 0) {
    gap(
      `${unreadable
        .map(o => o.kind)
        .join(
          ', ',
        )} could not be read, so policies of those kinds may exist unseen: ${
        unreadable[0].error
      }`,
    );
  }

  const byNamespace = new Map<string, KubernetesObject[]>();
  for (const p of policies ?? []) {
    const ns = p.metadata.namespace ?? '';
    const list = byNamespace.get(ns);
    if (list) list.push(p);
    else byNamespace.set(ns, [p]);
  }
  return {
    gaps,
    evaluate: (workload, pods) =>
      policies
        ? evaluateNetworkIsolation(
            workload,
            pods,
            byNamespace.get(workload.workload.namespace) ?? [],
          )
        : undefined,
  };
}
