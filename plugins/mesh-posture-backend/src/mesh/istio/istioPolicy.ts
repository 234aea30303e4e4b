import type {
  AuthorizationGrant,
  PortAccess,
  PortAuthorization,
  WorkloadRef,
} from '@mesh-posture/plugin-mesh-posture-common';
import type {
  KubernetesObject,
  KubernetesPod,
} from '@mesh-posture/plugin-mesh-posture-node';
import { objectSelectorMatches } from '../selectors';

/*
 * Istio's inbound posture, read from security.istio.io resources:
 * - PeerAuthentication decides whether plaintext is accepted. A workload
 *   policy (with a selector) wins over the namespace policy, which wins over
 *   the mesh policy in the root namespace; UNSET inherits; with none at all
 *   the mode is PERMISSIVE. Port-level modes need a selector. When several
 *   policies match at one level, the oldest wins.
 * - AuthorizationPolicy decides who may call: CUSTOM, then DENY, then ALLOW.
 *   With no ALLOW policy everything not denied is allowed; with ALLOW
 *   policies only matching requests are. `spec: {}` allows nothing.
 *   Policies in the root namespace apply mesh-wide.
 */

type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

export interface IstioPolicyObjects {
  /** PeerAuthentications of the workload's namespace and the root namespace. */
  peerAuthentications: KubernetesObject[];
  /** AuthorizationPolicies of the workload's namespace and the root namespace. */
  authorizationPolicies: KubernetesObject[];
}

export interface IstioEvaluation {
  ports: PortAuthorization[];
  admitted: Array<{ identity: string; grantedBy: string[] }>;
  /** Things about the policies this evaluation could not judge. */
  notes: string[];
}

const ISTIO_PROXY = 'istio-proxy';
const PROXY_PORTS = new Set([
  15000, 15001, 15004, 15006, 15008, 15020, 15021, 15090,
]);

function ref(kind: string, o: KubernetesObject): string {
  return `${kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function oldest(list: KubernetesObject[]): KubernetesObject | undefined {
  return [...list].sort(
    (a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(
        b.metadata.creationTimestamp ?? '',
      ) || a.metadata.name.localeCompare(b.metadata.name),
  )[0];
}

function modeOf(value: unknown): MtlsMode | undefined {
  return value === 'STRICT' || value === 'PERMISSIVE' || value === 'DISABLE'
    ? value
    : undefined;
}

function hasSelector(o: KubernetesObject): boolean {
  const s = o.spec?.selector;
  return Boolean(
    s &&
      (Object.keys(s.matchLabels ?? {}).length > 0 ||
        (s.matchExpressions ?? []).length > 0),
  );
}

/** `spiffe://cluster.local/ns/a/sa/b` and `cluster.local/ns/a/sa/b` compare equal. */
export function normalizePrincipal(principal: string): string {
  return principal.replace(/^spiffe:\/\//, '');
}

/** The peer-authentication mode of a workload, per port, with where it came from. */
export function resolvePeerAuthentication(input: {
  namespace: string;
  rootNamespace: string;
  labels: Record<string, string> | undefined;
  peerAuthentications: KubernetesObject[];
}): { mode: MtlsMode; from: string; ports: Map<number, MtlsMode> } {
  const inNs = input.peerAuthentications.filter(
    p => p.metadata.namespace === input.namespace,
  );
  const workloadPolicy = oldest(
    inNs.filter(
      p =>
        hasSelector(p) && objectSelectorMatches(p.spec.selector, input.labels),
    ),
  );
  const namespacePolicy = oldest(inNs.filter(p => !hasSelector(p)));
  const meshPolicy = oldest(
    input.peerAuthentications.filter(
      p => p.metadata.namespace === input.rootNamespace && !hasSelector(p),
    ),
  );
  let mode: MtlsMode = 'PERMISSIVE';
  let from = 'Istio default';
  for (const policy of [meshPolicy, namespacePolicy, workloadPolicy]) {
    const m = modeOf(policy?.spec?.mtls?.mode);
    if (policy && m) {
      mode = m;
      from = ref('PeerAuthentication', policy);
    }
  }
  const ports = new Map<number, MtlsMode>();
  for (const [port, setting] of Object.entries<any>(
    workloadPolicy?.spec?.portLevelMtls ?? {},
  )) {
    const m = modeOf(setting?.mode);
    if (m) ports.set(Number(port), m);
  }
  return { mode, from, ports };
}

/**
 * The authorization posture of each port of a workload on Istio, and the
 * principals its ALLOW policies admit.
 */
export function evaluateIstioAuthorization(input: {
  workload: WorkloadRef;
  pods: KubernetesPod[];
  objects: IstioPolicyObjects;
  rootNamespace: string;
}): IstioEvaluation {
  const { workload, objects, rootNamespace } = input;
  const pod = input.pods[0];
  if (!pod) return { ports: [], admitted: [], notes: [] };
  const labels = pod.metadata.labels;
  const notes: string[] = [];

  const peer = resolvePeerAuthentication({
    namespace: workload.namespace,
    rootNamespace,
    labels,
    peerAuthentications: objects.peerAuthentications,
  });

  const applies = (p: KubernetesObject) => {
    const ns = p.metadata.namespace;
    if (ns !== workload.namespace && ns !== rootNamespace) return false;
    if (p.spec?.targetRef || p.spec?.targetRefs) return false;
    return !hasSelector(p) || objectSelectorMatches(p.spec.selector, labels);
  };
  const policies = objects.authorizationPolicies.filter(applies);
  for (const p of objects.authorizationPolicies) {
    if (
      (p.spec?.targetRef || p.spec?.targetRefs) &&
      (p.metadata.namespace === workload.namespace ||
        p.metadata.namespace === rootNamespace)
    ) {
      notes.push(
        `${ref(
          'AuthorizationPolicy',
          p,
        )} targets a gateway or waypoint and is not judged here`,
      );
    }
  }
  const action = (p: KubernetesObject) => p.spec?.action ?? 'ALLOW';
  const allow = policies.filter(p => action(p) === 'ALLOW');
  const deny = policies.filter(p => action(p) === 'DENY');
  const custom = policies.filter(p => action(p) === 'CUSTOM');
  for (const p of custom) {
    notes.push(
      `${ref(
        'AuthorizationPolicy',
        p,
      )} delegates to an external authorizer (CUSTOM)`,
    );
  }

  // Grants as the policies write them; whether they admit plaintext depends
  // on the mTLS mode of the port they are judged on.
  type RawGrant = {
    policy: string;
    identities: string[];
    networks: string[];
    anySource: boolean;
  };
  const raw: RawGrant[] = [];
  for (const policy of allow) {
    const rules: any[] = policy.spec?.rules ?? [];
    for (const rule of rules) {
      const froms: any[] = rule.from ?? [];
      if (froms.length === 0) {
        // A rule without `from` admits every source (restricted at most by `to`/`when`).
        raw.push({
          policy: ref('AuthorizationPolicy', policy),
          identities: ['*'],
          networks: [],
          anySource: true,
        });
        continue;
      }
      for (const from of froms) {
        const source = from.source ?? {};
        const identities = [
          ...(source.principals ?? []).map(String),
          ...(source.namespaces ?? []).map((ns: string) => `*/ns/${ns}/sa/*`),
          ...(source.serviceAccounts ?? []).map((sa: string) => {
            const [ns, name] = String(sa).split('/');
            return `*/ns/${ns}/sa/${name}`;
          }),
        ];
        const networks = [
          ...(source.ipBlocks ?? []),
          ...(source.remoteIpBlocks ?? []),
        ].map(String);
        const anySource = identities.length === 0 && networks.length === 0;
        raw.push({
          policy: ref('AuthorizationPolicy', policy),
          // A source that names nothing positive (only not* fields) admits everyone else.
          identities: anySource ? ['*'] : identities,
          networks,
          anySource,
        });
        if (
          [
            'notPrincipals',
            'notNamespaces',
            'notIpBlocks',
            'requestPrincipals',
          ].some(k => source[k])
        ) {
          notes.push(
            `${ref(
              'AuthorizationPolicy',
              policy,
            )} uses negative or request-principal matches, judged conservatively`,
          );
        }
      }
    }
  }

  function grantsFor(mode: MtlsMode): AuthorizationGrant[] {
    return raw.map(g => ({
      policy: g.policy,
      identities: g.identities,
      networks: g.networks,
      unauthenticated:
        mode !== 'STRICT' && (g.anySource || g.networks.length > 0),
    }));
  }

  function access(mode: MtlsMode): PortAccess {
    if (allow.length === 0 || raw.some(g => g.anySource)) {
      // Nothing restricts callers; STRICT still requires a mesh identity.
      return mode === 'STRICT' ? 'authenticated' : 'open';
    }
    if (grantsFor(mode).some(g => g.unauthenticated)) return 'cluster';
    return 'deny';
  }

  function explanation(mode: MtlsMode, portMode: boolean): string {
    const parts = [
      `mTLS ${mode}${portMode ? ' on this port' : ''} (${peer.from})`,
    ];
    if (allow.length === 0) {
      parts.push('no ALLOW policy: every caller not denied is allowed');
    } else if (allow.every(p => !(p.spec?.rules ?? []).length)) {
      parts.push('ALLOW policy with no rules: all traffic denied');
    } else {
      parts.push(
        `${allow.length} ALLOW polic${allow.length > 1 ? 'ies' : 'y'}`,
      );
    }
    if (deny.length > 0)
      parts.push(`${deny.length} DENY polic${deny.length > 1 ? 'ies' : 'y'}`);
    return parts.join('; ');
  }

  const appPorts = (pod.spec?.containers ?? [])
    .filter(c => c.name !== ISTIO_PROXY)
    .flatMap(c => c.ports ?? [])
    .filter(p => !PROXY_PORTS.has(p.containerPort));
  const ports: PortAuthorization[] = appPorts.map(p => {
    const mode = peer.ports.get(p.containerPort) ?? peer.mode;
    return {
      workload,
      port: p.name ? `${p.containerPort} (${p.name})` : String(p.containerPort),
      access: access(mode),
      mtlsMode: mode,
      grants: grantsFor(mode),
      explanation: explanation(mode, peer.ports.has(p.containerPort)),
    };
  });
  ports.push({
    workload,
    port: '*',
    access: access(peer.mode),
    mtlsMode: peer.mode,
    grants: grantsFor(peer.mode),
    explanation: explanation(peer.mode, false),
  });

  const admitted = new Map<string, Set<string>>();
  for (const g of raw) {
    for (const id of g.identities) {
      if (id === '*') continue;
      const set = admitted.get(id) ?? new Set<string>();
      set.add(g.policy);
      admitted.set(id, set);
    }
  }
  return {
    ports,
    admitted: [...admitted.entries()]
      .map(([identity, by]) => ({ identity, grantedBy: [...by].sort() }))
      .sort((a, b) => a.identity.localeCompare(b.identity)),
    notes,
  };
}
