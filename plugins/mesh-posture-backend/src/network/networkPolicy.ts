import {
  formatLabelSelector,
  LabelSelector,
  matchesLabelSelector,
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
import { fromObjectSelector, ObjectLabelSelector } from '../mesh/selectors';
import { ciliumPolicies } from './ciliumPolicy';

/*
 * Kubernetes NetworkPolicy beside the mesh, judged as the API documents it
 * (kubernetes/api networking/v1/types.go, NetworkPolicySpec): a pod is
 * isolated for a direction when any policy of that type selects it, and
 * then only what some rule of a selecting policy allows gets through;
 * rules add up across policies. `policyTypes` defaults to Ingress, plus
 * Egress when the policy has an egress section.
 */

/** The label the API server sets on every namespace, to its name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

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
 * traffic NetworkPolicies would drop, and Calico and Antrea policies add
 * rules of their own (Cilium's are judged: see ciliumPolicy.ts).
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
  // AdminNetworkPolicy's successor in sig-network's network-policy-api.
  {
    group: 'policy.networking.k8s.io',
    versions: ['v1alpha2'],
    resource: 'clusternetworkpolicies',
    kind: 'ClusterNetworkPolicy',
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
  {
    group: 'crd.antrea.io',
    versions: ['v1beta1'],
    resource: 'networkpolicies',
    kind: 'Antrea NetworkPolicy',
  },
  {
    group: 'crd.antrea.io',
    versions: ['v1beta1'],
    resource: 'clusternetworkpolicies',
    kind: 'Antrea ClusterNetworkPolicy',
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
  /** What keeps every workload of the cluster from being judged. */
  gaps: MeshGap[];
  /** What keeps the workloads of one namespace from being judged. */
  namespaceGaps(namespace: string): MeshGap[];
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
  // The API server defaults it on write (kubernetes
  // pkg/apis/networking/v1/defaults.go: Egress only with egress rules).
  return new Set(
    Array.isArray(p.spec?.egress) && p.spec.egress.length > 0
      ? ['Ingress', 'Egress']
      : ['Ingress'],
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

/** A prefix length of 0: every address, whatever the address bits. */
function everyAddress(cidr: string | undefined): boolean {
  return /\/0$/.test(cidr ?? '');
}

/**
 * A peer list that lets anyone through: absent or empty, every address
 * (with or without exceptions: nearly everything is still open), or every
 * pod of every namespace.
 */
function anyPeer(peers: PolicyPeer[] | undefined): boolean {
  return (
    !peers ||
    peers.length === 0 ||
    peers.some(
      p =>
        everyAddress(p.ipBlock?.cidr) ||
        (p.namespaceSelector !== undefined &&
          isEmptySelector(p.namespaceSelector) &&
          (p.podSelector === undefined || isEmptySelector(p.podSelector))),
    )
  );
}

function isEmptySelector(selector: ObjectLabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  );
}

/** Ports that cover every TCP port: none listed, one without a port, a full range. */
function everyPort(ports: PolicyPort[]): boolean {
  return (
    ports.length === 0 ||
    ports.some(
      p =>
        (p.protocol ?? 'TCP') === 'TCP' &&
        (p.port === undefined ||
          (typeof p.port === 'number' &&
            p.port <= 1 &&
            (p.endPort ?? 0) >= 65535)),
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
    peers:
      !peers || peers.length === 0
        ? ['any peer']
        : peers.map(p => describePeer(p, namespace)),
    ports: ports.length === 0 ? ['every port'] : ports.map(describePort),
    allowsAll: anyPeer(peers) && everyPort(ports),
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

/** Each policy's podSelector in structured form, converted once. */
const compiledSelectors = new WeakMap<KubernetesObject, LabelSelector | null>();

function selectsPod(policy: KubernetesObject, pod: KubernetesPod): boolean {
  let selector = compiledSelectors.get(policy);
  if (selector === undefined) {
    selector = fromObjectSelector(policy.spec?.podSelector ?? {}) ?? null;
    compiledSelectors.set(policy, selector);
  }
  return (
    selector !== null && matchesLabelSelector(selector, pod.metadata.labels)
  );
}

/**
 * One allow rule of a policy, whatever its kind: in words, and whether it
 * lets TCP traffic to a container port through.
 */
export interface AllowRule {
  described: NetworkPolicyRule;
  /** Peers in words; undefined when any peer. */
  peers?: string[];
  letsIn(port: { port: number; name?: string }): boolean;
}

/** What the policies of one kind do to one pod in one direction. */
export interface PodDirection {
  /** The policies of this kind that select the pod for the direction. */
  policies: string[];
  /** Whether they make the direction default-deny for the pod. */
  isolates: boolean;
  rules: AllowRule[];
}

/** What each policy kind does to one pod, both ways. */
export interface PodPolicies {
  ingress: PodDirection[];
  egress: PodDirection[];
}

/** Each NetworkPolicy rule's AllowRule, built once for every pod it selects. */
const allowRulesOf = new WeakMap<
  KubernetesObject,
  { ingress: AllowRule[]; egress: AllowRule[] }
>();

function networkPolicyAllowRules(policy: KubernetesObject): {
  ingress: AllowRule[];
  egress: AllowRule[];
} {
  let rules = allowRulesOf.get(policy);
  if (!rules) {
    const of = (key: 'ingress' | 'egress') =>
      ((policy.spec?.[key] as PolicyRule[] | undefined) ?? []).map(rule => {
        const peers = key === 'ingress' ? rule.from : rule.to;
        return {
          described: describeRule(policy, rule, peers),
          ...(peers && peers.length > 0
            ? {
                peers: peers.map(peer =>
                  describePeer(peer, policy.metadata.namespace ?? ''),
                ),
              }
            : {}),
          letsIn: (port: { port: number; name?: string }) =>
            rulePortAllows(rule.ports, port),
        };
      });
    rules = { ingress: of('ingress'), egress: of('egress') };
    allowRulesOf.set(policy, rules);
  }
  return rules;
}

/** What a pod's selecting NetworkPolicies do to it. */
function networkPolicyDirections(selecting: KubernetesObject[]): {
  ingress: PodDirection;
  egress: PodDirection;
} {
  const direction = (type: 'Ingress' | 'Egress'): PodDirection => {
    const ofType = selecting.filter(p => policyTypes(p).has(type));
    const key = type === 'Ingress' ? 'ingress' : 'egress';
    return {
      policies: ofType.map(policyName),
      isolates: ofType.length > 0,
      rules: ofType.flatMap(p => networkPolicyAllowRules(p)[key]),
    };
  };
  return { ingress: direction('Ingress'), egress: direction('Egress') };
}

/** One direction, from what every kind does to each pod. */
function judgeDirection(perPod: PodDirection[][]): NetworkDirectionPolicy {
  const policies = new Set<string>();
  const rules = new Set<AllowRule>();
  for (const kinds of perPod) {
    for (const kind of kinds) {
      kind.policies.forEach(p => policies.add(p));
      kind.rules.forEach(r => rules.add(r));
    }
  }
  return {
    unisolatedPods: perPod.filter(kinds => !kinds.some(k => k.isolates)).length,
    policies: [...policies],
    rules: [...rules].map(r => r.described),
  };
}

/**
 * One workload's network isolation from the NetworkPolicies of its
 * namespace and, where the cluster runs them, the other policy kinds that
 * add to them (each pod's from `others`).
 */
export function evaluateNetworkIsolation(
  workload: WorkloadPosture,
  pods: KubernetesPod[],
  namespacePolicies: KubernetesObject[],
  others?: (pod: KubernetesPod) => PodPolicies,
): NetworkIsolation {
  // What selects each pod, once: both directions and the mesh ports are
  // read from it.
  const perPod = pods.map(pod => {
    // A pod on the node's network is no endpoint of the CNI's: no policy
    // of any kind applies to it.
    if (pod.spec?.hostNetwork === true) {
      return { ingress: [] as PodDirection[], egress: [] as PodDirection[] };
    }
    const own = networkPolicyDirections(
      namespacePolicies.filter(p => selectsPod(p, pod)),
    );
    const more = others?.(pod);
    return {
      ingress: [own.ingress, ...(more?.ingress ?? [])],
      egress: [own.egress, ...(more?.egress ?? [])],
    };
  });
  const ingress = judgeDirection(perPod.map(p => p.ingress));
  const egress = judgeDirection(perPod.map(p => p.egress));
  // Each pod against what selects it: a port open on one pod is not open
  // on another that a stricter policy selects. Rules add up across kinds.
  const meshPorts: MeshPortReachability[] = meshPortsOf(workload, pods).map(
    port => {
      const from = new Set<string>();
      let open = true;
      let anyone = false;
      for (const { ingress: kinds } of perPod) {
        if (!kinds.some(k => k.isolates)) {
          anyone = true;
          continue;
        }
        const letIn = kinds.flatMap(k => k.rules).filter(r => r.letsIn(port));
        if (letIn.length === 0) open = false;
        for (const rule of letIn) {
          if (!rule.peers) anyone = true;
          else rule.peers.forEach(peer => from.add(peer));
        }
      }
      return {
        ...port,
        allowed: open,
        ...(open && !anyone && from.size > 0 ? { from: [...from] } : {}),
      };
    },
  );
  return {
    workload: workload.workload,
    pods: pods.length,
    ingress,
    egress,
    meshPorts,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown) =>
  Array.isArray(v) && v.every(x => typeof x === 'string');

function selectorProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'a selector that is not an object';
  if (
    v.matchLabels !== undefined &&
    (!isObject(v.matchLabels) ||
      !Object.values(v.matchLabels).every(x => typeof x === 'string'))
  ) {
    return 'matchLabels that are not strings';
  }
  if (
    v.matchExpressions !== undefined &&
    !(
      Array.isArray(v.matchExpressions) &&
      v.matchExpressions.every(
        e =>
          isObject(e) &&
          typeof e.key === 'string' &&
          typeof e.operator === 'string' &&
          (e.values === undefined || isStringArray(e.values)),
      )
    )
  ) {
    return 'matchExpressions it cannot read';
  }
  return undefined;
}

function ruleProblem(
  rule: unknown,
  peersKey: 'from' | 'to',
): string | undefined {
  if (!isObject(rule)) return 'a rule that is not an object';
  const ports = rule.ports;
  if (
    ports !== undefined &&
    !(
      Array.isArray(ports) &&
      ports.every(
        p =>
          isObject(p) &&
          (p.protocol === undefined || typeof p.protocol === 'string') &&
          (p.port === undefined ||
            typeof p.port === 'string' ||
            Number.isInteger(p.port)) &&
          (p.endPort === undefined || Number.isInteger(p.endPort)),
      )
    )
  ) {
    return 'ports it cannot read';
  }
  const peers = rule[peersKey];
  if (peers === undefined) return undefined;
  if (!Array.isArray(peers)) return `${peersKey} that is not a list`;
  for (const peer of peers) {
    if (!isObject(peer)) return `a ${peersKey} peer that is not an object`;
    for (const key of ['podSelector', 'namespaceSelector'] as const) {
      const problem =
        peer[key] === undefined ? undefined : selectorProblem(peer[key]);
      if (problem) return `${key} with ${problem}`;
    }
    const block = peer.ipBlock;
    if (
      block !== undefined &&
      !(
        isObject(block) &&
        typeof block.cidr === 'string' &&
        (block.except === undefined || isStringArray(block.except))
      )
    ) {
      return 'an ipBlock it cannot read';
    }
  }
  return undefined;
}

/**
 * Why a NetworkPolicy cannot be judged, if it cannot: every field this
 * reads has the type the API gives it. A policy that does not is left out
 * and named, never guessed at.
 */
export function networkPolicyProblem(
  policy: KubernetesObject,
): string | undefined {
  const spec = policy.spec;
  if (!isObject(spec)) return 'no spec';
  // The API defaults a missing podSelector to the empty one (every pod).
  if (spec.podSelector !== undefined) {
    const problem = selectorProblem(spec.podSelector);
    if (problem) return `podSelector: ${problem}`;
  }
  if (spec.policyTypes !== undefined && !isStringArray(spec.policyTypes)) {
    return 'policyTypes that are not a list of names';
  }
  for (const [key, peers] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    const rules = spec[key];
    if (rules === undefined) continue;
    if (!Array.isArray(rules)) return `${key} that is not a list`;
    for (const rule of rules) {
      const problem = ruleProblem(rule, peers);
      if (problem) return `${key}: ${problem}`;
    }
  }
  return undefined;
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
  const cilium = (resource: string) =>
    lister
      .list(source, cluster, 'cilium.io', ['v2'], resource, signal)
      .catch(error => {
        gap(
          `Cilium policies (${resource}) could not be read, so some may admit or refuse unseen: ${failure(
            error,
          )}`,
        );
        return null;
      });
  const [policies, others, cnps, ccnps] = await Promise.all([
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
    cilium('ciliumnetworkpolicies'),
    cilium('ciliumclusterwidenetworkpolicies'),
  ]);
  // Where Cilium runs, its agent's enforcement mode decides first
  // (pkg/policy/repository.go computePolicyEnforcementAndRules: `never`
  // enforces nothing, `always` isolates every pod both ways).
  let ciliumMode: string | undefined;
  let l7ProxyDisabled = false;
  if (cnps !== undefined || ccnps !== undefined) {
    const config = await source
      .get(
        {
          cluster,
          apiVersion: 'v1',
          resource: 'configmaps',
          namespace: 'kube-system',
          name: 'cilium-config',
        },
        { signal },
      )
      .catch(error => {
        gap(
          `Cilium's configuration (kube-system/cilium-config) could not be read, so whether it enforces policies is unknown: ${failure(
            error,
          )}`,
        );
        return null;
      });
    const data: Record<string, string> = config?.data ?? {};
    const off = (key: string) =>
      String(data[key] ?? '').toLowerCase() === 'false';
    // The agent lowercases the mode (pkg/option); absent is `default`.
    ciliumMode = String(data['enable-policy'] ?? 'default').toLowerCase();
    l7ProxyDisabled = off('enable-l7-proxy');
    const notEnforced: string[] = [];
    if (config === undefined) {
      notEnforced.push(
        'no ConfigMap cilium-config in kube-system, so its enforcement mode is unknown',
      );
    }
    if (ciliumMode === 'never') notEnforced.push('enable-policy: never');
    if (String(data['policy-audit-mode'] ?? '').toLowerCase() === 'true') {
      notEnforced.push(
        'policy-audit-mode: true (verdicts logged, nothing dropped)',
      );
    }
    for (const key of [
      'enable-k8s-networkpolicy',
      'enable-cilium-network-policy',
      'enable-cilium-clusterwide-network-policy',
    ]) {
      if (off(key)) notEnforced.push(`${key}: false`);
    }
    // Custom identity labels change what selectors can match.
    if (String(data.labels ?? '').trim() !== '') {
      notEnforced.push(
        'custom identity labels (labels), which are not modelled',
      );
    }
    if (notEnforced.length > 0) {
      gap(
        `Cilium's policies are not judged here: ${notEnforced.join('; ')}${
          config ? ' in kube-system/cilium-config' : ''
        }`,
      );
    }
  }
  const ciliumRules =
    (cnps?.length ?? 0) + (ccnps?.length ?? 0) > 0 || ciliumMode === 'always'
      ? ciliumPolicies(cnps ?? [], ccnps ?? [], { l7ProxyDisabled })
      : undefined;
  const always: PodDirection = {
    policies: ['Cilium enable-policy: always'],
    isolates: true,
    rules: [],
  };
  const ciliumOf = ciliumRules
    ? (pod: KubernetesPod): PodPolicies => {
        const of = ciliumRules.of(pod);
        return ciliumMode === 'always'
          ? {
              ingress: [...of.ingress, always],
              egress: [...of.egress, always],
            }
          : of;
      }
    : undefined;
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

  // A policy it cannot read leaves its namespace unjudged, not the cluster.
  const judged: KubernetesObject[] = [];
  const refused = new Map<string, string[]>();
  for (const p of policies ?? []) {
    const problem = networkPolicyProblem(p);
    if (!problem) {
      judged.push(p);
      continue;
    }
    const ns = p.metadata.namespace ?? '';
    refused.set(ns, [
      ...(refused.get(ns) ?? []),
      `${p.metadata.name} (${problem})`,
    ]);
  }
  const byNamespace = new Map<string, KubernetesObject[]>();
  for (const p of judged) {
    const ns = p.metadata.namespace ?? '';
    const list = byNamespace.get(ns);
    if (list) list.push(p);
    else byNamespace.set(ns, [p]);
  }
  return {
    gaps,
    namespaceGaps: namespace => {
      const names = refused.get(namespace);
      return names
        ? [
            {
              topic: 'network',
              cluster,
              message: `${names.length} NetworkPolicy ${
                names.length === 1 ? 'object' : 'objects'
              } in ${namespace} could not be judged: ${names
                .slice(0, 3)
                .join('; ')}${names.length > 3 ? '; …' : ''}`,
            },
          ]
        : [];
    },
    evaluate: (workload, pods) =>
      policies && !refused.has(workload.workload.namespace)
        ? evaluateNetworkIsolation(
            workload,
            pods,
            byNamespace.get(workload.workload.namespace) ?? [],
            ciliumOf,
          )
        : undefined,
  };
}
