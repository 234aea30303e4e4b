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
import { identityMatches, isMeshWide } from '../identities';
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

/** Oldest first, then by name: the order istiod resolves conflicts in. */
export function byCreation(a: KubernetesObject, b: KubernetesObject): number {
  return (
    (a.metadata.creationTimestamp ?? '').localeCompare(
      b.metadata.creationTimestamp ?? '',
    ) || a.metadata.name.localeCompare(b.metadata.name)
  );
}

function oldest(list: KubernetesObject[]): KubernetesObject | undefined {
  return [...list].sort(byCreation)[0];
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

/** What a policy source asks of a caller, as far as who it is goes. */
interface SourceMatch {
  /** Identity patterns (`*` wildcards), in policy form (no `spiffe://`). */
  identities: string[];
  /** CIDRs of `ipBlocks` / `remoteIpBlocks`. */
  networks: string[];
  /** Matches every caller as far as identity goes (plaintext included). */
  anyone: boolean;
  /** Only negative or request-principal fields: judged as `anyone`. */
  conservative: boolean;
}

/**
 * Who a rule's `source` matches. `principals` and `namespaces` are checked
 * against the peer certificate, so they match only mTLS callers; `*` in
 * either is any authenticated caller (`principals: ["*"]` becomes the
 * regex `.+`, `namespaces` the regex `.*\/ns/<ns>/.*` with every `*` a
 * wildcard: istio/istio pilot/pkg/security/authz/matcher/string.go and
 * model/generator.go).
 */
function sourceMatch(source: any): SourceMatch {
  const principals = (source.principals ?? []).map(String);
  const namespaces = (source.namespaces ?? []).map(String);
  const identities = [
    ...principals.map((p: string) => (p === '*' ? '*' : normalizePrincipal(p))),
    ...namespaces.map((ns: string) => (ns === '*' ? '*' : `*/ns/${ns}/sa/*`)),
    ...(source.serviceAccounts ?? []).map((sa: string) => {
      const [ns, name] = String(sa).split('/');
      return `*/ns/${ns}/sa/${name}`;
    }),
  ];
  const networks = [
    ...(source.ipBlocks ?? []),
    ...(source.remoteIpBlocks ?? []),
  ].map(String);
  const negative = [
    'notPrincipals',
    'notNamespaces',
    'notIpBlocks',
    'notRemoteIpBlocks',
    'requestPrincipals',
    'notRequestPrincipals',
  ].some(k => source[k]);
  const anyone = identities.length === 0 && networks.length === 0;
  return { identities, networks, anyone, conservative: anyone && negative };
}

/** Whether a rule's `to` lets it apply on a port, and only by port. */
function ruleOnPort(
  rule: any,
  port: number | undefined,
): { applies: boolean; onlyByPort: boolean } {
  const tos: any[] = rule.to ?? [];
  const onlyByPort =
    !(rule.when ?? []).length &&
    tos.every(t =>
      Object.keys(t.operation ?? {}).every(
        k => k === 'ports' || k === 'notPorts',
      ),
    );
  if (tos.length === 0) return { applies: true, onlyByPort };
  const applies = tos.some(t => {
    const op = t.operation ?? {};
    const ports: string[] = (op.ports ?? []).map(String);
    const notPorts: string[] = (op.notPorts ?? []).map(String);
    // `ports` match the port the workload receives on: the container's
    // (Envoy's PortMatcher on the restored local address; ztunnel swaps
    // 15008 for the real port). "Other ports" are covered only by rules
    // that name none.
    if (port === undefined) return ports.length === 0;
    return (
      (ports.length === 0 || ports.includes(String(port))) &&
      !notPorts.includes(String(port))
    );
  });
  return { applies, onlyByPort };
}

/** Who may reach one port, as the ALLOW and DENY policies leave it. */
interface PortAdmission {
  /** Plaintext callers: from anywhere, from some networks, or none. */
  plaintext: 'anywhere' | 'networks' | 'none';
  networks: string[];
  /** Identity patterns admitted, `*` for any authenticated caller, with who admits each. */
  identities: Map<string, Set<string>>;
  /** Patterns a DENY took out of `*`. */
  except: string[];
  /** What narrowed it, for the explanation. */
  narrowedBy: string[];
}

function add(admission: PortAdmission, identity: string, by: string) {
  const set = admission.identities.get(identity) ?? new Set<string>();
  set.add(by);
  admission.identities.set(identity, set);
}

/** Keeps only the admitted identities within `patterns`: `*` becomes the patterns. */
function narrowTo(admission: PortAdmission, patterns: string[], by: string) {
  const next = new Map<string, Set<string>>();
  for (const [identity, grantedBy] of admission.identities) {
    if (identity === '*') {
      for (const p of patterns) {
        if (p === '*') {
          next.set('*', grantedBy);
        } else {
          next.set(p, new Set([...(next.get(p) ?? []), by]));
        }
      }
    } else if (patterns.some(p => identityMatches(p, identity))) {
      next.set(identity, grantedBy);
    }
  }
  admission.identities = next;
}

/**
 * The authorization posture of each port of a workload on Istio, and the
 * identities its policies admit. Evaluated per port as Istio does: CUSTOM
 * (delegated, noted), then DENY, then ALLOW; with no ALLOW policy every
 * caller not denied is allowed, with one only what an ALLOW rule matches
 * (`spec: {}` matches nothing, `rules: [{}]` everything). A DENY narrows
 * who is let in: `rules: [{}]` refuses everyone, `notNamespaces: [x]` or
 * `notPrincipals` every caller outside them, plaintext included (the
 * negation of a certificate match always holds without one: istio/istio
 * tests/integration/security/testdata/authz/plaintext.yaml.tmpl).
 * A DENY that refuses only some requests (paths, methods, conditions)
 * narrows nobody, so it is left out: judged broad, never narrow.
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
  const notes = new Set<string>();

  const peer = resolvePeerAuthentication({
    namespace: workload.namespace,
    rootNamespace,
    labels,
    peerAuthentications: objects.peerAuthentications,
  });

  const inScope = (p: KubernetesObject) => {
    const ns = p.metadata.namespace;
    return ns === workload.namespace || ns === rootNamespace;
  };
  // Sidecars ignore policies with targetRef(s): those are for gateways and
  // waypoints (istio/istio pilot/pkg/model/policyattachment.go).
  // A dry-run policy is only logged, never enforced (istio.io/dry-run;
  // pilot/pkg/security/authz/builder puts it in the shadow rules).
  const dryRun = (p: KubernetesObject) =>
    p.metadata.annotations?.['istio.io/dry-run'] === 'true';
  const applies = (p: KubernetesObject) =>
    inScope(p) &&
    !dryRun(p) &&
    !(p.spec?.targetRef || p.spec?.targetRefs) &&
    (!hasSelector(p) || objectSelectorMatches(p.spec.selector, labels));
  for (const p of objects.authorizationPolicies) {
    if (dryRun(p) && inScope(p)) {
      notes.add(
        `${ref(
          'AuthorizationPolicy',
          p,
        )} is a dry run (istio.io/dry-run): logged, not enforced`,
      );
    }
  }
  const policies = objects.authorizationPolicies.filter(applies);
  for (const p of objects.authorizationPolicies) {
    if ((p.spec?.targetRef || p.spec?.targetRefs) && inScope(p)) {
      notes.add(
        `${ref(
          'AuthorizationPolicy',
          p,
        )} targets a gateway or waypoint: it applies there, to traffic sent through it; traffic to the pods' own addresses reaches them past it (a waypoint serves services by default: istio.io/waypoint-for), so the pods' own policies are what is judged here`,
      );
    }
  }
  const action = (p: KubernetesObject) => p.spec?.action ?? 'ALLOW';
  const allow = policies.filter(p => action(p) === 'ALLOW');
  const deny = policies.filter(p => action(p) === 'DENY');
  for (const p of policies.filter(x => action(x) === 'CUSTOM')) {
    notes.add(
      `${ref(
        'AuthorizationPolicy',
        p,
      )} delegates to an external authorizer (CUSTOM), which can only refuse more; not judged here`,
    );
  }

  function admissionOn(port: number | undefined, mode: MtlsMode) {
    const plaintextAllowed = mode !== 'STRICT';
    const admission: PortAdmission = {
      plaintext: 'none',
      networks: [],
      identities: new Map(),
      except: [],
      narrowedBy: [],
    };
    const grants: AuthorizationGrant[] = [];
    if (allow.length === 0) {
      admission.plaintext = plaintextAllowed ? 'anywhere' : 'none';
      admission.identities.set('*', new Set());
    }
    for (const policy of allow) {
      const name = ref('AuthorizationPolicy', policy);
      for (const rule of policy.spec?.rules ?? []) {
        if (!ruleOnPort(rule, port).applies) continue;
        const froms: any[] = rule.from ?? [];
        const sources = froms.length
          ? froms.map(f => sourceMatch(f.source ?? {}))
          : [sourceMatch({})];
        for (const m of sources) {
          if (m.conservative) {
            notes.add(
              `${name} uses negative or request-principal matches, judged as admitting everyone`,
            );
          }
          if (m.anyone) {
            if (plaintextAllowed) admission.plaintext = 'anywhere';
            // Admitted, but by nobody's name: not listed as an identity.
            if (!admission.identities.has('*')) {
              admission.identities.set('*', new Set());
            }
          } else if (m.identities.length > 0) {
            m.identities.forEach(id => add(admission, id, name));
          } else {
            // Only networks: plaintext from them, and anyone from them.
            if (plaintextAllowed && admission.plaintext !== 'anywhere') {
              admission.plaintext = 'networks';
            }
            admission.networks.push(...m.networks);
            if (!admission.identities.has('*')) {
              admission.identities.set('*', new Set());
            }
          }
          grants.push({
            policy: name,
            identities: m.anyone ? ['*'] : m.identities,
            networks: m.networks,
            unauthenticated:
              plaintextAllowed && (m.anyone || m.identities.length === 0),
          });
        }
      }
    }
    for (const policy of deny) {
      const name = ref('AuthorizationPolicy', policy);
      for (const rule of policy.spec?.rules ?? []) {
        const on = ruleOnPort(rule, port);
        if (!on.applies) continue;
        if (!on.onlyByPort) {
          notes.add(
            `${name} refuses only some requests (operations or conditions), so it is not counted as narrowing who may call`,
          );
          continue;
        }
        const froms: any[] = rule.from ?? [];
        if (froms.length === 0) {
          admission.plaintext = 'none';
          admission.identities.clear();
          admission.narrowedBy.push(`${name} refuses every caller`);
          continue;
        }
        for (const f of froms) {
          const source = f.source ?? {};
          const fields = Object.keys(source).filter(
            k => (source[k] ?? []).length > 0,
          );
          const only = (k: string) => fields.length === 1 && fields[0] === k;
          const values = (k: string): string[] => (source[k] ?? []).map(String);
          if (only('notNamespaces') || only('notPrincipals')) {
            const patterns = only('notNamespaces')
              ? values('notNamespaces').map(ns =>
                  ns === '*' ? '*' : `*/ns/${ns}/sa/*`,
                )
              : values('notPrincipals').map(p =>
                  p === '*' ? '*' : normalizePrincipal(p),
                );
            // Plaintext has no certificate: the negation always holds.
            admission.plaintext = 'none';
            admission.networks = [];
            narrowTo(admission, patterns, name);
            admission.narrowedBy.push(
              `${name} refuses all but ${patterns.join(', ')}`,
            );
          } else if (only('principals') || only('namespaces')) {
            const patterns = only('namespaces')
              ? values('namespaces').map(ns =>
                  ns === '*' ? '*' : `*/ns/${ns}/sa/*`,
                )
              : values('principals').map(p =>
                  p === '*' ? '*' : normalizePrincipal(p),
                );
            if (patterns.includes('*')) {
              admission.identities.clear();
            } else {
              for (const id of [...admission.identities.keys()]) {
                if (id !== '*' && patterns.some(p => identityMatches(p, id))) {
                  admission.identities.delete(id);
                }
              }
              if (admission.identities.has('*'))
                admission.except.push(...patterns);
            }
            admission.narrowedBy.push(`${name} refuses ${patterns.join(', ')}`);
          } else {
            notes.add(
              `${name} refuses callers by network or by several fields at once, judged as narrowing nobody`,
            );
          }
        }
      }
    }
    return { admission, grants };
  }

  function accessOf(a: PortAdmission): PortAccess {
    if (a.plaintext === 'anywhere') return 'open';
    if (a.plaintext === 'networks') return 'cluster';
    if ([...a.identities.keys()].some(isMeshWide)) return 'authenticated';
    return 'deny';
  }

  function explanation(
    mode: MtlsMode,
    portMode: boolean,
    a: PortAdmission,
  ): string {
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
    parts.push(...a.narrowedBy);
    if (a.except.length > 0) {
      parts.push(`any authenticated caller except ${a.except.join(', ')}`);
    }
    return parts.join('; ');
  }

  const admitted = new Map<string, Set<string>>();
  const portOf = (
    label: string,
    port: number | undefined,
  ): PortAuthorization => {
    const mode =
      (port !== undefined ? peer.ports.get(port) : undefined) ?? peer.mode;
    const { admission, grants } = admissionOn(port, mode);
    for (const [identity, by] of admission.identities) {
      // Listed when a policy names it: `*` from `principals: ["*"]` is, the
      // default "no ALLOW policy" is nobody's grant.
      if (by.size === 0) continue;
      const set = admitted.get(identity) ?? new Set<string>();
      by.forEach(b => set.add(b));
      admitted.set(identity, set);
    }
    return {
      workload,
      port: label,
      access: accessOf(admission),
      mtlsMode: mode,
      grants,
      explanation: explanation(
        mode,
        port !== undefined && peer.ports.has(port),
        admission,
      ),
    };
  };

  const appPorts = (pod.spec?.containers ?? [])
    .filter(c => c.name !== ISTIO_PROXY)
    .flatMap(c => c.ports ?? [])
    .filter(p => !PROXY_PORTS.has(p.containerPort));
  const ports: PortAuthorization[] = appPorts.map(p =>
    portOf(
      p.name ? `${p.containerPort} (${p.name})` : String(p.containerPort),
      p.containerPort,
    ),
  );
  ports.push(portOf('*', undefined));

  return {
    ports,
    admitted: [...admitted.entries()]
      .map(([identity, by]) => ({ identity, grantedBy: [...by].sort() }))
      .sort((a, b) => a.identity.localeCompare(b.identity)),
    notes: [...notes],
  };
}
