import {
  LabelSelector,
  matchesLabelSelector,
  NetworkPolicyRule,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesObject,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import { fromObjectSelector, ObjectLabelSelector } from '../mesh/selectors';
import type { AllowRule, PodDirection, PodPolicies } from './networkPolicy';

/*
 * Cilium's own policies, judged as the agent computes them (cilium/cilium):
 * - A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy holds a rule in
 *   `spec` and/or rules in `specs` (pkg/k8s/apis/cilium.io/v2/cnp_types.go).
 * - A rule's `endpointSelector` picks pods; a namespaced policy's only in
 *   its own namespace, whatever the selector says (pkg/k8s/apis/cilium.io/
 *   utils/utils.go ParseToCiliumRule). `nodeSelector` rules are host
 *   policies and select no pod.
 * - A direction is enforced for a pod when a selecting rule has entries in
 *   `ingress`/`ingressDeny` (`egress`/`egressDeny`), and default-deny unless
 *   every such rule sets `enableDefaultDeny.<direction>: false`, which adds
 *   an allow-all beneath it (pkg/policy/api/rule_validation.go Sanitize,
 *   pkg/policy/repository.go computePolicyEnforcementAndRules).
 * - Kubernetes NetworkPolicies land in the same repository
 *   (pkg/k8s/network_policy.go ParseNetworkPolicy): allows add up across
 *   both kinds, which is how the caller combines them.
 * What this reading does not model is refused, never guessed: the policy
 * is named and the workload left unjudged.
 */

/** Thrown where a Cilium policy uses what this reading does not model. */
export class CiliumPolicyNotJudged extends Error {}

/** The namespace label Cilium gives every pod (cilium.io const.go PodNamespaceLabel). */
const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** The service account label (const.go PolicyLabelServiceAccount). */
const SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';

/** Entities that stand for every peer, or every address outside the cluster (pkg/policy/api/entity.go). */
const ANY_PEER_ENTITIES = new Set(['all', 'world', 'world-ipv4', 'world-ipv6']);
/** `cluster` covers every endpoint of the cluster, hosts included. */
const CLUSTER_ENTITY = 'cluster';

type Direction = 'ingress' | 'egress';

interface CiliumPolicy {
  kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
  name: string;
  /** Undefined for a clusterwide policy. */
  namespace?: string;
  rules: unknown[];
}

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Cilium label key as a pod label key, or undefined for another source. */
function podLabelKey(key: string): string | undefined {
  // A plain key matches any source; `k8s:` and `any:` name the pod's own
  // labels (pkg/labels ParseSource, GetExtendedKeyFrom). Kubernetes label
  // keys hold no colon, so one names a source: reserved:, cidr:, ….
  const sourced = /^([^:]*):(.*)$/.exec(key);
  if (!sourced) return key.startsWith('$') ? undefined : key;
  // A reserved identity is never a pod's label: kept as it is, no pod has
  // it, so In/Exists select no pod and NotIn/DoesNotExist every pod.
  if (sourced[1] === 'reserved') return key;
  return sourced[1] === 'k8s' || sourced[1] === 'any' ? sourced[2] : undefined;
}

/**
 * Labels Cilium leaves out of a pod's identity by default (pkg/labelsfilter
 * filter.go: io.kubernetes*, kubernetes.io*, *.kubernetes.io/ other than
 * app.kubernetes.io, k8s.io*, the controllers' hashes, annotation*): a
 * selector on one matches no endpoint, whatever the pod's labels say.
 */
function droppedFromIdentity(key: string): boolean {
  if (key === NAMESPACE_KEY || key.startsWith('io.cilium.k8s.')) return false;
  return (
    key.startsWith('io.kubernetes') ||
    key.startsWith('kubernetes.io') ||
    (/kubernetes\.io\//.test(key) && !key.startsWith('app.kubernetes.io/')) ||
    key.startsWith('k8s.io') ||
    key.startsWith('annotation') ||
    key === 'pod-template-hash' ||
    key === 'pod-template-generation' ||
    key === 'controller-revision-hash' ||
    key === 'etcd_node'
  );
}

function policyLabel(policy: CiliumPolicy): string {
  return policy.namespace
    ? `${policy.kind} ${policy.namespace}/${policy.name}`
    : `${policy.kind} ${policy.name}`;
}

function notJudged(policy: CiliumPolicy, why: string): never {
  throw new CiliumPolicyNotJudged(`${policyLabel(policy)}: ${why}`);
}

/**
 * A Cilium selector with its keys as pod label keys. Keys of namespace
 * labels or the cluster name cannot be matched from a pod and are refused.
 */
function podSelector(
  policy: CiliumPolicy,
  selector: unknown,
  where: string,
): LabelSelector {
  const seen = new Set<string>();
  const rename = (key: string) => {
    const k = podLabelKey(key);
    if (
      k === undefined ||
      k.startsWith('io.cilium.k8s.namespace.labels.') ||
      k.startsWith('io.cilium.k8s.policy.cluster') ||
      droppedFromIdentity(k)
    ) {
      notJudged(policy, `${where} selects by ${key}, which is not judged`);
    }
    // `any:app` and `k8s:app` are two keys to Cilium, one to a pod.
    if (seen.has(k)) notJudged(policy, `${where} names ${k} twice`);
    seen.add(k);
    return k;
  };
  // matchLabels are In requirements of one value; all of them ANDed.
  const renamed: ObjectLabelSelector = {
    matchExpressions: requirementsOf(policy, selector, where).map(r => ({
      key: rename(r.key),
      operator: r.operator,
      values: r.values,
    })),
  };
  const structured = fromObjectSelector(renamed);
  if (!structured) notJudged(policy, `${where} cannot be read`);
  return structured;
}

/** The labels Cilium matches a pod's endpoint by. */
function endpointLabels(pod: KubernetesPod): Record<string, string> {
  return {
    ...(pod.metadata.labels ?? {}),
    [NAMESPACE_KEY]: pod.metadata.namespace ?? '',
    [SERVICE_ACCOUNT_KEY]: pod.spec?.serviceAccountName ?? 'default',
  };
}

interface PortSpec {
  protocol: string;
  port?: number;
  endPort?: number;
  name?: string;
}

/** `toPorts` as port specs; undefined for every port. */
function portsOf(
  policy: CiliumPolicy,
  toPorts: unknown,
): { specs?: PortSpec[]; l7: boolean } {
  if (toPorts === undefined) return { l7: false };
  if (!Array.isArray(toPorts)) notJudged(policy, 'toPorts is not a list');
  const specs: PortSpec[] = [];
  let l7 = false;
  let every = toPorts.length === 0;
  for (const rule of toPorts) {
    if (!isObject(rule)) notJudged(policy, 'a toPorts entry is not an object');
    // L7 rules, SNI matching and TLS interception send the port through
    // Cilium's proxy, which cannot read the mesh's own mTLS.
    for (const key of [
      'rules',
      'serverNames',
      'terminatingTLS',
      'originatingTLS',
      'listener',
    ]) {
      if (rule[key] !== undefined && rule[key] !== null) l7 = true;
    }
    const ports = rule.ports ?? [];
    if (!Array.isArray(ports)) notJudged(policy, 'toPorts.ports is not a list');
    if (ports.length === 0) every = true;
    for (const p of ports) {
      if (!isObject(p)) notJudged(policy, 'a port is not an object');
      // No protocol is ANY (pkg/policy/api/utils.go ParseL4Proto).
      const protocol = String(p.protocol ?? 'ANY').toUpperCase();
      // Cilium refuses a port entry without a port (rule_validation.go).
      if (typeof p.port !== 'string' && typeof p.port !== 'number') {
        notJudged(policy, 'a port entry without a port');
      }
      const raw = String(p.port);
      const endPort =
        p.endPort === undefined || p.endPort === null
          ? undefined
          : Number(p.endPort);
      if (endPort !== undefined && !Number.isInteger(endPort)) {
        notJudged(policy, `an endPort it cannot read (${p.endPort})`);
      }
      if (/^\d+$/.test(raw)) {
        const port = Number(raw);
        if (port > 65535 || (endPort !== undefined && endPort > 65535)) {
          notJudged(policy, `a port out of range (${raw})`);
        }
        specs.push({
          protocol,
          // Port 0 is every port (l4.go).
          ...(port === 0 ? {} : { port }),
          ...(endPort && port !== 0 ? { endPort } : {}),
        });
      } else if (
        raw.length <= 15 &&
        /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(raw)
      ) {
        // A named port; names are matched lowercased (rule_validation.go).
        specs.push({ protocol, name: raw.toLowerCase() });
      } else {
        notJudged(policy, `a port it cannot read (${raw})`);
      }
    }
  }
  return every ? { l7 } : { specs, l7 };
}

function describePorts(specs: PortSpec[] | undefined): string[] {
  if (!specs) return ['every port'];
  return specs.map(s => {
    const protocol = s.protocol === 'ANY' ? 'any protocol' : s.protocol;
    if (s.name) return `${protocol} ${s.name}`;
    if (s.port === undefined) return `every ${protocol} port`;
    return s.endPort
      ? `${protocol} ${s.port}-${s.endPort}`
      : `${protocol} ${s.port}`;
  });
}

const coversTcp = (s: PortSpec) => s.protocol === 'TCP' || s.protocol === 'ANY';

function portCovered(
  specs: PortSpec[] | undefined,
  port: { port: number; name?: string },
): boolean {
  if (!specs) return true;
  return specs.some(s => {
    if (!coversTcp(s)) return false;
    if (s.name) return s.name === port.name?.toLowerCase();
    if (s.port === undefined) return true;
    if (s.endPort) return port.port >= s.port && port.port <= s.endPort;
    return s.port === port.port;
  });
}

function everyTcpPort(specs: PortSpec[] | undefined): boolean {
  return (
    !specs ||
    specs.some(
      s =>
        coversTcp(s) &&
        !s.name &&
        (s.port === undefined || (s.port <= 1 && (s.endPort ?? 0) >= 65535)),
    )
  );
}

const PEER_KEYS: Record<Direction, string[]> = {
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities'],
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toFQDNs'],
};
/** Peers this reading does not model (groups, services, nodes, requirements). */
const UNJUDGED_PEER_KEYS: Record<Direction, string[]> = {
  ingress: ['fromRequires', 'fromGroups', 'fromNodes'],
  egress: ['toRequires', 'toGroups', 'toNodes', 'toServices'],
};

interface Requirement {
  key: string;
  operator: string;
  values: string[];
}

/** A selector's requirements as written, keys untouched. */
function requirementsOf(
  policy: CiliumPolicy,
  selector: unknown,
  where: string,
): Requirement[] {
  if (!isObject(selector)) notJudged(policy, `${where} is not a selector`);
  const out: Requirement[] = [];
  const labels = selector.matchLabels ?? {};
  if (
    !isObject(labels) ||
    !Object.values(labels).every(v => typeof v === 'string')
  ) {
    notJudged(policy, `${where} has matchLabels that are not strings`);
  }
  for (const [key, value] of Object.entries(labels)) {
    out.push({ key, operator: 'In', values: [value as string] });
  }
  const expressions = selector.matchExpressions ?? [];
  if (
    !Array.isArray(expressions) ||
    !expressions.every(
      (e: unknown) =>
        isObject(e) &&
        typeof e.key === 'string' &&
        typeof e.operator === 'string' &&
        (e.values === undefined ||
          (Array.isArray(e.values) &&
            e.values.every((x: unknown) => typeof x === 'string'))),
    )
  ) {
    notJudged(policy, `${where} has matchExpressions it cannot read`);
  }
  for (const e of expressions) {
    out.push({ key: e.key, operator: e.operator, values: e.values ?? [] });
  }
  return out;
}

const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

function describeRequirements(requirements: Requirement[]): string {
  return requirements
    .map(r =>
      r.operator === 'In' && r.values.length === 1
        ? `${r.key}=${r.values[0]}`
        : `${r.key} ${r.operator}${
            r.values.length > 0 ? ` (${r.values.join(', ')})` : ''
          }`,
    )
    .join(', ');
}

/**
 * A peer selector of fromEndpoints/toEndpoints in words, and whether it
 * stands for every pod of the cluster or everything outside it. Peers are
 * only described, never matched, so namespace labels and reserved
 * identities can be named as they are.
 */
function peerSelector(
  policy: CiliumPolicy,
  selector: unknown,
  where: string,
): { text: string; anyone: boolean } {
  const pods: Requirement[] = [];
  const namespaces: Requirement[] = [];
  const reserved: string[] = [];
  let anyReserved = false;
  for (const r of requirementsOf(policy, selector, where)) {
    const sourced = /^([^:]*):(.*)$/.exec(r.key);
    const source = sourced?.[1];
    const key = sourced ? sourced[2] : r.key;
    if (source === 'reserved') {
      reserved.push(key);
      // Not-this-identity selects every other one, the world's included;
      // reserved selectors are not scoped to a namespace (utils.go).
      if (
        r.operator === 'NotIn' ||
        r.operator === 'DoesNotExist' ||
        key.startsWith('world')
      ) {
        anyReserved = true;
      }
      continue;
    }
    if (source !== undefined && source !== 'k8s' && source !== 'any') {
      notJudged(policy, `${where} selects by ${r.key}, which is not judged`);
    }
    if (key.startsWith('io.cilium.k8s.policy.cluster')) continue;
    if (key === NAMESPACE_KEY || key.startsWith(NAMESPACE_LABELS_PREFIX)) {
      namespaces.push({
        ...r,
        key: key.startsWith(NAMESPACE_LABELS_PREFIX)
          ? `namespace label ${key.slice(NAMESPACE_LABELS_PREFIX.length)}`
          : 'namespace',
      });
      continue;
    }
    pods.push({ ...r, key });
  }
  if (reserved.length > 0) {
    // reserved:world is everything outside the cluster.
    return {
      text: reserved.map(r => `the ${r} identity`).join(' and '),
      anyone: anyReserved,
    };
  }
  const podText =
    pods.length === 0 ? 'every pod' : `pods ${describeRequirements(pods)}`;
  // Only an In or an Exists narrows the pods for certain; NotIn and
  // DoesNotExist alone leave nearly every pod in.
  const everyPod = !pods.some(
    r => r.operator === 'In' || r.operator === 'Exists',
  );
  const here = policy.namespace;
  const oneNamespace = namespaces.find(
    r => r.key === 'namespace' && r.operator === 'In' && r.values.length === 1,
  );
  // A namespaced policy's peers are of its namespace unless the selector
  // names one (utils.go getEndpointSelector adds it only when absent).
  if (namespaces.length === 0 && here) {
    return { text: `${podText} in ${here}`, anyone: false };
  }
  if (oneNamespace && namespaces.length === 1) {
    return { text: `${podText} in ${oneNamespace.values[0]}`, anyone: false };
  }
  if (namespaces.length === 0) {
    return {
      text: `${podText} in every namespace`,
      anyone: everyPod,
    };
  }
  return {
    text: `${podText} in namespaces ${describeRequirements(namespaces)}`,
    // Only an In narrows the namespaces for certain.
    anyone: everyPod && namespaces.every(r => r.operator !== 'In'),
  };
}

/** A rule's peers in words, and whether they stand for anyone. */
function peersOf(
  policy: CiliumPolicy,
  rule: Record<string, any>,
  direction: Direction,
): { peers: string[]; anyone: boolean; none: boolean } {
  for (const key of UNJUDGED_PEER_KEYS[direction]) {
    if (rule[key] !== undefined && rule[key] !== null) {
      notJudged(policy, `a rule with ${key}, which is not judged`);
    }
  }
  const present = PEER_KEYS[direction].filter(
    k => rule[k] !== undefined && rule[k] !== null,
  );
  // No peer field: every peer, on the rule's ports (policyentry.go: an
  // empty L3 with L4 port rules is a wildcard).
  if (present.length === 0) return { peers: [], anyone: true, none: false };
  const peers: string[] = [];
  let anyone = false;
  for (const key of present) {
    const values = rule[key];
    if (!Array.isArray(values)) notJudged(policy, `${key} is not a list`);
    if (key.endsWith('Endpoints')) {
      for (const selector of values) {
        const peer = peerSelector(policy, selector, key);
        peers.push(peer.text);
        if (peer.anyone) anyone = true;
      }
    } else if (key.endsWith('Entities')) {
      for (const entity of values) {
        if (typeof entity !== 'string')
          notJudged(policy, `${key} holds a non-name`);
        // `none` selects nothing.
        if (entity === 'none') continue;
        peers.push(`entity ${entity}`);
        if (ANY_PEER_ENTITIES.has(entity) || entity === CLUSTER_ENTITY) {
          anyone = true;
        }
      }
    } else if (key.endsWith('CIDR')) {
      for (const cidr of values) {
        if (typeof cidr !== 'string')
          notJudged(policy, `${key} holds a non-CIDR`);
        peers.push(cidr);
        if (/\/0$/.test(cidr)) anyone = true;
      }
    } else if (key.endsWith('CIDRSet')) {
      for (const set of values) {
        if (!isObject(set) || typeof set.cidr !== 'string') {
          // cidrGroupRef / cidrGroupSelector: addresses held elsewhere.
          notJudged(policy, `${key} names CIDRs held elsewhere, not judged`);
        }
        const except: string[] = Array.isArray(set.except) ? set.except : [];
        peers.push(
          `${set.cidr}${
            except.length > 0 ? ` except ${except.join(', ')}` : ''
          }`,
        );
        if (/\/0$/.test(set.cidr)) anyone = true;
      }
    } else {
      // toFQDNs: names only narrow where a pod may call.
      for (const fqdn of values) {
        if (!isObject(fqdn)) notJudged(policy, `${key} holds a non-object`);
        peers.push(`hosts ${fqdn.matchName ?? fqdn.matchPattern ?? '?'}`);
        // Patterns of wildcards and dots alone match every name
        // (pkg/fqdn/matchpattern isDNSWildcard: '*', '**', '*.').
        if (
          typeof fqdn.matchPattern === 'string' &&
          /^[\s*.]*$/.test(fqdn.matchPattern)
        ) {
          anyone = true;
        }
      }
    }
  }
  return { peers, anyone, none: peers.length === 0 };
}

function allowRule(
  policy: CiliumPolicy,
  rule: unknown,
  direction: Direction,
  options: CiliumAgentSettings,
): AllowRule | undefined {
  if (!isObject(rule))
    notJudged(policy, `an ${direction} rule is not an object`);
  const given = (k: string) => rule[k] !== undefined && rule[k] !== null;
  // What Cilium refuses, refusing the whole policy with it
  // (pkg/policy/api/rule_validation.go): it then isolates nothing.
  const kinds = PEER_KEYS[direction].filter(given);
  if (kinds.length > 1) {
    notJudged(
      policy,
      `a rule combining ${kinds.join(' and ')}, which Cilium refuses`,
    );
  }
  const hasPorts = given('toPorts');
  if (given('icmps') && hasPorts) {
    notJudged(
      policy,
      'a rule with both icmps and toPorts, which Cilium refuses',
    );
  }
  const { peers, anyone, none } = peersOf(policy, rule, direction);
  const noPeerField = kinds.length === 0;
  // `{}` and ICMP-only rules let no TCP in: `{}` is the default-deny of a
  // translated NetworkPolicy (pkg/k8s/network_policy.go).
  if (none || given('icmps') || (noPeerField && !hasPorts)) return undefined;
  const ported = portsOf(policy, rule.toPorts);
  const { specs } = ported;
  // Mutual authentication is Cilium's own handshake in front of the port.
  const l7 =
    ported.l7 ||
    (isObject(rule.authentication) && rule.authentication.mode === 'required');
  if (ported.l7 && options.l7ProxyDisabled) {
    notJudged(
      policy,
      "L7 rules while Cilium's L7 proxy is off, which makes Cilium refuse the policy",
    );
  }
  const described: NetworkPolicyRule = {
    policy: policyLabel(policy),
    peers: anyone && noPeerField ? ['any peer'] : peers,
    ports: describePorts(specs),
    allowsAll: anyone && everyTcpPort(specs),
  };
  return {
    described,
    ...(anyone ? {} : { peers }),
    // An L7 rule sends the port through Cilium's proxy, which cannot read
    // the mesh's mTLS: it does not count as letting the mesh's port in.
    letsIn: port => !l7 && portCovered(specs, port),
  };
}

/** The rules of a policy object, from `spec` and `specs`. */
function rulesOf(object: KubernetesObject): unknown[] {
  const spec = object.spec;
  const specs = (object as any).specs;
  return [
    ...(spec !== undefined && spec !== null ? [spec] : []),
    ...(Array.isArray(specs) ? specs : []),
  ];
}

/** What the Cilium agent's configuration changes in how policies are read. */
export interface CiliumAgentSettings {
  /** `enable-l7-proxy: false`: Cilium refuses policies with L7 rules. */
  l7ProxyDisabled?: boolean;
}

/**
 * Whether the operator found a policy invalid (status.conditions Valid
 * False): the agent does not apply it, so it isolates nothing.
 */
function refusedByCilium(object: KubernetesObject): boolean {
  const conditions = (object as any).status?.conditions;
  return (
    Array.isArray(conditions) &&
    conditions.some(
      (c: any) => isObject(c) && c.type === 'Valid' && c.status === 'False',
    )
  );
}

/** Cilium policies of a cluster, ready to say what they do to a pod. */
export interface CiliumPolicies {
  /** What the Cilium policies that select the pod do to it. */
  of(pod: KubernetesPod): PodPolicies;
}

/**
 * Reads a cluster's CiliumNetworkPolicies and
 * CiliumClusterwideNetworkPolicies (as listed). Judging a pod throws
 * CiliumPolicyNotJudged where a selecting policy uses what is not modelled.
 */
export function ciliumPolicies(
  namespaced: KubernetesObject[],
  clusterwide: KubernetesObject[],
  settings: CiliumAgentSettings = {},
): CiliumPolicies {
  const policies: CiliumPolicy[] = [
    ...namespaced
      .filter(o => !refusedByCilium(o))
      .map(o => ({
        kind: 'CiliumNetworkPolicy' as const,
        name: o.metadata.name,
        namespace: o.metadata.namespace ?? '',
        rules: rulesOf(o),
      })),
    ...clusterwide
      .filter(o => !refusedByCilium(o))
      .map(o => ({
        kind: 'CiliumClusterwideNetworkPolicy' as const,
        name: o.metadata.name,
        rules: rulesOf(o),
      })),
  ];
  // A pod meets its own namespace's policies and the clusterwide ones:
  // indexed once, not scanned whole for every pod.
  const clusterwidePolicies = policies.filter(p => p.namespace === undefined);
  const byNamespace = new Map<string, CiliumPolicy[]>();
  for (const p of policies) {
    if (p.namespace === undefined) continue;
    const list = byNamespace.get(p.namespace);
    if (list) list.push(p);
    else byNamespace.set(p.namespace, [p]);
  }
  // Selectors compiled once per rule, errors included.
  const compiled = new Map<
    unknown,
    LabelSelector | CiliumPolicyNotJudged | null
  >();
  const subjectOf = (policy: CiliumPolicy, rule: unknown) => {
    let found = compiled.get(rule);
    if (found === undefined) {
      try {
        if (!isObject(rule)) notJudged(policy, 'a rule is not an object');
        // Host policies select nodes, not pods.
        found =
          rule.endpointSelector === undefined || rule.endpointSelector === null
            ? null
            : podSelector(policy, rule.endpointSelector, 'endpointSelector');
      } catch (error) {
        if (!(error instanceof CiliumPolicyNotJudged)) throw error;
        found = error;
      }
      compiled.set(rule, found);
    }
    if (found instanceof CiliumPolicyNotJudged) throw found;
    return found;
  };
  const allowRules = new Map<unknown, Record<Direction, AllowRule[]>>();
  const rulesFor = (policy: CiliumPolicy, rule: Record<string, any>) => {
    let found = allowRules.get(rule);
    if (!found) {
      const of = (direction: Direction) => {
        const list = rule[direction] ?? [];
        if (!Array.isArray(list))
          notJudged(policy, `${direction} is not a list`);
        return list
          .map((r: unknown) => allowRule(policy, r, direction, settings))
          .filter((r: AllowRule | undefined): r is AllowRule => !!r);
      };
      found = { ingress: of('ingress'), egress: of('egress') };
      allowRules.set(rule, found);
    }
    return found;
  };

  return {
    of(pod) {
      const labels = endpointLabels(pod);
      const direction = (d: Direction): PodDirection => {
        const selecting: string[] = [];
        const rules: AllowRule[] = [];
        let enforced = false;
        let defaultDeny = false;
        for (const policy of [
          ...(byNamespace.get(pod.metadata.namespace ?? '') ?? []),
          ...clusterwidePolicies,
        ]) {
          for (const rule of policy.rules) {
            const subject = subjectOf(policy, rule);
            if (!subject || !matchesLabelSelector(subject, labels)) continue;
            const r = rule as Record<string, any>;
            const allows = Array.isArray(r[d]) ? r[d].length : 0;
            const denies = r[`${d}Deny`];
            if (
              denies !== undefined &&
              denies !== null &&
              !Array.isArray(denies)
            ) {
              notJudged(policy, `${d}Deny is not a list`);
            }
            if (allows === 0 && !(denies?.length > 0)) {
              // Cilium's own "deny all egress" example writes `egress: []`,
              // which its current agent does not enforce (len 0): what it
              // does depends on the version, so it is not judged.
              if (Array.isArray(r[d])) {
                notJudged(
                  policy,
                  `an empty ${d} list, whose effect differs between Cilium versions`,
                );
              }
              continue;
            }
            if (denies?.length > 0 && d === 'ingress') {
              // A deny wins over every allow; where it may close the
              // mesh's ports is not modelled.
              notJudged(policy, 'an ingressDeny rule, which is not judged');
            }
            enforced = true;
            const setting = r.enableDefaultDeny?.[d];
            if (setting !== false) defaultDeny = true;
            const label = policyLabel(policy);
            if (!selecting.includes(label)) selecting.push(label);
            rules.push(...rulesFor(policy, r)[d]);
          }
        }
        return {
          policies: selecting,
          isolates: enforced && defaultDeny,
          rules,
        };
      };
      return { ingress: [direction('ingress')], egress: [direction('egress')] };
    },
  };
}
